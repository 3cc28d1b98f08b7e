// The workflow bundle written to a file (`npm run build:workflows`, the Docker image): a worker that
// loads it starts without webpack, and every worker of a release runs byte-identical workflow code.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PREBUILT_BUNDLE } from './build';
import { failureConverterPath } from '../temporal/options';
import { workflowBundleOptions, workflowsPath } from './workers';

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };

export async function buildWorkflowBundle(
  opts: { out?: string; workflowsPath?: string } = {},
): Promise<{ path: string; bytes: number; sha256: string; bundle: WorkflowBundleWithSourceMap }> {
  const out = opts.out ?? PREBUILT_BUNDLE;
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions(opts.workflowsPath ?? workflowsPath()),
    failureConverterPath: failureConverterPath(),
    logger: quiet,
  });
  mkdirSync(dirname(out), { recursive: true });
  // Written aside and renamed: a worker starting meanwhile never loads half a file.
  writeFileSync(`${out}.tmp`, bundle.code);
  renameSync(`${out}.tmp`, out);
  return {
    path: out,
    bytes: Buffer.byteLength(bundle.code),
    sha256: createHash('sha256').update(bundle.code).digest('hex'),
    bundle,
  };
}

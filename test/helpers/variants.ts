// Workflow code as it might be edited: a copy of src/ with string replacements applied, bundled
// like the real thing. The tests that prove the replay guard (and try a change before it is made
// in src/workflows) use it; the real sources are never touched.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowBundleOptions } from '../../src/worker/workers';

const ROOT = join(__dirname, '..', '..');

export interface Edit {
  /** Relative to src/, e.g. `workflows/identity.ts`. */
  file: string;
  /** Must occur exactly once (an edit that no longer applies fails loudly, never silently). */
  find: string;
  replace: string;
}

/** Applies `edits` to `text` of `file`; throws unless each `find` occurs exactly once. */
export function applyEdits(file: string, text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits.filter((x) => x.file === file)) {
    const n = out.split(e.find).length - 1;
    if (n !== 1)
      throw new Error(
        `${file}: the text to replace occurs ${n} times (expected once) — the edit no longer applies:\n${e.find}`,
      );
    out = out.replace(e.find, () => e.replace);
  }
  return out;
}

/** A copy of src/ with the edits applied, in a temporary directory (node_modules linked). */
export function variantSources(edits: Edit[]): { dir: string; workflowsPath: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'scimflow-variant-'));
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const file of new Set(edits.map((e) => e.file))) {
    const path = join(dir, 'src', file);
    writeFileSync(path, applyEdits(file, readFileSync(path, 'utf8'), edits));
  }
  return {
    dir,
    workflowsPath: join(dir, 'src', 'workflows', 'index.ts'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/** The workflow bundle of src/ with the edits applied. */
export async function bundleVariant(edits: Edit[]): Promise<WorkflowBundleWithSourceMap> {
  const v = variantSources(edits);
  try {
    return await bundleWorkflowCode({
      ...workflowBundleOptions(v.workflowsPath),
      logger: quietLogger,
    });
  } finally {
    v.cleanup();
  }
}

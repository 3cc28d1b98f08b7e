// Real Temporal for tests: the dev server from the project's own Temporal CLI (never downloaded).
// A missing CLI fails the suite loudly rather than skipping it.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { LINKED_APPS, NEEDS_ATTENTION, PENDING_APPROVALS, PROBLEMS, STAGE } from '../../src/workflows/search-attributes';
import { workflowsPath } from '../../src/worker/workers';

function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this jest worker process
  }
}

export interface TemporalOptions {
  /** Serve the Temporal Web UI on this port (browser tests). */
  uiPort?: number;
}

export async function startTemporal(opts: TemporalOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const path = findTemporalCli();
  if (!path) {
    throw new Error('Temporal CLI not found: run `node scripts/ensure-temporal.mjs` or set TEMPORAL_CLI_PATH. Workflow tests need a real server.');
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      searchAttributes: [STAGE, PENDING_APPROVALS, NEEDS_ATTENTION, LINKED_APPS, PROBLEMS],
      extraArgs: ['--log-level', 'error'],
      ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : {}),
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds: do it once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
}

// Real Temporal for tests: the dev server from the project's own Temporal CLI, and Temporal's
// time-skipping test server (Java, resolved from Maven Central by scripts/ensure-test-server.mjs)
// for workflows whose timers are measured in days. Neither is ever downloaded at run time; a
// missing one fails the suite loudly rather than skipping it.
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { requireTestServer } from '../../src/dev/test-server';
import {
  LINKED_APPS,
  NEEDS_ATTENTION,
  PENDING_APPROVALS,
  PROBLEMS,
  STAGE,
} from '../../src/workflows/search-attributes';
import { workflowBundleOptions } from '../../src/worker/workers';
import { failureConverterPath } from '../../src/temporal/options';

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
  /** The Web UI decodes payloads through this codec server (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
}

export async function startTemporal(opts: TemporalOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const path = findTemporalCli();
  if (!path) {
    throw new Error(
      'Temporal CLI not found: run `node scripts/ensure-temporal.mjs` or set TEMPORAL_CLI_PATH. Workflow tests need a real server.',
    );
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      searchAttributes: [STAGE, PENDING_APPROVALS, NEEDS_ATTENTION, LINKED_APPS, PROBLEMS],
      extraArgs: [
        '--log-level',
        'error',
        ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
      ],
      ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : {}),
    },
  });
}

/** What `defineSearchAttributeKey` returns. */
type AttributeKey = { name: string; type: SearchAttributeType };
const IVT = temporal.api.enums.v1.IndexedValueType;
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: IVT.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IVT.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IVT.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IVT.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IVT.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export interface TimeSkippingOptions {
  /** Listen on this port; default: a free one. */
  port?: number;
  /** Custom search attributes to register; default: scimflow's four. */
  searchAttributes?: AttributeKey[];
}

/**
 * Temporal's time-skipping test server. Timers, timeouts and retry backoffs jump forward whenever no
 * workflow or activity task is in flight — but only while the test awaits a result through
 * `env.client` (`execute`, `handle.result()`) or calls `env.sleep`: the server starts with the clock
 * locked. A workflow stuck failing its workflow task keeps the clock stopped for every workflow on
 * the server until it is terminated. Visibility (`client.workflow.list`) is not implemented.
 * A query that races a run's continue-as-new fails that workflow task on this server ("workflow
 * execution already completed") and stops the clock the same way: do not poll queries while a
 * continue-as-new may be under way (wait over the apps' HTTP APIs or `describe()` instead).
 */
/**
 * The SDK gives the Java test server 5 s to answer (a constant in sdk-core); a JVM on a loaded
 * two-core machine can take longer, cold. A slow start is tried again, a few times; any other error is not.
 */
async function startingJvm<T>(start: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

export async function startTimeSkipping(opts: TimeSkippingOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const path = requireTestServer();
  const env = await startingJvm(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path }, ...(opts.port ? { port: opts.port } : {}) },
    }),
  );
  try {
    await registerSearchAttributes(
      env,
      opts.searchAttributes ?? [STAGE, PENDING_APPROVALS, NEEDS_ATTENTION, LINKED_APPS, PROBLEMS],
    );
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/**
 * The test server refuses a custom search attribute until it is registered (upserting one fails the
 * workflow task with BadSearchAttributes), and refuses to register one twice.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment, keys: AttributeKey[]): Promise<void> {
  if (keys.length === 0) return;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(keys.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]])),
  });
}

/** Bundling takes seconds: do it once per test file. */
const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();

/**
 * The workflows bundled once per test process. `encodedFailures` (default): with the failure
 * converter an encrypting worker uses (src/temporal/options.ts), messages travel encoded; without
 * it, as a worker without keys bundles, failures are written in clear (the Temporal UI reads them
 * with no codec).
 */
export function workflowBundle(opts: { encodedFailures?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  const encoded = opts.encodedFailures ?? true;
  let b = bundles.get(encoded);
  if (!b) {
    b = bundleWorkflowCode({
      ...workflowBundleOptions(),
      ...(encoded ? { failureConverterPath: failureConverterPath() } : {}),
      logger: quietLogger,
    });
    bundles.set(encoded, b);
  }
  return b;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
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

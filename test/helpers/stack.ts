// A whole scimflow stack for integration tests: a real Temporal dev server, the sandbox apps on a
// loopback port, the worker composed from a YAML configuration exactly as in production, and a
// Temporal client. Nothing is mocked. Payloads are encrypted as in production (the configuration's
// temporal.encryption, else the development key), so the client is built here with the data
// converter — `env.client` (no codec) cannot read them.
import { Client } from '@temporalio/client';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEV_ENV, DEV_PAYLOAD_KEY } from '../../src/cli/dev-env';
import { dataConverter as configuredDataConverter } from '../../src/temporal/options';
import { parseConfigText, type ScimflowConfig } from '../../src/config';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { findStuck, type StuckRow } from '../../src/cli/ops';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { identityWorkflowId, type Employee, type HrEvent } from '../../src/shared/hr-event';
import { composeWorker, type Composed } from '../../src/worker/compose';
import { startWorkers, type RunningWorkers, type StartWorkersOptions } from '../../src/worker/workers';
import { stateQuery, type PersonView } from '../../src/workflows/definitions';
import { startTemporal, waitFor, workflowBundle, type TemporalOptions } from './temporal';

export interface Stack {
  env: TestWorkflowEnvironment;
  client: Client;
  sandbox: SandboxHandle;
  config: ScimflowConfig;
  workers: RunningWorkers;
  composed: Composed;
  /** What the client and workers encode with (`dataConverter(config)`). */
  dataConverter: DataConverter;
  send(event: HrEvent): Promise<string>;
  state(employeeId: string): Promise<PersonView>;
  /** `scimflow stuck`, as the CLI computes it. */
  stuck(): Promise<StuckRow[]>;
  until(employeeId: string, pred: (s: PersonView) => boolean, what: string, timeoutMs?: number): Promise<PersonView>;
  restartWorkers(envOverride?: Record<string, string>): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** The sandbox's development credentials (as `scimflow dev` sets them), with a test webhook secret. */
export const TEST_ENV = {
  ...DEV_ENV,
  SCIMFLOW_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  SCIMFLOW_PAYLOAD_KEY: DEV_PAYLOAD_KEY,
} as const;

/** What the stack encrypts with when the YAML sets no temporal.encryption: the bundled example's (key id `dev`). */
export const TEST_ENCRYPTION = {
  current: 'dev',
  keys: [{ id: 'dev', key: { ref: 'env' as const, name: 'SCIMFLOW_PAYLOAD_KEY' } }],
  acceptUnencrypted: false,
};

/** A test configuration as a CLI process reads it: with the stack's payload key (TEST_ENCRYPTION) when it names none. */
export function withTestEncryption(yaml: string): string {
  const doc = parseYaml(yaml) as { temporal?: Record<string, unknown> };
  if (doc.temporal?.encryption) return yaml;
  doc.temporal = {
    ...doc.temporal,
    encryption: { current: 'dev', keys: [{ id: 'dev', key: '${SCIMFLOW_PAYLOAD_KEY}' }] },
  };
  return stringifyYaml(doc);
}

/** `yaml` may use `{{SANDBOX}}` for the sandbox's root URL. */
/** What the stack's workers may be given besides the defaults (a build id, a Deployment Version, another bundle). */
export type StackWorkerOptions = Partial<Pick<StartWorkersOptions, 'buildId' | 'deployment' | 'workflowBundle'>>;

export interface StackOptions {
  env?: TestWorkflowEnvironment;
  temporal?: TemporalOptions;
  workers?: StackWorkerOptions;
  /** false: payloads in clear text (no codec), as before encryption. Default: encrypted. */
  encryption?: boolean;
}

export async function startStack(yaml: string, opts: StackOptions = {}): Promise<Stack> {
  const env = opts.env ?? (await startTemporal(opts.temporal));
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const parsed = parseConfigText(yaml.replaceAll('{{SANDBOX}}', sandbox.url), '/virtual/test-config.yaml');
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.errors)}`);
  const config = parsed.config;
  if (opts.encryption === false) delete config.temporal.encryption;
  else config.temporal.encryption ??= TEST_ENCRYPTION;
  const dataConverter = configuredDataConverter(config, TEST_ENV);
  const bundle = opts.workers?.workflowBundle ?? (await workflowBundle({ encodedFailures: opts.encryption !== false }));
  const extra = { ...opts.workers, workflowBundle: bundle, dataConverter };
  let composed = composeWorker(config, TEST_ENV);
  await composed.discover();
  let workers = await startWorkers({
    connection: env.nativeConnection,
    apps: composed.apps,
    deps: composed.deps,
    ...extra,
  });
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
  const dispatcher = temporalDispatcher(client);

  const stack: Stack = {
    env,
    client,
    sandbox,
    config,
    dataConverter,
    get workers() {
      return workers;
    },
    get composed() {
      return composed;
    },
    async send(event) {
      return (await dispatcher.dispatch(event)).workflowId;
    },
    state(employeeId) {
      return client.workflow.getHandle(identityWorkflowId(employeeId)).query(stateQuery);
    },
    stuck() {
      return findStuck(client);
    },
    until(employeeId, pred, what, timeoutMs = 20_000) {
      return waitFor(
        async () => {
          const s = await stack.state(employeeId);
          return pred(s) ? s : undefined;
        },
        { timeoutMs, what: `${employeeId}: ${what}` },
      );
    },
    async stopWorkers() {
      await workers.shutdown();
      await composed.close();
    },
    async restartWorkers(envOverride = {}) {
      composed = composeWorker(config, { ...TEST_ENV, ...envOverride });
      workers = await startWorkers({
        connection: env.nativeConnection,
        apps: composed.apps,
        deps: composed.deps,
        ...extra,
      });
    },
    async close() {
      await workers.shutdown().catch(() => undefined);
      await composed.close().catch(() => undefined);
      await sandbox.close();
      if (!opts.env) await env.teardown();
    },
  } as Stack;
  return stack;
}

let seq = 0;
export function employee(overrides: Partial<Employee> = {}): Employee {
  seq += 1;
  const id = overrides.employeeId ?? `E${Date.now().toString(36)}${seq}`;
  return {
    employeeId: id,
    email: `${id.toLowerCase()}@example.com`,
    givenName: 'Test',
    familyName: `Person${seq}`,
    department: 'Sales',
    title: 'Account Executive',
    employeeType: 'Employee',
    ...overrides,
  };
}

let eventSeq = 0;
export function event(type: HrEvent['type'], emp: Employee, extra: Partial<HrEvent> = {}): HrEvent {
  eventSeq += 1;
  return { id: `evt-${type}-${emp.employeeId}-${eventSeq}`, type, employee: emp, ...extra };
}

export type SandboxUser = Record<string, unknown> & { id: string; userName: string; active?: boolean };

/** The accounts with this userName (case-insensitive) in one sandbox app. */
export function accountsIn(
  sandbox: SandboxHandle,
  app: 'generic' | 'jasper' | 'jumpcloud',
  userName: string,
): SandboxUser[] {
  return (sandbox.app(app).users() as unknown as SandboxUser[]).filter(
    (u) => u.userName.toLowerCase() === userName.toLowerCase(),
  );
}

/** JumpCloud's userName for an email, written out independently of the mapping code (the test's oracle). */
export function jumpcloudUserName(email: string): string {
  return email.split('@')[0]!.replace(/[^A-Za-z0-9]/g, '');
}

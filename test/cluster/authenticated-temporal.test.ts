// On a REAL Temporal server (temporal-server v1.29.1, SQLite in memory) with its default JWT
// authorizer and claim mapper: a client without a token can neither start, signal nor query a
// workflow; each process's token grants what it needs and no more; and the worker and the ingress,
// connecting with their tokens through `connectionOptions(config)` exactly as in production, take a
// signed hire to an account in the sandbox. Run by `.ci/run` as a stage of its own (it needs the
// server binary: `node scripts/ensure-temporal-server.mjs`); docs/security.md.
import { Client, Connection } from '@temporalio/client';
import type Long from 'long';
import { temporal as proto } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { request } from 'undici';
import { temporalAccess } from '../../src/cli/temporal';
import { dataConverter } from '../../src/temporal/options';
import { parseConfigText, type ScimflowConfig } from '../../src/config';
import { sign } from '../../src/ingress/signature';
import { startIngress, type RunningIngress } from '../../src/ingress/process';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { createLogger } from '../../src/shared/logger';
import { composeWorker, type Composed } from '../../src/worker/compose';
import { startWorkers, type RunningWorkers } from '../../src/worker/workers';
import { hrEventSignal, stateQuery } from '../../src/workflows/definitions';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { startTemporalCluster, type TemporalCluster } from '../helpers/temporal-cluster';
import { employee, event, TEST_ENCRYPTION, TEST_ENV } from '../helpers/stack';
import { waitFor, workflowBundle } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

let cluster: TemporalCluster;
let sandbox: SandboxHandle;
let config: ScimflowConfig;
let composed: Composed | undefined;
let workers: RunningWorkers | undefined;
let workerConnection: NativeConnection | undefined;
let ingress: RunningIngress | undefined;
const opened: Connection[] = [];

// What each process is given (docs/security.md, "Roles"). The default authorizer knows read < write
// < admin per namespace (its `worker` role grants nothing a writer lacks: polling is a write): the
// worker and the ingress need `write`; an operator who only looks needs `read`. Telling the worker
// apart from the ingress needs a custom authorizer.
const tokens = () => ({
  worker: cluster.issuer.token('scimflow-worker', ['default:write']),
  ingress: cluster.issuer.token('scimflow-ingress', ['default:write']),
  reader: cluster.issuer.token('operator@example.com', ['default:read']),
});

async function client(apiKey?: string): Promise<Client> {
  // (The SDK turns TLS on with an API key unless told otherwise: this loopback test server is plain text.)
  // Lazy: a refused token shows on the call it refuses, not already on connecting.
  const connection = Connection.lazy({ address: cluster.address, tls: false, ...(apiKey ? { apiKey } : {}) });
  opened.push(connection);
  return new Client({ connection, namespace: 'default', dataConverter: dataConverter(config, TEST_ENV) });
}

const PERMISSION_DENIED = 7;
async function denied(what: string, call: () => Promise<unknown>): Promise<void> {
  let err: unknown;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  const chain: { code?: unknown; message?: unknown }[] = [];
  for (let x = err, i = 0; x && i < 5; x = (x as { cause?: unknown }).cause, i++)
    chain.push(x as { code?: unknown; message?: unknown });
  const code = chain.map((c) => c.code).find((c) => typeof c === 'number');
  expect([what, code, chain.map((c) => String(c.message)).join(' / ')]).toEqual([
    what,
    PERMISSION_DENIED,
    expect.stringMatching(/unauthorized/i),
  ]);
}

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already
  }
  cluster = await startTemporalCluster();
  const admin = await Connection.connect({ address: cluster.address, apiKey: cluster.adminToken, tls: false });
  opened.push(admin);
  await waitFor(
    async () => {
      await admin.workflowService.registerNamespace({
        namespace: 'default',
        workflowExecutionRetentionPeriod: { seconds: 86_400 as unknown as Long },
      });
      return true;
    },
    { timeoutMs: 30_000, what: 'namespace default registered' },
  ).catch(async (e: unknown) => {
    // Registered by an earlier attempt of the loop.
    await admin.workflowService.describeNamespace({ namespace: 'default' }).catch(() => Promise.reject(e));
  });
  const IVT = proto.api.enums.v1.IndexedValueType;
  const types = {
    Keyword: IVT.INDEXED_VALUE_TYPE_KEYWORD,
    KeywordList: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
    Bool: IVT.INDEXED_VALUE_TYPE_BOOL,
  };
  await admin.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([n, t]) => [n, types[t]])),
  });
  // The frontend's namespace cache picks the new namespace up within ~10 s.
  const adminClient = new Client({ connection: admin, namespace: 'default' });
  await waitFor(async () => (await adminClient.workflow.count()) !== undefined, {
    timeoutMs: 30_000,
    what: 'namespace default usable',
  });

  sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const parsed = parseConfigText(
    LIFECYCLE_CONFIG.replaceAll('{{SANDBOX}}', sandbox.url),
    '/virtual/authenticated.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  config = parsed.config;
  config.temporal.address = cluster.address;
  // As a production file would say it: the token from the environment (or its _FILE), plain text
  // on this loopback test server (production: TLS, see docs/security.md).
  config.temporal.apiKey = { ref: 'env', name: 'SCIMFLOW_TEMPORAL_TOKEN' };
  config.temporal.tls = false;
  config.temporal.encryption = TEST_ENCRYPTION;
}, 180_000);

afterAll(async () => {
  await ingress?.stop().catch(() => undefined);
  await workers?.shutdown().catch(() => undefined);
  await composed?.close().catch(() => undefined);
  await workerConnection?.close().catch(() => undefined);
  for (const c of opened) await c.close().catch(() => undefined);
  await sandbox?.close();
  await cluster?.stop();
}, 60_000);

describe('a Temporal server with the default JWT authorizer', () => {
  it('refuses a client without a token: no start, no signal, no query', async () => {
    const anonymous = await client();
    const emp = employee();
    const id = identityWorkflowId(emp.employeeId);
    await denied('start', () =>
      anonymous.workflow.start('identityWorkflow', {
        workflowId: id,
        taskQueue: 'scimflow',
        args: [{ employeeId: emp.employeeId }],
      }),
    );
    await denied('signalWithStart', () =>
      anonymous.workflow.signalWithStart('identityWorkflow', {
        workflowId: id,
        taskQueue: 'scimflow',
        args: [{ employeeId: emp.employeeId }],
        signal: hrEventSignal,
        signalArgs: [event('hire', emp)],
      }),
    );
    await denied('signal', () => anonymous.workflow.getHandle(id).signal(hrEventSignal, event('hire', emp)));
    await denied('query', () => anonymous.workflow.getHandle(id).query(stateQuery));
    await denied('list', async () => {
      for await (const _ of anonymous.workflow.list()) break;
    });
    // A token signed with another key is no better.
    const { JwtIssuer } = await import('../helpers/temporal-cluster');
    const forged = await client(new JwtIssuer().token('mallory', ['default:admin']));
    await denied('start with a forged token', () =>
      forged.workflow.start('identityWorkflow', {
        workflowId: id,
        taskQueue: 'scimflow',
        args: [{ employeeId: emp.employeeId }],
      }),
    );
  }, 60_000);

  it('the worker and the ingress, with their tokens, take a signed hire to an account in the sandbox', async () => {
    const t = tokens();
    // The worker, as `scimflow worker` builds it: connectionOptions + dataConverter of the config.
    const access = temporalAccess(config, { ...TEST_ENV, SCIMFLOW_TEMPORAL_TOKEN: t.worker });
    expect(access.connection).toEqual({ apiKey: t.worker, tls: false });
    workerConnection = await NativeConnection.connect({ ...access.connection, address: cluster.address });
    composed = composeWorker(config, TEST_ENV);
    workers = await startWorkers({
      connection: workerConnection,
      apps: composed.apps,
      deps: composed.deps,
      workflowBundle: await workflowBundle(),
      dataConverter: access.dataConverter,
    });
    // The ingress, as `scimflow ingress` starts it.
    ingress = await startIngress(config, {
      env: {
        ...TEST_ENV,
        SCIMFLOW_TEMPORAL_TOKEN: t.ingress,
        SCIMFLOW_INGRESS_PORT: '0',
        SCIMFLOW_INGRESS_METRICS_PORT: '0',
      },
      log: createLogger({ level: 'error', name: 'ingress' }),
    });
    const emp = employee({ givenName: 'Katherine', familyName: 'Johnson' });
    const body = JSON.stringify(event('hire', emp));
    const res = await request(`${ingress.url}/webhooks/hr`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-scimflow-signature': sign(TEST_ENV.SCIMFLOW_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)),
      },
    });
    expect([res.statusCode, await res.body.json()]).toEqual([202, { workflowId: identityWorkflowId(emp.employeeId) }]);
    const account = await waitFor(
      () =>
        sandbox
          .app('generic')
          .users()
          .find((u) => (u as { userName?: string }).userName === emp.email),
      { timeoutMs: 30_000, what: 'the generic account' },
    );
    expect(account).toMatchObject({ userName: emp.email, active: true });

    // An operator with read rights sees the state (decrypted by the codec client)…
    const reader = await client(t.reader);
    const state = await waitFor(
      async () => {
        const s = await reader.workflow.getHandle(identityWorkflowId(emp.employeeId)).query(stateQuery);
        return s.apps.generic?.account ? s : undefined;
      },
      { timeoutMs: 20_000, what: 'the state query' },
    );
    expect(state.employment).toMatchObject({ employee: { email: emp.email } });
    // …but can neither signal, nor terminate, nor take the worker's tasks.
    const handle = reader.workflow.getHandle(identityWorkflowId(emp.employeeId));
    await denied('reader signals', () => handle.signal(hrEventSignal, event('update', emp)));
    await denied('reader terminates', () => handle.terminate('not allowed'));
    await denied('reader polls tasks', () =>
      reader.connection.workflowService.pollActivityTaskQueue({
        namespace: 'default',
        taskQueue: { name: 'scim-generic' },
        identity: 'not-a-worker',
      }),
    );
    // A token for another namespace is no help in this one.
    const other = await client(cluster.issuer.token('payroll-bot', ['payroll:admin']));
    await denied('other namespace', () =>
      other.workflow.getHandle(identityWorkflowId(emp.employeeId)).query(stateQuery),
    );
  }, 120_000);
});

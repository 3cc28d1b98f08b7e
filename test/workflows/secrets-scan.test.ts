// No secret anywhere: a full joiner → leaver run through the production processes (a `scimflow
// worker` process, the ingress with its logger captured) against apps that echo the credential they
// received in their error bodies, then every history of every workflow (decoded through the codec)
// and every log line searched for each secret of the run — whole, and any 8 characters of it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../src/config';
import { startIngress, type RunningIngress } from '../../src/ingress/process';
import { sign, SIGNATURE_HEADER } from '../../src/ingress/signature';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { createLogger } from '../../src/shared/logger';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { dataConverter } from '../../src/temporal/options';
import { stateQuery, type PersonView } from '../../src/workflows/definitions';
import { employee, event, withTestEncryption } from '../helpers/stack';
import { startTemporal, waitFor } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { LIFECYCLE_CONFIG } from './config';

jest.setTimeout(180_000);

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');
const SECRETS = {
  SCIMFLOW_GENERIC_TOKEN: secret(),
  SCIMFLOW_JASPER_TOKEN: secret(),
  SCIMFLOW_JUMPCLOUD_TOKEN: secret(),
  SCIMFLOW_WEBHOOK_SECRET: secret(),
  SCIMFLOW_PAYLOAD_KEY: randomBytes(32).toString('base64'),
};

let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let worker: WorkerProcess;
let ingress: RunningIngress;
let client: Client;
let codecs: PayloadCodec[];
let ingressLog = '';

beforeAll(async () => {
  [env, sandbox] = await Promise.all([
    startTemporal(),
    startSandbox({
      host: '127.0.0.1',
      port: 0,
      credentials: {
        genericToken: SECRETS.SCIMFLOW_GENERIC_TOKEN,
        jasperToken: SECRETS.SCIMFLOW_JASPER_TOKEN,
        jumpcloudApiKey: SECRETS.SCIMFLOW_JUMPCLOUD_TOKEN,
      },
    }),
  ]);
  const file = join(mkdtempSync(join(tmpdir(), 'scimflow-secrets-')), 'scimflow.yaml');
  writeFileSync(file, withTestEncryption(LIFECYCLE_CONFIG.replaceAll('{{SANDBOX}}', sandbox.url)));
  const processEnv = {
    ...SECRETS,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    SCIMFLOW_INGRESS_PORT: '0',
    SCIMFLOW_INGRESS_METRICS_PORT: '0',
  };
  worker = await startWorkerProcess({ config: file, temporalAddress: env.address, env: SECRETS });
  const config = loadConfig(file);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      ingressLog += chunk.toString('utf8');
      done();
    },
  });
  ingress = await startIngress(config, {
    env: processEnv,
    log: createLogger({ name: 'scimflow-ingress', destination: sink }),
  });
  const converter = dataConverter(config, processEnv);
  codecs = converter.payloadCodecs ?? [];
  client = new Client({ connection: env.connection, namespace: 'default', dataConverter: converter });
}, 120_000);

afterAll(async () => {
  await ingress?.stop();
  await worker?.stop();
  await sandbox?.close();
  await env?.teardown();
});

async function post(body: unknown): Promise<number> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${ingress.url}/webhooks/hr`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: sign(SECRETS.SCIMFLOW_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000)),
    },
    body: raw,
  });
  await res.arrayBuffer();
  return res.status;
}

const state = (id: string) => client.workflow.getHandle(identityWorkflowId(id)).query(stateQuery);
const until = (id: string, pred: (s: PersonView) => boolean, what: string) =>
  waitFor(
    async () => {
      const s = await state(id).catch(() => undefined);
      return s && pred(s) ? s : undefined;
    },
    { timeoutMs: 90_000, what },
  );

/** Every Payload in a history decoded through the run's codecs (search attributes stay as they are). */
async function decoded(value: unknown): Promise<unknown> {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'object' && v !== null && 'metadata' in v && 'data' in v) {
      let p = [v as Payload];
      try {
        for (const c of [...codecs].reverse()) p = await c.decode(p);
      } catch {
        p = [v as Payload];
      }
      obj[k] = p[0];
    } else await decoded(v);
  }
  return value;
}

/** Text as it would be searched by someone with the histories: bytes as UTF-8, base64 payload data decoded too. */
function searchable(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
    return v;
  });
}

/** Every secret that is found whole or by any 8 characters of it. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(SECRETS)) {
    for (let i = 0; i + 8 <= value.length; i++) {
      const piece = value.slice(i, i + 8);
      if (text.includes(piece)) {
        found.push(`${name}[${i}..${i + 8}]`);
        break;
      }
    }
  }
  return found;
}

it('a joiner and a leaver against apps that echo the credential in their errors leave no secret — nor 8 characters of one — in any history or log', async () => {
  // Each app answers its next requests with an error body that quotes the credential it was sent.
  for (const app of ['generic', 'jumpcloud'] as const)
    sandbox.app(app).setKnobs({ failNext: 3, failStatus: 500, echoCredentials: true });
  const emp = employee({ department: 'Sales' });
  expect(await post(event('hire', emp))).toBe(202);
  const joined = await until(
    emp.employeeId,
    (s) => s.apps.generic?.state === 'in-sync' && s.apps.jumpcloud?.state === 'in-sync',
    'joined after the echoed errors',
  );
  expect(joined.problems).toEqual([]);
  // The echoing errors really were answered.
  expect(
    sandbox
      .app('generic')
      .requests()
      .some((r) => r.status === 500),
  ).toBe(true);

  for (const app of ['generic', 'jumpcloud'] as const)
    sandbox.app(app).setKnobs({ failNext: 2, failStatus: 503, echoCredentials: true });
  expect(await post(event('terminate', emp))).toBe(202);
  await until(emp.employeeId, (s) => s.stage === 'left' && s.problems.length === 0, 'left after the echoed errors');

  const histories: unknown[] = [];
  for await (const wf of client.workflow.list())
    histories.push(
      await decoded(structuredClone(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory())),
    );
  expect(histories.length).toBeGreaterThanOrEqual(2);
  const historyText = searchable(histories);
  // The search reads the decrypted payloads: the person's email is there in clear.
  expect(historyText).toContain(emp.email);
  // …and the echoed error text reached the history (an activity failure), scrubbed.
  expect(historyText).toContain('request credential');
  expect(leaks(historyText)).toEqual([]);
  expect(worker.output()).toContain('"worker running"');
  expect(ingressLog).toContain('ingress listening');
  expect(leaks(worker.output())).toEqual([]);
  expect(leaks(ingressLog)).toEqual([]);
});

// The ingress process against a Temporal that is not there yet, then is: it starts anyway and
// answers 503 + Retry-After fast, stops cleanly on SIGTERM in that state, picks Temporal up by
// itself once a dev server listens on the port — and an event it answered 503 is never started
// later (no background retry outlives the answer).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { requireTemporalCli } from '../../src/dev/temporal-cli';
import { portOpen } from '../../src/dev/temporal-server';
import { sign } from '../../src/ingress/signature';
import { TempDir } from '../config/helpers';
import { waitFor } from '../helpers/temporal';

const root = join(__dirname, '..', '..');
const SECRET = 'temporal-down-secret-0123456789';
const dir = new TempDir();
afterAll(() => dir.cleanup());

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface IngressChild {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `runIngressProcess` in a child process, as `scimflow ingress` runs it; resolves once it listens. */
async function startIngressProcess(configFile: string): Promise<IngressChild> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    SCIMFLOW_WEBHOOK_SECRET: SECRET,
    SCIMFLOW_INGRESS_METRICS_PORT: '0',
    SCIMFLOW_LOG_LEVEL: 'info',
  };
  for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'SCIMFLOW_INGRESS_HOST', 'SCIMFLOW_INGRESS_PORT'])
    delete env[k];
  const script = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(root, 'src/ingress/process.ts'))}).runIngressProcess(process.argv[1]).catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script, configFile], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`ingress exited: ${out}`);
      const line = out.split('\n').find((l) => l.includes('ingress listening'));
      return line ? (JSON.parse(line) as { port: number }).port : undefined;
    },
    { timeoutMs: 30_000, what: 'the ingress to listen' },
  );
  return { child, base: `http://127.0.0.1:${port}`, output: () => out, exited };
}

async function post(base: string, id: string, employeeId: string) {
  const body = JSON.stringify({
    id,
    type: 'hire',
    employee: { employeeId, email: `${employeeId.toLowerCase()}@example.com`, givenName: 'T', familyName: 'D' },
  });
  const t0 = Date.now();
  const res = await request(`${base}/webhooks/hr`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-scimflow-signature': sign(SECRET, body, Math.floor(Date.now() / 1000)),
    },
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    retryAfter: res.headers['retry-after'],
    json: text ? JSON.parse(text) : undefined,
    tookMs: Date.now() - t0,
  };
}

async function sigterm(
  p: IngressChild,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; tookMs: number }> {
  const t0 = Date.now();
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  const res = await p.exited;
  clearTimeout(timer);
  return { ...res, tookMs: Date.now() - t0 };
}

describe('the ingress while Temporal is down, then up', () => {
  let temporal: ChildProcess | undefined;
  const children: IngressChild[] = [];
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    if (temporal && temporal.exitCode === null) {
      const gone = new Promise((r) => temporal!.once('exit', r));
      temporal.kill('SIGTERM');
      await gone;
    }
  });

  it('starts, answers 503 fast, stops on SIGTERM, reconnects when Temporal comes, and never starts an event it answered 503', async () => {
    const temporalPort = await freePort();
    const configFile = dir.write(
      'ingress.yaml',
      [
        'temporal: { address: "127.0.0.1:' + temporalPort + '", namespace: default, taskQueue: scimflow }',
        'ingress:',
        '  port: 0',
        '  webhookSecret: "${SCIMFLOW_WEBHOOK_SECRET}"',
        '  temporalTimeout: 3s',
        'apps: {}',
        '',
      ].join('\n'),
    );

    // 1. Temporal absent: the process starts, answers 503 + Retry-After quickly, and stops cleanly on SIGTERM.
    const first = await startIngressProcess(configFile);
    children.push(first);
    const health = await request(`${first.base}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.text();
    const down1 = await post(first.base, 'evt-down-1', 'DOWN1');
    expect(down1).toMatchObject({ status: 503, retryAfter: '5', json: { error: { code: 'unavailable' } } });
    expect(down1.tookMs).toBeLessThan(3_000);
    const stopped = await sigterm(first);
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.tookMs).toBeLessThan(5_000);
    expect(first.output()).not.toMatch(/Channel has been shut down|Unhandled|uncaught/i);
    expect(first.output()).toContain('ingress stopped');

    // 2. A second process, still without Temporal.
    const second = await startIngressProcess(configFile);
    children.push(second);
    const down2 = await post(second.base, 'evt-down-2', 'DOWN2');
    expect(down2).toMatchObject({ status: 503, retryAfter: '5' });
    const answered503At = Date.now();

    // 3. Temporal comes up on that port.
    temporal = spawn(
      requireTemporalCli(),
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(temporalPort),
        '--headless',
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => portOpen('127.0.0.1', temporalPort), { timeoutMs: 60_000, what: 'the Temporal dev server' });
    const connection = await waitFor(
      () => Connection.connect({ address: `127.0.0.1:${temporalPort}`, connectTimeout: '2 seconds' }),
      { timeoutMs: 30_000, what: 'a Temporal client' },
    );
    const client = new Client({ connection, namespace: 'default' });
    try {
      // The next request is accepted: the ingress reconnected by itself.
      const up = await post(second.base, 'evt-up', 'UP1');
      expect(up).toMatchObject({ status: 202, json: { workflowId: 'identity-UP1' } });
      const desc = await client.workflow.getHandle('identity-UP1').describe();
      expect(desc.type).toBe('identityWorkflow');
      expect(desc.status.name).toBe('RUNNING');

      // The events answered 503 never appear, however long after (the SDK's default retries ran ~30 s
      // and would have delivered them once Temporal was back).
      await new Promise((r) => setTimeout(r, Math.max(0, answered503At + 12_000 - Date.now())));
      for (const id of ['identity-DOWN1', 'identity-DOWN2']) {
        await expect(client.workflow.getHandle(id).describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
      }
      const ids: string[] = [];
      for await (const wf of client.workflow.list()) ids.push(wf.workflowId);
      expect(ids).toEqual(['identity-UP1']);
    } finally {
      await connection.close();
    }

    // 4. SIGTERM with Temporal connected: a clean stop too.
    const stopped2 = await sigterm(second);
    expect(stopped2).toMatchObject({ code: 0, signal: null });
    expect(second.output()).not.toMatch(/Channel has been shut down|Unhandled|uncaught/i);
  }, 150_000);
});

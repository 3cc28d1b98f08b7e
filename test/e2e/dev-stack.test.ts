// `scimflow dev` (what `npm start` runs) as a person uses it: one process brings up the ingress,
// the Temporal UI, the sandbox apps and the worker; a signed hire becomes an account; SIGTERM
// stops everything, leaving no Temporal server behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { sign } from '../../src/ingress/signature';
import { DEV_WEBHOOK_SECRET } from '../../src/cli/dev-env';
import { waitFor } from '../helpers/temporal';

const root = join(__dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dev: ChildProcess | undefined;
afterAll(() => {
  if (dev && dev.exitCode === null) dev.kill('SIGKILL');
});

it('starts the whole stack, provisions a signed hire, and stops cleanly on SIGTERM', async () => {
  const ports = {
    temporal: await freePort(),
    ui: await freePort(),
    sandbox: await freePort(),
    ingress: await freePort(),
    metrics: await freePort(),
    temporalMetrics: await freePort(),
    codec: await freePort(),
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'scimflow-dev-'));
  const env = { ...process.env };
  delete env.SCIMFLOW_WEBHOOK_SECRET;
  dev = spawn(
    process.execPath,
    [
      join(root, 'bin', 'scimflow.mjs'),
      'dev',
      '--json-logs',
      '--data-dir',
      dataDir,
      '--temporal-port',
      String(ports.temporal),
      '--ui-port',
      String(ports.ui),
      '--sandbox-port',
      String(ports.sandbox),
      '--ingress-port',
      String(ports.ingress),
      '--metrics-port',
      String(ports.metrics),
      '--temporal-metrics-port',
      String(ports.temporalMetrics),
      '--codec-port',
      String(ports.codec),
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  dev.stdout!.on('data', (d) => (out += d));
  dev.stderr!.on('data', (d) => (out += d));

  await waitFor(() => (out.includes('scimflow dev is running') ? true : undefined), {
    timeoutMs: 60_000,
    what: 'dev stack up',
  });
  expect(out).toContain(`HR ingress      http://127.0.0.1:${ports.ingress}`); // config/scimflow.yaml's ingress.host
  expect(out).toContain('DEVELOPMENT default');
  expect((await request(`http://localhost:${ports.ingress}/healthz`)).statusCode).toBe(200);
  const ui = await request(`http://localhost:${ports.ui}/`);
  await ui.body.text();
  expect(ui.statusCode).toBe(200);

  const body = JSON.stringify({
    id: 'evt-dev-1',
    type: 'hire',
    employee: {
      employeeId: 'D1',
      email: 'dev.one@example.com',
      givenName: 'Dev',
      familyName: 'One',
      department: 'Sales',
    },
  });
  const res = await request(`http://localhost:${ports.ingress}/webhooks/hr`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-scimflow-signature': sign(DEV_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)),
    },
  });
  expect(res.statusCode).toBe(202);
  await res.body.text();
  const account = await waitFor(
    async () => {
      const r = await request(
        `http://127.0.0.1:${ports.sandbox}/generic/scim/v2/Users?filter=${encodeURIComponent('userName eq "dev.one@example.com"')}`,
        { headers: { authorization: 'Bearer dev-token' } },
      );
      const list = (await r.body.json()) as { totalResults: number; Resources: { active: boolean }[] };
      return list.totalResults === 1 ? list.Resources[0] : undefined;
    },
    { timeoutMs: 15_000, what: 'the account in the sandbox' },
  );
  expect(account.active).toBe(true);
  // The UI decodes through the dev codec server (--ui-codec-endpoint): it serves loopback callers
  // without a token and answers the UI's origin with CORS.
  expect(out).toContain(`decodes through the codec server http://127.0.0.1:${ports.codec}`);
  const pre = await request(`http://127.0.0.1:${ports.codec}/decode`, {
    method: 'OPTIONS',
    headers: { origin: `http://localhost:${ports.ui}`, 'access-control-request-method': 'POST' },
  });
  await pre.body.text();
  expect([pre.statusCode, pre.headers['access-control-allow-origin']]).toEqual([204, `http://localhost:${ports.ui}`]);
  const decoded = await request(`http://127.0.0.1:${ports.codec}/encode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      payloads: [
        {
          metadata: { encoding: Buffer.from('json/plain').toString('base64') },
          data: Buffer.from('"x"').toString('base64'),
        },
      ],
    }),
  });
  expect(decoded.statusCode).toBe(200);
  await decoded.body.text();
  const metrics = await request(`http://127.0.0.1:${ports.metrics}/metrics`);
  expect(await metrics.body.text()).toContain('scimflow_hr_events_received_total{source="hr"} 1');

  const temporalPid = await waitFor(
    async () => {
      const { execFileSync } = await import('node:child_process');
      const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(dev!.pid)], { encoding: 'utf8' });
      const line = ps.split('\n').find((l) => l.includes('server start-dev'));
      return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
    },
    { what: 'temporal child' },
  );

  dev.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => dev!.once('exit', (c) => resolve(c)));
  expect(code).toBe(0);
  await waitFor(() => (!alive(temporalPid) ? true : undefined), { timeoutMs: 15_000, what: 'temporal server stopped' });
  expect(out).toContain('stopped temporal');
}, 120_000);

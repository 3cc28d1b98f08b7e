// `scimflow dev` with a configuration of one's own: it listens where the file says (temporal.address,
// ingress.host/port), its banner prints what is configured (no sandbox token for an app that points
// elsewhere), the Temporal worker metrics port is the one asked for (not --metrics-port + 1), a second
// dev on the same ports refuses to start naming them, and one Ctrl-C delivered twice at once — as
// through `npm start`, to the whole process group — stops everything in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, ROOT, SCIMFLOW_BIN, scimflow } from '../helpers/cli';
import { waitFor } from '../helpers/temporal';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'scimflow-devcfg-'));
let dev: ChildProcess | undefined;
let temporalPid: number | undefined;
afterAll(() => {
  if (dev?.pid && dev.exitCode === null) process.kill(-dev.pid, 'SIGKILL');
  if (temporalPid && alive(temporalPid)) process.kill(temporalPid, 'SIGKILL');
});

it('follows the file, prints what is configured, refuses a second start, and stops in order on a doubled Ctrl-C', async () => {
  const p = {
    temporal: await freePort(),
    ingress: await freePort(),
    ui: await freePort(),
    sandbox: await freePort(),
    metrics: await freePort(),
    temporalMetrics: await freePort(),
  };
  const config = join(dir, 'own.yaml');
  writeFileSync(
    config,
    [
      `temporal: { address: "localhost:${p.temporal}", namespace: own-ns, taskQueue: scimflow }`,
      `ingress: { host: 127.0.0.1, port: ${p.ingress}, webhookSecret: "\${SCIMFLOW_WEBHOOK_SECRET}" }`,
      'apps:',
      '  generic:',
      '    kind: generic',
      '    baseUrl: https://directory.example.invalid/scim/v2',
      '    auth: { type: bearer, token: "${SCIMFLOW_GENERIC_TOKEN}" }',
      '  jasper:',
      '    kind: jasper',
      '    baseUrl: http://127.0.0.1:7100/jasper/scim/v2',
      '    auth: { type: bearer, token: "${SCIMFLOW_JASPER_TOKEN}" }',
      'rules:',
      '  birthright:',
      '    - { name: engineering, when: { department: Engineering }, grant: [generic, jasper] }',
      'approvals:',
      '  jasper: { approvers: [boss@example.com] }',
      '',
    ].join('\n'),
  );
  const flags = [
    '--ui-port',
    String(p.ui),
    '--sandbox-port',
    String(p.sandbox),
    '--metrics-port',
    String(p.metrics),
    '--temporal-metrics-port',
    String(p.temporalMetrics),
  ];
  const env = { ...process.env };
  delete env.SCIMFLOW_WEBHOOK_SECRET;
  delete env.TEMPORAL_ADDRESS;
  // Its own process group, as a terminal's foreground job: a signal to -pid reaches every member.
  dev = spawn(
    process.execPath,
    [SCIMFLOW_BIN, 'dev', '--json-logs', '-c', config, '--data-dir', join(dir, 'data'), ...flags],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let out = '';
  dev.stdout!.on('data', (d) => (out += d));
  dev.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => dev!.once('exit', (c) => resolve(c)));

  await waitFor(() => (out.includes('scimflow dev is running') ? true : undefined), {
    timeoutMs: 90_000,
    what: 'dev stack up',
  });

  // Where the file says.
  expect(out).toContain(`Temporal gRPC   127.0.0.1:${p.temporal}   (namespace own-ns;`);
  expect(out).toContain(`HR ingress      http://127.0.0.1:${p.ingress}`);
  expect((await request(`http://127.0.0.1:${p.ingress}/healthz`)).statusCode).toBe(200);
  // What is configured: generic is not the sandbox, so no sandbox token and no curl for it; jasper
  // follows --sandbox-port; the approval line names this file's approver.
  expect(out).toMatch(/generic\s+https:\/\/directory\.example\.invalid\/scim\/v2\s+\(not the sandbox\)/);
  expect(out).toMatch(new RegExp(`jasper\\s+http://127\\.0\\.0\\.1:${p.sandbox}/jasper/scim/v2\\n`));
  expect(out).not.toContain('Bearer dev-token');
  expect(out).toContain(`approve E1001 jasper --as boss@example.com -c ${config}`);
  expect(out).toContain(`send examples/hire.json --url http://127.0.0.1:${p.ingress}/webhooks/hr`);
  // Metrics: one port asked for each, and nothing on --metrics-port + 1.
  expect(out).toContain(`exported on 127.0.0.1:${p.temporalMetrics}`);
  const scraped = await (await request(`http://127.0.0.1:${p.metrics}/metrics`)).body.text();
  expect(scraped).toContain('scimflow_hr_events_received_total');
  expect(scraped).toMatch(/^temporal_/m);
  if (p.metrics + 1 !== p.temporalMetrics) expect(await canBind(p.metrics + 1)).toBe(true);

  temporalPid = await waitFor(
    async () => {
      const { execFileSync } = await import('node:child_process');
      const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(dev!.pid)], { encoding: 'utf8' });
      const line = ps.split('\n').find((l) => l.includes('server start-dev'));
      return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
    },
    { what: 'temporal child' },
  );

  // A second dev with a new data directory on the same ports: refused up front, every port named.
  const second = await scimflow(
    ['dev', '-c', config, '--data-dir', join(dir, 'other-data'), ...flags],
    { SCIMFLOW_WEBHOOK_SECRET: undefined, TEMPORAL_ADDRESS: undefined },
    { timeoutMs: 30_000 },
  );
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`a Temporal server already listens on 127.0.0.1:${p.temporal} (port ${p.temporal})`);
  expect(second.stderr).toContain(`port ${p.ingress} (HR ingress`);
  expect(second.stderr).toContain(`port ${p.sandbox} (sandbox apps`);
  expect(second.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  expect(alive(temporalPid)).toBe(true);

  // One Ctrl-C, delivered twice within milliseconds (terminal → process group, plus a forward).
  process.kill(-dev.pid!, 'SIGINT');
  await new Promise((r) => setTimeout(r, 20));
  process.kill(-dev.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  expect(out).toContain('stopped worker');
  expect(out).toContain('stopped temporal');
  expect(out).toContain('scimflow dev stopped');
  expect(out).not.toContain('forced exit');
  await waitFor(() => (!alive(temporalPid!) ? true : undefined), {
    timeoutMs: 15_000,
    what: 'temporal server stopped',
  });
}, 180_000);

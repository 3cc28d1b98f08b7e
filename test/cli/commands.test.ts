// The `scimflow` command as a process: exit codes and messages people and scripts rely on.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIngress } from '../../src/ingress/server';
import type { HrEvent } from '../../src/shared/hr-event';

const root = join(__dirname, '..', '..');
function scimflow(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'scimflow.mjs'), ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'scimflow-cli-'));

describe('scimflow config check', () => {
  it('accepts the example configuration', async () => {
    const res = await scimflow(['config', 'check', 'config/scimflow.yaml']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ok/);
  }, 30_000);

  it('exits 2 and names the file and each bad key path', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apps:\n  x:\n    kind: nosuchkind\n    baseUrl: not a url\n    colour: blue\n');
    const res = await scimflow(['config', 'check', bad]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('bad.yaml');
    expect(res.stdout).toMatch(/apps\.x\.kind/);
    expect(res.stdout).toMatch(/apps\.x/);
  }, 30_000);

  it('takes -c / --config like every other command (and SCIMFLOW_CONFIG as the default)', async () => {
    const ok = await scimflow(['config', 'check', '-c', 'config/scimflow.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: config\/scimflow\.yaml/);
    const bad = join(dir, 'bad-c.yaml');
    writeFileSync(bad, 'apps:\n  x:\n    kind: nosuchkind\n');
    const refused = await scimflow(['config', 'check', '--config', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('bad-c.yaml');
    const fromEnv = await scimflow(['config', 'check'], { SCIMFLOW_CONFIG: bad });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stdout).toContain('bad-c.yaml');
  }, 30_000);

  it('refuses two different files (a positional one and -c) as a usage error', async () => {
    const res = await scimflow(['config', 'check', '-c', 'config/scimflow.yaml', join(dir, 'other.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/two configuration files given/);
  }, 30_000);

  it('with --secrets, reports a missing environment variable without printing any value', async () => {
    const res = await scimflow(['config', 'check', '--secrets', 'config/scimflow.yaml'], {
      SCIMFLOW_GENERIC_TOKEN: 'super-secret-value',
    });
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/SCIMFLOW_JASPER_TOKEN/);
    expect(res.stdout + res.stderr).not.toContain('super-secret-value');
  }, 30_000);
});

describe('scimflow send', () => {
  const secret = 'cli-send-secret-0123456789';
  const received: HrEvent[] = [];
  const ingress = buildIngress({
    secrets: [secret],
    dispatcher: { dispatch: async (e) => (received.push(e), { workflowId: `identity-${e.employee.employeeId}` }) },
  });
  let url = '';
  beforeAll(async () => {
    await ingress.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(ingress.server.address() as AddressInfo).port}/webhooks/hr`;
  });
  afterAll(() => ingress.close());

  it('signs the event so the ingress accepts it', async () => {
    const res = await scimflow(['send', 'examples/hire.json', '--url', url], { SCIMFLOW_WEBHOOK_SECRET: secret });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^202 \{"workflowId":"identity-E1001"\}/);
    expect(received.map((e) => e.id)).toEqual(['evt-hire-E1001']);
  }, 30_000);

  it('a batch exits 0 when every event was accepted, 2 when any was refused', async () => {
    const ev = (id: string, email: string) => ({
      id,
      type: 'hire',
      employee: { employeeId: id.toUpperCase(), email, givenName: 'B', familyName: 'Atch' },
    });
    const good = join(dir, 'batch-good.json');
    writeFileSync(good, JSON.stringify({ events: [ev('b1', 'b1@example.com'), ev('b2', 'b2@example.com')] }));
    const ok = await scimflow(['send', good, '--url', `${url}/batch`], { SCIMFLOW_WEBHOOK_SECRET: secret });
    expect(ok.stdout).toMatch(/^200 \{"accepted":2,"rejected":0/);
    expect(ok.code).toBe(0);

    const mixed = join(dir, 'batch-mixed.json');
    writeFileSync(mixed, JSON.stringify({ events: [ev('b3', 'b3@example.com'), ev('b4', 'not-an-email')] }));
    const res = await scimflow(['send', mixed, '--url', `${url}/batch`], { SCIMFLOW_WEBHOOK_SECRET: secret });
    // One invalid event refuses the whole batch: nothing is sent (docs/hr-events.md).
    expect(res.stdout).toMatch(/^400 \{"error":\{"code":"invalid_event".*events\[1\]\.employee\.email/);
    expect(res.code).toBe(2);
  }, 30_000);

  it('exits 2 when the ingress refuses (wrong secret → 401)', async () => {
    const res = await scimflow(['send', 'examples/hire.json', '--url', url, '--secret', 'not-the-right-secret']);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/^401 /);
  }, 30_000);
});

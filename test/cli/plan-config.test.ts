// `scimflow plan` needs only what it uses: the app credentials (it reads the apps), never the
// webhook secret; and for the bundled example, nothing at all (the sandbox's development tokens
// stand in, as with `scimflow dev`). The defaults are for the bundled example only.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_ENV } from '../../src/cli/dev-env';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { cleanEnv, ROOT, scimflow } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'scimflow-plan-'));
let sandbox: SandboxHandle;
let ownConfig = '';
beforeAll(async () => {
  sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  // The bundled example, pointed at this test's sandbox: "a configuration of one's own".
  ownConfig = join(dir, 'own.yaml');
  writeFileSync(
    ownConfig,
    readFileSync(join(ROOT, 'config', 'scimflow.yaml'), 'utf8').replaceAll('http://127.0.0.1:7100', sandbox.url),
  );
});
afterAll(() => sandbox?.close());

const appTokens = Object.fromEntries(Object.entries(DEV_ENV).filter(([k]) => k !== 'SCIMFLOW_WEBHOOK_SECRET'));

it('the README command with the bundled example asks for no variable', async () => {
  const res = await scimflow(['plan', 'examples/hire.json'], cleanEnv());
  expect(res.stderr).not.toMatch(/Unresolved secrets|is not set/);
  expect(res.stderr).toMatch(/bundled example: the sandbox's development tokens stand in for SCIMFLOW_GENERIC_TOKEN/);
  expect(res.stderr).not.toContain('SCIMFLOW_WEBHOOK_SECRET');
  expect(res.stdout).toMatch(
    /^hire E1001 \(evt-hire-E1001\) — employment: employed; rules matched: employees-on-jostle, engineering, everyone/,
  );
  // Exit 0 with the stack running, 1 when the sandbox apps cannot be read (the README runs it after npm start).
  expect([0, 1]).toContain(res.code);
}, 30_000);

it('another configuration needs its app tokens but not the webhook secret', async () => {
  const res = await scimflow(['plan', 'examples/hire.json', '-c', ownConfig, '--json'], {
    ...cleanEnv(),
    ...appTokens,
  });
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const plan = JSON.parse(res.stdout) as { apps: { app: string; state: string }[] };
  expect(plan.apps.map((a) => [a.app, a.state])).toEqual([
    ['atlassian', 'absent'],
    ['generic', 'converging'],
    ['jasper', 'converging'], // after its approval: `approvalRequired` says so
    ['jostle', 'converging'],
    ['jumpcloud', 'converging'],
  ]);
}, 30_000);

it('the development defaults are for the bundled example only (an unresolved secret is exit 2, like any configuration problem)', async () => {
  const res = await scimflow(['plan', 'examples/hire.json', '-c', ownConfig], cleanEnv());
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(/apps\.generic\.auth\.token: environment variable SCIMFLOW_GENERIC_TOKEN is not set/);
  expect(res.stderr).not.toContain('SCIMFLOW_WEBHOOK_SECRET');
}, 30_000);

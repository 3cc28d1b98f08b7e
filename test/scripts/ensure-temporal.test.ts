// scripts/ensure-temporal.mjs finds the Temporal CLI in the documented order and says what it did;
// a broken TEMPORAL_CLI_PATH is an error, not a silent fallback.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'scimflow-ensure-'));

function fakeCli(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const p = join(d, 'temporal');
  writeFileSync(p, `#!/bin/sh\necho "temporal version fake-${name}"\n`);
  chmodSync(p, 0o755);
  return p;
}

function ensure(env: Record<string, string | undefined>) {
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-temporal.mjs')], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: res.status, stdout: res.stdout.trim(), stderr: res.stderr };
}

it('prefers TEMPORAL_CLI_PATH, then PATH', () => {
  const fromEnv = fakeCli('env');
  const onPath = fakeCli('path');
  const a = ensure({ TEMPORAL_CLI_PATH: fromEnv, PATH: `${join(dir, 'path')}:${process.env.PATH}` });
  expect(a.code).toBe(0);
  expect(a.stdout).toBe(fromEnv);
  expect(a.stderr).toMatch(/from TEMPORAL_CLI_PATH/);
  expect(a.stderr).toMatch(/fake-env/);

  const b = ensure({ TEMPORAL_CLI_PATH: undefined, PATH: `${join(dir, 'path')}:${process.env.PATH}` });
  expect(b.code).toBe(0);
  expect(b.stdout).toBe(onPath);
  expect(b.stderr).toMatch(/from PATH/);
});

it('refuses a TEMPORAL_CLI_PATH that is not an executable', () => {
  const res = ensure({ TEMPORAL_CLI_PATH: join(dir, 'nope', 'temporal') });
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/TEMPORAL_CLI_PATH=.*is not an executable file/);
});

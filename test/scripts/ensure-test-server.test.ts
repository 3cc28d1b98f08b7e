// The time-skipping test server is found in one documented order — $TEMPORAL_TEST_SERVER_PATH, then
// .temporal/test-server — by src/dev/test-server.ts (what tests use) and by
// scripts/ensure-test-server.mjs (which also builds it) alike. A broken TEMPORAL_TEST_SERVER_PATH is
// an error, and a wrapper whose jars are gone from the Maven repository counts as missing.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTestServer, TEST_SERVER_VERSION } from '../../src/dev/test-server';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'ensure-test-server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'scimflow-ensure-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function executable(p: string, body = '#!/bin/sh\nexit 0\n'): string {
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, body);
  chmodSync(p, 0o755);
  return p;
}

/** A checkout root holding a wrapper and a classpath of (fake) jars. */
function fakeRoot(name: string, jars: string[]): { root: string; wrapper: string; jarPaths: string[] } {
  const r = join(dir, name);
  const jarPaths = jars.map((j) => join(r, 'm2', j));
  for (const j of jarPaths) {
    mkdirSync(join(j, '..'), { recursive: true });
    writeFileSync(j, '');
  }
  const wrapper = executable(join(r, '.temporal', 'test-server', 'bin', 'temporal-test-server'));
  writeFileSync(join(r, '.temporal', 'test-server', 'classpath.txt'), `${jarPaths.join(':')}\n`);
  return { root: r, wrapper, jarPaths };
}

const serverJar = `temporal-test-server-${TEST_SERVER_VERSION}.jar`;

function ensure(env: Record<string, string | undefined>) {
  const res = spawnSync(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: res.status, stdout: res.stdout.trim(), stderr: res.stderr };
}

describe('findTestServer (src/dev/test-server.ts)', () => {
  it('prefers TEMPORAL_TEST_SERVER_PATH over the local wrapper', () => {
    const { root: r } = fakeRoot('both', [serverJar]);
    const fromEnv = executable(join(dir, 'env', 'temporal-test-server'));
    expect(findTestServer({ TEMPORAL_TEST_SERVER_PATH: fromEnv }, r)).toEqual({
      path: fromEnv,
      source: 'TEMPORAL_TEST_SERVER_PATH',
    });
  });

  it('refuses a TEMPORAL_TEST_SERVER_PATH that is not an executable', () => {
    expect(() => findTestServer({ TEMPORAL_TEST_SERVER_PATH: join(dir, 'nope') }, dir)).toThrow(
      /TEMPORAL_TEST_SERVER_PATH=.*is not an executable file/,
    );
  });

  it('finds .temporal/test-server/bin/temporal-test-server while its jars exist', () => {
    const { root: r, wrapper, jarPaths } = fakeRoot('local', [serverJar, 'slf4j-simple-2.0.17.jar']);
    expect(findTestServer({}, r)).toEqual({ path: wrapper, source: '.temporal/test-server' });
    rmSync(jarPaths[1]!);
    expect(findTestServer({}, r)).toBeUndefined();
  });

  it('counts a wrapper for another test server version, or none at all, as missing', () => {
    expect(findTestServer({}, fakeRoot('old', ['temporal-test-server-1.0.0.jar']).root)).toBeUndefined();
    expect(findTestServer({}, join(dir, 'empty'))).toBeUndefined();
  });
});

describe('scripts/ensure-test-server.mjs', () => {
  it('pins the same test server version as src/dev/test-server.ts', () => {
    expect(readFileSync(script, 'utf8')).toContain(`TEST_SERVER_VERSION = '${TEST_SERVER_VERSION}'`);
  });

  it('uses TEMPORAL_TEST_SERVER_PATH and says so; refuses a broken one', () => {
    const fromEnv = executable(join(dir, 'script-env', 'temporal-test-server'));
    const ok = ensure({ TEMPORAL_TEST_SERVER_PATH: fromEnv });
    expect(ok).toMatchObject({ code: 0, stdout: fromEnv });
    expect(ok.stderr).toMatch(/from TEMPORAL_TEST_SERVER_PATH/);
    const bad = ensure({ TEMPORAL_TEST_SERVER_PATH: join(dir, 'nope') });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/TEMPORAL_TEST_SERVER_PATH=.*is not an executable file/);
  });

  it('agrees with findTestServer on this checkout when the wrapper is built (npm test builds it first)', () => {
    const local = findTestServer({});
    if (!local) return; // not built here: the script would run Maven, which this test does not do
    const res = ensure({ TEMPORAL_TEST_SERVER_PATH: undefined });
    expect(res).toMatchObject({ code: 0, stdout: local.path });
    expect(res.stderr).toMatch(/from \.temporal\/test-server/);
  });
});

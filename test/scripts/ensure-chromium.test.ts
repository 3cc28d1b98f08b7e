// scripts/ensure-chromium.mjs (run by `npm test` through bootstrap.mjs) decides what to do about
// the browser: nothing when present; apt-get as root on Debian; otherwise the exact command. The
// decision is a pure function, exercised here without running apt.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

type Case = { path?: string; present: boolean; isRoot: boolean; hasApt: boolean; custom?: boolean };
type Action =
  | { action: 'none' }
  | { action: 'install'; steps: [string, string[]][]; env: Record<string, string>; command: string }
  | { action: 'advise'; message: string };

/** chromiumAction over each case, in a child process (the script is an ES module with Node built-ins only). */
function decide(cases: Case[]): Action[] {
  const code = `import { chromiumAction } from './scripts/ensure-chromium.mjs'; process.stdout.write(JSON.stringify(${JSON.stringify(cases)}.map(chromiumAction)));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout) as Action[];
}

it('present: nothing to do, root or not', () => {
  expect(
    decide([
      { present: true, isRoot: true, hasApt: true },
      { present: true, isRoot: false, hasApt: false },
    ]),
  ).toEqual([{ action: 'none' }, { action: 'none' }]);
});

it("missing, root, Debian: apt-get update, then a non-interactive install of Debian's chromium", () => {
  const [a] = decide([{ present: false, isRoot: true, hasApt: true }]);
  expect(a).toEqual({
    action: 'install',
    steps: [
      ['apt-get', ['update', '-q']],
      ['apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium']],
    ],
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    command: 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium',
  });
});

it('missing, not root: installs nothing and prints the exact command', () => {
  const [a] = decide([{ present: false, isRoot: false, hasApt: true }]);
  expect(a).toEqual({
    action: 'advise',
    message: expect.stringContaining(
      'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium',
    ),
  });
});

it('no apt-get, or a CHROMIUM_PATH that does not exist: advice, never an install', () => {
  const [noApt, custom] = decide([
    { present: false, isRoot: true, hasApt: false },
    { path: '/opt/chrome/chrome', present: false, isRoot: true, hasApt: true, custom: true },
  ]);
  expect(noApt).toEqual({
    action: 'advise',
    message: expect.stringMatching(/not a Debian-like system.*CHROMIUM_PATH/),
  });
  expect(custom).toEqual({
    action: 'advise',
    message: expect.stringMatching(/^CHROMIUM_PATH=\/opt\/chrome\/chrome does not exist/),
  });
});

it('as a script with a CHROMIUM_PATH that exists, it does nothing and succeeds', () => {
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-chromium.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CHROMIUM_PATH: process.execPath },
  });
  expect(res.status).toBe(0);
  expect(res.stderr).toBe('');
});

it('bootstrap.mjs runs it for `npm test`, and CI relies on that (one place)', () => {
  const bootstrap = readFileSync(join(root, 'scripts', 'bootstrap.mjs'), 'utf8');
  expect(bootstrap).toMatch(/import \{ ensureChromium \} from '\.\/ensure-chromium\.mjs'/);
  expect(bootstrap).toMatch(/task === 'test'\) \{\n\s+ensureChromium\(\)/);
  const ciCommands = readFileSync(join(root, '.ci', 'run'), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'));
  expect(ciCommands.filter((l) => /apt-get|chromium/.test(l))).toEqual([]);
});

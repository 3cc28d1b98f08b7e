// The `scimflow` command's contract with scripts (docs/operations.md): usage errors exit 2 and
// name what is wrong, before anything is contacted; --version; Temporal unreachable says where.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, scimflow } from '../helpers/cli';

let unreachable = '';
beforeAll(async () => {
  // Nothing listens there: a command that got past its usage checks would fail with 1, not 2.
  unreachable = `127.0.0.1:${await freePort()}`;
});

describe('usage errors exit 2', () => {
  it.each([
    ['an unknown option', ['status', 'E1001', '--bogus'], /unknown option '--bogus'/],
    ['a missing argument', ['status'], /missing required argument 'employeeId'/],
    ['a missing required option', ['approve', 'E1001', 'jasper'], /required option '--as <approver>' not specified/],
    ['a value outside the choices', ['stuck', '--stage', 'nope'], /--stage <stage>.*'nope' is invalid/],
    ['an unknown command', ['nosuch'], /unknown command 'nosuch'/],
    ['too many arguments', ['status', 'E1', 'E2'], /too many arguments/],
    [
      'stuck --older-than that is not a duration',
      ['stuck', '--older-than', 'abc'],
      /option '--older-than <age>' argument 'abc' is invalid.*30m/,
    ],
    [
      'stuck --min-attempts that is not a number',
      ['stuck', '--min-attempts', 'abc'],
      /option '--min-attempts <n>' argument 'abc' is invalid.*positive whole number/,
    ],
    ['stuck --min-attempts 0', ['stuck', '--min-attempts', '0'], /option '--min-attempts <n>' argument '0' is invalid/],
    [
      'dev --temporal-port that is not a port',
      ['dev', '--temporal-port', 'x'],
      /option '--temporal-port <n>' argument 'x' is invalid/,
    ],
  ])(
    '%s',
    async (_what, args, message) => {
      const res = await scimflow(args, { TEMPORAL_ADDRESS: unreachable });
      expect(res.stderr).toMatch(message);
      expect(res.code).toBe(2);
    },
    30_000,
  );

  it('help is not an error', async () => {
    const res = await scimflow(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Usage: scimflow/);
  }, 30_000);
});

describe('scimflow --version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  it.each([['--version'], ['-V']])(
    '%s prints the package version and the git commit',
    async (flag) => {
      const res = await scimflow([flag]);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^${version.replaceAll('.', '\\.')}( \\(commit [0-9a-f]{7,}\\))?\\n$`));
      // This is a git checkout: the commit is there.
      expect(res.stdout).toMatch(/commit [0-9a-f]{7,}/);
    },
    30_000,
  );
});

describe('Temporal unreachable', () => {
  it('status names the address and namespace it tried, and exits 1', async () => {
    const res = await scimflow(['status', 'E1001'], {
      TEMPORAL_ADDRESS: unreachable,
      TEMPORAL_NAMESPACE: 'ns-nowhere',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot reach Temporal at ${unreachable} (namespace ns-nowhere)`);
  }, 30_000);

  it('the address comes from the configuration file when TEMPORAL_ADDRESS is unset', async () => {
    const res = await scimflow(
      ['stuck', '-c', 'config/scimflow.yaml'],
      { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined, SCIMFLOW_CONFIG: undefined },
      {},
    );
    // Either nothing listens on the example's localhost:7233 (exit 1, named), or someone's dev stack does.
    if (res.code === 1) expect(res.stderr).toContain('cannot reach Temporal at localhost:7233 (namespace default)');
    else expect([0, 3]).toContain(res.code);
  }, 30_000);
});

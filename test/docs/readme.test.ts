// The README's commands, exactly as printed, in a newcomer's shell (no SCIMFLOW_* / TEMPORAL_*
// variables): those that work without a running stack are run here; every other one must be in
// COVERED_ELSEWHERE, naming the test that exercises it — so a new README command needs a decision.
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { cleanEnv, ROOT, run } from '../helpers/cli';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every command line in the README's ```sh blocks (continuations joined, comments dropped), and every inline `npm …` / `docker …` one. */
function readmeCommands(): string[] {
  const out: string[] = [];
  for (const m of readme.replace(/```[\s\S]*?```/g, '').matchAll(/`((?:npm|docker|curl) [^`]+)`/g)) out.push(m[1]!);
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const cmd = line.replace(/\s+#.*$/, '').trim();
      if (cmd) out.push(cmd);
    }
  }
  return [...new Set(out)];
}

/** Run here: these need no Temporal (plan and curl read the sandbox apps, started below on their port). */
const RUN_HERE: Record<string, { code: number; out: RegExp }> = {
  'npm run scimflow -- --help': {
    code: 0,
    out: /Usage: scimflow \[options\] \[command\][\s\S]*plan \[options\] <event>/,
  },
  'npm run scimflow -- --version': { code: 0, out: /^\d+\.\d+\.\d+( \(commit [0-9a-f]+\))?$/m },
  'npm run scimflow -- config check': { code: 0, out: /^ok: config\/scimflow\.yaml/m },
  'npm run scimflow -- plan examples/hire.json': {
    code: 0,
    out: /^hire E1001 \(evt-hire-E1001\)[\s\S]*^generic: (converging|in-sync|absent)/m,
  },
  "curl -s -H 'Authorization: Bearer dev-token' 'http://127.0.0.1:7100/generic/scim/v2/Users?filter=userName%20eq%20%22ada.lovelace%40example.com%22'":
    {
      code: 0,
      out: /"schemas":\["urn:ietf:params:scim:api:messages:2\.0:ListResponse"\]/,
    },
};

/** Need the whole stack (or are the test runner itself): where each is exercised. */
const COVERED_ELSEWHERE: Record<string, string> = {
  'npm start':
    'test/e2e/dev-stack.test.ts and test/e2e/dev-config.test.ts (`scimflow dev`, what npm start runs, as a process)',
  'npm test': '.ci/run (the test runner itself)',
  'npm run format':
    'rewrites files, so not run here; npm test runs its check (`prettier --check .`, a step of scripts/bootstrap.mjs)',
  'npm run scimflow -- send examples/hire.json':
    'test/cli/commands.test.ts (signed, to a real ingress) and test/e2e/dev-stack.test.ts (a signed hire through dev)',
  'npm run scimflow -- status E1001': 'test/cli/decisions.test.ts (status as a process against a real stack)',
  'npm run scimflow -- approve E1001 jasper --as it-lead@example.com':
    'test/cli/decisions.test.ts (approve as a process); test/e2e/approve-in-ui.test.ts (it-lead@example.com in the UI)',
  'npm run scimflow -- approvals': 'test/cli/decisions.test.ts',
  'npm run scimflow -- approve <employeeId> <app> --as <approver>': 'test/cli/decisions.test.ts (placeholders)',
  'npm run scimflow -- reject <employeeId> <app> --as <approver> --comment "no budget"':
    'test/cli/decisions.test.ts (reject --comment "no budget")',
  'npm run scimflow -- audit --since 7d':
    'test/cli/audit.test.ts (audit --since, --person, --app, --json as a process against a real stack)',
  'npm run scimflow -- seats': 'test/cli/audit.test.ts (seats, and seats --json against the sandbox’s own counts)',
  'npm ci': 'scripts/bootstrap.mjs (when package-lock.json changed) and .ci/run',
  'docker compose up -d --build': 'test/deploy/compose.test.ts checks the file (no Docker engine on these machines)',
  'npm run bench:scim': 'not a test: the benchmarks print figures (the README says none is part of npm test)',
  'npm run bench:e2e': 'not a test: as above',
  'npm run bench:e2e -- --cluster --workers 1,3': 'not a test: as above (on the cluster scripts/cluster.ts brings up)',
  'npm run test:cluster': '.ci/run (its cluster stage runs exactly this suite: jest.cluster.config.js)',
  'npm run cluster -- --workers 3 --ingresses 2':
    'test/cluster/cluster.test.ts (starts scripts/cluster.ts with 3 workers and 2 ingresses)',
  'npm run bench:onboarding': 'not a test: as above (its bounded version is test/roster/onboarding.test.ts)',
  'mkdir -p secrets && chmod 700 secrets':
    'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
  'openssl rand -hex 32 > secrets/webhook_secret':
    'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
  'openssl rand -hex 32 > secrets/temporal_db_password':
    'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
  'for t in generic jasper jumpcloud atlassian atlassian_jsm jostle; do':
    'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
  'printf \'%s\' "<token for $t>" > "secrets/${t}_token"':
    'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
  done: 'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
  'chmod 444 secrets/*':
    'test/deploy/compose.test.ts (the secret files docker-compose.yml mounts; production set-up, not run here)',
};

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

let sandbox: SandboxHandle | undefined;
beforeAll(async () => {
  // plan and curl read the sandbox apps where config/scimflow.yaml puts them. Someone's `npm start`
  // may already serve them there; otherwise serve them for this test (no Temporal needed).
  if (await portFree(7100)) sandbox = await startSandbox({ host: '127.0.0.1', port: 7100 });
});
afterAll(() => sandbox?.close());

it('every README command is run here or covered by a named test', () => {
  const commands = readmeCommands();
  expect(commands.length).toBeGreaterThan(8);
  const unplaced = commands.filter((c) => !(c in RUN_HERE) && !(c in COVERED_ELSEWHERE));
  expect(unplaced).toEqual([]);
  // …and nothing listed here has silently left the README.
  for (const c of [...Object.keys(RUN_HERE), ...Object.keys(COVERED_ELSEWHERE)]) expect(commands).toContain(c);
});

describe('run exactly as printed, in a fresh shell', () => {
  it.each(Object.keys(RUN_HERE))(
    '%s',
    async (cmd) => {
      const expected = RUN_HERE[cmd]!;
      const res = await run(
        'sh',
        ['-c', cmd],
        { ...cleanEnv(), npm_config_update_notifier: 'false' },
        { timeoutMs: 60_000 },
      );
      expect(res.stderr).not.toMatch(/Unresolved secrets|is not set|error:/);
      expect(res.stdout).toMatch(expected.out);
      expect(res.code).toBe(expected.code);
    },
    60_000,
  );
});

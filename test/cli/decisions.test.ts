// `scimflow approvals` / `approve` / `reject` / `status` as processes against a real stack: what they
// print and exit with (the README's commands that need the stack).
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { scimflow } from '../helpers/cli';
import { LIFECYCLE_CONFIG } from '../workflows/config';

// The shared config's 4 s approval timeout is for the timeout tests; these need the approval to wait.
const CONFIG = LIFECYCLE_CONFIG.replace(
  /(approvals:\s*\n\s*jasper:[\s\S]*?timeout:\s*)60s/,
  (_, head: string) => `${head}5m`,
);

let stack: Stack;
let env: Record<string, string>;
beforeAll(async () => {
  expect(CONFIG).toMatch(/timeout: 5m/);
  stack = await startStack(CONFIG);
  env = { TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: 'default' };
}, 120_000);
afterAll(() => stack?.close());

async function waitingForJasper(): Promise<string> {
  const emp = employee({ department: 'Engineering' });
  await stack.send(event('hire', emp));
  await stack.until(
    emp.employeeId,
    (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
    'jasper approval pending',
  );
  return emp.employeeId;
}

it('reject prints "rejected" (and approve "approved")', async () => {
  const a = await waitingForJasper();
  const listed = await scimflow(['approvals'], env);
  expect(listed.code).toBe(0);
  // (Loose on layout: the status/approvals output is being reworked.)
  expect(listed.stdout.split('\n').some((l) => l.includes(a) && l.includes('jasper'))).toBe(true);
  const status = await scimflow(['status', a], env);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(a);
  expect(status.stdout).toContain('awaiting-approval');

  const rejected = await scimflow(['reject', a, 'jasper', '--as', 'lead@example.com', '--comment', 'no budget'], env);
  expect(rejected.stderr).toBe('');
  expect(rejected.code).toBe(0);
  expect(rejected.stdout).toMatch(new RegExp(`^rejected jasper for ${a} \\(jasper-[a-z0-9]+\\)`));
  expect(rejected.stdout).not.toContain('rejectd');

  const b = await waitingForJasper();
  const approved = await scimflow(['approve', b, 'jasper', '--as', 'lead@example.com'], env);
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(new RegExp(`^approved jasper for ${b} \\(`));
}, 90_000);

it('a decision from someone who is not an approver is refused with exit 2', async () => {
  const c = await waitingForJasper();
  const res = await scimflow(['approve', c, 'jasper', '--as', 'intruder@example.com'], env);
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(/^scimflow: /);
}, 60_000);

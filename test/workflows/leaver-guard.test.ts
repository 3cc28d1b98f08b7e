// The mass-change guard on the controller's own leaver path, on a real Temporal dev server against
// the sandbox apps (accounts read over their SCIM APIs): a single leaver goes straight through; a
// 60 % termination burst deactivates the allowance (10 % of the accounts the app itself counts)
// and holds the rest, per app; `scimflow guard release <app>` lets that app's held changes through
// and no other's; `scimflow guard reject <app>` leaves the accounts active and the people needing
// attention, and `scimflow retry` asks again.
import { NEEDS_ATTENTION } from '../../src/workflows/search-attributes';
import { guardView } from '../../src/reconcile/controllers';
import { DEFAULT_GUARD_MIN_COUNT } from '../../src/domain/guard';
import { usersOf, type AppName } from '../helpers/apps';
import { scimflow } from '../helpers/cli';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG, withDefaultGuard } from './config';

// No hard delete: a deactivated account stays readable.
const CONFIG = withDefaultGuard(LIFECYCLE_CONFIG).replace(
  '      hardDelete: { after: 6s }\n',
  '      hardDelete: never\n',
);

let stack: Stack;
let cli: Record<string, string>;
beforeAll(async () => {
  stack = await startStack(CONFIG);
  cli = { TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: 'default' };
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const APPS: AppName[] = ['generic', 'jumpcloud'];
const base = () => stack.sandbox.url;
async function accountIds(employeeId: string): Promise<Record<string, string>> {
  const s = await stack.state(employeeId);
  return Object.fromEntries(APPS.map((a) => [a, s.apps[a]!.account!.id]));
}
async function activeIn(app: AppName, ids: string[]): Promise<number> {
  const users = await usersOf(base(), app);
  return users.filter((u) => ids.includes(u.id) && u.active).length;
}

it('a single leaver is not held; a 60 % burst is held beyond the allowance per app; release and reject are one command each', async () => {
  const people = Array.from({ length: 20 }, () => employee({ department: 'Sales' }));
  await Promise.all(people.map((p) => stack.send(event('hire', p))));
  for (const p of people)
    await stack.until(p.employeeId, (s) => s.stage === 'active' && s.problems.length === 0, 'joined', 60_000);
  const accounts = new Map<string, Record<string, string>>();
  for (const p of people) accounts.set(p.employeeId, await accountIds(p.employeeId));
  const total = {
    generic: (await usersOf(base(), 'generic')).length,
    jumpcloud: (await usersOf(base(), 'jumpcloud')).length,
  };

  // One ordinary leaver: never held, deactivated in every app at once.
  const [single, ...rest] = people;
  const t0 = Date.now();
  await stack.send(event('terminate', single!));
  const left = await stack.until(single!.employeeId, (s) => s.stage === 'left', 'left', 20_000);
  const singleMs = Date.now() - t0;
  for (const app of APPS) {
    expect(left.apps[app]!.guard).toBeUndefined();
    expect(await activeIn(app, [accounts.get(single!.employeeId)![app]!])).toBe(0);
  }
  expect(left.problems).toEqual([]);
  process.stdout.write(`single leaver: left in every app after ${singleMs} ms, never held\n`);

  // The guard's size is the app's own count; its allowance a tenth of it, but at least minCount (5):
  // 20 accounts allow 5, of which the single leaver took one, so 4 of the burst go through and 8 wait.
  const allowance: Record<string, number> = {};
  for (const app of APPS) {
    const v = await guardView(stack.client, app);
    expect(v.accounts).toBe(total[app as 'generic' | 'jumpcloud']);
    expect(v.allowance).toBe(Math.max(DEFAULT_GUARD_MIN_COUNT, Math.min(50, Math.floor(0.1 * v.accounts))));
    expect(v.allowance).toBeLessThan(12);
    allowance[app] = v.allowance - v.window.length;
  }

  // 12 of the 20 (60 %) terminated at once.
  const burst = rest.slice(0, 12);
  const stays = rest.slice(12);
  await Promise.all(burst.map((p) => stack.send(event('terminate', p))));
  const idsIn = (app: AppName, ps = burst) => ps.map((p) => accounts.get(p.employeeId)![app]!);
  for (const app of APPS) {
    await waitFor(async () => (await guardView(stack.client, app)).held.length === burst.length - allowance[app]!, {
      what: `${app}: the excess held`,
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await activeIn(app, idsIn(app))) === burst.length - allowance[app]!, {
      what: `${app}: the allowance deactivated`,
      timeoutMs: 20_000,
    });
  }
  // The held ones show it: state, search attributes, stuck, guard status.
  const heldPeople = async (app: string) => {
    const out: string[] = [];
    for (const p of burst) if ((await stack.state(p.employeeId)).apps[app]?.guard) out.push(p.employeeId);
    return out;
  };
  await waitFor(async () => (await heldPeople('generic')).length === burst.length - allowance.generic!, {
    what: 'holds visible in state',
    timeoutMs: 20_000,
  });
  const heldGeneric = await heldPeople('generic');
  const oneHeld = await stack.state(heldGeneric[0]!);
  expect(oneHeld.stage).toBe('leaving');
  expect(oneHeld.problems).toContain('held:generic');
  expect(oneHeld.apps.generic!.guard).toMatchObject({
    kind: 'deactivate',
    accountId: accounts.get(heldGeneric[0]!)!.generic,
  });
  const stuck = await stack.stuck();
  expect(
    stuck
      .filter((r) => r.reason === 'held-by-guard' && r.app === 'generic')
      .map((r) => r.employeeId)
      .sort(),
  ).toEqual([...heldGeneric].sort());
  await waitFor(
    async () =>
      (
        await stack.client.workflow.count(
          `WorkflowType = 'identityWorkflow' AND ScimflowProblems = 'held:generic' AND ${NEEDS_ATTENTION.name} = true`,
        )
      ).count === heldGeneric.length,
    { what: 'search attributes', timeoutMs: 20_000 },
  );
  const status = await scimflow(['guard', 'status', 'generic'], cli);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`held ${burst.length - allowance.generic!}`);
  for (const id of heldGeneric) expect(status.stdout).toContain(`identity-${id}`);
  // The two who stay are untouched.
  for (const app of APPS) expect(await activeIn(app, idsIn(app, stays))).toBe(stays.length);

  // Release generic: its held changes go through; jumpcloud's lane still waits.
  const released = await scimflow(['guard', 'release', 'generic', '--as', 'ops@example.com'], cli);
  expect(released.stdout).toContain(`released ${burst.length - allowance.generic!} held change(s) in generic`);
  await waitFor(async () => (await activeIn('generic', idsIn('generic'))) === 0, {
    what: 'generic: released ones deactivated',
    timeoutMs: 30_000,
  });
  expect(await activeIn('jumpcloud', idsIn('jumpcloud'))).toBe(burst.length - allowance.jumpcloud!);
  await waitFor(async () => (await heldPeople('generic')).length === 0, {
    what: 'generic holds cleared',
    timeoutMs: 20_000,
  });

  // Reject jumpcloud: the accounts stay active, the people need attention (the record still says left).
  const heldJc = await heldPeople('jumpcloud');
  const rejected = await scimflow(['guard', 'reject', 'jumpcloud', '--as', 'ops@example.com'], cli);
  expect(rejected.stdout).toContain(`rejected ${heldJc.length} held change(s) in jumpcloud`);
  for (const id of heldJc) {
    const s = await stack.until(
      id,
      (x) => x.problems.includes('attention:jumpcloud'),
      'attention after reject',
      20_000,
    );
    expect(s.apps.jumpcloud!.failure).toMatchObject({ code: 'GUARD_REJECTED', needsPerson: true });
    expect(s.apps.jumpcloud!.guard).toBeUndefined();
    expect(s.employment.status).toBe('left');
    expect(s.apps.generic!.account!.active).toBe(false);
  }
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await activeIn('jumpcloud', idsIn('jumpcloud'))).toBe(heldJc.length);
  expect(
    (await stack.stuck())
      .filter((r) => r.reason === 'needs-attention' && r.app === 'jumpcloud')
      .map((r) => r.employeeId)
      .sort(),
  ).toEqual([...heldJc].sort());

  // `retry` asks again (a new request): the window is still full, so it is held again, not lost.
  const again = heldJc[0]!;
  const retried = await scimflow(['retry', again, '--app', 'jumpcloud'], cli);
  expect(retried.code).toBe(0);
  await stack.until(
    again,
    (s) => s.apps.jumpcloud?.guard !== undefined && s.problems.includes('held:jumpcloud'),
    'held again after retry',
    20_000,
  );
  await waitFor(async () => (await guardView(stack.client, 'jumpcloud')).held.length === 1, {
    what: 'one held again',
    timeoutMs: 10_000,
  });
  await scimflow(['guard', 'release', 'jumpcloud'], cli);
  await waitFor(async () => (await activeIn('jumpcloud', [accounts.get(again)!.jumpcloud!])) === 0, {
    what: 'released after retry',
    timeoutMs: 20_000,
  });
  await stack.until(
    again,
    (s) => s.stage === 'left' && s.problems.length === 0,
    'left after the retry was released',
    20_000,
  );
}, 300_000);

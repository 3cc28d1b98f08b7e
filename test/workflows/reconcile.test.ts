// Reconciliation on a real Temporal dev server against the sandbox: drift, orphans, unlinked owners
// and conflicts seeded over the apps' own SCIM APIs, found and reported; --fix converges drifted and
// unlinked accounts through the controllers; orphans go only through the mass-change guard, which
// holds a burst until one release.
import { request } from 'undici';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import { fixScan, guardDecide, guardView, listPeople, peopleByApp } from '../../src/reconcile/controllers';
import { scanApp } from '../../src/reconcile/scan';
import { accountsOf, deleteUserIn, seedUser, usersOf, type AppUser } from '../helpers/apps';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG, withDefaultGuard } from './config';
import { DEFAULT_GUARD_MIN_COUNT } from '../../src/domain/guard';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(withDefaultGuard(LIFECYCLE_CONFIG));
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const base = () => stack.sandbox.url;
const settled = (s: { stage: string; problems: string[] }) => s.stage === 'active' && s.problems.length === 0;
async function patchTitle(id: string, title: string): Promise<void> {
  const res = await request(`${base()}/generic/scim/v2/Users/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${DEV_CREDENTIALS.genericToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: title }],
    }),
  });
  await res.body.text();
  if (res.statusCode >= 300) throw new Error(`patch ${res.statusCode}`);
}
async function scan(app: 'generic' | 'jumpcloud') {
  const { views } = await listPeople(stack.client);
  const people = peopleByApp(views, (e) => stack.composed.deps.desire(e));
  return scanApp(stack.composed.connectors.get(app)!, people.get(app) ?? [], { app, paidSeats: app === 'generic' });
}

it('finds drift, orphans, unlinked owners and conflicts; --fix converges drifted and unlinked through the controllers', async () => {
  const a = employee();
  const b = employee();
  const d = employee();
  const f = employee();
  for (const e of [a, b, d]) await stack.send(event('hire', e));
  await stack.send(event('hire', f, { effectiveAt: new Date(Date.now() + 86_400_000).toISOString() }));
  for (const e of [a, b, d]) await stack.until(e.employeeId, settled, 'joined');
  await stack.until(f.employeeId, (s) => s.stage === 'pre-hire', 'pre-hire');

  const [bAcc] = await accountsOf(base(), 'generic', { externalId: b.employeeId });
  await patchTitle(bAcc!.id, 'Changed by hand');
  // d's account replaced by hand: the new one carries d's owner key, the controller links the old id.
  const [dOld] = await accountsOf(base(), 'generic', { externalId: d.employeeId });
  await deleteUserIn(base(), 'generic', dOld!.id);
  const dNew = await seedUser(base(), 'generic', {
    userName: d.email,
    externalId: d.employeeId,
    title: 'Account Executive',
  });
  const ghost = await seedUser(base(), 'generic', { userName: `ghost-${Date.now()}@example.com` });
  // f (not started yet) has this userName; the owner key is nobody's: f's controller would see a conflict.
  const clash = await seedUser(base(), 'generic', { userName: f.email, externalId: `X-${f.employeeId}` });

  const s = await scan('generic');
  const cls = (id: string) => s.rows.find((r) => r.id === id)?.class ?? 'in-sync';
  expect(cls(bAcc!.id)).toBe('drifted');
  expect(cls(dNew.id)).toBe('unlinked-owner');
  expect(cls(ghost.id)).toBe('orphan');
  expect(cls(clash.id)).toBe('conflict');
  const [aAcc] = (await accountsOf(base(), 'generic', { externalId: a.employeeId })).filter(
    (u) => u.userName === a.email,
  );
  expect(cls(aAcc!.id)).toBe('in-sync');
  expect(s.rows.find((r) => r.id === ghost.id)).toMatchObject({ paidSeat: true });
  expect(s.rows.find((r) => r.id === ghost.id)!.employeeId).toBeUndefined();
  expect(s.total).toBe((await usersOf(base(), 'generic')).length);

  const fix = await fixScan(stack.client, s, s.rows, ['drifted', 'unlinked-owner']);
  expect(fix.refreshed).toEqual(expect.arrayContaining([b.employeeId, d.employeeId]));
  await waitFor(
    async () => (await accountsOf(base(), 'generic', { externalId: b.employeeId }))[0]?.title === 'Account Executive',
    { what: 'b converged', timeoutMs: 20_000 },
  );
  await waitFor(async () => (await stack.state(d.employeeId)).apps.generic?.account?.id === dNew.id, {
    what: 'd linked',
    timeoutMs: 20_000,
  });
  const again = await scan('generic');
  expect(again.rows.find((r) => r.id === bAcc!.id)).toBeUndefined();
  expect(again.rows.find((r) => r.id === dNew.id)).toBeUndefined();
  expect(again.rows.find((r) => r.id === ghost.id)?.class).toBe('orphan');
  // A dry run changed nothing: the orphan is still active.
  expect((await usersOf(base(), 'generic')).find((u) => u.id === ghost.id)?.active).toBe(true);
}, 120_000);

it('orphans are deactivated only through the guard: a burst of most of an app is held until `guard release`', async () => {
  const ghosts: AppUser[] = [];
  for (let i = 0; i < 10; i++)
    ghosts.push(
      await seedUser(base(), 'jumpcloud', {
        userName: `ghost${i}x${Date.now()}`,
        emails: [{ value: `ghost${i}x${Date.now()}@example.com`, type: 'work', primary: true }],
      }),
    );
  const s = await scan('jumpcloud');
  const orphans = s.rows.filter((r) => r.class === 'orphan' && r.active);
  expect(orphans.length).toBeGreaterThanOrEqual(10);
  expect(orphans.length / s.total).toBeGreaterThanOrEqual(0.6);

  const fix = await fixScan(stack.client, s, s.rows, ['orphan']);
  const allow = Math.max(DEFAULT_GUARD_MIN_COUNT, Math.min(50, Math.floor(0.1 * s.total)));
  expect(fix.guard).toMatchObject({ granted: allow, held: orphans.length - allow, allowance: allow });
  const activeGhosts = async () =>
    (await usersOf(base(), 'jumpcloud')).filter((u) => ghosts.some((g) => g.id === u.id) && u.active).length;
  await waitFor(async () => (await activeGhosts()) === ghosts.length - allow, {
    what: 'the allowance deactivated',
    timeoutMs: 20_000,
  });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(await activeGhosts()).toBe(ghosts.length - allow);
  expect((await guardView(stack.client, 'jumpcloud')).held).toHaveLength(orphans.length - allow);

  // Asking again has no second effect.
  const again = await fixScan(stack.client, s, s.rows, ['orphan']);
  expect(again.guard!.held).toBe(orphans.length - allow);

  const v = await guardDecide(stack.client, 'jumpcloud', 'release', 'ops@example.com');
  expect(v.held).toEqual([]);
  await waitFor(async () => (await activeGhosts()) === 0, {
    what: 'every held orphan deactivated after release',
    timeoutMs: 30_000,
  });
}, 120_000);

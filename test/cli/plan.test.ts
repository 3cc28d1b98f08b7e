// `scimflow plan`: the dry run folds the event into a timeline, observes each app over HTTP with the
// controller's own lookup, runs the controller's own planner, and writes nothing.
import { request } from 'undici';
import { parseConfigText } from '../../src/config';
import { parseEvent, planEvent, PlanInputError } from '../../src/cli/plan';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import { accountsOf, seedUser, usersOf } from '../helpers/apps';
import { requestLog } from '../helpers/oracle';
import { TEST_ENV } from '../helpers/stack';
import { LIFECYCLE_CONFIG } from '../workflows/config';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());

const config = () => {
  const parsed = parseConfigText(LIFECYCLE_CONFIG.replaceAll('{{SANDBOX}}', sb.url), '/virtual/plan.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
};
const APPS = ['generic', 'jasper', 'jumpcloud'] as const;
/** Every write any app received (the sandbox's request log, over /_admin). */
const writes = async () =>
  (await Promise.all(APPS.map((a) => requestLog(sb.url, a)))).flat().filter((r) => r.method !== 'GET');
const person = (employeeId: string, email: string, extra: Record<string, string> = {}) => ({
  employeeId,
  email,
  givenName: 'Grace',
  familyName: 'Hopper',
  ...extra,
});
const byApp = (plan: Awaited<ReturnType<typeof planEvent>>) => Object.fromEntries(plan.apps.map((a) => [a.app, a]));

describe('plan', () => {
  it('shows creates for absent accounts, an update and group additions for an existing one, the approval a seat needs — and sends no write', async () => {
    const existing = await seedUser(sb.url, 'generic', {
      userName: 'grace@example.com',
      externalId: 'P1',
      name: { givenName: 'Grace', familyName: 'Hopper' },
      title: 'Old title',
      active: true,
    });
    const before = await writes();

    const event = parseEvent({
      id: 'evt-p1',
      type: 'hire',
      employee: person('P1', 'grace@example.com', { department: 'Engineering', title: 'Rear Admiral' }),
    });
    const plan = await planEvent(config(), event, TEST_ENV);

    expect(plan.event).toEqual({ id: 'evt-p1', type: 'hire', employeeId: 'P1' });
    expect(plan.employment).toBe('employed');
    expect(plan.matchedRules).toEqual(['engineering', 'everyone']);
    expect(plan.entitlements.map((e) => [e.app, e.groups])).toEqual([
      ['generic', ['all-staff', 'engineering']],
      ['jasper', []],
      ['jumpcloud', []],
    ]);
    const apps = byApp(plan);
    expect(apps.generic).toMatchObject({
      granted: true,
      state: 'converging',
      approvalRequired: false,
      current: { id: existing.id, userName: 'grace@example.com', externalId: 'P1', active: true },
    });
    expect(apps.generic!.actions).toEqual([
      {
        action: 'bring the attributes up to date',
        request: `PATCH /Users/${existing.id} (generated from the difference)`,
      },
      { action: 'add to group all-staff', request: `PATCH /Groups/<all-staff> add members ${existing.id}` },
      { action: 'add to group engineering', request: `PATCH /Groups/<engineering> add members ${existing.id}` },
    ]);
    expect(apps.jasper).toMatchObject({ granted: true, state: 'converging', approvalRequired: true });
    expect(apps.jasper!.actions).toHaveLength(1);
    expect(apps.jasper!.actions[0]!.action).toBe('create the account');
    const post = apps.jasper!.actions[0]!.request!;
    expect(post).toMatch(/^POST \/Users /);
    expect(JSON.parse(post.slice('POST /Users '.length))).toMatchObject({
      userName: 'grace@example.com',
      externalId: 'P1',
      title: 'Rear Admiral',
    });
    expect(apps.jumpcloud).toMatchObject({ state: 'converging', approvalRequired: false });
    expect(JSON.parse(apps.jumpcloud!.actions[0]!.request!.slice('POST /Users '.length))).toMatchObject({
      userName: 'grace',
    });

    // Nothing was written: no request other than GETs, and the apps hold what they held.
    expect(await writes()).toEqual(before);
    expect(await accountsOf(sb.url, 'jasper', { userName: 'grace@example.com' })).toEqual([]);
    expect(await accountsOf(sb.url, 'jumpcloud', { userName: 'grace' })).toEqual([]);
    expect(await accountsOf(sb.url, 'generic', { userName: 'grace@example.com' })).toEqual([
      expect.objectContaining({ id: existing.id, title: 'Old title' }),
    ]);
  });

  it('plans a termination as a deactivation first, then group removals; nothing where there is no account', async () => {
    const [g] = await accountsOf(sb.url, 'generic', { userName: 'grace@example.com' });
    // A managed group (engineering) and an unmanaged one (book-club) the account is a member of.
    for (const displayName of ['engineering', 'book-club']) {
      const res = await request(`${sb.url}/generic/scim/v2/Groups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_CREDENTIALS.genericToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName,
          members: [{ value: g!.id }],
        }),
      });
      expect(res.statusCode).toBe(201);
      await res.body.text();
    }
    const event = parseEvent({ id: 'evt-p2', type: 'terminate', employee: person('P1', 'grace@example.com') });
    const before = await writes();
    const plan = await planEvent(config(), event, TEST_ENV);
    expect(plan.employment).toBe('left');
    const apps = byApp(plan);
    expect(apps.generic).toMatchObject({ state: 'converging', current: { id: g!.id, active: true } });
    expect(apps.generic!.actions).toEqual([
      { action: 'deactivate (leaver)', request: `PATCH /Users/${g!.id} active=false` },
      {
        action: 'remove from group engineering (leaver)',
        request: `PATCH /Groups/<engineering> remove members[value eq ${JSON.stringify(g!.id)}]`,
      },
    ]);
    expect(apps.jasper).toMatchObject({ state: 'absent', actions: [] });
    expect(apps.jumpcloud).toMatchObject({ state: 'absent', actions: [] });
    expect(await writes()).toEqual(before);
    expect((await accountsOf(sb.url, 'generic', { userName: 'grace@example.com' })).map((u) => u.active)).toEqual([
      true,
    ]);
  });

  it('reports an account with the same userName and another externalId as an identity conflict, and plans nothing there', async () => {
    const colleague = await seedUser(sb.url, 'generic', {
      userName: 'ada@example.com',
      externalId: 'SOMEONE-ELSE',
      active: true,
    });
    const before = await writes();
    const plan = await planEvent(
      config(),
      parseEvent({ id: 'evt-p3', type: 'hire', employee: person('P3', 'ada@example.com') }),
      TEST_ENV,
    );
    const apps = byApp(plan);
    expect(apps.generic).toMatchObject({
      state: 'conflict',
      actions: [],
      approvalRequired: false,
      current: { id: colleague.id, externalId: 'SOMEONE-ELSE' },
    });
    expect(apps.generic!.error).toMatch(/^identity conflict: userName ada@example.com is held by .*SOMEONE-ELSE/);
    expect(apps.jumpcloud).toMatchObject({ state: 'converging' });
    expect(await writes()).toEqual(before);
    expect((await usersOf(sb.url, 'generic')).find((u) => u.id === colleague.id)).toMatchObject({
      externalId: 'SOMEONE-ELSE',
      active: true,
    });
  });

  it('shows an account with the same userName and no externalId as adoptable: adopt, then bring it up to date', async () => {
    const handMade = await seedUser(sb.url, 'generic', {
      userName: 'lin@example.com',
      title: 'Hand-made',
      active: true,
    });
    const before = await writes();
    const plan = await planEvent(
      config(),
      parseEvent({ id: 'evt-p4', type: 'hire', employee: person('P4', 'lin@example.com', { title: 'Engineer' }) }),
      TEST_ENV,
    );
    const apps = byApp(plan);
    expect(apps.generic).toMatchObject({ state: 'converging', current: { id: handMade.id, active: true } });
    expect(apps.generic!.current!.externalId).toBeUndefined();
    expect(apps.generic!.actions.map((a) => a.action)).toEqual([
      `adopt ${handMade.id} (no externalId, same userName): stamp the externalId`,
      'bring the attributes up to date',
      'add to group all-staff',
    ]);
    expect(await writes()).toEqual(before);
    expect((await usersOf(sb.url, 'generic')).find((u) => u.id === handMade.id)!.externalId).toBeUndefined();
  });

  it('refuses an invalid event, naming the fields', () => {
    expect(() => parseEvent({ id: 'x', type: 'hire', employee: { employeeId: 'E1' } })).toThrow(PlanInputError);
    try {
      parseEvent({ id: 'x', type: 'hire', employee: { employeeId: 'E1' } });
    } catch (err) {
      expect((err as PlanInputError).fields.map((f) => f.field)).toEqual([
        'employee.email',
        'employee.givenName',
        'employee.familyName',
      ]);
    }
  });
});

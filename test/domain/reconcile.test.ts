// Reconciliation's classifier: pure, so checked by properties against the planner and ownership.
import fc from 'fast-check';
import {
  accumulate,
  classifyAccount,
  emptySummary,
  indexPeople,
  RECONCILE_CLASSES,
  type KnownPerson,
} from '../../src/domain/reconcile';
import { planApp, type AppDesire } from '../../src/domain/planner';
import { normalizeIdentityKey, type ObservedAccount, type OwnerRule } from '../../src/domain/ownership';

const LEAVER = { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: null };
const desireOf = (id: string, userName: string, over: Partial<AppDesire> = {}): NonNullable<KnownPerson['desire']> => ({
  user: { userName, externalId: id, title: 'Engineer' },
  granted: true,
  groups: ['all-staff'],
  managedGroups: ['all-staff', 'sales'],
  managedAttributes: ['externalId', 'title'],
  groupsSupported: true,
  leaver: LEAVER,
  ...over,
});
const person = (id: string, userName: string, over: Partial<KnownPerson> = {}): KnownPerson => ({
  employeeId: id,
  status: 'employed',
  desire: desireOf(id, userName),
  ...over,
});
const acct = (
  id: string,
  userName: string,
  over: { externalId?: string; active?: boolean; title?: string; groups?: string[] } = {},
): ObservedAccount => {
  const active = over.active ?? true;
  return {
    id,
    userName,
    ...(over.externalId ? { externalId: over.externalId, ownerKey: over.externalId } : {}),
    active,
    groups: over.groups ?? ['all-staff'],
    resource: {
      id,
      userName,
      ...(over.externalId ? { externalId: over.externalId } : {}),
      title: over.title ?? 'Engineer',
      active,
    },
  };
};
const BY_EXT: OwnerRule = { by: 'externalId' };

describe('classifyAccount: one class per account', () => {
  const ann = person('E1', 'ann@x.com', { linkedId: 'u1' });
  const bob = person('E2', 'bob@x.com');
  const cat = person('E3', 'cat@x.com', { status: 'left', since: 0, linkedId: 'u3' });
  const idx = indexPeople([ann, bob, cat], BY_EXT);

  it.each([
    ['linked, as the record wants', 'in-sync', acct('u1', 'ann@x.com', { externalId: 'E1' })],
    ['linked, title changed by hand', 'drifted', acct('u1', 'ann@x.com', { externalId: 'E1', title: 'CEO' })],
    ['linked, deactivated by hand', 'drifted', acct('u1', 'ann@x.com', { externalId: 'E1', active: false })],
    [
      'linked, a membership added by hand',
      'drifted',
      acct('u1', 'ann@x.com', { externalId: 'E1', groups: ['all-staff', 'sales'] }),
    ],
    ['nobody’s userName, no owner key', 'orphan', acct('u9', 'zed@x.com')],
    ['an owner key nobody has', 'orphan', acct('u9', 'zed@x.com', { externalId: 'E404' })],
    ['a leaver’s account still active', 'orphan', acct('u3', 'cat@x.com', { externalId: 'E3' })],
    [
      'a leaver’s account, deactivated',
      'in-sync',
      acct('u3', 'cat@x.com', { externalId: 'E3', active: false, groups: [] }),
    ],
    ['bob’s by owner key, not linked', 'unlinked-owner', acct('u2', 'bob@x.com', { externalId: 'E2' })],
    ['bob’s userName (case variant), no owner key', 'unlinked-owner', acct('u2', 'BOB@x.com')],
    ['ann’s owner key, bob’s userName', 'conflict', acct('u5', 'bob@x.com', { externalId: 'E1' })],
    ['linked by ann, bob’s userName, no key', 'conflict', acct('u1', 'bob@x.com')],
  ] as const)('%s → %s', (_why, cls, account) => {
    expect(classifyAccount(account, idx).class).toBe(cls);
  });

  it('two people carrying one owner key is a conflict naming both', () => {
    const twins = indexPeople(
      [person('E1', 'a@x.com'), { ...person('E9', 'b@x.com'), desire: { ...desireOf('E1', 'b@x.com') } }],
      BY_EXT,
    );
    const c = classifyAccount(acct('u1', 'a@x.com', { externalId: 'E1' }), twins);
    expect(c.class).toBe('conflict');
    expect(c.claimants!.sort()).toEqual(['E1', 'E9']);
  });

  it('a userName rule: the name alone decides, owner keys are ignored', () => {
    const byName = indexPeople(
      [
        person('E1', 'ann', {
          linkedId: 'u1',
          desire: desireOf('E1', 'ann', { user: { userName: 'ann', title: 'Engineer' }, managedAttributes: ['title'] }),
        }),
      ],
      { by: 'userName' },
    );
    expect(classifyAccount(acct('u1', 'ann'), byName).class).toBe('in-sync');
    expect(classifyAccount(acct('u2', 'ANN'), byName).class).toBe('unlinked-owner');
    expect(classifyAccount(acct('u2', 'zed'), byName).class).toBe('orphan');
  });
});

// ---- properties -------------------------------------------------------------------------------

// Names and ids beyond Latin-1 too: the index keeps those aside from its packed bytes.
const NAMES = ['ann', 'Ann', 'bob', 'cat', 'dan', 'eve', 'Łukasz', 'ŁUKASZ', '山田'];
const worldArb = fc.record({
  people: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('E1', 'E2', 'E3', 'E4', 'E5'),
      name: fc.constantFrom(...NAMES),
      status: fc.constantFrom('employed', 'left', 'unknown', 'pre-hire') as fc.Arbitrary<KnownPerson['status']>,
      granted: fc.boolean(),
      link: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4', 'ид1'), { nil: undefined }),
    }),
    { selector: (p) => p.id, maxLength: 5 },
  ),
  accounts: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'ид1'),
      name: fc.constantFrom(...NAMES, 'zed'),
      key: fc.option(fc.constantFrom('E1', 'E2', 'E3', 'E4', 'E5', 'E9'), { nil: undefined }),
      active: fc.boolean(),
      title: fc.constantFrom('Engineer', 'CEO'),
      groups: fc.subarray(['all-staff', 'sales']),
    }),
    { selector: (a) => a.id, maxLength: 6 },
  ),
  owner: fc.constantFrom<OwnerRule>({ by: 'externalId' }, { by: 'userName' }),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;
const build = (w: World) => ({
  people: w.people.map((p) =>
    person(p.id, `${p.name}@x.com`, {
      status: p.status,
      ...(p.link ? { linkedId: p.link } : {}),
      desire: desireOf(p.id, `${p.name}@x.com`, {
        granted: p.granted,
        ...(w.owner.by === 'userName' ? { user: { userName: `${p.name}@x.com`, title: 'Engineer' } } : {}),
      }),
    }),
  ),
  accounts: w.accounts.map((a) =>
    acct(a.id, `${a.name}@x.com`, {
      ...(a.key && w.owner.by !== 'userName' ? { externalId: a.key } : {}),
      active: a.active,
      title: a.title,
      groups: a.groups,
    }),
  ),
});

describe('properties', () => {
  it('never attributes an account to someone whose owner key it does not carry', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { people, accounts } = build(w);
        const idx = indexPeople(people, w.owner);
        for (const a of accounts) {
          const c = classifyAccount(a, idx);
          if (c.owner && w.owner.by === 'externalId' && a.ownerKey !== undefined)
            expect(c.owner.desire!.user.externalId).toBe(a.ownerKey);
          if (c.owner && a.ownerKey === undefined)
            expect(
              c.owner.linkedId === a.id ||
                normalizeIdentityKey(c.owner.desire!.user.userName) === normalizeIdentityKey(a.userName),
            ).toBe(true);
          if (c.class === 'conflict') expect(new Set(c.claimants).size).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order people are known in', () => {
    fc.assert(
      fc.property(worldArb, fc.infiniteStream(fc.nat()), (w, seeds) => {
        const { people, accounts } = build(w);
        const shuffled = [...people]
          .map((p) => [seeds.next().value as number, p] as const)
          .sort((x, y) => x[0] - y[0])
          .map(([, p]) => p);
        const a = indexPeople(people, w.owner);
        const b = indexPeople(shuffled, w.owner);
        for (const acc of accounts) {
          const x = classifyAccount(acc, a);
          const y = classifyAccount(acc, b);
          expect([y.class, y.owner?.employeeId, [...(y.claimants ?? [])].sort()]).toEqual([
            x.class,
            x.owner?.employeeId,
            [...(x.claimants ?? [])].sort(),
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the planner: in-sync plans nothing, drifted plans something (employed, linked, sole account)', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { people, accounts } = build(w);
        const idx = indexPeople(people, w.owner);
        for (const a of accounts) {
          const c = classifyAccount(a, idx);
          if (!c.owner || c.owner.status !== 'employed' || (c.class !== 'in-sync' && c.class !== 'drifted')) continue;
          const d = c.owner.desire!;
          const desire: AppDesire = { app: 'generic', ...d, owner: w.owner, seatGate: false, allOrNothing: false };
          const plan = planApp(
            desire,
            [a],
            { scimId: a.id },
            { status: 'employed', now: 0, compensating: false, skipped: false, approval: 'approved' },
          );
          if (c.class === 'in-sync') expect(plan.actions).toEqual([]);
          else expect(plan.actions.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('counts add up, the sample is bounded, paid seats are only active orphans', () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 0, max: 3 }), fc.boolean(), (w, limit, paid) => {
        const { people, accounts } = build(w);
        const idx = indexPeople(people, w.owner);
        const opts = { app: 'generic', paidSeats: paid, now: 10 * 86_400_000, sampleLimit: limit };
        const s = emptySummary(opts, people.length);
        for (const a of accounts) accumulate(s, a, idx, opts, new Date(0).toISOString());
        expect(RECONCILE_CLASSES.reduce((n, k) => n + s.counts[k], 0)).toBe(accounts.length);
        expect(s.rows.length).toBeLessThanOrEqual(limit);
        expect(s.rows.length + s.omitted).toBe(accounts.length - s.counts['in-sync']);
        const seatRows = s.seats.orphans + s.seats.leavers;
        expect(seatRows).toBe(
          paid ? accounts.filter((a) => a.active && classifyAccount(a, idx).class === 'orphan').length : 0,
        );
        for (const r of s.seats.rows) expect(r.idleDays).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

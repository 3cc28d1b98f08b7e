// The planner: desired × observed → actions; ownership; compensation. Pure, so checked by properties.
import fc from 'fast-check';
import { decideOwnership, normalizeIdentityKey, type ObservedAccount } from '../../src/domain/ownership';
import {
  applyAction,
  endsAccess,
  planApp,
  type AppDesire,
  type AppLink,
  type PlanContext,
} from '../../src/domain/planner';
import type { EmploymentStatus } from '../../src/domain/person';

const desire = (over: Partial<AppDesire> = {}): AppDesire => ({
  app: 'generic',
  granted: true,
  user: {
    userName: 'ann@example.com',
    externalId: 'E1',
    title: 'Engineer',
    name: { givenName: 'Ann', familyName: 'Lee' },
  },
  groups: ['all-staff', 'engineering'],
  managedGroups: ['all-staff', 'engineering', 'sales'],
  managedAttributes: ['externalId', 'name', 'title'],
  owner: { by: 'externalId' },
  seatGate: false,
  allOrNothing: false,
  groupsSupported: true,
  leaver: { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: null },
  ...over,
});
const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  status: 'employed',
  now: 1_000,
  compensating: false,
  skipped: false,
  approval: 'none',
  ...over,
});
const acct = (over: Partial<ObservedAccount> & { id: string }): ObservedAccount => {
  const a = {
    userName: 'ann@example.com',
    active: true,
    groups: [],
    ...over,
    ...(over.externalId ? { ownerKey: over.externalId } : {}),
  };
  return {
    ...a,
    resource: {
      id: a.id,
      userName: a.userName,
      ...(a.externalId ? { externalId: a.externalId } : {}),
      active: a.active,
      ...(over.resource ?? {}),
    },
  };
};

describe('ownership: nobody else’s account is ever touched', () => {
  it.each([
    ['another person’s externalId', acct({ id: 'u1', externalId: 'E2' })],
    ['a case variant held by another person', acct({ id: 'u1', userName: 'ANN@example.com', externalId: 'E2' })],
    ['a space variant held by another person', acct({ id: 'u1', userName: ' ann@example.com ', externalId: 'E2' })],
  ])('%s is an identity conflict: nothing is written', (_why, other) => {
    const plan = planApp(desire(), [other], undefined, ctx());
    expect(plan.state).toBe('conflict');
    expect(plan.actions).toEqual([]);
    expect(plan.conflict!.accounts[0]!.externalId).toBe(other.externalId);
  });

  it('a U+212A (KELVIN SIGN) variant held by another person is a conflict', () => {
    const other = acct({ id: 'u1', userName: '\u212Aim@example.com', externalId: 'E9' });
    const plan = planApp(
      desire({ user: { userName: 'kim@example.com', externalId: 'E1' } }),
      [other],
      undefined,
      ctx(),
    );
    expect(plan.state).toBe('conflict');
    expect(plan.actions).toEqual([]);
  });

  it('normalises identity keys with NFKC, trim and case folding', () => {
    expect(normalizeIdentityKey(' \u212Aim@Example.COM ')).toBe('kim@example.com');
  });

  it('two people whose emails map to one JumpCloud userName: the second is a conflict', () => {
    const first = acct({ id: 'j1', userName: 'annleex', externalId: 'E1' });
    const plan = planApp(desire({ user: { userName: 'annleex', externalId: 'E2' } }), [first], undefined, ctx());
    expect(plan.state).toBe('conflict');
  });

  it('an account with no externalId and the same userName is adopted, stamped and brought up to date', () => {
    const stale = acct({ id: 'u1', userName: 'Ann@Example.com', resource: { title: 'Old', nickName: 'x' } as never });
    const plan = planApp(desire(), [stale], undefined, ctx());
    expect(plan.actions.map((a) => a.kind)).toEqual(['adopt', 'update', 'addGroup', 'addGroup']);
  });

  it('several accounts carrying the person’s externalId are a conflict, not a pick', () => {
    expect(
      decideOwnership({
        accounts: [acct({ id: 'a', externalId: 'E1' }), acct({ id: 'b', externalId: 'E1' })],
        ownerKey: 'E1',
        userName: 'ann@example.com',
        owner: { by: 'externalId' },
      }).kind,
    ).toBe('conflict');
  });
});

describe('seats', () => {
  const seat = desire({ app: 'jasper', seatGate: true, groups: [], managedGroups: [] });
  it('a create waits for the approval; adopting an active account needs none', () => {
    expect(planApp(seat, [], undefined, ctx())).toMatchObject({
      state: 'awaiting-approval',
      approvalFor: 'create',
      actions: [],
    });
    expect(planApp(seat, [], undefined, ctx({ approval: 'approved' })).actions.map((a) => a.kind)).toEqual(['create']);
    const active = acct({
      id: 'u1',
      externalId: 'E1',
      resource: { title: 'Engineer', name: { givenName: 'Ann', familyName: 'Lee' } } as never,
    });
    expect(planApp(seat, [active], undefined, ctx()).approvalFor).toBeUndefined();
  });
  it('a reactivation (rehire, an app regained) takes a seat: it waits for approval', () => {
    const inactive = acct({
      id: 'u1',
      externalId: 'E1',
      active: false,
      resource: { title: 'Engineer', name: { givenName: 'Ann', familyName: 'Lee' } } as never,
    });
    const plan = planApp(seat, [inactive], { scimId: 'u1' }, ctx());
    expect(plan).toMatchObject({ state: 'awaiting-approval', approvalFor: 'reactivate' });
    expect(plan.actions.some((a) => a.kind === 'setActive')).toBe(false);
  });
});

describe('access ends first', () => {
  it('a leaver: deactivation first, then memberships; approvals change nothing', () => {
    const ours = acct({ id: 'u1', externalId: 'E1', groups: ['all-staff', 'engineering', 'not-managed'] });
    for (const approval of ['none', 'pending', 'refused', 'approved'] as const) {
      const plan = planApp(desire(), [ours], { scimId: 'u1' }, ctx({ status: 'left', approval }));
      expect(plan.actions.map((a) => a.kind)).toEqual(['setActive', 'removeGroup', 'removeGroup']);
      expect(plan.actions.filter((a) => a.kind === 'removeGroup').map((a) => (a as { group: string }).group)).toEqual([
        'all-staff',
        'engineering',
      ]);
    }
  });
  it('an account already gone is done (the link is forgotten)', () => {
    expect(planApp(desire(), [], { scimId: 'gone' }, ctx({ status: 'left' })).actions).toEqual([{ kind: 'forget' }]);
  });
  it('a hard delete falls due after retention', () => {
    const d = desire({
      leaver: { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: 100 },
    });
    const off = acct({ id: 'u1', externalId: 'E1', active: false });
    expect(planApp(d, [off], { scimId: 'u1' }, ctx({ status: 'left', leftAt: 1_000, now: 1_050 }))).toMatchObject({
      actions: [],
      wakeAt: 1_100,
    });
    expect(planApp(d, [off], { scimId: 'u1' }, ctx({ status: 'left', leftAt: 1_000, now: 1_100 })).actions).toEqual([
      { kind: 'delete', accountId: 'u1' },
    ]);
  });
});

describe('compensation puts back what the join changed', () => {
  const d = desire({ allOrNothing: true });
  it('a created account is deactivated and loses the memberships the join added', () => {
    const ours = acct({ id: 'u1', externalId: 'E1', groups: ['all-staff', 'engineering'] });
    const plan = planApp(
      d,
      [ours],
      { scimId: 'u1', origin: { created: true }, addedGroups: ['all-staff', 'engineering'] },
      ctx({ compensating: true }),
    );
    expect(plan.actions.map((a) => a.kind)).toEqual(['setActive', 'removeGroup', 'removeGroup']);
  });
  it('an adopted inactive account gets its inactive flag and memberships back', () => {
    const ours = acct({ id: 'u1', externalId: 'E1', active: true, groups: ['all-staff', 'sales'] });
    const link: AppLink = {
      scimId: 'u1',
      origin: { created: false, wasActive: false, groups: ['sales'] },
      addedGroups: ['all-staff'],
    };
    const plan = planApp(d, [ours], link, ctx({ compensating: true }));
    expect(plan.actions).toEqual([
      { kind: 'setActive', accountId: 'u1', active: false, why: 'compensate' },
      { kind: 'removeGroup', accountId: 'u1', group: 'all-staff', why: 'compensate' },
    ]);
  });
});

it('a field HR clears is removed downstream (managed attributes)', () => {
  const ours = acct({
    id: 'u1',
    externalId: 'E1',
    resource: { title: 'Old title', name: { givenName: 'Ann', familyName: 'Lee' }, externalId: 'E1' } as never,
  });
  const { title: _t, ...user } = desire().user;
  expect(
    planApp(desire({ user: user as AppDesire['user'] }), [ours], { scimId: 'u1' }, ctx()).actions.map((a) => a.kind),
  ).toContain('update');
});

// ---- properties ----

const statuses: EmploymentStatus[] = ['unknown', 'pre-hire', 'employed', 'left'];
const arbAccount = fc.record({
  id: fc.constantFrom('u1', 'u2', 'u3'),
  userName: fc.constantFrom('ann@example.com', 'ANN@example.com', 'bob@example.com'),
  externalId: fc.option(fc.constantFrom('E1', 'E2', 'E3'), { nil: undefined }),
  active: fc.boolean(),
  groups: fc.subarray(['all-staff', 'engineering', 'sales', 'other']),
  title: fc.constantFrom('Engineer', 'Old'),
});
const arbCase = fc.record({
  accounts: fc.uniqueArray(arbAccount, { selector: (a) => a.id, maxLength: 3 }),
  status: fc.constantFrom(...statuses),
  granted: fc.boolean(),
  seatGate: fc.boolean(),
  approval: fc.constantFrom('none', 'pending', 'approved', 'refused' as const),
  compensating: fc.boolean(),
  linked: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: undefined }),
  groups: fc.subarray(['all-staff', 'engineering', 'sales']),
});
const toAccounts = (
  c:
    | fc.Arbitrary<never>
    | {
        accounts: {
          id: string;
          userName: string;
          externalId?: string;
          active: boolean;
          groups: string[];
          title: string;
        }[];
      },
) =>
  (
    c as {
      accounts: {
        id: string;
        userName: string;
        externalId?: string;
        active: boolean;
        groups: string[];
        title: string;
      }[];
    }
  ).accounts.map((a) =>
    acct({
      id: a.id,
      userName: a.userName,
      ...(a.externalId ? { externalId: a.externalId } : {}),
      active: a.active,
      groups: a.groups,
      resource: {
        ...(a.externalId ? { externalId: a.externalId } : {}),
        title: a.title,
        name: { givenName: 'Ann', familyName: 'Lee' },
      } as never,
    }),
  );

describe('planner properties', () => {
  it('never writes to an account whose externalId belongs to someone else', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const accounts = toAccounts(c);
        const plan = planApp(
          desire({ granted: c.granted, seatGate: c.seatGate, groups: c.groups }),
          accounts,
          c.linked ? { scimId: c.linked, origin: { created: true }, addedGroups: c.groups } : undefined,
          ctx({ status: c.status, approval: c.approval, compensating: c.compensating }),
        );
        for (const a of plan.actions) {
          const id = 'accountId' in a ? a.accountId : undefined;
          if (!id) continue;
          const target = accounts.find((x) => x.id === id)!;
          expect(target.externalId === undefined || target.externalId === 'E1').toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('plan → apply → plan is empty', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        let accounts = toAccounts(c);
        const d = desire({ granted: c.granted, seatGate: c.seatGate, groups: c.groups });
        let link: AppLink | undefined = c.linked ? { scimId: c.linked } : undefined;
        const context = ctx({
          status: c.status,
          approval: c.approval === 'pending' ? 'approved' : c.approval,
          compensating: c.compensating,
        });
        for (let i = 0; i < 30; i++) {
          const plan = planApp(d, accounts, link, context);
          if (plan.actions.length === 0) return;
          const next = applyAction(accounts, link, plan.actions[0]!, d, { id: 'created-1' });
          accounts = next.accounts;
          link = next.link;
        }
        throw new Error('the plan never settles');
      }),
      { numRuns: 3000 },
    );
  });

  it('access-ending actions come first and never depend on the approval state', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const accounts = toAccounts(c);
        const link = c.linked ? { scimId: c.linked } : undefined;
        const plans = (['none', 'pending', 'approved', 'refused'] as const).map((approval) =>
          planApp(
            desire({ granted: c.granted, seatGate: c.seatGate }),
            accounts,
            link,
            ctx({ status: 'left', approval }),
          ),
        );
        for (const p of plans) {
          expect(p.actions).toEqual(plans[0]!.actions);
          const kinds = p.actions.filter((a) => a.kind !== 'forget');
          const firstNonEnding = kinds.findIndex((a) => !endsAccess(a));
          expect(firstNonEnding).toBe(-1);
          const deact = kinds.findIndex((a) => a.kind === 'setActive');
          if (deact >= 0) expect(deact).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

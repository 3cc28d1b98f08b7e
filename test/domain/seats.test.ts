// The seat report: the app's own answer (the scan's seat counts) when there is one, the controllers'
// observations otherwise; deletions from the leaver policy.
import { accumulate, emptySummary, indexPeople, type KnownPerson } from '../../src/domain/reconcile';
import { seatReport, type SeatPerson } from '../../src/domain/seats';
import type { ObservedAccount } from '../../src/domain/ownership';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1);
const leaver = (hardDeleteAfterMs: number | null) => ({
  deactivate: true,
  removeGroups: true,
  jsmCustomerRemoval: false,
  hardDeleteAfterMs,
});
const person = (id: string, over: Partial<SeatPerson> = {}): SeatPerson => ({
  employeeId: id,
  status: 'employed',
  desire: {
    user: { userName: `${id}@x.com`, externalId: id },
    granted: true,
    groups: [],
    managedGroups: [],
    managedAttributes: ['externalId'],
    groupsSupported: false,
    leaver: leaver(30 * DAY),
  },
  ...over,
});
const acct = (id: string, owner: string, active = true): ObservedAccount => ({
  id,
  userName: `${owner}@x.com`,
  externalId: owner,
  ownerKey: owner,
  active,
  resource: { id, userName: `${owner}@x.com`, externalId: owner, active },
});

const people: SeatPerson[] = [
  person('E1', { linkedId: 'u1', observedActive: true }),
  person('E2', { status: 'left', since: NOW - 3 * DAY, linkedId: 'u2', observedActive: true }),
  person('E3', { status: 'left', since: NOW - 40 * DAY, linkedId: 'u3', observedActive: false }),
  person('E4', { pendingApprovals: 1 }),
  person('E5', {
    status: 'left',
    since: NOW - DAY,
    linkedId: 'u5',
    desire: { ...person('E5').desire!, leaver: leaver(null) },
  }),
];
const accounts = [
  acct('u1', 'E1'),
  acct('u2', 'E2'),
  acct('u3', 'E3', false),
  acct('u9', 'NOBODY'),
  acct('u8', 'E8', false),
];

function scan(paidSeats: boolean) {
  const opts = { app: 'jasper', paidSeats, now: NOW };
  const idx = indexPeople(people as KnownPerson[], { by: 'externalId' });
  const s = emptySummary(opts, idx.size);
  for (const a of accounts) accumulate(s, a, idx, opts);
  return s;
}

it('from the app: every active account is a seat held; leavers’ seats with how long; orphans; pending; deletions due', () => {
  const r = seatReport({ app: 'jasper', paidSeats: true, people, scan: scan(true), now: NOW });
  expect(r).toMatchObject({ source: 'app', held: 3, pendingApproval: 1, heldByOrphans: 1 });
  expect(r.heldByLeavers).toEqual({
    count: 1,
    seats: [
      {
        employeeId: 'E2',
        accountId: 'u2',
        userName: 'E2@x.com',
        since: new Date(NOW - 3 * DAY).toISOString(),
        days: 3,
      },
    ],
  });
  // E3 is overdue (the controller deletes it on its next pass); E5's policy never deletes.
  expect(r.scheduledForDeletion.accounts).toEqual([
    { employeeId: 'E3', accountId: 'u3', dueAt: new Date(NOW - 10 * DAY).toISOString(), inDays: -10 },
    { employeeId: 'E2', accountId: 'u2', dueAt: new Date(NOW + 27 * DAY).toISOString(), inDays: 27 },
  ]);
});

it('an app that is not a paid-seat app holds no seats', () => {
  expect(seatReport({ app: 'generic', paidSeats: false, people, scan: scan(false), now: NOW }).held).toBe(0);
});

it('when the app cannot be read: the controllers’ observations, and the report says so', () => {
  const r = seatReport({ app: 'jasper', paidSeats: true, people, scanError: 'connect ECONNREFUSED', now: NOW });
  expect(r).toMatchObject({ source: 'controllers', error: 'connect ECONNREFUSED', held: 2, pendingApproval: 1 });
  expect(r.heldByOrphans).toBeUndefined();
  expect(r.heldByLeavers.seats).toEqual([
    { employeeId: 'E2', accountId: 'u2', since: new Date(NOW - 3 * DAY).toISOString(), days: 3 },
  ]);
});

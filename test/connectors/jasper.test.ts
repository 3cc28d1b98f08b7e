// Jasper contract (https://www.stitchflow.com/user-management/jasper/api) against the sandbox over loopback HTTP.
import type { Connector } from '../../src/connectors';
import type { SandboxHandle } from '../../src/sandbox';
import { connect, groupMembers, person, rejection, useAppContract } from './harness';

let sb: SandboxHandle;
let conn: Connector;
const app = () => sb.app('jasper');

useAppContract('jasper', (s, c) => {
  sb = s;
  conn = c;
});

test('profile: PATCH, no pagination, userName eq only, the create takes a seat', () => {
  expect(conn.profile).toMatchObject({
    patch: true,
    pagination: { mode: 'none' },
    seatTakenBy: 'create',
    userName: { rule: 'email' },
  });
});

test('create consumes a seat at once and sends an invitation; find-first avoids a second seat', async () => {
  const desired = person();
  const first = await conn.createUser(desired);
  expect(first.created).toBe(true);
  expect(app().seats().consumed).toBe(1);
  expect(app().scim.invitations).toEqual([
    expect.objectContaining({ userId: first.user.id, email: desired.emails![0]!.value }),
  ]);
  const second = await conn.createUser(desired);
  expect(second.created).toBe(false);
  expect(app().seats().consumed).toBe(1);
});

test('a non-email userName is refused locally (INVALID) without a request', async () => {
  const err = await rejection(() => conn.createUser(person({ userName: 'jdoe' })));
  expect(err).toMatchObject({ code: 'INVALID', scimType: 'invalidValue' });
  expect(app().requests()).toHaveLength(0);
});

test('the sandbox itself refuses a non-email userName with 400 invalidValue', async () => {
  const lax = connect(sb, 'jasper', { capabilities: { userName: { rule: 'any' } } });
  const err = await rejection(() => lax.createUser(person({ userName: 'jdoe' })));
  await lax.close();
  expect(err).toMatchObject({ code: 'INVALID', status: 400, scimType: 'invalidValue' });
  expect(app().users()).toHaveLength(0);
});

test('lookups: userName is filtered server-side, externalId is matched locally from one unpaged list', async () => {
  const desired = person();
  const { user } = await conn.createUser(desired);
  const before = app().requests().length;
  expect((await conn.findUser({ externalId: desired.externalId! }))?.id).toBe(user.id);
  const [req] = app().requests().slice(before);
  const q = new URL(req!.url, 'http://x').searchParams;
  expect(q.get('filter')).toBeNull();
  expect(q.get('startIndex')).toBeNull();
});

test('filters other than userName eq are refused with 400 invalidFilter', async () => {
  await conn.createUser(person());
  const err = await rejection(async () => {
    for await (const _u of conn.listUsers({ filter: 'externalId eq "x"' })) void _u;
  });
  expect(err).toMatchObject({ code: 'INVALID', scimType: 'invalidFilter' });
});

test('updates go out as PATCH; PUT is not implemented (501 → UNSUPPORTED)', async () => {
  const desired = person();
  const { user } = await conn.createUser(desired);
  const upd = await conn.updateUser(user.id!, { ...desired, displayName: 'Renamed' });
  expect(upd).toMatchObject({ changed: true, user: { displayName: 'Renamed' } });
  const putOnly = connect(sb, 'jasper', { capabilities: { patch: false } });
  const err = await rejection(() => putOnly.updateUser(user.id!, { ...desired, displayName: 'Again' }));
  await putOnly.close();
  expect(err).toMatchObject({ code: 'UNSUPPORTED', status: 501 });
});

test('deprovision = active=false; the seat stays consumed (billing cycle)', async () => {
  const { user } = await conn.createUser(person());
  const res = await conn.deactivateUser(user.id!);
  expect(res.user.active).toBe(false);
  expect(app().seats()).toEqual({ consumed: 1, active: 0 });
});

test('groups: create (find-first by local match), add and remove members via PATCH', async () => {
  const a = (await conn.createUser(person())).user.id!;
  const b = (await conn.createUser(person())).user.id!;
  const g = await conn.createGroup('Marketing');
  expect(g.created).toBe(true);
  expect((await conn.createGroup('Marketing')).created).toBe(false);
  await conn.addMembers(g.group.id!, [a, b]);
  expect(groupMembers(sb, 'jasper', g.group.id!).sort()).toEqual([a, b].sort());
  await conn.removeMembers(g.group.id!, [a]);
  expect(groupMembers(sb, 'jasper', g.group.id!)).toEqual([b]);
  // No group filter support: the lookup lists and matches locally.
  expect(
    app()
      .requests()
      .some((r) => r.url.includes('/Groups?filter')),
  ).toBe(false);
});

test('429 with Retry-After → RATE_LIMITED', async () => {
  app().setKnobs({ throttleNext: 1, retryAfter: '12' });
  expect(await rejection(() => conn.findUser({ userName: 'a@example.com' }))).toMatchObject({
    code: 'RATE_LIMITED',
    retryAfterMs: 12_000,
  });
});

test('a create whose response is lost bills one seat: the retry adopts the committed user', async () => {
  const desired = person();
  app().setKnobs({ dropAfterCommit: 1 });
  expect(await rejection(() => conn.createUser(desired))).toMatchObject({ code: 'UNAVAILABLE' });
  const retry = await conn.createUser(desired);
  expect(retry.created).toBe(false);
  expect(app().users()).toHaveLength(1);
  expect(app().seats().consumed).toBe(1);
});

// The generic connector against an independent SCIM 2.0 implementation (SCIMMY + SCIMMY Routers
// on express), started here on loopback: every operation the activities use.
import { createConnector, type Connector } from '../../src/connectors';
import { person, rejection } from './harness';
import { SCIMMY_TOKEN, startScimmyServer, type ScimmyServer } from './scimmy-server';

let server: ScimmyServer;
let conn: Connector;

/** The group's member ids as SCIMMY serves them: a raw GET, not a connector call. */
async function members(id: string): Promise<string[]> {
  const res = await fetch(`${server.url}/Groups/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${SCIMMY_TOKEN}`, accept: 'application/scim+json' },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { members?: { value: string }[] };
  return (body.members ?? []).map((m) => m.value);
}

beforeAll(async () => {
  server = await startScimmyServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.users.clear();
  server.groups.clear();
  conn = createConnector({
    name: 'scimmy',
    kind: 'generic',
    baseUrl: server.url,
    auth: { type: 'bearer', token: SCIMMY_TOKEN },
    capabilities: { etag: false },
  });
});
afterEach(async () => {
  await conn.close();
});

test("discover() reads SCIMMY's ServiceProviderConfig", async () => {
  const p = await conn.discover();
  expect(p.patch).toBe(true);
});

test('find-first create, then adopt; lookups by userName, externalId and email', async () => {
  const desired = person();
  const a = await conn.createUser(desired);
  expect(a.created).toBe(true);
  expect(a.user.id).toEqual(expect.any(String));
  const b = await conn.createUser(desired);
  expect(b).toMatchObject({ created: false, user: { id: a.user.id } });
  expect(server.users.size).toBe(1);
  expect((await conn.findUser({ externalId: desired.externalId! }))?.id).toBe(a.user.id);
  expect((await conn.findUser({ email: desired.emails![0]!.value }))?.id).toBe(a.user.id);
  expect(await conn.findUser({ userName: 'nobody@example.com' })).toBeUndefined();
});

test('update via PATCH, deactivate, reactivate', async () => {
  const desired = person({ title: 'Engineer' });
  const { user } = await conn.createUser(desired);
  const upd = await conn.updateUser(user.id!, {
    userName: desired.userName,
    title: 'Manager',
    displayName: 'New Name',
  });
  expect(upd).toMatchObject({ changed: true, user: { title: 'Manager', displayName: 'New Name' } });
  expect((await conn.updateUser(user.id!, { userName: desired.userName, title: 'Manager' })).changed).toBe(false);
  expect((await conn.deactivateUser(user.id!)).user.active).toBe(false);
  expect((await conn.reactivateUser(user.id!)).user.active).toBe(true);
  expect((await conn.getUser(user.id!)).title).toBe('Manager');
});

test('PUT-only mode works against SCIMMY too', async () => {
  const desired = person({ title: 'Engineer', nickName: 'Ed' });
  const { user } = await conn.createUser(desired);
  const put = createConnector({
    name: 'scimmy-put',
    kind: 'generic',
    baseUrl: server.url,
    auth: { type: 'bearer', token: SCIMMY_TOKEN },
    capabilities: { etag: false, patch: false },
  });
  const res = await put.updateUser(user.id!, { userName: desired.userName, title: 'Lead' });
  await put.close();
  expect(res.user).toMatchObject({ title: 'Lead', nickName: 'Ed', userName: desired.userName });
});

test('pagination across pages (startIndex/count)', async () => {
  const paged = createConnector({
    name: 'scimmy-paged',
    kind: 'generic',
    baseUrl: server.url,
    auth: { type: 'bearer', token: SCIMMY_TOKEN },
    capabilities: { etag: false, pagination: { mode: 'index', maxPageSize: 2, withFilter: true } },
  });
  for (let i = 0; i < 5; i++) await paged.createUser(person());
  const ids = new Set<string>();
  for await (const u of paged.listUsers()) ids.add(u.id!);
  await paged.close();
  expect(ids.size).toBe(5);
});

test('groups: create (find-first), add and remove members with value-path removal', async () => {
  const u1 = (await conn.createUser(person())).user.id!;
  const u2 = (await conn.createUser(person())).user.id!;
  const g = await conn.createGroup('Engineering');
  expect(g.created).toBe(true);
  expect((await conn.createGroup('Engineering')).created).toBe(false);
  await conn.addMembers(g.group.id!, [u1, u2]);
  expect((await members(g.group.id!)).sort()).toEqual([u1, u2].sort());
  await conn.removeMembers(g.group.id!, [u1]);
  expect(await members(g.group.id!)).toEqual([u2]);
});

test('delete is idempotent; errors map onto codes', async () => {
  const { user } = await conn.createUser(person());
  expect(await conn.deleteUser(user.id!)).toEqual({ deleted: true });
  expect(await conn.deleteUser(user.id!)).toEqual({ deleted: false });
  expect(await rejection(() => conn.getUser(user.id!))).toMatchObject({ code: 'NOT_FOUND' });
  const bad = createConnector({
    name: 'scimmy-bad',
    kind: 'generic',
    baseUrl: server.url,
    auth: { type: 'bearer', token: 'wrong' },
  });
  expect(await rejection(() => bad.getUser('x'))).toMatchObject({ code: 'AUTH_FAILED' });
  await bad.close();
});

describe('controller primitives against SCIMMY', () => {
  // SCIMMY compares `userName eq` and `displayName eq` case-sensitively (RFC 7643 makes both
  // caseExact=false): a lookup finds what the server matches, so these tests use the stored case.
  test('lookupUsers: one `or` GET finds the userName account and an externalId account under another userName', async () => {
    const a = await conn.postUser(person());
    const b = await conn.postUser(person({ externalId: 'hr-shared' }));
    const found = await conn.lookupUsers({ userName: ` ${a.userName}`, externalId: 'hr-shared' });
    expect(found.map((u) => u.id)).toEqual([a.id!, b.id!].sort());
    expect(found.find((u) => u.id === b.id)).toMatchObject({ externalId: 'hr-shared', active: true });
    expect(await conn.lookupUsers({ userName: 'nobody@example.com', externalId: 'nope' })).toEqual([]);
  });

  test('postUser: bare create; a taken userName is CONFLICT uniqueness', async () => {
    const desired = person();
    expect((await conn.postUser(desired)).id).toEqual(expect.any(String));
    expect(await rejection(() => conn.postUser(desired))).toMatchObject({
      code: 'CONFLICT',
      status: 409,
      scimType: 'uniqueness',
    });
    expect(server.users.size).toBe(1);
  });

  test('patchUser from the observed resource: cleared title and name.middleName are removed; nothing left → no write', async () => {
    const desired = person({ title: 'Engineer', name: { givenName: 'Ada', middleName: 'B', familyName: 'King' } });
    await conn.postUser(desired);
    const [current] = await conn.lookupUsers({ userName: desired.userName });
    const cleared = { ...desired, title: undefined, name: undefined };
    const res = await conn.patchUser(current!.id!, current!, cleared, { managed: ['title', 'name.middleName'] });
    expect(res.changed).toBe(true);
    const after = await conn.getUser(current!.id!);
    expect(after.title).toBeUndefined();
    expect(after.name).toMatchObject({ givenName: 'Ada', familyName: 'King' });
    expect(after.name?.middleName).toBeUndefined();
    expect((await conn.patchUser(after.id!, after, cleared, { managed: ['title', 'name.middleName'] })).changed).toBe(
      false,
    );
  });

  test('setUserActive: false then true; a deleted user is NOT_FOUND', async () => {
    const u = await conn.postUser(person());
    await conn.setUserActive(u.id!, u, false);
    expect((await conn.getUser(u.id!)).active).toBe(false);
    await conn.setUserActive(u.id!, undefined, true);
    expect((await conn.getUser(u.id!)).active).toBe(true);
    await conn.deleteUser(u.id!);
    expect(await rejection(() => conn.setUserActive(u.id!, u, false))).toMatchObject({ code: 'NOT_FOUND' });
  });

  test('groups: postGroup, findGroups, addMember twice, removeMember of a member, a non-member (SCIMMY: 200, not noTarget) and a missing group (404)', async () => {
    const u = await conn.postUser(person());
    const g = await conn.postGroup('Engineering');
    expect(await rejection(() => conn.postGroup('Engineering'))).toMatchObject({ code: 'CONFLICT' });
    expect((await conn.findGroups('Engineering')).map((x) => x.id)).toEqual([g.id]);
    await conn.addMember(g.id!, u.id!);
    // Succeeds; SCIMMY then lists the member twice (RFC 7644 §3.5.2.1 says it SHOULD not change anything).
    await conn.addMember(g.id!, u.id!);
    expect(await members(g.id!)).toContain(u.id);
    await conn.removeMember(g.id!, u.id!);
    expect(await members(g.id!)).toEqual([]);
    await conn.removeMember(g.id!, u.id!);
    await conn.removeMember('no-such-group', u.id!);
  });
});

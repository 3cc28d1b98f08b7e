// The generic connector against an independent SCIM 2.0 implementation (SCIMMY + SCIMMY Routers
// on express), started here on loopback: every operation the activities use.
import { createConnector, type Connector } from '../../src/connectors';
import { person, rejection } from './harness';
import { SCIMMY_TOKEN, startScimmyServer, type ScimmyServer } from './scimmy-server';

let server: ScimmyServer;
let conn: Connector;

beforeAll(async () => {
  server = await startScimmyServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.users.clear();
  server.groups.clear();
  conn = createConnector({ name: 'scimmy', kind: 'generic', baseUrl: server.url, auth: { type: 'bearer', token: SCIMMY_TOKEN }, capabilities: { etag: false } });
});
afterEach(async () => {
  await conn.close();
});

test('discover() reads SCIMMY\'s ServiceProviderConfig', async () => {
  const p = await conn.discover();
  expect(p.patch).toBe(true);
  expect(p.bulk.supported).toBe(false);
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
  const upd = await conn.updateUser(user.id!, { userName: desired.userName, title: 'Manager', displayName: 'New Name' });
  expect(upd).toMatchObject({ changed: true, user: { title: 'Manager', displayName: 'New Name' } });
  expect((await conn.updateUser(user.id!, { userName: desired.userName, title: 'Manager' })).changed).toBe(false);
  expect((await conn.deactivateUser(user.id!)).user.active).toBe(false);
  expect((await conn.reactivateUser(user.id!)).user.active).toBe(true);
  expect((await conn.getUser(user.id!)).title).toBe('Manager');
});

test('PUT-only mode works against SCIMMY too', async () => {
  const desired = person({ title: 'Engineer', nickName: 'Ed' });
  const { user } = await conn.createUser(desired);
  const put = createConnector({ name: 'scimmy-put', kind: 'generic', baseUrl: server.url, auth: { type: 'bearer', token: SCIMMY_TOKEN }, capabilities: { etag: false, patch: false } });
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
  expect((await conn.getGroup(g.group.id!)).members?.map((m) => m.value).sort()).toEqual([u1, u2].sort());
  await conn.removeMembers(g.group.id!, [u1]);
  expect((await conn.getGroup(g.group.id!)).members?.map((m) => m.value)).toEqual([u2]);
});

test('delete is idempotent; errors map onto codes', async () => {
  const { user } = await conn.createUser(person());
  expect(await conn.deleteUser(user.id!)).toEqual({ deleted: true });
  expect(await conn.deleteUser(user.id!)).toEqual({ deleted: false });
  expect(await rejection(() => conn.getUser(user.id!))).toMatchObject({ code: 'NOT_FOUND' });
  const bad = createConnector({ name: 'scimmy-bad', kind: 'generic', baseUrl: server.url, auth: { type: 'bearer', token: 'wrong' } });
  expect(await rejection(() => bad.getUser('x'))).toMatchObject({ code: 'AUTH_FAILED' });
  await bad.close();
});

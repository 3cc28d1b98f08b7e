// Jostle contract (https://forum.jostle.us/hc/en-us/articles/360047694954-User-Provisioning-API) against the sandbox over loopback HTTP.
import type { Connector } from '../../src/connectors';
import type { SandboxHandle } from '../../src/sandbox';
import { connect, person, rejection, useAppContract } from './harness';

let sb: SandboxHandle;
let conn: Connector;
const app = () => sb.app('jostle');
const JOSTLE = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';
const auth = () => ({ authorization: `Bearer ${sb.credentials.jostleToken}` });

useAppContract('jostle', (s, c) => {
  sb = s;
  conn = c;
});

test('writes as application/scim+json, accepts application/json; responses are application/json', async () => {
  const res = await fetch(`${app().scimUrl}/Users`, { headers: { ...auth(), accept: 'application/json' } });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const { user } = await conn.createUser(person());
  expect(user.id).toBeDefined();
});

test('users round-trip with the Jostle extension', async () => {
  const desired = person({ nickName: 'Jo', [JOSTLE]: { employeeID: 'E-7', jobCategory: 'Engineering' } });
  const { user } = await conn.createUser(desired);
  expect(user.schemas).toContain(JOSTLE);
  expect(await conn.getUser(user.id!)).toMatchObject({ nickName: 'Jo', [JOSTLE]: { employeeID: 'E-7' } });
  const upd = await conn.updateUser(user.id!, {
    ...desired,
    [JOSTLE]: { employeeID: 'E-7', jobCategory: 'Management' },
  });
  expect(upd.user[JOSTLE]).toMatchObject({ jobCategory: 'Management' });
});

test('Groups are refused: UNSUPPORTED locally, 404 from the server; /ResourceTypes lists only User', async () => {
  expect(await rejection(() => conn.findGroup('x'))).toMatchObject({ code: 'UNSUPPORTED' });
  const res = await fetch(`${app().scimUrl}/Groups`, { headers: auth() });
  expect(res.status).toBe(404);
  const types = (await (await fetch(`${app().scimUrl}/ResourceTypes`, { headers: auth() })).json()) as {
    Resources: { id: string }[];
  };
  expect(types.Resources.map((r) => r.id)).toEqual(['User']);
});

test('filter: only userName eq; other lookups page through the unfiltered list', async () => {
  const desired = person();
  const { user } = await conn.createUser(desired);
  const before = app().requests().length;
  expect((await conn.findUser({ email: desired.emails![0]!.value }))?.id).toBe(user.id);
  const q = new URL(app().requests()[before]!.url, 'http://x').searchParams;
  expect(q.get('filter')).toBeNull();
  expect(q.get('startIndex')).toBe('1');
  const err = await rejection(async () => {
    for await (const _u of conn.listUsers({ filter: 'externalId eq "x"' })) void _u;
  });
  expect(err).toMatchObject({ code: 'INVALID', scimType: 'invalidFilter' });
});

test('externalId is not among the supported fields (Jostle page): dropped on create, PUT and PATCH', async () => {
  const desired = person();
  const { user } = await conn.createUser(desired);
  expect(user.externalId).toBeUndefined();
  const put = connect(sb, 'jostle', { capabilities: { patch: false } });
  expect((await put.updateUser(user.id!, { ...desired, title: 'Lead' })).user.externalId).toBeUndefined();
  await put.close();
  expect((await conn.updateUser(user.id!, { ...desired, nickName: 'J' })).user.externalId).toBeUndefined();
  expect(
    app()
      .users()
      .every((u) => !('externalId' in u)),
  ).toBe(true);
  expect(conn.profile.owner).toEqual({ by: 'userName' });
  // So a lookup by externalId alone has nothing to match and sends nothing (no full scan).
  const before = app().requests().length;
  expect(await conn.findUser({ externalId: desired.externalId! })).toBeUndefined();
  expect(app().requests().length).toBe(before);
});

test('paging only without a filter: a filtered list is one request with no startIndex/count', async () => {
  const desired = person();
  await conn.createUser(desired);
  const before = app().requests().length;
  await conn.findUser({ userName: desired.userName });
  const reqs = app().requests().slice(before);
  expect(reqs).toHaveLength(1);
  const q = new URL(reqs[0]!.url, 'http://x').searchParams;
  expect(q.get('filter')).toBe(`userName eq "${desired.userName}"`);
  expect(q.get('startIndex')).toBeNull();
});

test('unfiltered listing pages (api owner + 4 users in pages of 2)', async () => {
  const paged = connect(sb, 'jostle', {
    capabilities: { pagination: { mode: 'index', maxPageSize: 2, withFilter: false } },
  });
  for (let i = 0; i < 4; i++) await paged.createUser(person());
  let n = 0;
  for await (const _u of paged.listUsers()) n++;
  await paged.close();
  expect(n).toBe(5);
});

test('POST /Users/.search works like GET with a filter; sorting is not offered', async () => {
  const desired = person();
  await conn.createUser(desired);
  const res = await fetch(`${app().scimUrl}/Users/.search`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/scim+json', accept: 'application/json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `userName eq "${desired.userName}"`,
    }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { totalResults: number }).totalResults).toBe(1);
});

test('PATCH supports add/replace/remove only', async () => {
  const { user } = await conn.createUser(person({ nickName: 'Jo' }));
  const res = await fetch(`${app().scimUrl}/Users/${user.id}`, {
    method: 'PATCH',
    headers: { ...auth(), 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'move', path: 'nickName', value: 'x' }],
    }),
  });
  expect(res.status).toBe(400);
  const upd = await conn.updateUser(user.id!, { ...user, nickName: undefined }, { managed: ['nickName'] });
  expect(upd.user.nickName).toBeUndefined();
});

test('PUT must carry the whole user: a PUT-only connector sends all of it', async () => {
  const desired = person({ nickName: 'Jo', title: 'Engineer' });
  const { user } = await conn.createUser(desired);
  const put = connect(sb, 'jostle', { capabilities: { patch: false } });
  const res = await put.updateUser(user.id!, { ...desired, title: 'Lead' }, { managed: ['title'] });
  await put.close();
  expect(res.user).toMatchObject({ title: 'Lead', nickName: 'Jo', emails: desired.emails, name: desired.name });
});

test('/Me returns the user who owns the API key', async () => {
  const res = await fetch(`${app().scimUrl}/Me`, { headers: auth() });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ userName: 'api.owner' });
});

test('Bulk limits are enforced by the server: >50 operations or >20 MB answer 413', async () => {
  const op = { method: 'DELETE', path: '/Users/none' };
  const tooMany = await fetch(`${app().scimUrl}/Bulk`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: 51 }, () => op),
    }),
  });
  expect(tooMany.status).toBe(413);
  const big = 'x'.repeat(20 * 1024 * 1024 + 10);
  const tooBig = await fetch(`${app().scimUrl}/Bulk`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: { pad: big } }],
    }),
  });
  expect(tooBig.status).toBe(413);
});

// Controller primitives against a scripted raw server: answers the sandbox never gives (a filter
// matched loosely or ignored, 201 + Location without a body, 204 PATCH, a member removal that
// succeeds instead of 400 noTarget).
import { createConnector, type Connector } from '../../src/connectors';
import { rejection } from './harness';
import { scimJson, startRawServer, type RawServer } from './raw-server';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let raw: RawServer;
let conn: Connector;

beforeAll(async () => {
  raw = await startRawServer();
});
afterAll(async () => {
  await raw.close();
});
beforeEach(() => {
  raw.seen.length = 0;
  conn = createConnector({
    name: 'raw-app',
    kind: 'generic',
    baseUrl: `${raw.url}/scim/v2`,
    auth: { type: 'bearer', token: 't' },
  });
});
afterEach(async () => {
  await conn.close();
});

test('lookupUsers re-checks with the normaliser: a variant the server matched is kept, an unrelated account it returned is not', async () => {
  raw.handle((_req, res) =>
    scimJson(res, 200, {
      schemas: [LIST],
      totalResults: 4,
      Resources: [
        { schemas: [USER], id: 'b', userName: 'ＡＬＩＣＥ@example.com ', active: true, meta: { version: 'W/"3"' } }, // full-width, trailing space
        { schemas: [USER], id: 'c', userName: 'mallory@example.com', active: true },
        { schemas: [USER], id: 'a', userName: 'other@example.com', externalId: 'HR-1', active: false },
        { schemas: [USER], id: 'd', userName: 'x@example.com', externalId: 'hr-1' }, // externalId is caseExact
      ],
    }),
  );
  const found = await conn.lookupUsers({ userName: 'alice@example.com', externalId: 'HR-1' });
  expect(found.map((u) => u.id)).toEqual(['a', 'b']);
  expect(found[1]).toMatchObject({ active: true, meta: { version: 'W/"3"' } });
  expect(raw.seen).toHaveLength(1);
});

test('postUser: 201 with Location and no body costs one GET more', async () => {
  raw.handle((req, res) => {
    if (req.method === 'POST') res.writeHead(201, { location: `${raw.url}/scim/v2/Users/u-1` }).end();
    else scimJson(res, 200, { schemas: [USER], id: 'u-1', userName: 'new@example.com' }, { etag: 'W/"7"' });
  });
  const user = await conn.postUser({ userName: 'new@example.com' });
  expect(user).toMatchObject({ id: 'u-1', meta: { version: 'W/"7"' } });
  expect(raw.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /scim/v2/Users', 'GET /scim/v2/Users/u-1']);
});

test('patchUser: one PATCH with If-Match from the observed version; a 204 answer gives user undefined, no re-read', async () => {
  raw.handle((_req, res) => res.writeHead(204).end());
  const current = { schemas: [USER], id: 'u-1', userName: 'a@example.com', title: 'Old', meta: { version: 'W/"4"' } };
  const res = await conn.patchUser('u-1', current, { userName: 'a@example.com', title: 'New' }, { managed: [] });
  expect(res).toEqual({ user: undefined, changed: true });
  expect(raw.seen).toHaveLength(1);
  expect(raw.seen[0]).toMatchObject({ method: 'PATCH', headers: { 'if-match': 'W/"4"' } });
  expect(JSON.parse(raw.seen[0]!.body)).toEqual({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'title', value: 'New' }],
  });
});

test('setUserActive: one PATCH replace active, without If-Match', async () => {
  raw.handle((_req, res) => res.writeHead(204).end());
  expect(await conn.setUserActive('u-1', { userName: 'a', meta: { version: 'W/"4"' } }, false)).toEqual({
    user: undefined,
  });
  expect(raw.seen).toHaveLength(1);
  expect(raw.seen[0]!.headers['if-match']).toBeUndefined();
  expect(JSON.parse(raw.seen[0]!.body).Operations).toEqual([{ op: 'replace', path: 'active', value: false }]);
});

test('removeMember copes with both answers to a non-member: success (204) and 400 noTarget; other 400s still fail', async () => {
  raw.handle((_req, res) => res.writeHead(204).end());
  await conn.removeMember('g-1', 'u-1');
  expect(JSON.parse(raw.seen[0]!.body).Operations).toEqual([{ op: 'remove', path: 'members[value eq "u-1"]' }]);
  raw.handle((_req, res) =>
    scimJson(res, 400, { schemas: [ERROR], status: '400', scimType: 'noTarget', detail: 'no member matches' }),
  );
  await conn.removeMember('g-1', 'u-1');
  raw.handle((_req, res) =>
    scimJson(res, 400, { schemas: [ERROR], status: '400', scimType: 'invalidPath', detail: 'bad path' }),
  );
  expect(await rejection(() => conn.removeMember('g-1', 'u-1'))).toMatchObject({
    code: 'INVALID',
    scimType: 'invalidPath',
  });
  // noTarget is success for removal only.
  raw.handle((_req, res) => scimJson(res, 400, { schemas: [ERROR], status: '400', scimType: 'noTarget', detail: 'x' }));
  expect(await rejection(() => conn.addMember('g-1', 'u-1'))).toMatchObject({ code: 'INVALID', scimType: 'noTarget' });
});

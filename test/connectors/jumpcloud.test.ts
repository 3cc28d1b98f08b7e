// JumpCloud contract (profiles/jumpcloud.ts and its source) against the sandbox over loopback HTTP.
import { applyUserNameRule, PROFILES, type Connector } from '../../src/connectors';
import type { SandboxHandle } from '../../src/sandbox';
import { connect, person, rejection, useAppContract } from './harness';

let sb: SandboxHandle;
let conn: Connector;
const app = () => sb.app('jumpcloud');
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

useAppContract('jumpcloud', (s, c) => {
  sb = s;
  conn = c;
});

test('userName is derived from the email local part (email may not be the username)', () => {
  const p = PROFILES.jumpcloud;
  expect(applyUserNameRule('jane.doe@example.com', p, 'jc')).toBe('jane.doe');
  expect(applyUserNameRule('jane+tag@example.com', p, 'jc')).toBe('janetag');
  expect(applyUserNameRule('jdoe', p, 'jc')).toBe('jdoe');
  expect(() => applyUserNameRule('@example.com', p, 'jc')).toThrow(/empty/);
});

test('create with an email userName stores the derived userName; a second create adopts it', async () => {
  const desired = person({
    userName: 'jane.doe@example.com',
    emails: [{ value: 'jane.doe@example.com', primary: true }],
  });
  const first = await conn.createUser(desired);
  expect(first).toMatchObject({ created: true, user: { userName: 'jane.doe' } });
  expect((await conn.createUser(desired)).created).toBe(false);
  expect(app().users()).toHaveLength(1);
});

test('authenticates with the x-api-key header; a bearer token is refused', async () => {
  await conn.findUser({ userName: 'nobody' });
  const bearer = connect(sb, 'jumpcloud', { auth: { type: 'bearer', token: sb.credentials.jumpcloudApiKey } });
  const err = await rejection(() => bearer.findUser({ userName: 'nobody' }));
  await bearer.close();
  expect(err).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
});

test('the sandbox refuses an email userName and special characters with 400 invalidValue', async () => {
  const lax = connect(sb, 'jumpcloud', {
    capabilities: { userName: { rule: 'any', characters: undefined, derive: undefined } },
  });
  expect(await rejection(() => lax.createUser(person({ userName: 'jane@example.com' })))).toMatchObject({
    code: 'INVALID',
    scimType: 'invalidValue',
    status: 400,
  });
  expect(await rejection(() => lax.createUser(person({ userName: 'jane doe!' })))).toMatchObject({
    code: 'INVALID',
    status: 400,
  });
  expect(await rejection(() => lax.createUser(person({ userName: 'jane', emails: [] })))).toMatchObject({
    code: 'INVALID',
    status: 400,
  });
  await lax.close();
  expect(app().users()).toHaveLength(0);
});

test('maps title, enterprise department/employeeNumber/costCenter/organization, locale, userType', async () => {
  const desired = person({
    userName: 'sam',
    title: 'Engineer',
    locale: 'Berlin',
    userType: 'Employee',
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: 'E-42', costCenter: 'CC-1', organization: 'Acme' },
  });
  const { user } = await conn.createUser(desired);
  expect(user.schemas).toContain(ENTERPRISE);
  const got = await conn.getUser(user.id!);
  expect(got).toMatchObject({
    title: 'Engineer',
    locale: 'Berlin',
    userType: 'Employee',
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: 'E-42' },
  });
  const upd = await conn.updateUser(user.id!, {
    ...desired,
    [ENTERPRISE]: { department: 'Sales', employeeNumber: 'E-42', costCenter: 'CC-1', organization: 'Acme' },
  });
  expect(upd.user[ENTERPRISE]).toMatchObject({ department: 'Sales' });
});

test('a PUT-only configuration sends the whole user, so nothing is cleared by accident', async () => {
  const desired = person({ userName: 'putter', title: 'Engineer' });
  const { user } = await conn.createUser(desired);
  const put = connect(sb, 'jumpcloud', { capabilities: { patch: false } });
  const res = await put.updateUser(user.id!, { ...desired, title: 'Manager' }, { managed: ['title'] });
  await put.close();
  expect(res.user).toMatchObject({ title: 'Manager', name: desired.name, emails: desired.emails });
  // externalId is not in the mapping table (JumpCloud page): the app never keeps it.
  expect(res.user.externalId).toBeUndefined();
  // …so the owner is named by the enterprise employeeNumber it does keep (JumpCloud page mapping table).
  expect(conn.profile.owner).toEqual({
    by: 'attribute',
    path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  });
  expect(
    app()
      .requests()
      .filter((r) => r.method === 'PUT'),
  ).toHaveLength(1);
});

test('groups are not supported: UNSUPPORTED locally; the sandbox has no /Groups', async () => {
  expect(await rejection(() => conn.createGroup('x'))).toMatchObject({ code: 'UNSUPPORTED' });
  expect(await rejection(() => conn.addMembers('g', ['u']))).toMatchObject({ code: 'UNSUPPORTED' });
  const res = await fetch(`${app().scimUrl}/Groups`, { headers: { 'x-api-key': sb.credentials.jumpcloudApiKey } });
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
});

test('new users are active (password pending); suspension is active=false', async () => {
  const { user } = await conn.createUser(person({ userName: 'newbie' }));
  expect(user.active).toBe(true);
  expect((await conn.deactivateUser(user.id!)).user.active).toBe(false);
});

test('pagination walks pages of the documented size', async () => {
  const paged = connect(sb, 'jumpcloud', {
    capabilities: { pagination: { mode: 'index', maxPageSize: 2, withFilter: true } },
  });
  for (let i = 0; i < 5; i++) await paged.createUser(person({ userName: `user${i}` }));
  const names: string[] = [];
  for await (const u of paged.listUsers()) names.push(u.userName);
  await paged.close();
  expect(names.sort()).toEqual(['user0', 'user1', 'user2', 'user3', 'user4']);
});

test('a create costs one filtered lookup and one POST: no full scan for externalId on an app that cannot filter it', async () => {
  for (let i = 0; i < 3; i++) await conn.createUser(person({ userName: `pre${i}` }));
  const before = app().requests().length;
  await conn.createUser(person({ userName: 'fresh' }));
  const reqs = app().requests().slice(before);
  expect(reqs.map((r) => r.method)).toEqual(['GET', 'POST']);
  expect(reqs[0]!.url).toContain('filter=userName');
});

// Atlassian contract (https://www.stitchflow.com/user-management/atlassian-jira-service-management/api): SCIM directory + Jira/JSM REST, over loopback HTTP.
import type { Connector } from '../../src/connectors';
import { LICENSED_GROUP_NAME, type SandboxHandle } from '../../src/sandbox';
import { connect, person, rejection, useAppContract } from './harness';

let sb: SandboxHandle;
let conn: Connector;
const app = () => sb.app('atlassian');

useAppContract('atlassian', (s, c) => {
  sb = s;
  conn = c;
});

describe('SCIM directory', () => {
  test('lives at /scim/directory/{directoryId}; an unknown directory is NOT_FOUND', async () => {
    const { user } = await conn.createUser(person());
    expect(user.meta?.location).toBe(`${sb.url}/atlassian/scim/directory/dev-directory/Users/${user.id}`);
    const other = connect(sb, 'atlassian', { atlassian: { directoryId: 'other-directory' } });
    expect(await rejection(() => other.getUser(user.id!))).toMatchObject({ code: 'NOT_FOUND' });
    await other.close();
  });

  test('a baseUrl that already ends in /scim/directory/<id> is used as is', async () => {
    const direct = connect(sb, 'atlassian', { baseUrl: app().scimUrl });
    const { user } = await direct.createUser(person());
    expect((await direct.getUser(user.id!)).id).toBe(user.id);
    await direct.close();
  });

  test('filters: one eq on userName; email lookups are matched locally; anything else is 400 invalidFilter', async () => {
    const desired = person();
    const { user } = await conn.createUser(desired);
    expect((await conn.findUser({ userName: desired.userName }))?.id).toBe(user.id);
    const before = app().requests().length;
    expect((await conn.findUser({ email: desired.emails![0]!.value }))?.id).toBe(user.id);
    expect(
      app()
        .requests()
        .slice(before)
        .every((r) => !r.url.includes('filter=')),
    ).toBe(true);
    for (const f of [
      'emails.value eq "a@example.com"',
      'externalId eq "x"',
      'userName sw "a"',
      'userName eq "a" and active eq true',
    ]) {
      const err = await rejection(async () => {
        for await (const _u of conn.listUsers({ filter: f })) void _u;
      });
      expect(err).toMatchObject({ code: 'INVALID', scimType: 'invalidFilter', status: 400 });
    }
  });

  test('409 on an existing user: racing creates end with one user and an adoption', async () => {
    const desired = person();
    app().setKnobs({ latencyMs: 40 });
    const other = connect(sb, 'atlassian');
    const [a, b] = await Promise.all([conn.createUser(desired), other.createUser(desired)]);
    await other.close();
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(
      app()
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 409]);
    expect(app().users()).toHaveLength(1);
  });

  test('externalId is not mapped (Atlassian guide): accepted on input, never stored or returned', async () => {
    const desired = person();
    const { user } = await conn.createUser(desired);
    expect(user.externalId).toBeUndefined();
    expect(app().users()[0]).not.toHaveProperty('externalId');
    expect(conn.profile.owner).toEqual({ by: 'userName' });
  });

  test('PUT clears omitted attributes on the server; the connector PUTs the whole user', async () => {
    const desired = person({ title: 'Engineer', nickName: 'Sam' });
    const { user } = await conn.createUser(desired);
    const raw = await fetch(`${app().scimUrl}/Users/${user.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sb.credentials.atlassianToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: desired.userName,
        title: 'Engineer',
      }),
    });
    expect(raw.status).toBe(200);
    const cleared = (await raw.json()) as Record<string, unknown>;
    expect(cleared.nickName).toBeUndefined();
    expect(cleared.emails).toBeUndefined();
    const put = connect(sb, 'atlassian', { capabilities: { patch: false } });
    await put.updateUser(user.id!, desired);
    const res = await put.updateUser(user.id!, { ...desired, title: 'Manager' }, { managed: ['title'] });
    await put.close();
    expect(res.user).toMatchObject({ title: 'Manager', nickName: 'Sam', emails: desired.emails });
  });

  test('deactivation is PATCH active=false', async () => {
    const { user } = await conn.createUser(person());
    const res = await conn.deactivateUser(user.id!);
    expect(res.user.active).toBe(false);
    expect(
      app()
        .requests()
        .filter((r) => r.method === 'PATCH'),
    ).toHaveLength(1);
  });

  test('groups: displayName eq lookup, membership PATCH; membership of the licence group takes a seat', async () => {
    const u1 = (await conn.createUser(person())).user.id!;
    const u2 = (await conn.createUser(person())).user.id!;
    const licence = await conn.findGroup(LICENSED_GROUP_NAME);
    expect(licence).toBeDefined();
    expect(app().seats().active).toBe(0);
    await conn.addMembers(licence!.id!, [u1, u2]);
    expect(app().seats().active).toBe(2);
    await conn.deactivateUser(u2);
    expect(app().seats().active).toBe(1);
    await conn.removeMembers(licence!.id!, [u1]);
    expect(app().seats().active).toBe(0);
    const g = await conn.createGroup('support');
    expect(g.created).toBe(true);
    expect(
      app()
        .requests()
        .some((r) => r.url.includes('/Groups?filter=displayName%20eq%20%22support%22')),
    ).toBe(true);
  });

  test('discover() reads the authenticated ServiceProviderConfig', async () => {
    const p = await conn.discover();
    expect(p).toMatchObject({ patch: true, etag: false });
  });
});

describe('Jira / JSM REST', () => {
  /** Customers are set up through the sandbox's JSM REST directly: the connector only reads and removes them. */
  async function jsmRest(method: string, path: string, body: unknown): Promise<unknown> {
    const c = sb.credentials;
    const res = await fetch(`${sb.atlassianRestUrl}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${c.atlassianRestEmail}:${c.atlassianRestApiToken}`).toString('base64')}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(res.ok).toBe(true);
    return res.status === 204 ? undefined : res.json();
  }

  test('customers: list with start/limit paging and a query, remove with a DELETE body', async () => {
    const jsm = conn.jsm!;
    expect(jsm).toBeDefined();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          (await jsmRest('POST', '/rest/servicedeskapi/customer', {
            email: `cust${i}@example.com`,
            displayName: `Customer ${i}`,
          })) as { accountId: string }
        ).accountId,
      );
    await jsmRest('POST', '/rest/servicedeskapi/servicedesk/1/customer', { accountIds: ids });
    const before = app().requests().length;
    const listed = await jsm.listCustomers('1', { pageSize: 2 });
    expect(listed.map((c) => c.accountId).sort()).toEqual([...ids].sort());
    const pages = app().requests().slice(before);
    expect(pages.map((r) => new URL(r.url, 'http://x').searchParams.get('start'))).toEqual(['0', '2', '4']);
    await jsm.removeCustomers('1', ids.slice(0, 2));
    expect((await jsm.listCustomers('1')).map((c) => c.accountId).sort()).toEqual(ids.slice(2).sort());
    expect(await jsm.listCustomers('1', { query: 'cust4' })).toEqual([expect.objectContaining({ accountId: ids[4] })]);
  });

  test('removing an unknown account from a service desk is INVALID with the JSM error message', async () => {
    const err = await rejection(() => conn.jsm!.removeCustomers('1', ['nope']));
    expect(err).toMatchObject({ code: 'INVALID', status: 400, detail: "The account ID 'nope' is invalid." });
    expect(await rejection(() => conn.jsm!.removeCustomers('999', ['nope']))).toMatchObject({ code: 'NOT_FOUND' });
  });

  test('REST uses Basic auth; a wrong API token is AUTH_FAILED', async () => {
    const bad = connect(sb, 'atlassian', {
      atlassian: {
        directoryId: 'dev-directory',
        jsmBaseUrl: sb.atlassianRestUrl,
        restAuth: { type: 'basic', username: 'admin@example.com', password: 'wrong' },
      },
    });
    const err = await rejection(() => bad.jsm!.listCustomers('1'));
    await bad.close();
    expect(err).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
    expect(String(err)).not.toContain('wrong');
  });

  test('429 with Retry-After applies to REST too', async () => {
    app().setKnobs({ throttleNext: 1, retryAfter: '5' });
    expect(await rejection(() => conn.jsm!.listCustomers('1'))).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 5000,
    });
  });
});

test('a lost create response is adopted on retry (exactly one directory user)', async () => {
  const desired = person();
  app().setKnobs({ dropAfterCommit: 1 });
  expect(await rejection(() => conn.createUser(desired))).toMatchObject({ code: 'UNAVAILABLE' });
  expect((await conn.createUser(desired)).created).toBe(false);
  expect(app().users()).toHaveLength(1);
});

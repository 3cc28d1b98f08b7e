// The sandbox server over real HTTP: auth styles, RFC 7644 behaviour, error bodies, knobs, admin
// endpoints and snapshots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_CREDENTIALS, startSandbox, type SandboxHandle } from '../../src/sandbox';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SCIM = 'application/scim+json';

let sb: SandboxHandle;
const gen = () => sb.app('generic').scimUrl;
const bearer = { authorization: `Bearer ${DEV_CREDENTIALS.genericToken}` };

// Response bodies are loosely typed on purpose: the assertions below check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': SCIM } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const createUser = (userName: string, extra: Record<string, unknown> = {}) =>
  call(`${gen()}/Users`, { method: 'POST', headers: bearer, body: { schemas: [USER], userName, ...extra } });

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
});
beforeEach(async () => {
  await fetch(`${sb.url}/_admin/reset`, { method: 'POST' });
});

describe('SCIM protocol (generic)', () => {
  test('create → 201, application/scim+json, Location, ETag and full meta', async () => {
    const res = await createUser('ada@example.com');
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.headers.get('etag')).toBe('W/"1"');
    const u = res.body;
    expect(u.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('location')).toBe(`${gen()}/Users/${u.id}`);
    expect(u.meta).toEqual({
      resourceType: 'User',
      created: expect.any(String),
      lastModified: u.meta.created,
      location: `${gen()}/Users/${u.id}`,
      version: 'W/"1"',
    });
    expect(u.active).toBe(true);
  });

  test('uniqueness: 409 scimType uniqueness, case-insensitive userName', async () => {
    await createUser('ada@example.com');
    const res = await createUser('ADA@example.com');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
  });

  test('full filter grammar, sorting and index paging', async () => {
    for (const n of ['carol', 'alice', 'bob', 'dave'])
      await createUser(`${n}@example.com`, { title: n === 'bob' ? 'Lead' : 'Engineer' });
    const f = encodeURIComponent('title eq "Engineer" and (userName sw "a" or userName co "rol")');
    const res = await call(`${gen()}/Users?filter=${f}&sortBy=userName&sortOrder=descending`, { headers: bearer });
    expect(res.body.Resources.map((u: { userName: string }) => u.userName)).toEqual([
      'carol@example.com',
      'alice@example.com',
    ]);
    const page = await call(`${gen()}/Users?sortBy=userName&startIndex=2&count=2`, { headers: bearer });
    expect(page.body).toMatchObject({ totalResults: 4, itemsPerPage: 2, startIndex: 2 });
    expect(page.body.Resources.map((u: { userName: string }) => u.userName)).toEqual([
      'bob@example.com',
      'carol@example.com',
    ]);
    const none = await call(`${gen()}/Users?count=0`, { headers: bearer });
    expect(none.body).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
    const bad = await call(`${gen()}/Users?filter=${encodeURIComponent('userName eq')}`, { headers: bearer });
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  test('ETags: If-Match mismatch → 412; match → write and version bump', async () => {
    const { body: u } = await createUser('ada@example.com');
    const patch = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'X' }],
    };
    const stale = await call(`${gen()}/Users/${u.id}`, {
      method: 'PATCH',
      headers: { ...bearer, 'if-match': 'W/"9"' },
      body: patch,
    });
    expect(stale.status).toBe(412);
    const ok = await call(`${gen()}/Users/${u.id}`, {
      method: 'PATCH',
      headers: { ...bearer, 'if-match': 'W/"1"' },
      body: patch,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('W/"2"');
  });

  test('Azure-style member removal and derived User.groups', async () => {
    const { body: u } = await createUser('ada@example.com');
    const { body: g } = await call(`${gen()}/Groups`, {
      method: 'POST',
      headers: bearer,
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Eng',
        members: [{ value: u.id }],
      },
    });
    expect((await call(`${gen()}/Users/${u.id}`, { headers: bearer })).body.groups).toEqual([
      expect.objectContaining({ value: g.id, display: 'Eng' }),
    ]);
    const res = await call(`${gen()}/Groups/${g.id}`, {
      method: 'PATCH',
      headers: bearer,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.members ?? []).toEqual([]);
    const del = await call(`${gen()}/Groups/${g.id}`, { method: 'DELETE', headers: bearer });
    expect(del.status).toBe(204);
  });

  test('refusals carry RFC 7644 §3.12 bodies: 401, invalid JSON, wrong media type, missing schemas, unknown route, 501 Bulk', async () => {
    const unauth = await call(`${gen()}/Users`);
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(unauth.body).toMatchObject({ schemas: [ERROR], status: '401' });
    expect(
      (await call(`${gen()}/Users`, { method: 'POST', headers: bearer, body: '{"userName":' })).body,
    ).toMatchObject({ status: '400' });
    expect(
      (
        await call(`${gen()}/Users`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
    expect(
      (await call(`${gen()}/Users`, { method: 'POST', headers: bearer, body: { userName: 'x' } })).body,
    ).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await call(`${sb.url}/nowhere`)).body).toMatchObject({ schemas: [ERROR], status: '404' });
    expect((await call(`${gen()}/Bulk`, { method: 'POST', headers: bearer, body: {} })).status).toBe(501);
  });

  test('discovery is public on generic, absent on jasper, authenticated on atlassian', async () => {
    const spc = await call(`${gen()}/ServiceProviderConfig`);
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      etag: { supported: true },
      sort: { supported: true },
      bulk: { supported: false },
    });
    expect((await call(`${gen()}/ResourceTypes`)).body.Resources.map((r: { id: string }) => r.id)).toEqual([
      'User',
      'Group',
    ]);
    expect((await call(`${gen()}/Schemas`)).body.totalResults).toBeGreaterThanOrEqual(3);
    expect(
      (
        await call(`${sb.app('jasper').scimUrl}/ServiceProviderConfig`, {
          headers: { authorization: 'Bearer dev-jasper-token' },
        })
      ).status,
    ).toBe(404);
    expect((await call(`${sb.app('atlassian').scimUrl}/ServiceProviderConfig`)).status).toBe(401);
    expect(
      (
        await call(`${sb.app('atlassian').scimUrl}/ServiceProviderConfig`, {
          headers: { authorization: 'Bearer dev-atlassian-token' },
        })
      ).status,
    ).toBe(200);
  });

  test('each app enforces its own auth style and credential', async () => {
    expect((await call(`${sb.app('jasper').scimUrl}/Users`, { headers: bearer })).status).toBe(401);
    expect(
      (await call(`${sb.app('jasper').scimUrl}/Users`, { headers: { authorization: 'Bearer dev-jasper-token' } }))
        .status,
    ).toBe(200);
    expect(
      (await call(`${sb.app('jumpcloud').scimUrl}/Users`, { headers: { authorization: 'Bearer dev-jumpcloud-key' } }))
        .status,
    ).toBe(401);
    expect(
      (await call(`${sb.app('jumpcloud').scimUrl}/Users`, { headers: { 'x-api-key': 'dev-jumpcloud-key' } })).status,
    ).toBe(200);
    expect(
      (await call(`${sb.app('jostle').scimUrl}/Users`, { headers: { authorization: 'Bearer dev-jostle-token' } }))
        .status,
    ).toBe(200);
    const basic = `Basic ${Buffer.from('admin@example.com:dev-atlassian-api-token').toString('base64')}`;
    expect(
      (
        await call(`${sb.atlassianRestUrl}/rest/servicedeskapi/servicedesk/1/customer`, {
          headers: { authorization: basic },
        })
      ).status,
    ).toBe(200);
    const denied = await call(`${sb.atlassianRestUrl}/rest/servicedeskapi/servicedesk/1/customer`, {
      headers: { authorization: 'Bearer dev-atlassian-token' },
    });
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({ errorMessages: [expect.any(String)], errors: {} });
    const missingDesk = await call(`${sb.atlassianRestUrl}/rest/servicedeskapi/servicedesk/42/customer`, {
      headers: { authorization: basic },
    });
    expect(missingDesk.body).toMatchObject({
      errorMessage: expect.any(String),
      i18nErrorMessage: { i18nKey: expect.any(String) },
    });
  });
});

describe('knobs', () => {
  test('fixed-window rate limit answers 429 + Retry-After in seconds', async () => {
    sb.app('generic').setKnobs({ rateLimit: { limit: 2, windowMs: 60_000 } });
    expect((await call(`${gen()}/Users`, { headers: bearer })).status).toBe(200);
    expect((await call(`${gen()}/Users`, { headers: bearer })).status).toBe(200);
    const limited = await call(`${gen()}/Users`, { headers: bearer });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(limited.body).toMatchObject({ schemas: [ERROR], status: '429' });
  });

  test('throttleNext with an HTTP-date Retry-After', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString();
    await call(`${sb.url}/_admin/generic/knobs`, {
      method: 'PUT',
      body: { throttleNext: 1, retryAfter: date },
      headers: { 'content-type': 'application/json' },
    });
    const res = await call(`${gen()}/Users`, { headers: bearer });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe(date);
    expect((await call(`${gen()}/Users`, { headers: bearer })).status).toBe(200);
  });

  test('errorRate 1 → 503, failNext with a chosen status, latency', async () => {
    sb.app('generic').setKnobs({ errorRate: 1 });
    expect((await call(`${gen()}/Users`, { headers: bearer })).status).toBe(503);
    sb.app('generic').setKnobs({ errorRate: 0, failNext: 1, failStatus: 502 });
    expect((await call(`${gen()}/Users`, { headers: bearer })).status).toBe(502);
    sb.app('generic').setKnobs({ latencyMs: 120 });
    const t0 = Date.now();
    expect((await call(`${gen()}/Users`, { headers: bearer })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });

  test('dropAfterCommit: the write is stored, the connection dies without a response', async () => {
    sb.app('generic').setKnobs({ dropAfterCommit: 1 });
    await expect(createUser('lost@example.com')).rejects.toThrow();
    expect(
      sb
        .app('generic')
        .users()
        .map((u) => u.userName),
    ).toEqual(['lost@example.com']);
    expect(sb.app('generic').requests().at(-1)).toMatchObject({
      method: 'POST',
      status: 201,
      fault: 'dropped after commit',
    });
  });
});

describe('group knobs', () => {
  const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const createGroup = (displayName: string) =>
    call(`${gen()}/Groups`, { method: 'POST', headers: bearer, body: { schemas: [GROUP], displayName } });
  const knobs = (body: unknown) =>
    call(`${sb.url}/_admin/generic/knobs`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

  test('allowDuplicateGroupNames (set over /_admin): off → 409 uniqueness (case-insensitive); on → both groups exist', async () => {
    expect((await createGroup('Sales')).status).toBe(201);
    expect((await createGroup('sales')).body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect((await knobs({ allowDuplicateGroupNames: true })).body).toMatchObject({ allowDuplicateGroupNames: true });
    expect((await createGroup('sales')).status).toBe(201);
    const list = await call(`${gen()}/Groups?filter=${encodeURIComponent('displayName eq "SALES"')}`, {
      headers: bearer,
    });
    expect(list.body.totalResults).toBe(2);
    expect((await knobs({ allowDuplicateGroupNames: 'yes' })).status).toBe(400);
  });

  test('groupWriteFailures (set over /_admin): the next N group writes fail before they are handled; reads and user writes pass', async () => {
    const { body: g } = await createGroup('Eng');
    const { body: u } = await createUser('ada@example.com');
    expect((await knobs({ groupWriteFailures: { status: 503, count: 2 } })).body).toMatchObject({
      groupWriteFailures: { status: 503, count: 2 },
    });
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }] };
    expect((await call(`${gen()}/Groups/${g.id}`, { headers: bearer })).status).toBe(200);
    expect((await createUser('bob@example.com')).status).toBe(201);
    expect((await call(`${gen()}/Groups/${g.id}`, { method: 'PATCH', headers: bearer, body: add })).body).toMatchObject(
      { schemas: [ERROR], status: '503' },
    );
    expect((await createGroup('Ops')).status).toBe(503);
    expect((await call(`${gen()}/Groups/${g.id}`, { headers: bearer })).body.members ?? []).toEqual([]);
    expect(
      sb
        .app('generic')
        .requests()
        .filter((r) => r.fault === 'group write failed'),
    ).toHaveLength(2);
    expect((await call(`${gen()}/Groups/${g.id}`, { method: 'PATCH', headers: bearer, body: add })).status).toBe(200);
    expect(sb.app('generic').controls.knobs.groupWriteFailures).toBeNull();
    // Without a count: every group write fails until the knob is cleared.
    await knobs({ groupWriteFailures: { status: 403 } });
    for (let i = 0; i < 3; i++) expect((await createGroup(`G${i}`)).status).toBe(403);
    await knobs({ groupWriteFailures: null });
    expect((await createGroup('G9')).status).toBe(201);
    expect((await knobs({ groupWriteFailures: { status: 200 } })).status).toBe(400);
  });

  test('dropAfterCommit applies to group PATCHes: the member is added, the response never comes', async () => {
    const { body: g } = await createGroup('Eng');
    const { body: u } = await createUser('ada@example.com');
    sb.app('generic').setKnobs({ dropAfterCommit: 1 });
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }] };
    await expect(call(`${gen()}/Groups/${g.id}`, { method: 'PATCH', headers: bearer, body: add })).rejects.toThrow();
    expect(sb.app('generic').groups()[0]!.members).toEqual([expect.objectContaining({ value: u.id })]);
    expect(sb.app('generic').requests().at(-1)).toMatchObject({
      method: 'PATCH',
      status: 200,
      fault: 'dropped after commit',
    });
  });

  test('removing a non-member with a value filter answers 400 noTarget (RFC 7644 §3.5.2.2)', async () => {
    const { body: g } = await createGroup('Eng');
    const { body: u } = await createUser('ada@example.com');
    const remove = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }] };
    expect(
      (await call(`${gen()}/Groups/${g.id}`, { method: 'PATCH', headers: bearer, body: remove })).body,
    ).toMatchObject({ status: '400', scimType: 'noTarget' });
  });
});

describe('admin endpoints', () => {
  test('inspect users, seats, invitations, requests (without credentials), knobs; reset', async () => {
    const jasper = sb.app('jasper').scimUrl;
    await call(`${jasper}/Users`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-jasper-token' },
      body: { schemas: [USER], userName: 'seat@example.com' },
    });
    expect((await call(`${sb.url}/_admin/jasper/users`)).body).toEqual([
      expect.objectContaining({ userName: 'seat@example.com' }),
    ]);
    expect((await call(`${sb.url}/_admin/jasper/seats`)).body).toEqual({ consumed: 1, active: 1 });
    expect((await call(`${sb.url}/_admin/jasper/invitations`)).body).toEqual([
      expect.objectContaining({ email: 'seat@example.com' }),
    ]);
    const log = (await call(`${sb.url}/_admin/jasper/requests`)).body;
    expect(log).toEqual([expect.objectContaining({ method: 'POST', url: '/jasper/scim/v2/Users', status: 201 })]);
    expect(JSON.stringify(log)).not.toContain('dev-jasper-token');
    expect(
      (
        await call(`${sb.url}/_admin/jasper/knobs`, {
          method: 'PATCH',
          body: { latencyMs: 5 },
          headers: { 'content-type': 'application/json' },
        })
      ).body,
    ).toMatchObject({ latencyMs: 5 });
    expect((await call(`${sb.url}/_admin`)).body.apps).toHaveLength(5);
    expect((await call(`${sb.url}/_admin/jasper/reset`, { method: 'POST' })).status).toBe(204);
    expect((await call(`${sb.url}/_admin/jasper/users`)).body).toEqual([]);
    expect((await call(`${sb.url}/_admin/jasper/knobs`)).body).toMatchObject({ latencyMs: 0 });
    expect((await call(`${sb.url}/_admin/nope/users`)).status).toBe(404);
    expect((await call(`${sb.url}/_admin/atlassian/servicedesks`)).body).toEqual({ '1': [], '2': [] });
    expect((await call(`${sb.url}/_admin/atlassian/groups`)).body).toEqual([
      expect.objectContaining({ displayName: 'jira-servicemanagement-users' }),
    ]);
  });
});

describe('snapshot file', () => {
  test('state survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-snap-'));
    const file = join(dir, 'state.json');
    try {
      const one = await startSandbox({ port: 0, snapshotFile: file });
      const res = await fetch(`${one.app('generic').scimUrl}/Users`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': SCIM },
        body: JSON.stringify({ schemas: [USER], userName: 'persist@example.com' }),
      });
      const created = (await res.json()) as { id: string };
      await one.close();
      const two = await startSandbox({ port: 0, snapshotFile: file });
      const got = await fetch(`${two.app('generic').scimUrl}/Users/${created.id}`, { headers: bearer });
      const body = (await got.json()) as { userName: string; meta: { location: string } };
      expect(body.userName).toBe('persist@example.com');
      expect(body.meta.location).toBe(`${two.app('generic').scimUrl}/Users/${created.id}`);
      await two.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

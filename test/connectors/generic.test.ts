import { ConnectorError, type Connector } from '../../src/connectors';
import type { SandboxHandle } from '../../src/sandbox';
import { connect, groupMembers, person, rejection, startTestSandbox } from './harness';

let sb: SandboxHandle;
let conn: Connector;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});
beforeEach(() => {
  sb.app('generic').reset();
  conn = connect(sb, 'generic');
});
afterEach(async () => {
  await conn.close();
});

describe('generic connector: find and create', () => {
  test('findUser returns undefined for an unknown user, then finds by userName (case-insensitive), externalId and email', async () => {
    const desired = person();
    expect(await conn.findUser({ userName: desired.userName })).toBeUndefined();
    const { user, created } = await conn.createUser(desired);
    expect(created).toBe(true);
    expect(user.id).toEqual(expect.any(String));
    expect(user.meta?.version).toBe('W/"1"');
    expect((await conn.findUser({ userName: desired.userName.toUpperCase() }))?.id).toBe(user.id);
    expect((await conn.findUser({ externalId: desired.externalId! }))?.id).toBe(user.id);
    expect((await conn.findUser({ email: desired.emails![0]!.value }))?.id).toBe(user.id);
  });

  test('createUser is find-first: a second call adopts the existing user without a POST', async () => {
    const desired = person();
    const first = await conn.createUser(desired);
    const before = sb.app('generic').requests().length;
    const second = await conn.createUser(desired);
    expect(second).toEqual({ user: expect.objectContaining({ id: first.user.id }), created: false });
    const posts = sb
      .app('generic')
      .requests()
      .slice(before)
      .filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(0);
    expect(sb.app('generic').users()).toHaveLength(1);
  });

  test('a create whose response was lost is adopted on the next call: exactly one user exists', async () => {
    const desired = person();
    sb.app('generic').setKnobs({ dropAfterCommit: 1 });
    const err = await rejection(() => conn.createUser(desired));
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('UNAVAILABLE');
    expect((err as ConnectorError).retryable).toBe(true);
    const again = await conn.createUser(desired);
    expect(again.created).toBe(false);
    expect(
      sb
        .app('generic')
        .users()
        .filter((u) => u.userName === desired.userName),
    ).toHaveLength(1);
  });

  test('two racing creates: both lookups miss, one POST wins, the other gets 409 and adopts', async () => {
    const desired = person();
    // Latency makes both lookups finish before either POST lands.
    sb.app('generic').setKnobs({ latencyMs: 40 });
    const other = connect(sb, 'generic');
    const [a, b] = await Promise.all([conn.createUser(desired), other.createUser(desired)]);
    await other.close();
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.user.id).toBe(b.user.id);
    expect(sb.app('generic').users()).toHaveLength(1);
    expect(
      sb
        .app('generic')
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 409]);
  });
});

describe('generic connector: read, list, update', () => {
  test('getUser returns the resource with meta; NOT_FOUND for an unknown id', async () => {
    const { user } = await conn.createUser(person());
    const got = await conn.getUser(user.id!);
    expect(got).toMatchObject({
      id: user.id,
      userName: user.userName,
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    expect(got.meta?.location).toBe(`${sb.app('generic').scimUrl}/Users/${user.id}`);
    const err = await rejection(() => conn.getUser('no-such-id'));
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  test('index pagination walks every page', async () => {
    const paged = connect(sb, 'generic', {
      capabilities: { pagination: { mode: 'index', maxPageSize: 3, withFilter: true } },
    });
    for (let i = 0; i < 7; i++) await paged.createUser(person());
    const before = sb.app('generic').requests().length;
    const seen: string[] = [];
    for await (const u of paged.listUsers()) seen.push(u.id!);
    await paged.close();
    expect(new Set(seen).size).toBe(7);
    const gets = sb.app('generic').requests().slice(before);
    expect(gets.map((r) => new URL(r.url, 'http://x').searchParams.get('startIndex'))).toEqual(['1', '4', '7']);
  });

  test('cursor pagination (RFC 9865) walks every page', async () => {
    const cursor = connect(sb, 'generic', {
      capabilities: { pagination: { mode: 'cursor', maxPageSize: 2, withFilter: true } },
    });
    for (let i = 0; i < 5; i++) await cursor.createUser(person());
    const before = sb.app('generic').requests().length;
    const seen: string[] = [];
    for await (const u of cursor.listUsers()) seen.push(u.id!);
    await cursor.close();
    expect(new Set(seen).size).toBe(5);
    const reqs = sb.app('generic').requests().slice(before);
    expect(reqs).toHaveLength(3);
    expect(new URL(reqs[0]!.url, 'http://x').searchParams.get('cursor')).toBe('');
    expect(new URL(reqs[1]!.url, 'http://x').searchParams.get('cursor')).not.toBe('');
  });

  test('updateUser PATCHes only what differs on the attributes desired carries (+ managed removals), with If-Match', async () => {
    const desired = person({ title: 'Engineer', nickName: 'Ed' });
    const { user } = await conn.createUser(desired);
    const before = sb.app('generic').requests().length;
    // desired omits nickName: untouched unless managed; managed `title` is removed when omitted.
    const res = await conn.updateUser(
      user.id!,
      { ...desired, nickName: undefined, displayName: 'Renamed', title: undefined },
      { managed: ['title'] },
    );
    expect(res.changed).toBe(true);
    expect(res.user).toMatchObject({ displayName: 'Renamed', nickName: 'Ed', meta: { version: 'W/"2"' } });
    expect(res.user.title).toBeUndefined();
    const patch = sb
      .app('generic')
      .requests()
      .slice(before)
      .find((r) => r.method === 'PATCH');
    expect(patch?.status).toBe(200);
    const again = await conn.updateUser(
      user.id!,
      { ...desired, nickName: undefined, displayName: 'Renamed', title: undefined },
      { managed: ['title'] },
    );
    expect(again.changed).toBe(false);
    expect(
      sb
        .app('generic')
        .requests()
        .slice(before)
        .filter((r) => r.method === 'PATCH'),
    ).toHaveLength(1);
  });

  test('a changed work email is addressed with a value path (RFC 7644 §3.5.2)', async () => {
    const desired = person();
    const { user } = await conn.createUser(desired);
    const res = await conn.updateUser(user.id!, {
      userName: desired.userName,
      emails: [{ value: 'new@example.com', type: 'work', primary: true }],
    });
    expect(res.user.emails).toEqual([{ value: 'new@example.com', type: 'work', primary: true }]);
  });

  test('ETag conflict: a concurrent write makes our PATCH 412; we re-read, re-plan once and succeed', async () => {
    const desired = person({ title: 'Engineer' });
    const { user } = await conn.createUser(desired);
    sb.app('generic').setKnobs({ latencyMs: 40 });
    const other = connect(sb, 'generic');
    const [a, b] = await Promise.all([
      conn.updateUser(user.id!, { userName: desired.userName, title: 'Manager' }),
      other.updateUser(user.id!, { userName: desired.userName, nickName: 'Sam' }),
    ]);
    await other.close();
    expect(a.changed && b.changed).toBe(true);
    const final = await conn.getUser(user.id!);
    expect(final).toMatchObject({ title: 'Manager', nickName: 'Sam', meta: { version: 'W/"3"' } });
    const patches = sb
      .app('generic')
      .requests()
      .filter((r) => r.method === 'PATCH')
      .map((r) => r.status);
    expect(patches.sort()).toEqual([200, 200, 412]);
  });

  test('deactivate, reactivate and delete are idempotent', async () => {
    const { user } = await conn.createUser(person());
    expect((await conn.deactivateUser(user.id!)).user.active).toBe(false);
    expect((await conn.deactivateUser(user.id!)).changed).toBe(false);
    expect((await conn.reactivateUser(user.id!)).user.active).toBe(true);
    expect(await conn.deleteUser(user.id!)).toEqual({ deleted: true });
    expect(await conn.deleteUser(user.id!)).toEqual({ deleted: false });
    expect(sb.app('generic').users()).toHaveLength(0);
  });

  test('429 from the app is RATE_LIMITED with the exact Retry-After', async () => {
    sb.app('generic').setKnobs({ throttleNext: 1, retryAfter: '3' });
    const err = await rejection(() => conn.findUser({ userName: 'x@example.com' }));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3000, status: 429 });
  });

  test('a wrong token is AUTH_FAILED', async () => {
    const bad = connect(sb, 'generic', { auth: { type: 'bearer', token: 'wrong' } });
    const err = await rejection(() => bad.findUser({ userName: 'x@example.com' }));
    await bad.close();
    expect(err).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
  });

  test('discover() merges the public ServiceProviderConfig', async () => {
    const profile = await conn.discover();
    expect(profile).toMatchObject({ patch: true, etag: true });
  });
});

describe('generic connector: groups', () => {
  test('createGroup is find-first; add and remove members in chunks', async () => {
    const small = connect(sb, 'generic', {
      capabilities: { groups: { supported: true, create: true, patch: true, maxMembersPerPatch: 2 } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await small.createUser(person())).user.id!);
    const g1 = await small.createGroup('Engineering');
    const g2 = await small.createGroup('engineering');
    expect(g1.created).toBe(true);
    expect(g2).toEqual({ group: expect.objectContaining({ id: g1.group.id }), created: false });
    const before = sb.app('generic').requests().length;
    await small.addMembers(g1.group.id!, ids);
    expect(
      sb
        .app('generic')
        .requests()
        .slice(before)
        .filter((r) => r.method === 'PATCH'),
    ).toHaveLength(3);
    expect(groupMembers(sb, 'generic', g1.group.id!).sort()).toEqual([...ids].sort());
    // Adding again changes nothing (RFC 7644 §3.5.2.1 add to a multi-valued attribute).
    await small.addMembers(g1.group.id!, ids.slice(0, 2));
    expect(groupMembers(sb, 'generic', g1.group.id!)).toHaveLength(5);
    const user0 = await small.getUser(ids[0]!);
    expect(user0.groups?.map((g) => g.value)).toEqual([g1.group.id]);
    await small.removeMembers(g1.group.id!, ids.slice(0, 3));
    expect(groupMembers(sb, 'generic', g1.group.id!).sort()).toEqual(ids.slice(3).sort());
    expect((await small.findGroup('ENGINEERING'))?.id).toBe(g1.group.id);
    expect(await small.findGroup('nope')).toBeUndefined();
    await small.close();
  });
});

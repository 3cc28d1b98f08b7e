// The level-triggered controller's connector primitives (lookupUsers, postUser, patchUser,
// setUserActive, findGroups, postGroup, addMember, removeMember) against every sandbox app over
// loopback HTTP. Request counts are read from the sandbox's request log.
import {
  APP_KINDS,
  lookupCost,
  normalizeIdentityKey,
  type AppKind,
  type Connector,
  type ScimUser,
} from '../../src/connectors';
import type { LoggedRequest, SandboxHandle } from '../../src/sandbox';
import { connect, groupMembers, person, rejection, useAppContract } from './harness';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** What each app is documented to do (profiles/*.ts, shared/reference/00x). */
const EXPECTED: Record<
  AppKind,
  {
    lookupCost: number;
    lookupCostWithoutExternalId: number;
    keepsExternalId: boolean;
    groups: boolean;
    etag: boolean;
    put: boolean;
    enterprise: boolean;
  }
> = {
  generic: {
    lookupCost: 1,
    lookupCostWithoutExternalId: 1,
    keepsExternalId: true,
    groups: true,
    etag: true,
    put: true,
    enterprise: true,
  },
  jasper: {
    lookupCost: 1,
    lookupCostWithoutExternalId: 1,
    keepsExternalId: true,
    groups: true,
    etag: false,
    put: false,
    enterprise: false,
  },
  jumpcloud: {
    lookupCost: 1,
    lookupCostWithoutExternalId: 1,
    keepsExternalId: false,
    groups: false,
    etag: false,
    put: true,
    enterprise: true,
  },
  atlassian: {
    lookupCost: 1,
    lookupCostWithoutExternalId: 1,
    keepsExternalId: false,
    groups: true,
    etag: false,
    put: true,
    enterprise: false,
  },
  jostle: {
    lookupCost: 1,
    lookupCostWithoutExternalId: 1,
    keepsExternalId: false,
    groups: false,
    etag: false,
    put: true,
    enterprise: false,
  },
};

describe.each(APP_KINDS)('%s', (kind) => {
  let sb: SandboxHandle;
  let conn: Connector;
  const app = () => sb.app(kind);
  const expected = EXPECTED[kind];
  useAppContract(kind, (s, c) => {
    sb = s;
    conn = c;
  });
  /** Requests sent while `fn` runs. */
  async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; requests: LoggedRequest[] }> {
    const before = app().requests().length;
    const result = await fn();
    return { result, requests: app().requests().slice(before) };
  }
  const stored = (id: string) =>
    app()
      .users()
      .find((u) => u.id === id)!;

  describe('lookupUsers', () => {
    test('profile: owner rule and lookup cost as documented', () => {
      expect(conn.profile.owner).toEqual(
        kind === 'jumpcloud'
          ? { by: 'attribute', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber' }
          : { by: expected.keepsExternalId ? 'externalId' : 'userName' },
      );
      expect(lookupCost(conn.profile)).toBe(expected.lookupCost);
      expect(lookupCost(conn.profile, { externalId: false })).toBe(expected.lookupCostWithoutExternalId);
    });

    test('an unknown person: [] for lookupCost(profile) filtered GETs, never an unfiltered listing', async () => {
      for (let i = 0; i < 3; i++) await conn.postUser(person());
      const { result, requests } = await counted(() =>
        conn.lookupUsers({ userName: 'nobody@example.com', externalId: 'hr-nobody' }),
      );
      expect(result).toEqual([]);
      expect(requests).toHaveLength(lookupCost(conn.profile));
      for (const r of requests) {
        expect(r.method).toBe('GET');
        expect(new URL(r.url, 'http://x').searchParams.get('filter')).toEqual(expect.any(String));
      }
    });

    test('finds the account by userName in another case; it carries active, meta.version, externalId (where kept) and groups (where the app has them)', async () => {
      const desired = person();
      const created = await conn.postUser(desired);
      let groupId: string | undefined;
      if (expected.groups) {
        groupId = (await conn.postGroup(`team-${kind}`)).id!;
        await conn.addMember(groupId, created.id!);
      }
      const { result, requests } = await counted(() =>
        conn.lookupUsers({ userName: desired.userName.toUpperCase(), externalId: desired.externalId! }),
      );
      expect(requests).toHaveLength(expected.lookupCost);
      expect(result.map((u) => u.id)).toEqual([created.id]);
      const [u] = result as [ScimUser];
      expect(u.active).toBe(true);
      expect(u.meta?.version).toEqual(expect.any(String));
      expect(u.externalId).toBe(expected.keepsExternalId ? desired.externalId : undefined);
      expect(normalizeIdentityKey(u.userName)).toBe(normalizeIdentityKey(created.userName));
      if (groupId) expect(u.groups).toEqual([expect.objectContaining({ value: groupId })]);
      else expect(u.groups).toBeUndefined();
    });

    test('an account holding the externalId under another userName is found only where the app keeps and filters externalId', async () => {
      const desired = person();
      const created = await conn.postUser(desired);
      const { result, requests } = await counted(() =>
        conn.lookupUsers({ userName: 'renamed@example.com', externalId: desired.externalId! }),
      );
      expect(requests).toHaveLength(expected.lookupCost);
      // Jasper keeps externalId but filters only userName (Jasper guide "List Users"): one request, not found.
      expect(result.map((u) => u.id)).toEqual(kind === 'generic' ? [created.id] : []);
      if (kind === 'jasper')
        expect(new URL(requests[0]!.url, 'http://x').searchParams.get('filter')).toBe(
          'userName eq "renamed@example.com"',
        );
    });

    if (kind === 'generic') {
      test('one `or` GET; a userName account and another externalId account both come back, sorted by id', async () => {
        const a = await conn.postUser(person());
        const b = await conn.postUser(person({ externalId: 'hr-shared' }));
        const { result, requests } = await counted(() =>
          conn.lookupUsers({ userName: a.userName, externalId: 'hr-shared' }),
        );
        expect(requests).toHaveLength(1);
        expect(decodeURIComponent(requests[0]!.url)).toContain(
          `filter=userName eq "${a.userName}" or externalId eq "hr-shared"`,
        );
        expect(result.map((u) => u.id)).toEqual([a.id!, b.id!].sort());
      });

      test('without `or`: one eq GET per attribute, userName first; an account matching both is returned once', async () => {
        const single = connect(sb, 'generic', {
          capabilities: {
            filter: {
              operators: ['eq'],
              userAttributes: ['userName', 'externalId'],
              groupAttributes: [],
              singleTerm: true,
            },
          },
        });
        const desired = person();
        const a = await single.postUser(desired);
        expect(lookupCost(single.profile)).toBe(2);
        const { result, requests } = await counted(() =>
          single.lookupUsers({ userName: desired.userName, externalId: desired.externalId! }),
        );
        await single.close();
        expect(requests.map((r) => new URL(r.url, 'http://x').searchParams.get('filter'))).toEqual([
          `userName eq "${desired.userName}"`,
          `externalId eq "${desired.externalId}"`,
        ]);
        expect(result.map((u) => u.id)).toEqual([a.id]);
      });

      test('an app that cannot filter userName: UNSUPPORTED without a request (no full listing)', async () => {
        const blind = connect(sb, 'generic', {
          capabilities: { filter: { operators: [], userAttributes: [], groupAttributes: [], singleTerm: true } },
        });
        expect(lookupCost(blind.profile)).toBe(0);
        const { result, requests } = await counted(() =>
          rejection(() => blind.lookupUsers({ userName: 'a@example.com' })),
        );
        await blind.close();
        expect(result).toMatchObject({ code: 'UNSUPPORTED' });
        expect(requests).toHaveLength(0);
      });
    }

    if (kind === 'jasper') {
      test('a userName the app refuses (not an email) matches nothing: no request, externalId is not filterable', async () => {
        const { result, requests } = await counted(() => conn.lookupUsers({ userName: 'jdoe', externalId: 'hr-1' }));
        expect(result).toEqual([]);
        expect(requests).toHaveLength(0);
      });
    }

    if (kind === 'jumpcloud') {
      test('looks up the userName the app holds: the email local part', async () => {
        const created = await conn.postUser(
          person({ userName: 'Jane.Doe@example.com', emails: [{ value: 'jane.doe@example.com', primary: true }] }),
        );
        expect(created.userName).toBe('Jane.Doe');
        const { result, requests } = await counted(() => conn.lookupUsers({ userName: 'jane.doe@example.com' }));
        expect(result.map((u) => u.id)).toEqual([created.id]);
        expect(new URL(requests[0]!.url, 'http://x').searchParams.get('filter')).toBe('userName eq "jane.doe"');
      });
    }
  });

  describe('postUser', () => {
    test('one POST; externalId stored only where the app keeps it; a second POST of the userName is CONFLICT uniqueness, not an adoption', async () => {
      const desired = person();
      const { result: created, requests } = await counted(() => conn.postUser(desired));
      expect(requests.map((r) => [r.method, r.status])).toEqual([['POST', 201]]);
      expect(created).toMatchObject({ id: expect.any(String), active: true });
      expect('externalId' in stored(created.id!)).toBe(expected.keepsExternalId);
      const again = await counted(() => rejection(() => conn.postUser({ ...desired, externalId: 'hr-other' })));
      expect(again.result).toMatchObject({ code: 'CONFLICT', status: 409, scimType: 'uniqueness' });
      expect(again.requests.map((r) => r.method)).toEqual(['POST']);
    });
  });

  describe('patchUser', () => {
    const base = (over: Partial<ScimUser> = {}) =>
      person({
        title: 'Engineer',
        nickName: 'Sam',
        name: { givenName: 'Sam', middleName: 'Q', familyName: 'Doe' },
        ...(expected.enterprise ? { [ENTERPRISE]: { department: 'R&D', manager: { value: 'boss-1' } } } : {}),
        ...over,
      });
    const managed = ['title', 'nickName', 'name.middleName', `${ENTERPRISE}:manager`];

    test('nothing differs from the observed resource: changed false, no request', async () => {
      const desired = base();
      await conn.postUser(desired);
      const current = (await conn.lookupUsers({ userName: desired.userName, externalId: desired.externalId! }))[0]!;
      const { result, requests } = await counted(() => conn.patchUser(current.id!, current, desired, { managed }));
      expect(result).toEqual({ user: current, changed: false });
      expect(requests).toHaveLength(0);
    });

    test.each([
      [
        'desired carries name without middleName',
        (d: ScimUser): ScimUser => ({ ...d, name: { givenName: 'Sam', familyName: 'Doe' } }),
      ],
      ['desired omits name altogether', (d: ScimUser): ScimUser => ({ ...d, name: undefined })],
    ])('fields cleared in desired are removed downstream in one PATCH (%s)', async (_label, shape) => {
      const desired = base();
      const current = await conn.postUser(desired);
      const cleared = shape({
        ...desired,
        title: undefined,
        nickName: undefined,
        ...(expected.enterprise ? { [ENTERPRISE]: { department: 'R&D' } } : {}),
      });
      const { result, requests } = await counted(() => conn.patchUser(current.id!, current, cleared, { managed }));
      expect(result.changed).toBe(true);
      expect(requests.map((r) => [r.method, r.status])).toEqual([['PATCH', 200]]);
      const after = stored(current.id!);
      expect(after.title).toBeUndefined();
      expect(after.nickName).toBeUndefined();
      expect(after.name).toEqual({ givenName: 'Sam', familyName: 'Doe' });
      if (expected.enterprise) expect(after[ENTERPRISE]).toEqual({ department: 'R&D' });
      expect(result.user).toMatchObject({ id: current.id, name: { givenName: 'Sam', familyName: 'Doe' } });
      // Observed again, nothing is left to do.
      const observed = (await conn.lookupUsers({ userName: desired.userName }))[0]!;
      expect((await counted(() => conn.patchUser(current.id!, observed, cleared, { managed }))).requests).toHaveLength(
        0,
      );
    });

    if (expected.put) {
      test('PUT-only: one full PUT from the observed resource clears the managed fields and keeps the rest', async () => {
        const put = connect(sb, kind, { capabilities: { patch: false } });
        const desired = base();
        const current = await put.postUser(desired);
        const cleared = {
          ...desired,
          title: undefined,
          name: undefined,
          ...(expected.enterprise ? { [ENTERPRISE]: { department: 'R&D' } } : {}),
        };
        const { result, requests } = await counted(() => put.patchUser(current.id!, current, cleared, { managed }));
        await put.close();
        expect(result.changed).toBe(true);
        expect(requests.map((r) => r.method)).toEqual(['PUT']);
        const after = stored(current.id!);
        expect(after).toMatchObject({
          nickName: 'Sam',
          name: { givenName: 'Sam', familyName: 'Doe' },
          emails: desired.emails,
        });
        expect(after.title).toBeUndefined();
        expect((after.name as Record<string, unknown>).middleName).toBeUndefined();
        if (expected.enterprise) expect(after[ENTERPRISE]).toEqual({ department: 'R&D' });
      });
    }

    test(`a stale observation: ${expected.etag ? 'If-Match → 412 → PRECONDITION_FAILED, nothing written' : 'no ETags, the write goes through'}`, async () => {
      const desired = base();
      const stale = await conn.postUser(desired);
      await conn.patchUser(stale.id!, stale, { ...desired, nickName: 'Other' }, { managed: [] });
      const { result, requests } = await counted(() =>
        rejection(() => conn.patchUser(stale.id!, stale, { ...desired, title: 'Lead' }, { managed: [] })).catch(
          () => 'resolved',
        ),
      );
      expect(requests.map((r) => r.method)).toEqual(['PATCH']);
      if (expected.etag) {
        expect(result).toMatchObject({ code: 'PRECONDITION_FAILED', status: 412 });
        expect(stored(stale.id!).title).toBe('Engineer');
      } else {
        expect(result).toBe('resolved');
        expect(stored(stale.id!)).toMatchObject({ title: 'Lead', nickName: 'Other' });
      }
    });
  });

  describe('setUserActive', () => {
    test('one PATCH active; a user that is gone is NOT_FOUND', async () => {
      const created = await conn.postUser(person());
      const { result, requests } = await counted(() => conn.setUserActive(created.id!, created, false));
      expect(requests.map((r) => [r.method, r.status])).toEqual([['PATCH', 200]]);
      expect(result.user?.active).toBe(false);
      expect(stored(created.id!).active).toBe(false);
      expect((await conn.setUserActive(created.id!, undefined, true)).user?.active).toBe(true);
      await conn.deleteUser(created.id!);
      const gone = await counted(() => rejection(() => conn.setUserActive(created.id!, created, false)));
      expect(gone.result).toMatchObject({ code: 'NOT_FOUND', status: 404 });
      expect(gone.requests).toHaveLength(1);
    });

    if (expected.put) {
      test('PUT-only: one PUT of the observed user with active; a GET first only without one', async () => {
        const put = connect(sb, kind, { capabilities: { patch: false } });
        const desired = person({ title: 'Engineer' });
        const created = await put.postUser(desired);
        const one = await counted(() => put.setUserActive(created.id!, created, false));
        expect(one.requests.map((r) => r.method)).toEqual(['PUT']);
        expect(stored(created.id!)).toMatchObject({ active: false, title: 'Engineer', emails: desired.emails });
        const two = await counted(() => put.setUserActive(created.id!, undefined, true));
        await put.close();
        expect(two.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
        expect(stored(created.id!)).toMatchObject({ active: true, title: 'Engineer' });
      });
    }
  });

  describe('groups', () => {
    if (!expected.groups) {
      test('UNSUPPORTED locally, no request', async () => {
        const { result, requests } = await counted(async () => [
          await rejection(() => conn.findGroups('x')),
          await rejection(() => conn.postGroup('x')),
          await rejection(() => conn.addMember('g', 'u')),
          await rejection(() => conn.removeMember('g', 'u')),
        ]);
        for (const err of result) expect(err).toMatchObject({ code: 'UNSUPPORTED' });
        expect(requests).toHaveLength(0);
      });
      return;
    }

    test('findGroups: one GET, case-insensitive; duplicates (allowDuplicateGroupNames) all returned sorted by id, never CONFLICT', async () => {
      expect(await conn.findGroups('Team')).toEqual([]);
      const a = await conn.postGroup('Team');
      const one = await counted(() => conn.findGroups('TEAM'));
      expect(one.result.map((g) => g.id)).toEqual([a.id]);
      expect(one.requests).toHaveLength(1);
      const filtered = kind !== 'jasper'; // 000: no group filter documented; the list is unpaged
      expect(new URL(one.requests[0]!.url, 'http://x').searchParams.get('filter')).toBe(
        filtered ? 'displayName eq "TEAM"' : null,
      );
      app().setKnobs({ allowDuplicateGroupNames: true });
      const b = await conn.postGroup('team');
      expect((await conn.findGroups('Team')).map((g) => g.id)).toEqual([a.id!, b.id!].sort());
      expect(await rejection(() => conn.findGroup('Team'))).toMatchObject({ code: 'CONFLICT' });
    });

    test('postGroup: one POST; a taken name is CONFLICT, not an adoption', async () => {
      const { result, requests } = await counted(() => conn.postGroup('Ops'));
      expect(result).toMatchObject({ id: expect.any(String), displayName: 'Ops' });
      expect(requests.map((r) => r.method)).toEqual(['POST']);
      const again = await counted(() => rejection(() => conn.postGroup('ops')));
      expect(again.result).toMatchObject({ code: 'CONFLICT', scimType: 'uniqueness' });
      expect(again.requests.map((r) => r.method)).toEqual(['POST']);
    });

    test('addMember / removeMember: one PATCH each; adding a member twice, removing a non-member and removing from a missing group all succeed', async () => {
      const u = await conn.postUser(person());
      const g = await conn.postGroup('Eng');
      const members = async () => groupMembers(sb, kind, g.id!);
      const add = await counted(() => conn.addMember(g.id!, u.id!));
      expect(add.requests.map((r) => [r.method, r.status])).toEqual([['PATCH', 200]]);
      await conn.addMember(g.id!, u.id!);
      expect(await members()).toEqual([u.id]);
      const remove = await counted(() => conn.removeMember(g.id!, u.id!));
      expect(remove.requests.map((r) => [r.method, r.status])).toEqual([['PATCH', 200]]);
      expect(await members()).toEqual([]);
      // The sandbox answers a value filter that matches no member with 400 noTarget (RFC 7644 §3.5.2.2).
      const again = await counted(() => conn.removeMember(g.id!, u.id!));
      expect(again.requests.map((r) => [r.method, r.status])).toEqual([['PATCH', 400]]);
      const missing = await counted(() => conn.removeMember('00000000-0000-4000-8000-000000000000', u.id!));
      expect(missing.requests.map((r) => [r.method, r.status])).toEqual([['PATCH', 404]]);
      expect(await rejection(() => conn.addMember('00000000-0000-4000-8000-000000000000', u.id!))).toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    test('groupWriteFailures: a transient 503 is UNAVAILABLE and the retry succeeds; a lasting 403 is AUTH_FAILED, also on removal', async () => {
      const u = await conn.postUser(person());
      const g = await conn.postGroup('Eng');
      app().setKnobs({ groupWriteFailures: { status: 503, count: 1 } });
      expect(await rejection(() => conn.addMember(g.id!, u.id!))).toMatchObject({
        code: 'UNAVAILABLE',
        retryable: true,
      });
      await conn.addMember(g.id!, u.id!);
      app().setKnobs({ groupWriteFailures: { status: 403 } });
      for (let i = 0; i < 2; i++)
        expect(await rejection(() => conn.removeMember(g.id!, u.id!))).toMatchObject({
          code: 'AUTH_FAILED',
          status: 403,
        });
      expect(await rejection(() => conn.postGroup('Other'))).toMatchObject({ code: 'AUTH_FAILED' });
      app().setKnobs({ groupWriteFailures: null });
      expect(groupMembers(sb, kind, g.id!)).toEqual([u.id]);
    });

    test('dropAfterCommit on a membership PATCH: UNAVAILABLE, the member is in; adding again succeeds', async () => {
      const u = await conn.postUser(person());
      const g = await conn.postGroup('Eng');
      app().setKnobs({ dropAfterCommit: 1 });
      expect(await rejection(() => conn.addMember(g.id!, u.id!))).toMatchObject({ code: 'UNAVAILABLE' });
      expect(groupMembers(sb, kind, g.id!)).toEqual([u.id]);
      await conn.addMember(g.id!, u.id!);
      app().setKnobs({ dropAfterCommit: 1 });
      expect(await rejection(() => conn.removeMember(g.id!, u.id!))).toMatchObject({ code: 'UNAVAILABLE' });
      await conn.removeMember(g.id!, u.id!);
      expect(groupMembers(sb, kind, g.id!)).toEqual([]);
    });
  });
});

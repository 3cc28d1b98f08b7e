// The SCIM 2.0 connector for every app kind. Behaviour differences come from the capability
// profile (profiles/*.ts), never from `kind` checks sprinkled through the operations.
import { ConnectorError, isConnectorError } from './errors';
import { canFilter, eqAnyFilter, eqFilter } from './filters';
import { HttpClient, type HttpResponse } from './http';
import { JsmRestClient } from './jsm';
import { lookupFilters } from './lookup';
import { applyPlan, planPatch, type PatchOp } from './patch-plan';
import { mergeServiceProviderConfig, profileFor } from './profiles';
import { GROUP_SCHEMA, PATCH_OP_SCHEMA } from './scim-schemas';
import { normalizeIdentityKey } from '../shared/identity-key';
import type {
  AppConnection,
  AppKind,
  Capabilities,
  Connector,
  IdentityQuery,
  JsmClient,
  ScimGroup,
  ScimUser,
  UserQuery,
} from './types';
import { applyUserNameRule, matchesUser, outgoingUser } from './user-rules';

/** Upper bound on resources read when an app cannot filter and we must scan. */
const MAX_SCAN = 100_000;
const MAX_PAGES = 10_000;

interface ListPage<T> {
  resources: T[];
  totalResults: number | undefined;
  nextCursor: string | undefined;
}

export class ScimConnector implements Connector {
  readonly name: string;
  readonly kind: AppKind;
  readonly jsm: JsmClient | undefined;
  private current: Capabilities;
  private readonly http: HttpClient;

  constructor(conn: AppConnection) {
    this.name = conn.name;
    this.kind = conn.kind;
    this.current = profileFor(conn.kind, conn.capabilities);
    this.http = new HttpClient({
      app: conn.name,
      baseUrl: scimBaseUrl(conn),
      auth: conn.auth,
      ...(conn.timeouts ? { timeouts: conn.timeouts } : {}),
      ...(conn.maxResponseBytes !== undefined ? { maxResponseBytes: conn.maxResponseBytes } : {}),
      ...(conn.connections !== undefined ? { connections: conn.connections } : {}),
      writeContentType: this.current.writeContentType,
      accept: this.current.accept,
      ...(conn.requestsPerSecond ? { requestsPerSecond: conn.requestsPerSecond } : {}),
      ...(conn.pacer ? { pacer: conn.pacer } : {}),
      ...(conn.onResponse ? { onResponse: conn.onResponse } : {}),
    });
    const a = conn.atlassian;
    this.jsm =
      conn.kind === 'atlassian' && a?.jsmBaseUrl && a.restAuth
        ? new JsmRestClient({
            app: `${conn.name}/jsm`,
            baseUrl: a.jsmBaseUrl,
            auth: a.restAuth,
            ...(conn.timeouts ? { timeouts: conn.timeouts } : {}),
            ...(conn.onResponse ? { onResponse: conn.onResponse } : {}),
          })
        : undefined;
  }

  get profile(): Capabilities {
    return this.current;
  }

  async discover(): Promise<Capabilities> {
    if (!this.current.serviceProviderConfig) return this.current;
    const res = await this.http.request({ method: 'GET', path: '/ServiceProviderConfig' });
    this.current = mergeServiceProviderConfig(this.current, res.body);
    return this.current;
  }

  // ---- controller primitives: users -----------------------------------------------------

  async lookupUsers(q: IdentityQuery): Promise<ScimUser[]> {
    const f = this.current.filter;
    if (!canFilter(f.userAttributes, f.operators, 'userName')) {
      throw new ConnectorError(
        'UNSUPPORTED',
        `${this.current.kind} cannot filter on userName; a lookup would list every user`,
        { app: this.name, method: 'GET', path: '/Users' },
      );
    }
    // The account holds the userName in the app's form (JumpCloud: the email's local part).
    const userName = this.appUserName(q.userName);
    const key = userName === undefined ? undefined : normalizeIdentityKey(userName);
    const byId = new Map<string, ScimUser>();
    for (const filter of lookupFilters(this.current, { userName, externalId: q.externalId })) {
      for await (const u of this.listUsers({ filter })) {
        if (typeof u?.id !== 'string')
          throw new ConnectorError('BAD_RESPONSE', 'a listed User has no "id"', {
            app: this.name,
            method: 'GET',
            path: '/Users',
          });
        // Servers compare userName their own way (and may ignore a filter): re-check with our normaliser.
        const byName = key !== undefined && typeof u.userName === 'string' && normalizeIdentityKey(u.userName) === key;
        // RFC 7643 §3.1: externalId is caseExact.
        const byExternalId = q.externalId !== undefined && u.externalId === q.externalId;
        if (byName || byExternalId) byId.set(u.id, u);
      }
    }
    return [...byId.values()].sort((a, b) => compareIds(a.id!, b.id!));
  }

  /** The userName as the app would store it, or undefined when the profile's rule refuses it (no account can hold it). */
  private appUserName(userName: string): string | undefined {
    try {
      return applyUserNameRule(userName.trim(), this.current, this.name);
    } catch (err) {
      if (isConnectorError(err, 'INVALID')) return undefined;
      throw err;
    }
  }

  async postUser(desired: ScimUser): Promise<ScimUser> {
    const body = outgoingUser(desired, this.current, this.name);
    const res = await this.http.request<ScimUser>({ method: 'POST', path: '/Users', body });
    return this.resourceOrLocation(res, 'POST', '/Users');
  }

  async patchUser(
    id: string,
    current: ScimUser,
    desired: ScimUser,
    opts: { managed: readonly string[] },
  ): Promise<{ user: ScimUser | undefined; changed: boolean }> {
    const body = outgoingUser(desired, this.current, this.name);
    return this.write(id, current, body as unknown as Record<string, unknown>, opts.managed);
  }

  async setUserActive(
    id: string,
    current: ScimUser | undefined,
    active: boolean,
  ): Promise<{ user: ScimUser | undefined }> {
    const path = `/Users/${encodeURIComponent(id)}`;
    if (this.current.patch) {
      // A blind single-attribute write: no If-Match, nothing else it could overwrite.
      const body = {
        schemas: [PATCH_OP_SCHEMA],
        Operations: [{ op: 'replace' as const, path: 'active', value: active }],
      };
      const res = await this.http.request<ScimUser>({ method: 'PATCH', path, body });
      return { user: this.resourceOrNothing(res, 'PATCH', path) };
    }
    // PUT replaces everything (RFC 7644 §3.5.1): it needs the whole current user.
    const base = current ?? (await this.getUser(id));
    const version = this.current.etag ? base.meta?.version : undefined;
    const res = await this.http.request<ScimUser>({
      method: 'PUT',
      path,
      body: outgoingUser({ ...base, active }, this.current, this.name),
      ...(version ? { headers: { 'if-match': version } } : {}),
    });
    return { user: this.resourceOrNothing(res, 'PUT', path) };
  }

  /**
   * One write from an observed `current`: the planned PATCH, or the full PUT on PUT-only apps, with
   * If-Match where the app has ETags. No request when the plan is empty.
   */
  private async write(
    id: string,
    current: ScimUser,
    desired: Record<string, unknown>,
    managed: readonly string[] | undefined,
  ): Promise<{ user: ScimUser | undefined; changed: boolean }> {
    const plan = planPatch(current as unknown as Record<string, unknown>, desired, managed, this.current);
    if (plan.Operations.length === 0) return { user: current, changed: false };
    const path = `/Users/${encodeURIComponent(id)}`;
    const version = this.current.etag ? current.meta?.version : undefined;
    const headers = version ? { headers: { 'if-match': version } } : {};
    const res = this.current.patch
      ? await this.http.request<ScimUser>({ method: 'PATCH', path, body: plan, ...headers })
      : await this.http.request<ScimUser>({
          method: 'PUT',
          path,
          body: this.fullReplacement(current, plan),
          ...headers,
        });
    return { user: this.resourceOrNothing(res, this.current.patch ? 'PATCH' : 'PUT', path), changed: true };
  }

  // ---- users ----------------------------------------------------------------------------

  async findUser(q: UserQuery): Promise<ScimUser | undefined> {
    const attempts: ['userName' | 'externalId' | 'email', string][] = [];
    if (q.userName) attempts.push(['userName', q.userName]);
    // An app that does not keep externalId (profile.owner by userName) cannot match one: no scan for it.
    if (q.externalId && this.current.owner.by === 'externalId') attempts.push(['externalId', q.externalId]);
    if (q.email) attempts.push(['email', q.email]);
    const f = this.current.filter;
    const scimAttr = (a: 'userName' | 'externalId' | 'email') => (a === 'email' ? 'emails.value' : a);
    if (
      attempts.length > 1 &&
      !f.singleTerm &&
      f.operators.includes('or') &&
      attempts.every(([a]) => canFilter(f.userAttributes, f.operators, scimAttr(a)))
    ) {
      // One `or` query for a server that evaluates it (RFC 7644 §3.4.2.2); the precedence of the
      // sequential lookups is kept when choosing among the hits.
      const hits: ScimUser[] = [];
      for await (const u of this.listUsers({
        filter: eqAnyFilter(attempts.map(([a, v]) => [scimAttr(a), v] as const)),
      }))
        hits.push(u);
      for (const [attr, value] of attempts) {
        const matching = hits.filter((u) => matchesUser(u, attr, value));
        if (matching.length > 1) {
          throw new ConnectorError('CONFLICT', `${matching.length} users match ${attr}; refusing to pick one`, {
            app: this.name,
            method: 'GET',
            path: '/Users',
          });
        }
        if (matching[0]) return matching[0];
      }
      return undefined;
    }
    for (const [attr, value] of attempts) {
      const found = await this.lookupUser(attr, value);
      if (found) return found;
    }
    return undefined;
  }

  private async lookupUser(attr: 'userName' | 'externalId' | 'email', value: string): Promise<ScimUser | undefined> {
    const scimAttr = attr === 'email' ? 'emails.value' : attr;
    const f = this.current.filter;
    const serverSide = canFilter(f.userAttributes, f.operators, scimAttr);
    const hits: ScimUser[] = [];
    // Apps may ignore filters they do not understand (Jasper guide "filter support may be limited"): always re-check locally.
    for await (const u of this.listUsers(
      serverSide ? { filter: eqFilter(scimAttr, value) } : { maxResults: MAX_SCAN },
    )) {
      if (matchesUser(u, attr, value)) hits.push(u);
    }
    if (hits.length > 1) {
      throw new ConnectorError('CONFLICT', `${hits.length} users match ${attr}; refusing to pick one`, {
        app: this.name,
        method: 'GET',
        path: '/Users',
      });
    }
    return hits[0];
  }

  async getUser(id: string): Promise<ScimUser> {
    const res = await this.http.request<ScimUser>({ method: 'GET', path: `/Users/${encodeURIComponent(id)}` });
    return this.resource(res, 'GET', `/Users/${id}`);
  }

  listUsers(opts: { filter?: string; pageSize?: number; maxResults?: number } = {}): AsyncIterable<ScimUser> {
    return this.list<ScimUser>('/Users', opts);
  }

  async countUsers(): Promise<number> {
    const p = this.current.pagination;
    // One small page: the server's totalResults (RFC 7644 §3.4.2) is the app's own count.
    const query: Record<string, string | number | undefined> =
      p.mode === 'cursor' ? { cursor: '', count: 1 } : p.mode === 'index' ? { startIndex: 1, count: 1 } : {};
    const page = await this.page<ScimUser>('/Users', query);
    if (typeof page.totalResults === 'number') return page.totalResults;
    if (p.mode === 'none') return page.resources.length;
    let n = 0;
    for await (const _ of this.listUsers()) n++;
    return n;
  }

  async createUser(desired: ScimUser): Promise<{ user: ScimUser; created: boolean }> {
    const body = outgoingUser(desired, this.current, this.name);
    // externalId joins the lookup only where the app filters on it: elsewhere it would cost a full
    // scan of the app's users on every create (JumpCloud, Jostle: pages; Jasper: everything at once).
    const byExternalId =
      body.externalId !== undefined &&
      canFilter(this.current.filter.userAttributes, this.current.filter.operators, 'externalId');
    const lookup: UserQuery = { userName: body.userName, ...(byExternalId ? { externalId: body.externalId } : {}) };
    const existing = await this.findUser(lookup);
    if (existing) return { user: existing, created: false };
    try {
      return { user: await this.postUser(body), created: true };
    } catch (err) {
      // A concurrent or earlier, unacknowledged create (e.g. the response was lost) left the user
      // there: adopt it (RFC 7644 §3.3: 409 uniqueness).
      if (isConnectorError(err, 'CONFLICT')) {
        const adopted = await this.findUser(lookup);
        if (adopted) return { user: adopted, created: false };
      }
      throw err;
    }
  }

  async updateUser(
    id: string,
    desired: ScimUser,
    opts: { managed?: readonly string[] } = {},
  ): Promise<{ user: ScimUser; changed: boolean }> {
    const body = outgoingUser(desired, this.current, this.name);
    return this.change(id, body as unknown as Record<string, unknown>, opts.managed);
  }

  async deactivateUser(id: string): Promise<{ user: ScimUser; changed: boolean }> {
    return this.change(id, { active: false }, undefined);
  }

  async reactivateUser(id: string): Promise<{ user: ScimUser; changed: boolean }> {
    return this.change(id, { active: true }, undefined);
  }

  async deleteUser(id: string): Promise<{ deleted: boolean }> {
    try {
      await this.http.request({ method: 'DELETE', path: `/Users/${encodeURIComponent(id)}` });
      return { deleted: true };
    } catch (err) {
      if (isConnectorError(err, 'NOT_FOUND')) return { deleted: false };
      throw err;
    }
  }

  /**
   * Read → plan → write, with If-Match where the app has ETags. A 412 means someone wrote in
   * between: re-read and re-plan once (RFC 7644 §3.14), then give up with PRECONDITION_FAILED.
   */
  private async change(
    id: string,
    desired: Record<string, unknown>,
    managed: readonly string[] | undefined,
  ): Promise<{ user: ScimUser; changed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.getUser(id);
      try {
        const res = await this.write(id, current, desired, managed);
        if (!res.changed) return { user: current, changed: false };
        // RFC 7644 §3.5.2: PATCH may answer 204 without a body.
        return { user: res.user ?? (await this.getUser(id)), changed: true };
      } catch (err) {
        if (attempt === 0 && isConnectorError(err, 'PRECONDITION_FAILED')) continue;
        throw err;
      }
    }
  }

  /** PUT replaces everything (RFC 7644 §3.5.1; Jostle page "Update User with PUT": "ALL information about the User has to be provided"): current + plan, minus server-owned attributes. */
  private fullReplacement(current: ScimUser, plan: PatchOp): ScimUser {
    const full = applyPlan(current as unknown as Record<string, unknown>, plan) as ScimUser;
    return outgoingUser(full, this.current, this.name);
  }

  // ---- groups ---------------------------------------------------------------------------

  private requireGroups(op: 'create' | 'patch' | 'list'): void {
    const g = this.current.groups;
    const ok = g.supported && (op === 'list' || g[op]);
    if (!ok)
      throw new ConnectorError('UNSUPPORTED', `${this.current.kind} does not support group ${op}`, { app: this.name });
  }

  async findGroups(displayName: string): Promise<ScimGroup[]> {
    this.requireGroups('list');
    const f = this.current.filter;
    const serverSide = canFilter(f.groupAttributes, f.operators, 'displayName');
    // Group.displayName is caseExact=false (RFC 7643 §4.2) and not unique: every match is returned.
    const want = normalizeIdentityKey(displayName);
    const byId = new Map<string, ScimGroup>();
    for await (const g of this.list<ScimGroup>(
      '/Groups',
      serverSide ? { filter: eqFilter('displayName', displayName) } : { maxResults: MAX_SCAN },
    )) {
      if (
        typeof g?.id === 'string' &&
        typeof g.displayName === 'string' &&
        normalizeIdentityKey(g.displayName) === want
      )
        byId.set(g.id, g);
    }
    return [...byId.values()].sort((a, b) => compareIds(a.id!, b.id!));
  }

  async postGroup(displayName: string): Promise<ScimGroup> {
    this.requireGroups('create');
    const res = await this.http.request<ScimGroup>({
      method: 'POST',
      path: '/Groups',
      body: { schemas: [GROUP_SCHEMA], displayName },
    });
    return this.resourceOrLocation(res, 'POST', '/Groups');
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    this.requireGroups('patch');
    // RFC 7644 §3.5.2.1: "add" to a multi-valued attribute does not duplicate an existing value.
    await this.patchGroup(groupId, [{ op: 'add', path: 'members', value: [{ value: userId }] }]);
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    this.requireGroups('patch');
    try {
      await this.patchGroup(groupId, [{ op: 'remove', path: `members[${eqFilter('value', userId)}]` }]);
    } catch (err) {
      // RFC 7644 §3.5.2.2: a value filter that matches nothing may answer 400 noTarget — the user is
      // not a member, which is what we wanted; a group that is gone has no members either.
      if (isConnectorError(err, 'NOT_FOUND')) return;
      if (isConnectorError(err, 'INVALID') && err.scimType === 'noTarget') return;
      throw err;
    }
  }

  async findGroup(displayName: string): Promise<ScimGroup | undefined> {
    const hits = await this.findGroups(displayName);
    if (hits.length > 1)
      throw new ConnectorError('CONFLICT', `${hits.length} groups are named "${displayName}"`, {
        app: this.name,
        method: 'GET',
        path: '/Groups',
      });
    return hits[0];
  }

  async createGroup(displayName: string): Promise<{ group: ScimGroup; created: boolean }> {
    this.requireGroups('create');
    const existing = await this.findGroup(displayName);
    if (existing) return { group: existing, created: false };
    try {
      return { group: await this.postGroup(displayName), created: true };
    } catch (err) {
      if (isConnectorError(err, 'CONFLICT')) {
        const adopted = await this.findGroup(displayName);
        if (adopted) return { group: adopted, created: false };
      }
      throw err;
    }
  }

  async addMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    this.requireGroups('patch');
    for (const chunk of chunks(unique(userIds), this.current.groups.maxMembersPerPatch)) {
      // RFC 7644 §3.5.2.1: "add" to a multi-valued attribute appends; existing members are not duplicated.
      await this.patchGroup(groupId, [{ op: 'add', path: 'members', value: chunk.map((value) => ({ value })) }]);
    }
  }

  async removeMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    this.requireGroups('patch');
    for (const chunk of chunks(unique(userIds), this.current.groups.maxMembersPerPatch)) {
      // RFC 7644 §3.5.2.2 value-path removal, the form Azure AD uses: members[value eq "id"].
      await this.patchGroup(
        groupId,
        chunk.map((id) => ({ op: 'remove' as const, path: `members[${eqFilter('value', id)}]` })),
      );
    }
  }

  private async patchGroup(groupId: string, operations: PatchOp['Operations']): Promise<void> {
    await this.http.request({
      method: 'PATCH',
      path: `/Groups/${encodeURIComponent(groupId)}`,
      body: { schemas: [PATCH_OP_SCHEMA], Operations: operations },
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.jsm instanceof JsmRestClient ? this.jsm.close() : Promise.resolve()]);
  }

  // ---- plumbing -------------------------------------------------------------------------

  private resource<T extends { id?: string; meta?: { version?: string } }>(
    res: HttpResponse<T>,
    method: string,
    path: string,
  ): T {
    const body = res.body;
    if (!body || typeof body !== 'object' || typeof body.id !== 'string') {
      throw new ConnectorError('BAD_RESPONSE', 'response is not a SCIM resource (no "id")', {
        app: this.name,
        method,
        path,
        status: res.status,
      });
    }
    // RFC 7644 §3.14: the ETag header is authoritative when meta.version is absent.
    if (res.etag && !body.meta?.version)
      (body as { meta?: Record<string, unknown> }).meta = { ...(body.meta ?? {}), version: res.etag };
    return body;
  }

  /** The resource a write answered with, or undefined when it answered without one (204). */
  private resourceOrNothing<T extends { id?: string; meta?: { version?: string } }>(
    res: HttpResponse<T>,
    method: string,
    path: string,
  ): T | undefined {
    const body = res.body as unknown;
    if (!body || typeof body !== 'object' || typeof (body as { id?: unknown }).id !== 'string') return undefined;
    return this.resource(res, method, path);
  }

  /** Some servers answer a create with 201 + Location and no body: fetch it then. */
  private async resourceOrLocation<T extends { id?: string }>(
    res: HttpResponse<T>,
    method: string,
    path: string,
  ): Promise<T> {
    if (res.body && typeof res.body === 'object' && typeof res.body.id === 'string')
      return this.resource(res, method, path);
    const location = res.headers.location;
    const loc = Array.isArray(location) ? location[0] : location;
    if (loc) {
      const id = loc.split('/').filter(Boolean).pop()!;
      const kind = path.startsWith('/Groups') ? 'Groups' : 'Users';
      const got = await this.http.request<T>({
        method: 'GET',
        path: `/${kind}/${encodeURIComponent(decodeURIComponent(id))}`,
      });
      return this.resource(got, 'GET', `/${kind}/${id}`);
    }
    throw new ConnectorError('BAD_RESPONSE', 'create answered without a resource or Location', {
      app: this.name,
      method,
      path,
      status: res.status,
    });
  }

  /** All resources of a list, page by page, as the profile's pagination allows. */
  private async *list<T>(
    path: string,
    opts: { filter?: string; pageSize?: number; maxResults?: number },
  ): AsyncGenerator<T> {
    const p = this.current.pagination;
    const max = opts.maxResults ?? Number.POSITIVE_INFINITY;
    let yielded = 0;
    const base: Record<string, string | number | undefined> = { filter: opts.filter };
    const paging = p.mode !== 'none' && (opts.filter === undefined || p.withFilter);
    if (!paging) {
      const page = await this.page<T>(path, base);
      for (const r of handOut(page.resources)) {
        if (yielded++ >= max) return;
        yield r;
      }
      return;
    }
    const count = Math.max(1, Math.min(opts.pageSize ?? p.maxPageSize, p.maxPageSize));
    if (p.mode === 'cursor') {
      // RFC 9865: an empty cursor asks for the first page; follow nextCursor until it is absent.
      let cursor: string | undefined = '';
      for (let n = 0; cursor !== undefined && n < MAX_PAGES; n++) {
        const page: ListPage<T> = await this.page<T>(path, { ...base, cursor, count });
        for (const r of handOut(page.resources)) {
          if (yielded++ >= max) return;
          yield r;
        }
        const next = page.nextCursor && page.resources.length > 0 ? page.nextCursor : undefined;
        if (next !== undefined && next === cursor) throw this.noProgress(path);
        cursor = next;
      }
      return;
    }
    // RFC 7644 §3.4.2.4: 1-based startIndex; stop on an empty page or when totalResults is reached.
    let startIndex = 1;
    let previousFirst: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await this.page<T>(path, { ...base, startIndex, count });
      // A server that ignores startIndex would hand us page one forever.
      const first = (page.resources[0] as { id?: unknown } | undefined)?.id;
      if (n > 0 && typeof first === 'string' && first === previousFirst) throw this.noProgress(path);
      previousFirst = typeof first === 'string' ? first : undefined;
      for (const r of handOut(page.resources)) {
        if (yielded++ >= max) return;
        yield r;
      }
      startIndex += page.resources.length;
      if (page.resources.length === 0 || page.totalResults === undefined || startIndex > page.totalResults) return;
    }
  }

  private noProgress(path: string): ConnectorError {
    return new ConnectorError('BAD_RESPONSE', 'pagination makes no progress (the same page again)', {
      app: this.name,
      method: 'GET',
      path,
    });
  }

  private async page<T>(path: string, query: Record<string, string | number | undefined>): Promise<ListPage<T>> {
    const res = await this.http.request<Record<string, unknown>>({ method: 'GET', path, query });
    const body = res.body;
    const bad = (why: string): ConnectorError =>
      new ConnectorError('BAD_RESPONSE', why, { app: this.name, method: 'GET', path, status: res.status });
    if (!body || typeof body !== 'object') throw bad('list response is not a JSON object');
    const total = body.totalResults;
    if (total !== undefined && typeof total !== 'number') throw bad('ListResponse.totalResults is not a number');
    const resources = body.Resources ?? [];
    if (!Array.isArray(resources)) throw bad('ListResponse.Resources is not an array');
    if (
      resources.length === 0 &&
      typeof total === 'number' &&
      total > 0 &&
      query.startIndex === undefined &&
      query.cursor === undefined
    ) {
      throw bad('ListResponse has totalResults > 0 but no Resources');
    }
    return {
      resources: resources as T[],
      totalResults: total,
      nextCursor: typeof body.nextCursor === 'string' ? body.nextCursor : undefined,
    };
  }
}

/** Atlassian's SCIM root is per directory (Atlassian guide "SCIM API status": /scim/directory/{directoryId}). */
function scimBaseUrl(conn: AppConnection): string {
  if (conn.kind !== 'atlassian') return conn.baseUrl;
  const dir = conn.atlassian?.directoryId;
  if (/\/scim\/directory\/[^/]+\/?$/.test(conn.baseUrl)) return conn.baseUrl;
  if (!dir)
    throw new Error(
      `connection ${conn.name}: atlassian needs atlassian.directoryId (or a baseUrl ending in /scim/directory/<id>)`,
    );
  return `${conn.baseUrl.replace(/\/+$/, '')}/scim/directory/${encodeURIComponent(dir)}`;
}

/**
 * A page's resources one by one, each let go of by the page as it is handed out: a consumer that
 * keeps nothing (a scan) then holds one resource, not the whole page, when the young generation
 * is collected, so a page's objects die young instead of being copied and promoted.
 */
function* handOut<T>(resources: T[]): Generator<T> {
  const held = resources as (T | undefined)[];
  for (let i = 0; i < held.length; i++) {
    const r = held[i] as T;
    held[i] = undefined;
    yield r;
  }
}

/** Ids in a stable order (code units, not locale). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  const n = Math.max(1, size);
  for (let i = 0; i < items.length; i += n) yield items.slice(i, i + n);
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

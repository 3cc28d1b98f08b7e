// One emulated SCIM service provider. Requests arrive already routed to the app's SCIM root;
// the behaviour differences between apps come from the spec (apps/*.ts), not from branches here.
import { timingSafeEqual } from 'node:crypto';
import type { ResourceOp, SandboxAppSpec } from './apps/spec';
import { DEFAULT_KNOBS, type Knobs } from './controls';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery';
import { compileResourceFilter, type Predicate } from './filter';
import { applyPatchBody } from './patch';
import { primaryEmail } from '../scim';
import {
  BULK_REQUEST_SCHEMA,
  BULK_RESPONSE_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  SandboxFailure,
  USER_SCHEMA,
  fail,
  scimError,
  type SandboxResult,
} from './result';
import { ResourceStore, type Resource } from './store';

export interface SandboxRequest {
  method: string;
  /** Path below the app's SCIM root, e.g. `/Users/123`. */
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Raw body size in bytes (Bulk maxPayloadSize). */
  bodySize: number;
}

export interface ScimAppState {
  users: ReturnType<ResourceStore['snapshot']>;
  groups: ReturnType<ResourceStore['snapshot']>;
  seatsConsumed: number;
  invitations: { userId: string; email: string; at: string }[];
  meId?: string;
}

type Kind = 'User' | 'Group';

export class ScimApp {
  readonly users: ResourceStore;
  readonly groups: ResourceStore;
  seatsConsumed = 0;
  invitations: { userId: string; email: string; at: string }[] = [];
  /** Jostle /Me: the user who owns the API key. */
  meId: string | undefined;
  /** Called after every successful write (snapshot scheduling, seat recount). */
  onWrite: () => void = () => {};

  constructor(
    readonly spec: SandboxAppSpec,
    private readonly secret: string,
    /** Absolute URL of this app's SCIM root, known after listen. */
    private readonly base: () => string,
    /** Behaviour knobs read at request time (controls.ts). */
    private readonly behaviour: () => Pick<Knobs, 'allowDuplicateGroupNames'> = () => DEFAULT_KNOBS,
  ) {
    this.users = new ResourceStore('User', (id) => `${this.base()}/Users/${id}`);
    // RFC 7643 §4.1.1: userName is unique and caseExact=false; externalId is unique here too.
    this.users.index('userName', (u) => String(u.userName).toLowerCase());
    this.users.index('externalId', (u) => (typeof u.externalId === 'string' ? u.externalId : undefined));
    this.groups = new ResourceStore('Group', (id) => `${this.base()}/Groups/${id}`);
    this.reset();
  }

  reset(): void {
    this.users.clear();
    this.groups.clear();
    this.seatsConsumed = 0;
    this.invitations = [];
    this.meId = undefined;
    if (this.spec.me) {
      // The API key belongs to an admin user (Jostle page "Get on Self").
      const owner = this.users.create({
        schemas: [USER_SCHEMA],
        userName: 'api.owner',
        active: true,
        name: { givenName: 'API', familyName: 'Owner' },
      });
      this.meId = owner.id;
    }
  }

  state(): ScimAppState {
    return {
      users: this.users.snapshot(),
      groups: this.groups.snapshot(),
      seatsConsumed: this.seatsConsumed,
      invitations: this.invitations,
      ...(this.meId ? { meId: this.meId } : {}),
    };
  }

  restore(state: ScimAppState): void {
    this.users.restore(state.users);
    this.groups.restore(state.groups);
    this.seatsConsumed = state.seatsConsumed;
    this.invitations = state.invitations;
    this.meId = state.meId;
  }

  authorized(headers: SandboxRequest['headers']): boolean {
    if (this.spec.auth.type === 'bearer') {
      const h = first(headers.authorization);
      const m = h ? /^Bearer\s+(.+)$/i.exec(h) : null;
      return !!m && safeEqual(m[1]!.trim(), this.secret);
    }
    const key = first(headers[this.spec.auth.header]);
    return key !== undefined && safeEqual(key, this.secret);
  }

  handle(req: SandboxRequest): SandboxResult {
    try {
      const result = this.route(req);
      return this.withContentType(result, req.headers);
    } catch (err) {
      if (err instanceof SandboxFailure) return this.withContentType(err.result, req.headers);
      throw err;
    }
  }

  private withContentType(result: SandboxResult, headers: SandboxRequest['headers']): SandboxResult {
    if (result.body === undefined) return result;
    const accept = first(headers.accept) ?? '';
    const type =
      this.spec.responseType === 'application/json' ||
      (/application\/json/i.test(accept) && !/scim\+json|\*\/\*/i.test(accept))
        ? 'application/json; charset=utf-8'
        : 'application/scim+json; charset=utf-8';
    return { ...result, headers: { 'content-type': type, ...result.headers } };
  }

  private route(req: SandboxRequest): SandboxResult {
    const segs = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method.toUpperCase();
    const [head, second, third] = segs;
    if (segs.length === 0) fail(404, 'Not found');

    const discovery = head === 'ServiceProviderConfig' || head === 'ResourceTypes' || head === 'Schemas';
    if (!(discovery && this.spec.discovery.public) && !this.authorized(req.headers)) {
      const res = scimError(401, 'Authentication failed: missing or invalid credentials');
      if (this.spec.auth.type === 'bearer') res.headers = { 'www-authenticate': 'Bearer realm="scim"' };
      return res;
    }
    if (method !== 'GET' && method !== 'DELETE' && req.body !== undefined) this.checkContentType(req.headers);

    if (discovery) return this.discovery(head, second, method);
    if (head === 'Bulk' && segs.length === 1) {
      if (!this.spec.bulk) fail(501, 'Bulk is not supported');
      if (method !== 'POST') fail(405, 'Bulk accepts POST only');
      return this.bulk(req);
    }
    if (head === 'Me' && segs.length === 1) {
      if (!this.spec.me || !this.meId) fail(501, '/Me is not supported');
      return this.resource('User', this.meId, method, req);
    }
    const kind: Kind | undefined = head === 'Users' ? 'User' : head === 'Groups' ? 'Group' : undefined;
    if (!kind || third !== undefined) fail(404, `No resource at ${req.path}`);
    if (kind === 'Group' && !this.spec.groupOps) fail(404, 'Resource type Group is not supported');
    if (second === '.search') {
      if (method !== 'POST') fail(405, '.search accepts POST only');
      if (!this.spec.search) fail(501, '.search is not supported');
      return this.search(kind, req.body);
    }
    if (second === undefined) {
      if (method === 'GET') return this.list(kind, req.query);
      if (method === 'POST') return this.create(kind, req.body);
      fail(405, `${method} is not allowed on /${head}`);
    }
    return this.resource(kind, second, method, req);
  }

  private checkContentType(headers: SandboxRequest['headers']): void {
    const ct = first(headers['content-type']) ?? '';
    // RFC 7644 §3.1: application/scim+json; servers also accept application/json (§8.1).
    if (!/^application\/(scim\+)?json\s*(;|$)/i.test(ct))
      fail(415, `Unsupported Content-Type "${ct}"`, 'invalidSyntax');
  }

  private ops(kind: Kind): ReadonlySet<ResourceOp> {
    return (kind === 'User' ? this.spec.userOps : this.spec.groupOps) ?? new Set();
  }

  private require(kind: Kind, op: ResourceOp): void {
    if (!this.ops(kind).has(op)) fail(501, `${op} on ${kind} is not supported by ${this.spec.name}`);
  }

  private store(kind: Kind): ResourceStore {
    return kind === 'User' ? this.users : this.groups;
  }

  private discovery(head: string, id: string | undefined, method: string): SandboxResult {
    if (method !== 'GET') fail(405, 'Discovery endpoints are read-only');
    const base = this.base();
    const d = this.spec.discovery;
    if (head === 'ServiceProviderConfig') {
      if (!d.serviceProviderConfig) fail(404, 'Not found');
      return { status: 200, body: serviceProviderConfig(this.spec, base) };
    }
    const docs =
      head === 'ResourceTypes'
        ? d.resourceTypes
          ? resourceTypes(this.spec, base)
          : undefined
        : d.schemas
          ? schemas(this.spec, base)
          : undefined;
    if (!docs) fail(404, 'Not found');
    if (id !== undefined) {
      const doc = docs.find((x) => x.id === id);
      if (!doc) fail(404, `${head}/${id} not found`);
      return { status: 200, body: doc };
    }
    return {
      status: 200,
      body: {
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: docs.length,
        itemsPerPage: docs.length,
        startIndex: 1,
        Resources: docs,
      },
    };
  }

  private resource(kind: Kind, id: string, method: string, req: SandboxRequest): SandboxResult {
    const store = this.store(kind);
    const op: ResourceOp | undefined =
      method === 'GET'
        ? 'get'
        : method === 'PUT'
          ? 'replace'
          : method === 'PATCH'
            ? 'patch'
            : method === 'DELETE'
              ? 'delete'
              : undefined;
    if (!op) fail(405, `${method} is not allowed on a ${kind}`);
    this.require(kind, op);
    const current = store.get(id);
    if (!current) fail(404, `${kind} ${id} not found`);
    if (op === 'get') return this.ok(200, current);
    this.checkIfMatch(current, req.headers);
    if (op === 'delete') {
      store.delete(id);
      if (kind === 'User') this.dropMemberships(id);
      this.onWrite();
      return { status: 204 };
    }
    const next =
      op === 'replace'
        ? this.prepare(kind, req.body, 'replace')
        : kind === 'User'
          ? this.dropUnkept(applyPatchBody(this.writable(current), req.body))
          : applyPatchBody(this.writable(current), req.body);
    this.validate(kind, next, id);
    const saved = store.replace(id, next);
    this.onWrite();
    return this.ok(200, saved);
  }

  private checkIfMatch(current: Resource, headers: SandboxRequest['headers']): void {
    if (!this.spec.etag) return;
    const ifMatch = first(headers['if-match']);
    if (ifMatch === undefined || ifMatch.trim() === '*') return;
    // RFC 7644 §3.14: a stale version answers 412.
    const tags = ifMatch.split(',').map((t) => t.trim());
    if (!tags.includes(current.meta.version))
      fail(412, `Resource version ${current.meta.version} does not match If-Match ${ifMatch}`);
  }

  private create(kind: Kind, body: unknown): SandboxResult {
    this.require(kind, 'create');
    const data = this.prepare(kind, body, 'create');
    this.validate(kind, data, undefined);
    const saved = this.store(kind).create(data);
    if (kind === 'User' && this.spec.seats === 'create') this.seatsConsumed += 1;
    if (kind === 'User' && this.spec.invitations) {
      this.invitations.push({
        userId: saved.id,
        email: primaryEmail(saved) ?? String(saved.userName),
        at: saved.meta.created,
      });
    }
    this.onWrite();
    return this.ok(201, saved, { location: saved.meta.location });
  }

  /** Incoming body → storable data: readOnly attributes dropped (RFC 7643 §2.2 mutability). */
  private prepare(kind: Kind, body: unknown, mode: 'create' | 'replace'): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      fail(400, 'Request body must be a JSON object', 'invalidSyntax');
    const b = body as Record<string, unknown>;
    const schema = kind === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
    if (!Array.isArray(b.schemas) || !b.schemas.includes(schema))
      fail(400, `"schemas" must include ${schema}`, 'invalidSyntax');
    const { id: _id, meta: _meta, groups: _groups, ...rest } = b;
    if (kind === 'User' && mode === 'create' && rest.active === undefined) rest.active = true;
    return kind === 'User' ? this.dropUnkept(rest) : rest;
  }

  /** Attributes the app accepts but does not store (spec.keepsExternalId). */
  private dropUnkept(user: Record<string, unknown>): Record<string, unknown> {
    if (this.spec.keepsExternalId) return user;
    const key = Object.keys(user).find((k) => k.toLowerCase() === 'externalid');
    if (key === undefined) return user;
    const { [key]: _dropped, ...rest } = user;
    return rest;
  }

  private writable(r: Resource): Record<string, unknown> {
    const { meta: _meta, groups: _groups, ...rest } = r;
    return rest;
  }

  private validate(kind: Kind, data: Record<string, unknown>, selfId: string | undefined): void {
    if (selfId !== undefined && data.id !== undefined && data.id !== selfId) fail(400, 'id is immutable', 'mutability');
    if (kind === 'User') {
      if (typeof data.userName !== 'string' || data.userName.trim() === '')
        fail(400, 'userName is required', 'invalidValue');
      const refusal = this.spec.validateUser?.(data);
      if (refusal) throw new SandboxFailure(refusal);
      const lower = data.userName.toLowerCase();
      // RFC 7643 §4.1.1: userName is unique and caseExact=false. RFC 7644 §3.3: 409 uniqueness.
      const clash = this.users.lookup('userName', lower).find((u) => u.id !== selfId);
      if (clash) fail(409, `User with userName "${data.userName}" already exists`, 'uniqueness');
      if (data.externalId !== undefined) {
        const candidates =
          typeof data.externalId === 'string' ? this.users.lookup('externalId', data.externalId) : this.users.all();
        const dup = candidates.find(
          (u) => u.id !== selfId && u.externalId !== undefined && u.externalId === data.externalId,
        );
        if (dup) fail(409, `User with externalId "${String(data.externalId)}" already exists`, 'uniqueness');
      }
    } else {
      if (typeof data.displayName !== 'string' || data.displayName.trim() === '')
        fail(400, 'displayName is required', 'invalidValue');
      const lower = data.displayName.toLowerCase();
      // RFC 7643 §4.2 gives displayName no uniqueness; the sandbox enforces it unless told otherwise.
      if (!this.behaviour().allowDuplicateGroupNames) {
        const clash = this.groups.all().find((g) => g.id !== selfId && String(g.displayName).toLowerCase() === lower);
        if (clash) fail(409, `Group "${data.displayName}" already exists`, 'uniqueness');
      }
      if (data.members !== undefined) {
        if (!Array.isArray(data.members)) fail(400, 'members must be an array', 'invalidValue');
        const seen = new Set<string>();
        const members: Record<string, unknown>[] = [];
        for (const m of data.members as unknown[]) {
          const value = typeof m === 'object' && m !== null ? (m as { value?: unknown }).value : undefined;
          if (typeof value !== 'string') fail(400, 'members[].value is required', 'invalidValue');
          const user = this.users.get(value);
          if (!user) fail(400, `members: no User with id ${value}`, 'invalidValue');
          if (seen.has(value)) continue;
          seen.add(value);
          members.push({ value, display: user.displayName ?? user.userName, type: 'User', $ref: user.meta.location });
        }
        data.members = members;
      }
    }
  }

  private dropMemberships(userId: string): void {
    for (const g of this.groups.all()) {
      const members = Array.isArray(g.members) ? (g.members as { value: string }[]) : [];
      if (members.some((m) => m.value === userId)) {
        this.groups.replace(g.id, { ...this.writable(g), members: members.filter((m) => m.value !== userId) });
      }
    }
  }

  /** userId → the groups it is a direct member of; built once per request, O(total members). */
  membershipIndex(): Map<string, { value: string; display: unknown; $ref: string; type: string }[]> {
    const index = new Map<string, { value: string; display: unknown; $ref: string; type: string }[]>();
    if (!this.spec.groupOps) return index;
    for (const g of this.groups.all()) {
      if (!Array.isArray(g.members)) continue;
      const entry = { value: g.id, display: g.displayName, $ref: `${this.base()}/Groups/${g.id}`, type: 'direct' };
      for (const m of g.members as { value: string }[]) {
        const list = index.get(m.value);
        if (list) list.push(entry);
        else index.set(m.value, [entry]);
      }
    }
    return index;
  }

  /** Output form: location recomputed (the port may have changed since a snapshot), User.groups derived (RFC 7643 §4.1.2). */
  present(r: Resource, membership?: ReturnType<ScimApp['membershipIndex']>): Record<string, unknown> {
    const out: Record<string, unknown> = {
      ...r,
      meta: { ...r.meta, location: `${this.base()}/${r.meta.resourceType === 'User' ? 'Users' : 'Groups'}/${r.id}` },
    };
    if (r.meta.resourceType === 'User' && this.spec.groupOps) {
      const groups = (membership ?? this.membershipIndex()).get(r.id);
      if (groups && groups.length > 0) out.groups = groups;
    }
    return out;
  }

  private ok(status: number, r: Resource, headers: Record<string, string> = {}): SandboxResult {
    return { status, body: this.present(r), headers: this.spec.etag ? { etag: r.meta.version, ...headers } : headers };
  }

  private search(kind: Kind, body: unknown): SandboxResult {
    if (typeof body !== 'object' || body === null) fail(400, 'SearchRequest body required', 'invalidSyntax');
    const b = body as Record<string, unknown>;
    const q: Record<string, string | undefined> = {};
    for (const k of ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'cursor'])
      if (b[k] !== undefined) q[k] = String(b[k]);
    return this.list(kind, q);
  }

  private list(kind: Kind, query: Record<string, string | undefined>): SandboxResult {
    this.require(kind, 'list');
    let items = this.store(kind).all();
    const membership = kind === 'User' ? this.membershipIndex() : undefined;
    const show = (r: Resource): Record<string, unknown> => this.present(r, membership);
    const filterText = query.filter;
    if (filterText !== undefined && filterText.trim() !== '') {
      const attrs = kind === 'User' ? this.spec.userFilterAttrs : this.spec.groupFilterAttrs;
      const predicate: Predicate = compileResourceFilter(filterText, attrs ? { eqOnly: attrs } : {});
      items = items.filter((r) => predicate(show(r)));
    }
    if (this.spec.sort && query.sortBy) items = sortBy(items, query.sortBy, query.sortOrder);
    const total = items.length;
    const p = this.spec.pagination;
    const paging = (p.index || p.cursor) && (filterText === undefined || p.withFilter);
    if (!paging) {
      return { status: 200, body: listResponse(items.map(show), total, 1) };
    }
    const count = clamp(query.count === undefined ? p.defaultCount : toInt(query.count, 'count'), 0, p.maxCount);
    if (query.cursor !== undefined && p.cursor) {
      // RFC 9865: opaque cursor; an empty cursor asks for the first page.
      const offset = query.cursor === '' ? 0 : decodeCursor(query.cursor);
      const page = items.slice(offset, offset + count);
      const next = offset + page.length < total && page.length > 0 ? encodeCursor(offset + page.length) : undefined;
      const body: Record<string, unknown> = {
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: total,
        itemsPerPage: page.length,
        Resources: page.map(show),
      };
      if (next) body.nextCursor = next;
      if (offset > 0) body.previousCursor = encodeCursor(Math.max(0, offset - count));
      return { status: 200, body };
    }
    // RFC 7644 §3.4.2.4: startIndex is 1-based; values below 1 are treated as 1.
    const startIndex = Math.max(1, query.startIndex === undefined ? 1 : toInt(query.startIndex, 'startIndex'));
    const page = items.slice(startIndex - 1, startIndex - 1 + count);
    return { status: 200, body: listResponse(page.map(show), total, startIndex) };
  }

  private bulk(req: SandboxRequest): SandboxResult {
    const limits = this.spec.bulk!;
    // RFC 7644 §3.7.4: exceeding maxPayloadSize or maxOperations answers 413.
    if (req.bodySize > limits.maxPayloadSize)
      fail(413, `The size of the bulk operation exceeds the maxPayloadSize (${limits.maxPayloadSize}).`);
    const b = req.body as Record<string, unknown> | undefined;
    if (!b || !Array.isArray(b.schemas) || !b.schemas.includes(BULK_REQUEST_SCHEMA))
      fail(400, `BulkRequest must declare ${BULK_REQUEST_SCHEMA}`, 'invalidSyntax');
    const operations = b.Operations;
    if (!Array.isArray(operations)) fail(400, 'BulkRequest needs "Operations"', 'invalidSyntax');
    if (operations.length > limits.maxOperations)
      fail(413, `The number of operations exceeds the maxOperations (${limits.maxOperations}).`);
    const failOnErrors = typeof b.failOnErrors === 'number' ? b.failOnErrors : Number.POSITIVE_INFINITY;
    const bulkIds = new Map<string, string>();
    const results: Record<string, unknown>[] = [];
    let errors = 0;
    for (const raw of operations as Record<string, unknown>[]) {
      if (errors >= failOnErrors) break;
      const method = String(raw.method ?? '').toUpperCase();
      const bulkId = typeof raw.bulkId === 'string' ? raw.bulkId : undefined;
      let path = String(raw.path ?? '');
      // RFC 7644 §3.7.2: "bulkId:<id>" refers to a resource created earlier in the same request.
      path = path.replace(/bulkId:([^/]+)/g, (_m, id: string) => bulkIds.get(id) ?? `bulkId:${id}`);
      if (method === 'POST' && !bulkId) {
        results.push({
          method,
          status: '400',
          response: scimError(400, 'bulkId is required for POST', 'invalidValue').body,
        });
        errors++;
        continue;
      }
      const res = this.handle({
        method,
        path,
        query: {},
        headers: { ...req.headers, ...(typeof raw.version === 'string' ? { 'if-match': raw.version } : {}) },
        body: raw.data,
        bodySize: 0,
      });
      const body = res.body as Record<string, unknown> | undefined;
      const entry: Record<string, unknown> = { method, status: String(res.status) };
      if (bulkId) entry.bulkId = bulkId;
      if (res.status < 300 && body && typeof body.id === 'string') {
        const meta = body.meta as { location?: string; version?: string } | undefined;
        if (meta?.location) entry.location = meta.location;
        if (meta?.version) entry.version = meta.version;
        if (bulkId) bulkIds.set(bulkId, body.id);
      }
      if (res.status >= 400) {
        entry.response = body;
        errors++;
      }
      results.push(entry);
    }
    return { status: 200, body: { schemas: [BULK_RESPONSE_SCHEMA], Operations: results } };
  }
}

function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    itemsPerPage: resources.length,
    startIndex,
    Resources: resources,
  };
}

function sortBy(items: Resource[], attr: string, order: string | undefined): Resource[] {
  const path = attr.split('.');
  const key = (r: Resource): string | undefined => {
    let v: unknown = r;
    for (const seg of path) {
      if (Array.isArray(v)) v = v[0];
      if (typeof v !== 'object' || v === null) return undefined;
      const lower = seg.toLowerCase();
      const k = Object.keys(v).find((x) => x.toLowerCase() === lower);
      v = k === undefined ? undefined : (v as Record<string, unknown>)[k];
    }
    return v === undefined || v === null ? undefined : String(v).toLowerCase();
  };
  const dir = order?.toLowerCase() === 'descending' ? -1 : 1;
  // RFC 7644 §3.4.2.3: resources without the attribute sort last in either order.
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) return 0;
    if (ka === undefined) return 1;
    if (kb === undefined) return -1;
    return ka < kb ? -dir : dir;
  });
}

function toInt(v: string, name: string): number {
  if (!/^-?\d+$/.test(v)) fail(400, `${name} must be an integer`, 'invalidValue');
  return Number(v);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) fail(400, 'Invalid cursor', 'invalidCursor');
  return Number(m[1]);
}

export function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

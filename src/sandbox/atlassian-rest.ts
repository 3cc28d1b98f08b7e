// Jira platform REST v3 (groups, users) and Jira Service Management REST (customers, service
// desks), as described in https://www.stitchflow.com/user-management/atlassian-jira-service-management/api. Accounts are shared with the SCIM directory:
// a SCIM user is an `atlassian` account whose accountId is its SCIM id; JSM customers are
// portal-only `customer` accounts. Seats = active accounts in a product-access group.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { SandboxResult } from './result';
import { first, type ScimApp } from './scim-app';
import type { Resource } from './store';

export interface AtlassianAccount {
  accountId: string;
  emailAddress?: string;
  displayName?: string;
  active: boolean;
  accountType: 'atlassian' | 'customer';
}

export interface AtlassianRestState {
  customers: AtlassianAccount[];
  serviceDesks: Record<string, string[]>;
  licensedGroupIds: string[];
}

export interface RestRequest {
  method: string;
  /** Below `/rest`, e.g. `/servicedeskapi/customer`. */
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The product-access group seeded into the directory; membership takes a JSM agent seat. */
export const LICENSED_GROUP_NAME = 'jira-servicemanagement-users';
export const SEEDED_SERVICE_DESKS = ['1', '2'];

const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };

/** Jira platform error shape (`errorMessages` + `errors`). */
function jiraError(status: number, message: string): SandboxResult {
  return { status, headers: JSON_TYPE, body: { errorMessages: [message], errors: {} } };
}

/** JSM servicedeskapi error shape. */
function jsmError(status: number, message: string, key: string): SandboxResult {
  return {
    status,
    headers: JSON_TYPE,
    body: { errorMessage: message, i18nErrorMessage: { i18nKey: key, parameters: [] } },
  };
}

function json(status: number, body: unknown): SandboxResult {
  return { status, headers: JSON_TYPE, body };
}

export class AtlassianRest {
  readonly customers = new Map<string, AtlassianAccount>();
  readonly serviceDesks = new Map<string, Set<string>>();
  readonly licensedGroupIds = new Set<string>();
  onWrite: () => void = () => {};

  constructor(
    private readonly scim: ScimApp,
    private readonly basic: { email: string; apiToken: string },
  ) {
    this.reset();
  }

  reset(): void {
    this.customers.clear();
    this.serviceDesks.clear();
    this.licensedGroupIds.clear();
    for (const id of SEEDED_SERVICE_DESKS) this.serviceDesks.set(id, new Set());
    const existing = this.scim.groups.all().find((g) => g.displayName === LICENSED_GROUP_NAME);
    const group =
      existing ??
      this.scim.groups.create({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: LICENSED_GROUP_NAME,
        members: [],
      });
    this.licensedGroupIds.add(group.id);
  }

  state(): AtlassianRestState {
    return {
      customers: [...this.customers.values()],
      serviceDesks: Object.fromEntries([...this.serviceDesks].map(([k, v]) => [k, [...v]])),
      licensedGroupIds: [...this.licensedGroupIds],
    };
  }

  restore(s: AtlassianRestState): void {
    this.customers.clear();
    for (const c of s.customers) this.customers.set(c.accountId, c);
    this.serviceDesks.clear();
    for (const [k, v] of Object.entries(s.serviceDesks)) this.serviceDesks.set(k, new Set(v));
    this.licensedGroupIds.clear();
    for (const g of s.licensedGroupIds) this.licensedGroupIds.add(g);
  }

  /** Distinct active directory users in a product-access group. */
  seats(): number {
    const seated = new Set<string>();
    for (const gid of this.licensedGroupIds) {
      for (const m of members(this.scim.groups.get(gid))) {
        const u = this.scim.users.get(m);
        if (u && u.active !== false) seated.add(m);
      }
    }
    return seated.size;
  }

  account(id: string): AtlassianAccount | undefined {
    const u = this.scim.users.get(id);
    if (u) return toAccount(u);
    return this.customers.get(id);
  }

  allAccounts(): AtlassianAccount[] {
    return [...this.scim.users.all().map(toAccount), ...this.customers.values()];
  }

  authorized(headers: RestRequest['headers']): boolean {
    const h = first(headers.authorization);
    const m = h ? /^Basic\s+(.+)$/i.exec(h) : null;
    if (!m) return false;
    const want = Buffer.from(`${this.basic.email}:${this.basic.apiToken}`).toString('base64');
    const a = Buffer.from(m[1]!.trim());
    const b = Buffer.from(want);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  handle(req: RestRequest): SandboxResult {
    if (!this.authorized(req.headers)) {
      // Atlassian answers unauthenticated REST calls with 401 and this message.
      return {
        ...jiraError(401, 'Client must be authenticated to access this resource.'),
        headers: { ...JSON_TYPE, 'www-authenticate': 'Basic realm="protected-area"' },
      };
    }
    const method = req.method.toUpperCase();
    const segs = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    const key = segs.join('/');
    if (method !== 'GET' && req.body !== undefined) {
      const ct = first(req.headers['content-type']) ?? '';
      if (!/^application\/json/i.test(ct)) return jiraError(415, 'Unsupported Media Type');
    }
    if (key === 'api/3/user' && method === 'GET') return this.getUser(req.query);
    if (key === 'api/3/user/search' && method === 'GET') return this.searchUsers(req.query);
    if (key === 'api/3/group/member' && method === 'GET') return this.groupMembers(req.query);
    if (key === 'api/3/group/user' && method === 'POST') return this.addToGroup(req.query, req.body);
    if (key === 'api/3/group/user' && method === 'DELETE') return this.removeFromGroup(req.query);
    if (key === 'servicedeskapi/customer' && method === 'POST') return this.createCustomer(req.body);
    if (segs[0] === 'servicedeskapi' && segs[1] === 'servicedesk' && segs[3] === 'customer' && segs.length === 4) {
      const deskId = segs[2]!;
      const desk = this.serviceDesks.get(deskId);
      if (!desk)
        return jsmError(404, `The service desk with id '${deskId}' does not exist.`, 'sd.servicedesk.error.not.found');
      if (method === 'GET') return this.listCustomers(desk, req.query);
      if (method === 'POST' || method === 'DELETE') return this.changeCustomers(desk, req.body, method === 'POST');
    }
    return jiraError(404, `No REST resource at ${method} /rest/${key}`);
  }

  private getUser(q: RestRequest['query']): SandboxResult {
    // Atlassian guide "Get user by accountId": accountId is required; username/key are removed in v3.
    if (!q.accountId) return jiraError(400, 'The query parameter accountId is required.');
    const a = this.account(q.accountId);
    return a ? json(200, a) : jiraError(404, `Specified user does not exist or you do not have required permissions`);
  }

  private searchUsers(q: RestRequest['query']): SandboxResult {
    const query = (q.query ?? '').toLowerCase();
    const startAt = intParam(q.startAt, 0);
    const maxResults = Math.min(intParam(q.maxResults, 50), 1000);
    const hits = this.allAccounts().filter(
      (a) =>
        !query ||
        (a.emailAddress ?? '').toLowerCase().includes(query) ||
        (a.displayName ?? '').toLowerCase().includes(query),
    );
    return json(200, hits.slice(startAt, startAt + maxResults));
  }

  private groupMembers(q: RestRequest['query']): SandboxResult {
    // Atlassian guide "Get users in group": use groupId; startAt/maxResults paging (max 1000 per Atlassian guide "Rate limits, pagination").
    if (!q.groupId) return jiraError(400, 'You must specify a group name or group id.');
    const g = this.scim.groups.get(q.groupId);
    if (!g) return jiraError(404, `Group with id ${q.groupId} does not exist.`);
    const startAt = intParam(q.startAt, 0);
    const maxResults = Math.max(1, Math.min(intParam(q.maxResults, 50), 1000));
    const all = members(g)
      .map((id) => this.account(id))
      .filter((a): a is AtlassianAccount => a !== undefined);
    const values = all.slice(startAt, startAt + maxResults);
    return json(200, { startAt, maxResults, total: all.length, isLast: startAt + values.length >= all.length, values });
  }

  private addToGroup(q: RestRequest['query'], body: unknown): SandboxResult {
    if (!q.groupId) return jiraError(400, 'You must specify a group name or group id.');
    const g = this.scim.groups.get(q.groupId);
    if (!g) return jiraError(404, `Group with id ${q.groupId} does not exist.`);
    const accountId = isObj(body) && typeof body.accountId === 'string' ? body.accountId : undefined;
    if (!accountId) return jiraError(400, 'accountId is required.');
    if (!this.scim.users.get(accountId)) {
      return jiraError(
        400,
        this.customers.has(accountId)
          ? 'Customers cannot be added to groups.'
          : `User with accountId ${accountId} does not exist.`,
      );
    }
    const current = members(g);
    if (current.includes(accountId))
      return jiraError(400, `Cannot add user. User is already a member of '${String(g.displayName)}'.`);
    this.scim.groups.replace(g.id, {
      ...writable(g),
      members: [...(Array.isArray(g.members) ? (g.members as unknown[]) : []), { value: accountId, type: 'User' }],
    });
    this.onWrite();
    return json(201, { groupId: g.id, name: g.displayName });
  }

  private removeFromGroup(q: RestRequest['query']): SandboxResult {
    if (!q.groupId || !q.accountId) return jiraError(400, 'groupId and accountId are required.');
    const g = this.scim.groups.get(q.groupId);
    if (!g) return jiraError(404, `Group with id ${q.groupId} does not exist.`);
    const current = members(g);
    if (!current.includes(q.accountId))
      return jiraError(400, `Cannot remove user. User is not a member of '${String(g.displayName)}'.`);
    this.scim.groups.replace(g.id, {
      ...writable(g),
      members: (Array.isArray(g.members) ? (g.members as { value: string }[]) : []).filter(
        (m) => m.value !== q.accountId,
      ),
    });
    this.onWrite();
    return { status: 200 };
  }

  private createCustomer(body: unknown): SandboxResult {
    const email = isObj(body) && typeof body.email === 'string' ? body.email.trim() : '';
    const displayName = isObj(body) && typeof body.displayName === 'string' ? body.displayName : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      return jsmError(400, 'The email address is invalid.', 'sd.customer.email.invalid');
    if (!displayName) return jsmError(400, 'A display name is required.', 'sd.customer.displayname.required');
    // Atlassian guide "Provision a new JSM customer": an existing account for the email is linked, not duplicated.
    const existing = this.allAccounts().find((a) => (a.emailAddress ?? '').toLowerCase() === email.toLowerCase());
    if (existing) return json(201, existing);
    const account: AtlassianAccount = {
      accountId: `qm:${randomUUID()}`,
      emailAddress: email,
      displayName,
      active: true,
      accountType: 'customer',
    };
    this.customers.set(account.accountId, account);
    this.onWrite();
    return json(201, account);
  }

  private listCustomers(desk: Set<string>, q: RestRequest['query']): SandboxResult {
    // Atlassian guide "Get service desk customers": start/limit, not startAt/maxResults.
    const start = intParam(q.start, 0);
    const limit = Math.max(1, Math.min(intParam(q.limit, 50), 100));
    const query = (q.query ?? '').toLowerCase();
    const all = [...desk]
      .map((id) => this.account(id))
      .filter((a): a is AtlassianAccount => a !== undefined)
      .filter(
        (a) =>
          !query ||
          (a.emailAddress ?? '').toLowerCase().includes(query) ||
          (a.displayName ?? '').toLowerCase().includes(query),
      );
    const values = all.slice(start, start + limit);
    return json(200, { size: values.length, start, limit, isLastPage: start + values.length >= all.length, values });
  }

  private changeCustomers(desk: Set<string>, body: unknown, add: boolean): SandboxResult {
    const ids = isObj(body) && Array.isArray(body.accountIds) ? body.accountIds : undefined;
    if (!ids || !ids.every((x) => typeof x === 'string'))
      return jsmError(400, 'accountIds must be a list of account ids.', 'sd.customer.accountids.required');
    for (const id of ids as string[]) {
      // Atlassian guide "Add customers to service desk": "Requires the user to already have an Atlassian account."
      if (!this.account(id))
        return jsmError(400, `The account ID '${id}' is invalid.`, 'sd.customer.accountid.invalid');
    }
    for (const id of ids as string[]) {
      if (add) desk.add(id);
      else desk.delete(id);
    }
    this.onWrite();
    return { status: 204 };
  }
}

function toAccount(u: Resource): AtlassianAccount {
  const emails = Array.isArray(u.emails) ? (u.emails as { value?: string; primary?: boolean }[]) : [];
  const email = (emails.find((e) => e.primary) ?? emails[0])?.value ?? String(u.userName);
  const name = u.name as { givenName?: string; familyName?: string } | undefined;
  const displayName =
    typeof u.displayName === 'string'
      ? u.displayName
      : [name?.givenName, name?.familyName].filter(Boolean).join(' ') || String(u.userName);
  return { accountId: u.id, emailAddress: email, displayName, active: u.active !== false, accountType: 'atlassian' };
}

function members(g: Resource | undefined): string[] {
  if (!g || !Array.isArray(g.members)) return [];
  return (g.members as { value: string }[]).map((m) => m.value);
}

function writable(r: Resource): Record<string, unknown> {
  const { meta: _m, ...rest } = r;
  return rest;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intParam(v: string | undefined, dflt: number): number {
  if (v === undefined || !/^\d+$/.test(v)) return dflt;
  return Number(v);
}

// Jira Service Management + Jira platform REST (Atlassian guide): customers, service-desk membership, Jira
// groups. HTTP Basic `email:api-token`; plain application/json both ways.
import { isConnectorError } from './errors';
import { HttpClient, type ResponseEvent } from './http';
import type { JsmClient, JsmCustomer, Timeouts } from './types';

/** 002 "Get service desk customers": JSM caps `limit`; 50 is the documented default page. */
const JSM_PAGE = 50;
/** 002 "Rate limits, pagination": Jira platform max page size 1000, default 50. */
const JIRA_PAGE = 50;
/** Keep request bodies small when adding many customers at once. */
const ACCOUNT_IDS_PER_CALL = 50;

export class JsmRestClient implements JsmClient {
  private readonly http: HttpClient;

  constructor(opts: { app: string; baseUrl: string; auth: { type: 'basic'; username: string; password: string }; timeouts?: Timeouts; onResponse?: (e: ResponseEvent) => void }) {
    this.http = new HttpClient({
      app: opts.app,
      ...(opts.onResponse ? { onResponse: opts.onResponse } : {}),
      baseUrl: opts.baseUrl,
      auth: opts.auth,
      ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
      writeContentType: 'application/json',
      accept: 'application/json',
    });
  }

  async createCustomer(input: { email: string; displayName: string }): Promise<JsmCustomer> {
    // Atlassian guide "Create JSM customer": an existing account for the email is linked and returned.
    const res = await this.http.request<JsmCustomer>({ method: 'POST', path: '/rest/servicedeskapi/customer', body: { email: input.email, displayName: input.displayName } });
    return res.body!;
  }

  async addCustomers(serviceDeskId: string, accountIds: readonly string[]): Promise<void> {
    for (let i = 0; i < accountIds.length; i += ACCOUNT_IDS_PER_CALL) {
      await this.http.request({ method: 'POST', path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(serviceDeskId)}/customer`, body: { accountIds: accountIds.slice(i, i + ACCOUNT_IDS_PER_CALL) } });
    }
  }

  async removeCustomers(serviceDeskId: string, accountIds: readonly string[]): Promise<void> {
    // Atlassian guide "Remove customers from service desk": DELETE with a JSON body.
    for (let i = 0; i < accountIds.length; i += ACCOUNT_IDS_PER_CALL) {
      await this.http.request({ method: 'DELETE', path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(serviceDeskId)}/customer`, body: { accountIds: accountIds.slice(i, i + ACCOUNT_IDS_PER_CALL) } });
    }
  }

  async listCustomers(serviceDeskId: string, opts: { query?: string; pageSize?: number } = {}): Promise<JsmCustomer[]> {
    // 002: JSM uses start/limit + isLastPage (not startAt/maxResults).
    const out: JsmCustomer[] = [];
    const limit = opts.pageSize ?? JSM_PAGE;
    for (let start = 0; ; ) {
      const res = await this.http.request<{ values?: JsmCustomer[]; isLastPage?: boolean }>({
        method: 'GET',
        path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(serviceDeskId)}/customer`,
        query: { query: opts.query, start, limit },
      });
      const values = res.body?.values ?? [];
      out.push(...values);
      if (res.body?.isLastPage !== false || values.length === 0) return out;
      start += values.length;
    }
  }

  async listGroupMembers(groupId: string, opts: { pageSize?: number } = {}): Promise<JsmCustomer[]> {
    const out: JsmCustomer[] = [];
    const maxResults = opts.pageSize ?? JIRA_PAGE;
    for (let startAt = 0; ; ) {
      const res = await this.http.request<{ values?: JsmCustomer[]; isLast?: boolean; total?: number }>({
        method: 'GET',
        path: '/rest/api/3/group/member',
        query: { groupId, startAt, maxResults },
      });
      const values = res.body?.values ?? [];
      out.push(...values);
      startAt += values.length;
      const done = res.body?.isLast ?? (res.body?.total !== undefined ? startAt >= res.body.total : true);
      if (done || values.length === 0) return out;
    }
  }

  async addUserToGroup(groupId: string, accountId: string): Promise<void> {
    try {
      await this.http.request({ method: 'POST', path: '/rest/api/3/group/user', query: { groupId }, body: { accountId } });
    } catch (err) {
      // Jira answers 400 "User is already a member" — the desired state holds, so it is success.
      if (isConnectorError(err, 'INVALID') && /already a member/i.test(err.detail ?? '')) return;
      throw err;
    }
  }

  async removeUserFromGroup(groupId: string, accountId: string): Promise<void> {
    try {
      await this.http.request({ method: 'DELETE', path: '/rest/api/3/group/user', query: { groupId, accountId } });
    } catch (err) {
      if (isConnectorError(err, 'INVALID') && /not a member/i.test(err.detail ?? '')) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

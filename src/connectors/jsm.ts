// Jira Service Management REST (Atlassian guide, https://developer.atlassian.com/cloud/jira/service-desk/rest/):
// a leaver's removal as a customer of the service desk. HTTP Basic `email:api-token`; plain application/json both ways.
import { HttpClient, type ResponseEvent } from './http';
import type { JsmClient, JsmCustomer, Timeouts } from './types';

/** Atlassian guide "Get service desk customers": JSM caps `limit`; 50 is the documented default page. */
const JSM_PAGE = 50;
/** Keep request bodies small when removing many customers at once. */
const ACCOUNT_IDS_PER_CALL = 50;

export class JsmRestClient implements JsmClient {
  private readonly http: HttpClient;

  constructor(opts: {
    app: string;
    baseUrl: string;
    auth: { type: 'basic'; username: string; password: string };
    timeouts?: Timeouts;
    onResponse?: (e: ResponseEvent) => void;
  }) {
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

  async removeCustomers(serviceDeskId: string, accountIds: readonly string[]): Promise<void> {
    // Atlassian guide "Remove customers from service desk": DELETE with a JSON body.
    for (let i = 0; i < accountIds.length; i += ACCOUNT_IDS_PER_CALL) {
      await this.http.request({
        method: 'DELETE',
        path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(serviceDeskId)}/customer`,
        body: { accountIds: accountIds.slice(i, i + ACCOUNT_IDS_PER_CALL) },
      });
    }
  }

  async listCustomers(serviceDeskId: string, opts: { query?: string; pageSize?: number } = {}): Promise<JsmCustomer[]> {
    // 002: JSM uses start/limit + isLastPage (not startAt/maxResults).
    const out: JsmCustomer[] = [];
    const limit = opts.pageSize ?? JSM_PAGE;
    for (let start = 0; ;) {
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

  async close(): Promise<void> {
    await this.http.close();
  }
}

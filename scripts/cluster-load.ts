// Drives a running cluster the way an HR system and an auditor would: signed HR events posted to
// the ingresses (round robin, re-sent on 503 or a dropped connection, as an HR system's webhook
// retries do), and the sandbox's state read back over its SCIM HTTP API and /_admin counters.
// Used by test/cluster/*.test.ts and `npm run bench:e2e -- --cluster`. Every loop is bounded.
import { sign } from '../src/ingress/signature';
import type { LoggedRequest, RequestCounts } from '../src/sandbox';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HrEvent {
  id: string;
  type: 'hire' | 'terminate';
  employee: { employeeId: string; email: string; givenName: string; familyName: string };
}

export function person(employeeId: string): HrEvent['employee'] {
  return {
    employeeId,
    email: `${employeeId.toLowerCase()}@example.com`,
    givenName: 'Cluster',
    familyName: `Person ${employeeId}`,
  };
}

export const hire = (employeeId: string): HrEvent => ({
  id: `evt-hire-${employeeId}`,
  type: 'hire',
  employee: person(employeeId),
});
export const terminate = (employeeId: string): HrEvent => ({
  id: `evt-leave-${employeeId}`,
  type: 'terminate',
  employee: person(employeeId),
});

export interface SendStats {
  accepted: number;
  /** Attempts that failed (503, connection refused or reset) and were sent again. */
  resent: number;
}

/** Posts events to the ingresses in turn; an attempt that fails goes to the next ingress. */
export class HrSender {
  private next = 0;
  readonly stats: SendStats = { accepted: 0, resent: 0 };

  constructor(
    private readonly urls: () => string[],
    private readonly secret: string,
    private readonly deadlineMs = 300_000,
  ) {}

  async post(event: HrEvent): Promise<number> {
    const body = JSON.stringify(event);
    const deadline = Date.now() + this.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      const urls = this.urls();
      const url = urls[this.next++ % urls.length]!;
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-scimflow-signature': sign(this.secret, body, Math.floor(Date.now() / 1000)),
          },
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        if (res.status === 202) {
          this.stats.accepted += 1;
          return Date.now();
        }
        if (res.status !== 503 && res.status !== 502)
          throw new Error(`ingress ${url} answered ${res.status} to ${event.id}`);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('ingress ')) throw err;
        // refused / reset / timed out: an ingress is down; the next one takes it
      }
      this.stats.resent += 1;
      if (Date.now() > deadline)
        throw new Error(`${event.id} not accepted within ${this.deadlineMs} ms (${attempt} attempts)`);
      await sleep(Math.min(2000, 100 * attempt));
    }
  }
}

export async function runPool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

export interface ScimUserView {
  id: string;
  userName: string;
  externalId?: string;
  active?: boolean;
  meta?: { created?: string; lastModified?: string };
}

/** The sandbox: knobs and counters over /_admin, the app's users over its SCIM API. */
export class SandboxClient {
  constructor(readonly url: string) {}

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  setKnobs(app: string, patch: Record<string, unknown>): Promise<unknown> {
    return this.json(`/_admin/${app}/knobs`, {
      method: 'PATCH',
      body: JSON.stringify(patch),
      headers: { 'content-type': 'application/json' },
    });
  }

  counts(app: string): Promise<RequestCounts> {
    return this.json(`/_admin/${app}/counts`);
  }

  requests(app: string): Promise<LoggedRequest[]> {
    return this.json(`/_admin/${app}/requests`);
  }

  resetRequests(app: string): Promise<unknown> {
    return this.json(`/_admin/${app}/requests/reset`, { method: 'POST' });
  }

  /** Users as the sandbox's admin view has them (not counted as requests to the app). */
  adminUsers(app: string): Promise<ScimUserView[]> {
    return this.json(`/_admin/${app}/users`);
  }

  /** Every user, page by page over the app's SCIM API (`GET /Users?startIndex&count`, RFC 7644 §3.4.2.4). */
  async scimUsers(scimBase: string, token: string): Promise<ScimUserView[]> {
    const all: ScimUserView[] = [];
    for (let start = 1, page = 0; page < 1000; page++) {
      const res = await fetch(`${scimBase}/Users?startIndex=${start}&count=200`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' },
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) throw new Error(`GET ${scimBase}/Users: ${res.status}`);
      const body = (await res.json()) as { totalResults: number; Resources?: ScimUserView[] };
      const got = body.Resources ?? [];
      all.push(...got);
      start += got.length;
      if (got.length === 0 || start > body.totalResults) break;
    }
    return all;
  }
}

/** Waits for `done()` to hold, polling; throws with `describe()` after `timeoutMs`. */
export async function waitFor(
  what: string,
  done: () => Promise<boolean>,
  timeoutMs: number,
  describe?: () => Promise<string>,
  everyMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `: ${await describe()}` : ''}`);
    await sleep(everyMs);
  }
}

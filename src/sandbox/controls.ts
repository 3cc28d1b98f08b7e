// Per-app fault and load knobs plus the request log. Applied in front of the app's handlers
// (SCIM and Atlassian REST alike), never in front of /_admin.

export interface Knobs {
  /** Added before every request is handled, ms. */
  latencyMs: number;
  /** Probability (0..1) that a request fails with 503 before it is handled. */
  errorRate: number;
  /** Fixed-window rate limit; 429 + Retry-After (seconds until the window ends). */
  rateLimit: { limit: number; windowMs: number } | null;
  /** The next N requests answer 429 with `retryAfter` as the Retry-After value. */
  throttleNext: number;
  /** Retry-After sent by `throttleNext`: delay-seconds ("7") or an HTTP-date. */
  retryAfter: string;
  /** The next N requests answer `failStatus` (default 500). */
  failNext: number;
  failStatus: number;
  /** The next N writes (POST/PUT/PATCH/DELETE, Users and Groups alike) are committed, then the connection is destroyed before any response. */
  dropAfterCommit: number;
  /**
   * Group displayName is not unique (RFC 7643 §4.2 gives it no uniqueness; scim2-server allows
   * duplicates). Default false: a second group with the same name (case-insensitive) is 409 uniqueness.
   */
  allowDuplicateGroupNames: boolean;
  /**
   * Writes to /Groups (POST, PUT, PATCH, DELETE) answer `status` before they are handled (nothing
   * is stored): the next `count` of them, or every one while set when `count` is omitted.
   */
  groupWriteFailures: { status: number; count?: number } | null;
  /**
   * An error answer quotes the credential the request carried (Authorization / x-api-key), as some
   * apps' debug modes do: the secret scrubbing of error text is tested against it. Default false.
   */
  echoCredentials: boolean;
}

export const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  errorRate: 0,
  rateLimit: null,
  throttleNext: 0,
  retryAfter: '1',
  failNext: 0,
  failStatus: 500,
  dropAfterCommit: 0,
  allowDuplicateGroupNames: false,
  groupWriteFailures: null,
  echoCredentials: false,
};

export interface LoggedRequest {
  at: string;
  method: string;
  /** Path and query; credentials are never logged. */
  url: string;
  status: number;
  /** What the knobs did, if anything: throttled, failed, dropped, delayed. */
  fault?: string;
}

export type Verdict =
  { kind: 'pass' } | { kind: 'reject'; status: number; retryAfter?: string; detail: string; fault: string };

/** Requests kept in the log by default (the oldest are dropped); `counts` covers every request. */
export const DEFAULT_REQUEST_LOG_LIMIT = 2000;

/** Every request since the last reset, by status and by method: never truncated, unlike the log. */
export interface RequestCounts {
  total: number;
  byStatus: Record<string, number>;
  byMethod: Record<string, number>;
  /** The most requests any one rate-limit window admitted or refused (0 without a rate limit). */
  maxPerWindow: number;
}

const emptyCounts = (): RequestCounts => ({ total: 0, byStatus: {}, byMethod: {}, maxPerWindow: 0 });

export class AppControls {
  knobs: Knobs = { ...DEFAULT_KNOBS };
  readonly log: LoggedRequest[] = [];
  counts: RequestCounts = emptyCounts();
  private window = { start: 0, count: 0 };

  constructor(private readonly logLimit = DEFAULT_REQUEST_LOG_LIMIT) {}

  reset(): void {
    this.knobs = { ...DEFAULT_KNOBS };
    this.log.length = 0;
    this.counts = emptyCounts();
    this.window = { start: 0, count: 0 };
  }

  /** Empties the log and the counts, keeping knobs and state (a benchmark phase starts afresh). */
  resetRequests(): void {
    this.log.length = 0;
    this.counts = emptyCounts();
  }

  /** Once the request's status is known (the log entry is recorded on arrival). */
  count(entry: LoggedRequest): void {
    const c = this.counts;
    c.total += 1;
    c.byStatus[String(entry.status)] = (c.byStatus[String(entry.status)] ?? 0) + 1;
    c.byMethod[entry.method] = (c.byMethod[entry.method] ?? 0) + 1;
  }

  setKnobs(patch: Partial<Knobs>): Knobs {
    this.knobs = { ...this.knobs, ...patch };
    this.window = { start: 0, count: 0 };
    return this.knobs;
  }

  record(entry: LoggedRequest): void {
    this.log.push(entry);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }

  async delay(): Promise<void> {
    if (this.knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, this.knobs.latencyMs));
  }

  /** Decides, before handling, whether a request is refused by a knob. */
  admit(now = Date.now()): Verdict {
    const k = this.knobs;
    if (k.throttleNext > 0) {
      k.throttleNext -= 1;
      return { kind: 'reject', status: 429, retryAfter: k.retryAfter, detail: 'Too many requests', fault: 'throttled' };
    }
    if (k.rateLimit) {
      if (now - this.window.start >= k.rateLimit.windowMs) this.window = { start: now, count: 0 };
      this.window.count += 1;
      if (this.window.count > this.counts.maxPerWindow) this.counts.maxPerWindow = this.window.count;
      if (this.window.count > k.rateLimit.limit) {
        const seconds = Math.max(1, Math.ceil((this.window.start + k.rateLimit.windowMs - now) / 1000));
        return {
          kind: 'reject',
          status: 429,
          retryAfter: String(seconds),
          detail: 'Rate limit exceeded',
          fault: 'rate-limited',
        };
      }
    }
    if (k.failNext > 0) {
      k.failNext -= 1;
      return { kind: 'reject', status: k.failStatus, detail: 'Injected failure', fault: 'failed' };
    }
    if (k.errorRate > 0 && Math.random() < k.errorRate) {
      return { kind: 'reject', status: 503, detail: 'Service temporarily unavailable', fault: 'error-rate' };
    }
    return { kind: 'pass' };
  }

  /** Before a write to /Groups is handled: the status to fail it with, if `groupWriteFailures` says so. */
  takeGroupWriteFailure(): number | undefined {
    const f = this.knobs.groupWriteFailures;
    if (!f) return undefined;
    if (f.count !== undefined) {
      if (f.count <= 0) {
        this.knobs.groupWriteFailures = null;
        return undefined;
      }
      const left = f.count - 1;
      this.knobs.groupWriteFailures = left > 0 ? { ...f, count: left } : null;
    }
    return f.status;
  }

  /** After a successful write: should the response be dropped? Consumes one unit of the knob. */
  takeDrop(method: string): boolean {
    if (this.knobs.dropAfterCommit > 0 && method !== 'GET') {
      this.knobs.dropAfterCommit -= 1;
      return true;
    }
    return false;
  }
}

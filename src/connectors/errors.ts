// The connector error taxonomy. Callers (activities, workflows) branch on `code`, never on
// messages or HTTP statuses, so the mapping from HTTP to codes lives here and only here.
// Messages name the app, method, path and status; they never carry credentials.
import { scrubAndTruncate } from '../shared/scrub';

export const CONNECTOR_ERROR_CODES = [
  'RATE_LIMITED',
  'UNAVAILABLE',
  'CONFLICT',
  'NOT_FOUND',
  'INVALID',
  'AUTH_FAILED',
  'PRECONDITION_FAILED',
  'BAD_RESPONSE',
  'UNSUPPORTED',
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

/** Codes for which trying the same request again later can succeed. */
const RETRYABLE: ReadonlySet<ConnectorErrorCode> = new Set(['RATE_LIMITED', 'UNAVAILABLE']);

export interface ConnectorErrorInit {
  app: string;
  method?: string;
  path?: string;
  status?: number;
  scimType?: string;
  detail?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly code: ConnectorErrorCode;
  readonly app: string;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly scimType: string | undefined;
  readonly detail: string | undefined;
  /** Set for RATE_LIMITED (and 503 with Retry-After): how long the app asked us to wait. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ConnectorErrorCode, message: string, init: ConnectorErrorInit) {
    const where = [init.method, init.path].filter(Boolean).join(' ');
    const status = init.status !== undefined ? ` → ${init.status}` : '';
    super(
      `[${code}] ${init.app}${where ? ` ${where}` : ''}${status}: ${message}`,
      init.cause !== undefined ? { cause: init.cause } : undefined,
    );
    this.code = code;
    this.app = init.app;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.scimType = init.scimType;
    this.detail = init.detail;
    this.retryAfterMs = init.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      app: this.app,
      method: this.method,
      path: this.path,
      status: this.status,
      scimType: this.scimType,
      detail: this.detail,
      retryAfterMs: this.retryAfterMs,
      retryable: this.retryable,
    };
  }
}

export function isConnectorError(err: unknown, code?: ConnectorErrorCode): err is ConnectorError {
  return err instanceof ConnectorError && (code === undefined || err.code === code);
}

/**
 * Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns milliseconds from `now`, never negative; undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Maps an HTTP error response onto a code. `body` is the parsed JSON body when there was one. */
export function errorFromStatus(
  status: number,
  ctx: {
    app: string;
    method: string;
    path: string;
    retryAfter?: string | string[];
    body?: unknown;
    now?: number;
    secrets?: readonly string[];
  },
): ConnectorError {
  const scim = readErrorBody(ctx.body);
  // A server may echo what we sent (e.g. "invalid key <key>"): scrub our own credentials out, and
  // only then cut to 500 characters (a token straddling the cut must not leave its first half).
  if (scim.detail !== undefined) scim.detail = scrubAndTruncate(scim.detail, ctx.secrets ?? []);
  const base: ConnectorErrorInit = { app: ctx.app, method: ctx.method, path: ctx.path, status, ...scim };
  const detail = scim.detail ?? defaultDetail(status);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(ctx.retryAfter, ctx.now);
    return new ConnectorError('RATE_LIMITED', detail, {
      ...base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  // RFC 7644 §3.12: 501 = the operation is not implemented by this service provider.
  if (status === 501) return new ConnectorError('UNSUPPORTED', detail, base);
  if (status >= 500 || status === 408) {
    const retryAfterMs = parseRetryAfter(ctx.retryAfter, ctx.now);
    return new ConnectorError('UNAVAILABLE', detail, {
      ...base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 401 || status === 403) return new ConnectorError('AUTH_FAILED', detail, base);
  if (status === 404) return new ConnectorError('NOT_FOUND', detail, base);
  if (status === 409) return new ConnectorError('CONFLICT', detail, base);
  if (status === 412) return new ConnectorError('PRECONDITION_FAILED', detail, base);
  // RFC 7644 §3.12: some providers answer a duplicate with 400 + scimType "uniqueness".
  if (scim.scimType === 'uniqueness') return new ConnectorError('CONFLICT', detail, base);
  return new ConnectorError('INVALID', detail, base);
}

function readErrorBody(body: unknown): { scimType?: string; detail?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const out: { scimType?: string; detail?: string } = {};
  if (typeof b.scimType === 'string') out.scimType = b.scimType;
  if (typeof b.detail === 'string') out.detail = b.detail;
  // Atlassian REST error shapes: Jira `errorMessages[]`, JSM `errorMessage`.
  else if (typeof b.errorMessage === 'string') out.detail = b.errorMessage;
  else if (Array.isArray(b.errorMessages) && typeof b.errorMessages[0] === 'string')
    out.detail = b.errorMessages.join('; ');
  return out;
}

function defaultDetail(status: number): string {
  if (status === 429) return 'rate limited';
  if (status === 401) return 'authentication failed';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not found';
  if (status === 409) return 'conflict';
  if (status === 412) return 'ETag precondition failed';
  if (status >= 500) return 'service unavailable';
  return `HTTP ${status}`;
}

// One HTTP client per app over an undici keep-alive Pool. It sends, reads (capped), checks the
// media type, parses JSON and translates every failure into a ConnectorError. It never retries:
// durable retries belong to the Temporal workflows, which see the error codes.
import { Pool, errors as undiciErrors } from 'undici';
import { authStrategy, scrub, type AuthStrategy } from './auth';
import { ConnectorError, errorFromStatus } from './errors';
import { RequestPacer } from './rate-limiter';
import type { Credentials, Timeouts } from './types';

export const USER_AGENT = 'scimflow/0.1';
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const JSON_TYPES = /^application\/(scim\+)?json\s*(;|$)/i;

export interface HttpClientOptions {
  app: string;
  /** Base URL; request paths are appended to its path. */
  baseUrl: string;
  auth: Credentials;
  timeouts?: Timeouts;
  maxResponseBytes?: number;
  connections?: number;
  /** Content-Type for request bodies (SCIM: application/scim+json, RFC 7644 §3.1). */
  writeContentType?: string;
  accept?: string;
  /** Pace requests to this rate (per process); see rate-limiter.ts. */
  requestsPerSecond?: number;
  /** A pacer made by the caller (who may change its rate: the worker's fleet share); wins over requestsPerSecond. */
  pacer?: RequestPacer;
  /** Called once per request with its outcome (metrics). Never sees bodies or credentials. */
  onResponse?: (e: ResponseEvent) => void;
}

export interface ResponseEvent {
  app: string;
  method: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** The ConnectorError code, when the request failed. */
  code?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, starting with '/'. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T | undefined;
  etag: string | undefined;
}

export class HttpClient {
  readonly app: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly auth: AuthStrategy;
  private readonly maxBytes: number;
  private readonly timeouts: Required<Timeouts>;
  private readonly writeContentType: string;
  private readonly accept: string;
  private readonly pacer: RequestPacer | undefined;
  private readonly onResponse: ((e: ResponseEvent) => void) | undefined;

  constructor(opts: HttpClientOptions) {
    this.app = opts.app;
    this.pacer = opts.pacer ?? (opts.requestsPerSecond ? new RequestPacer(opts.requestsPerSecond) : undefined);
    this.onResponse = opts.onResponse;
    const url = new URL(opts.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.auth = authStrategy(opts.auth);
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.timeouts = {
      connectMs: opts.timeouts?.connectMs ?? 5_000,
      headersMs: opts.timeouts?.headersMs ?? 15_000,
      bodyMs: opts.timeouts?.bodyMs ?? 15_000,
    };
    this.writeContentType = opts.writeContentType ?? 'application/scim+json';
    this.accept = opts.accept ?? 'application/scim+json, application/json';
    this.pool = new Pool(url.origin, {
      connections: opts.connections ?? 4,
      connect: { timeout: this.timeouts.connectMs },
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** The path part used in error messages: the base path plus the request path, no query (it may hold PII filters). */
  private displayPath(path: string): string {
    return `${this.basePath}${path}`;
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const release = this.pacer ? await this.pacer.take() : undefined;
    try {
      const res = await this.send<T>(req);
      this.onResponse?.({ app: this.app, method: req.method, status: res.status });
      return res;
    } catch (err) {
      const e = err instanceof ConnectorError ? err : undefined;
      this.onResponse?.({
        app: this.app,
        method: req.method,
        ...(e?.status !== undefined ? { status: e.status } : {}),
        code: e?.code ?? 'UNKNOWN',
      });
      throw err;
    } finally {
      release?.();
    }
  }

  private async send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const path = this.displayPath(req.path);
    const ctx = { app: this.app, method: req.method, path };
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: this.accept,
      ...this.auth.headers,
      ...req.headers,
    };
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = JSON.stringify(req.body);
      headers['content-type'] = this.writeContentType;
    }
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await this.pool.request({
        method: req.method,
        path: path + queryString(req.query),
        headers,
        body: payload,
      });
    } catch (err) {
      throw this.transportError(err, ctx, false);
    }
    const status = res.statusCode;
    const resHeaders = res.headers;
    let text: string;
    try {
      text = await readCapped(res.body, this.maxBytes);
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      if (err instanceof OversizeError) {
        throw new ConnectorError('BAD_RESPONSE', `response body larger than ${this.maxBytes} bytes`, {
          ...ctx,
          status,
        });
      }
      throw this.transportError(err, ctx, true, status);
    }
    const contentType = headerValue(resHeaders['content-type']);
    const isJson = contentType !== undefined && JSON_TYPES.test(contentType);
    let body: unknown;
    let parseError = false;
    if (text.length > 0 && isJson) {
      try {
        body = JSON.parse(text);
      } catch {
        parseError = true;
      }
    }
    if (status >= 400) {
      throw errorFromStatus(status, {
        ...ctx,
        retryAfter: resHeaders['retry-after'],
        body: parseError ? undefined : body,
        secrets: this.auth.secrets,
      });
    }
    if (status >= 300) {
      throw new ConnectorError('BAD_RESPONSE', `unexpected redirect/status ${status}`, { ...ctx, status });
    }
    if (text.length > 0 && !isJson) {
      throw new ConnectorError('BAD_RESPONSE', `unexpected content type ${JSON.stringify(contentType ?? '(none)')}`, {
        ...ctx,
        status,
      });
    }
    if (parseError) throw new ConnectorError('BAD_RESPONSE', 'response body is not valid JSON', { ...ctx, status });
    return { status, headers: resHeaders, body: body as T | undefined, etag: headerValue(resHeaders.etag) };
  }

  private transportError(
    err: unknown,
    ctx: { app: string; method: string; path: string },
    afterHeaders: boolean,
    status?: number,
  ): ConnectorError {
    const raw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const message = scrub(raw, this.auth.secrets);
    const init = { ...ctx, ...(status !== undefined ? { status } : {}) };
    if (
      err instanceof undiciErrors.BodyTimeoutError ||
      err instanceof undiciErrors.HeadersTimeoutError ||
      err instanceof undiciErrors.ConnectTimeoutError
    ) {
      return new ConnectorError('UNAVAILABLE', `timeout (${message})`, init);
    }
    if (afterHeaders) {
      // The server started answering and the body broke off: a truncated response (content-length
      // mismatch or connection closed mid-body).
      return new ConnectorError('BAD_RESPONSE', `truncated response body (${message})`, init);
    }
    return new ConnectorError('UNAVAILABLE', `connection failed (${message})`, init);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

class OversizeError extends Error {}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  max: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new OversizeError();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function queryString(q: HttpRequest['query']): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  // URLSearchParams encodes spaces as '+'; SCIM servers expect %20 inside filter expressions.
  return s ? `?${s.replace(/\+/g, '%20')}` : '';
}

// The HR webhook ingress: authenticates, validates and hands each event to Temporal.
// Order matters: size limit (while reading) → signature (before parsing: never parse
// unauthenticated JSON) → JSON → schema → dispatch. Every refusal is a 4xx with a JSON body.
import { setMaxListeners } from 'node:events';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HrEventSchema, describeIssues, type HrEvent } from '../shared/hr-event';
import { z } from 'zod';
import { BAMBOO_SIGNATURE_HEADER, BAMBOO_TIMESTAMP_HEADER, translateBamboo, verifyBamboo } from './bamboohr';
import { MIN_SHARED_SECRET_LENGTH, resolveBambooKeys } from '../config/secrets';
import { SIGNATURE_HEADER, SignatureError, replayKey, verifySignature } from './signature';
import { registerApprovalLinks, type ApprovalLinkOptions } from './approval-links';
import { registerRosterRoute, type RosterRouteSettings } from './roster-route';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
/** A client must send its request headers within this time (slow-loris guard). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** A client must send its whole request, body included, within this time. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this time (it holds one of maxConnections). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Connections open at once; the next one is closed as soon as it is accepted. */
export const DEFAULT_MAX_CONNECTIONS = 512;
/** Deadline of each Temporal call made for a request: well inside the socket timeouts, so the sender always gets an answer. */
export const DEFAULT_DISPATCH_TIMEOUT_MS = 4_000;
/** Retry-After of every 503. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * BambooHR webhook private keys from the environment (`SCIMFLOW_BAMBOOHR_WEBHOOK_KEY`, and
 * `…_PREVIOUS` during a rotation; each also as `…_FILE`); POST /webhooks/bamboohr exists only when
 * one is set. Throws ConfigError naming the variable when a key is shorter than the minimum.
 */
export function bambooKeys(env: Record<string, string | undefined> = process.env): { bambooKeys?: string[] } {
  const keys = resolveBambooKeys(env);
  return keys.length ? { bambooKeys: keys } : {};
}

/** How a dispatch must be bounded: the call is abandoned (never retried later) at `deadline`. */
export interface DispatchLimits {
  /** Epoch milliseconds. */
  deadline: number;
  /** Aborted when the ingress gives up on the call (deadline, shutdown). */
  signal: AbortSignal;
}

/**
 * Hands a validated event to the lifecycle engine. Must be idempotent by `event.id`, and must not
 * deliver the event after `limits.deadline` (the sender has been told 503 by then).
 */
export interface EventDispatcher {
  dispatch(event: HrEvent, limits?: DispatchLimits): Promise<{ workflowId: string }>;
}

export interface IngressOptions {
  dispatcher: EventDispatcher;
  /** Current secret first; a second one is accepted while a rotation is under way. */
  secrets: readonly string[];
  maxBodyBytes?: number;
  toleranceSeconds?: number;
  logger?: FastifyBaseLogger | boolean;
  now?: () => number;
  /** BambooHR webhook private keys; enables POST /webhooks/bamboohr. */
  bambooKeys?: readonly string[];
  /** Request headers must arrive within this time. Default 10 s. */
  headersTimeoutMs?: number;
  /** The whole request (headers and body) must arrive within this time (slow-loris guard). Default 10 s. */
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Connections open at once (the next is refused). Default 512. */
  maxConnections?: number;
  /** Deadline of each dispatch (Temporal call). Default 4 s; a batch has twice that in all. */
  dispatchTimeoutMs?: number;
  /** Largest batch accepted by POST /webhooks/hr/batch. */
  maxBatch?: number;
  /** Signed approval links (config notifications.links): serves GET/POST /approvals/link. */
  approvalLinks?: ApprovalLinkOptions;
  /** Enables POST /webhooks/hr/roster (src/ingress/roster-route.ts). */
  roster?: RosterRouteSettings;
  /** Observers for metrics: every accepted event, every refused request (by reason code). */
  onAccepted?(source: string): void;
  onRejected?(reason: string): void;
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

function errorBody(code: string, message: string, fields?: ErrorBody['error']['fields']): ErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Remembers the answer to each accepted signed request until its signature expires, so a replay
 * (however its signature header is spelt: see replayKey) is answered without a second dispatch.
 * A replay that arrives while the first delivery is still being dispatched waits for its answer.
 */
class ReplayCache {
  private readonly done = new Map<string, { reply: Reply; expires: number; weight: number }>();
  private readonly inFlight = new Map<string, Promise<Reply>>();
  private weight = 0;
  /** `maxWeight`: events remembered in all (a batch weighs as many events as it holds). */
  constructor(private readonly maxWeight = 100_000) {}

  async run(
    key: string,
    expires: number,
    now: number,
    work: () => Promise<Reply>,
    cacheable: (r: Reply) => boolean,
    duplicate: (r: Reply) => Reply,
  ): Promise<Reply> {
    const hit = this.done.get(key);
    if (hit && hit.expires >= now) return duplicate(hit.reply);
    if (hit) this.forget(key);
    const pending = this.inFlight.get(key);
    if (pending) {
      const reply = await pending;
      return cacheable(reply) ? duplicate(reply) : reply;
    }
    const p = work();
    this.inFlight.set(key, p);
    try {
      const reply = await p;
      if (cacheable(reply)) this.remember(key, reply, expires, now);
      return reply;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private forget(key: string): void {
    const e = this.done.get(key);
    if (!e) return;
    this.weight -= e.weight;
    this.done.delete(key);
  }

  private remember(key: string, reply: Reply, expires: number, now: number): void {
    const results =
      (reply.body as { results?: unknown[]; workflowIds?: unknown[] } | null)?.results ??
      (reply.body as { workflowIds?: unknown[] } | null)?.workflowIds;
    const weight = Math.max(1, results?.length ?? 1);
    // Map iterates in insertion order: drop expired entries, then the oldest while over the budget.
    for (const [k, e] of this.done) {
      if (e.expires >= now && this.weight + weight <= this.maxWeight) break;
      this.forget(k);
    }
    this.done.set(key, { reply, expires, weight });
    this.weight += weight;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`ingress option ${name} must be a positive number (got ${value})`);
  return value;
}

export function buildIngress(opts: IngressOptions): FastifyInstance {
  if (opts.secrets.length === 0 || opts.secrets.some((s) => s.length < MIN_SHARED_SECRET_LENGTH)) {
    throw new Error(`ingress needs at least one webhook secret of ${MIN_SHARED_SECRET_LENGTH} or more characters`);
  }
  if (opts.bambooKeys?.some((k) => k.length < MIN_SHARED_SECRET_LENGTH)) {
    throw new Error(`BambooHR webhook keys must be ${MIN_SHARED_SECRET_LENGTH} or more characters`);
  }
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const tolerance = opts.toleranceSeconds ?? 300;
  const replay = new ReplayCache();
  const requestTimeout = positive(
    'requestTimeoutMs',
    opts.requestTimeoutMs ?? Math.max(DEFAULT_REQUEST_TIMEOUT_MS, opts.headersTimeoutMs ?? 0),
  );
  const headersTimeout = positive(
    'headersTimeoutMs',
    opts.headersTimeoutMs ?? Math.min(DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout),
  );
  if (headersTimeout > requestTimeout)
    throw new Error(
      `ingress headersTimeoutMs (${headersTimeout}) must not exceed requestTimeoutMs (${requestTimeout})`,
    );
  const dispatchTimeout = positive('dispatchTimeoutMs', opts.dispatchTimeoutMs ?? DEFAULT_DISPATCH_TIMEOUT_MS);
  // A request with several events (batch, BambooHR) gets twice one dispatch's deadline in all.
  const multiBudget = 2 * dispatchTimeout;
  // Grace for a dispatcher that does not honour its deadline (the Temporal one does).
  const guardGrace = 1_000;

  const app = Fastify({
    logger:
      opts.logger === undefined || opts.logger === false
        ? false
        : opts.logger === true
          ? {
              redact: {
                paths: [
                  `req.headers["${SIGNATURE_HEADER}"]`,
                  `req.headers["${BAMBOO_SIGNATURE_HEADER}"]`,
                  'req.headers.authorization',
                ],
                censor: '[redacted]',
              },
            }
          : undefined,
    ...(typeof opts.logger === 'object' ? { loggerInstance: opts.logger } : {}),
    bodyLimit: maxBodyBytes,
    // Slow clients: Node's own defaults (headers 60 s, checked every 30 s) let one hold a socket for
    // up to 90 s. The check runs often enough that a timeout holds to within a tenth of itself.
    http: {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 10))),
    },
    requestTimeout,
    // Socket inactivity: while a request is received, and while it is handled — the handler always
    // answers first (its dispatches end by their deadlines), so a sender never gets an empty reply.
    connectionTimeout: Math.max(requestTimeout, multiBudget + guardGrace + 2_000),
    keepAliveTimeout: positive('keepAliveTimeoutMs', opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
  });
  app.server.maxConnections = positive('maxConnections', opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  // Aborted on close: dispatches under way are abandoned (their callers get 503) instead of holding the shutdown.
  const closing = new AbortController();
  // One listener per dispatch under way (removed when it ends); as many as connections may be open.
  setMaxListeners(0, closing.signal);
  app.addHook('preClose', async () => closing.abort());

  app.removeAllContentTypeParsers();
  // Keep the raw bytes: the HMAC is over exactly what was sent.
  app.addContentTypeParser(
    ['application/json', 'application/*+json'],
    { parseAs: 'buffer', bodyLimit: maxBodyBytes },
    (_req, body, done) => done(null, body),
  );

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply.code(413).send(errorBody('body_too_large', `request body exceeds ${maxBodyBytes} bytes`));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.code(415).send(errorBody('unsupported_media_type', 'Content-Type must be application/json'));
    }
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('bad_request', err.message));
    app.log.error({ err }, 'ingress error');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );

  const refused = opts.onRejected ?? (() => undefined);
  const accepted = opts.onAccepted ?? (() => undefined);
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode >= 400) {
      // The error code is the reason; it is in the JSON body every refusal sends.
      const m = typeof payload === 'string' ? /"code":"([a-z_]+)"/.exec(payload) : null;
      refused(m?.[1] ?? String(reply.statusCode));
    }
    return payload;
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  if (opts.approvalLinks) registerApprovalLinks(app, opts.approvalLinks);

  const unavailable = (message: string): Reply => ({
    status: 503,
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    body: errorBody('unavailable', message),
  });
  const send = (reply: FastifyReply, r: Reply) => {
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    return reply.code(r.status).send(r.body);
  };

  /**
   * Dispatches one validated event within `deadline`. A failure is the caller's 503 (the HR system
   * redelivers; the workflow ignores an event id it has seen). The call is abandoned at the deadline
   * or on shutdown, and this only returns once it is over: a 503 is never followed by a late delivery.
   */
  const dispatchOne = async (
    event: HrEvent,
    source: string,
    deadline: number,
    log: FastifyBaseLogger,
  ): Promise<{ ok: true; workflowId: string } | { ok: false }> => {
    if (closing.signal.aborted || Date.now() >= deadline) return { ok: false };
    const ctrl = new AbortController();
    const onClose = () => ctrl.abort();
    closing.signal.addEventListener('abort', onClose);
    const timer = setTimeout(() => ctrl.abort(), Math.max(0, deadline - Date.now()));
    let guard: NodeJS.Timeout | undefined;
    try {
      const call = opts.dispatcher.dispatch(event, { deadline, signal: ctrl.signal });
      const late = new Promise<never>((_, reject) => {
        guard = setTimeout(
          () => reject(new Error('the dispatcher did not honour its deadline')),
          Math.max(0, deadline - Date.now()) + guardGrace,
        );
      });
      const { workflowId } = await Promise.race([call, late]);
      accepted(source);
      return { ok: true, workflowId };
    } catch (err) {
      log.error({ err: String(err), eventId: event.id, source }, 'dispatch failed');
      return { ok: false };
    } finally {
      clearTimeout(timer);
      clearTimeout(guard);
      closing.signal.removeEventListener('abort', onClose);
    }
  };

  /** Signature check shared by the scimflow routes; the reply is a 401 when it fails. */
  const checkSignature = (req: FastifyRequest, raw: Buffer): { key: string; expires: number } | Reply => {
    const header = req.headers[SIGNATURE_HEADER];
    try {
      const sig = verifySignature(Array.isArray(header) ? header[0] : header, raw, opts.secrets, now(), tolerance);
      return { key: `${req.routeOptions.url}:${replayKey(sig)}`, expires: sig.t + tolerance };
    } catch (err) {
      if (err instanceof SignatureError) return { status: 401, body: errorBody(`signature_${err.code}`, err.message) };
      throw err;
    }
  };
  const parseJson = (raw: Buffer): { json: unknown } | Reply => {
    try {
      return { json: JSON.parse(raw.toString('utf8')) as unknown };
    } catch (err) {
      return { status: 400, body: errorBody('invalid_json', `body is not valid JSON: ${(err as Error).message}`) };
    }
  };
  const notJson = (): Reply => ({
    status: 415,
    body: errorBody('unsupported_media_type', 'Content-Type must be application/json'),
  });
  const isReply = (x: object): x is Reply => 'status' in x;

  /**
   * A request signed with the webhook secret: JSON content type, signature (before any parsing),
   * replay cache (a replay is answered like the original), JSON — then `handle` gets the body.
   */
  const signedJson = async (
    req: FastifyRequest,
    handle: (json: unknown) => Promise<Reply>,
    accepted: (r: Reply) => boolean,
    duplicate: (r: Reply) => Reply,
  ): Promise<Reply> => {
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) return notJson();
    const sig = checkSignature(req, raw);
    if (isReply(sig)) return sig;
    return replay.run(
      sig.key,
      sig.expires,
      now(),
      async (): Promise<Reply> => {
        const body = parseJson(raw);
        return isReply(body) ? body : handle(body.json);
      },
      accepted,
      duplicate,
    );
  };

  app.post('/webhooks/hr', async (req, reply) => {
    const result = await signedJson(
      req,
      async (json): Promise<Reply> => {
        const parsed = HrEventSchema.safeParse(json);
        if (!parsed.success) {
          const fields = describeIssues(parsed.error);
          return {
            status: 400,
            body: errorBody('invalid_event', `invalid HR event: ${fields.map((f) => f.field).join(', ')}`, fields),
          };
        }
        const res = await dispatchOne(parsed.data, 'hr', Date.now() + dispatchTimeout, req.log);
        if (!res.ok) return unavailable('the lifecycle engine is unavailable; retry later');
        return { status: 202, body: { workflowId: res.workflowId } };
      },
      (r) => r.status === 202,
      (r) => ({ status: 202, body: { ...(r.body as object), duplicate: true } }),
    );
    return send(reply, result);
  });

  /**
   * Dispatches events in order within one budget, stopping at the first failure: the events after
   * it are not sent (they may be for the same person, and must not overtake it).
   */
  const dispatchInOrder = async (
    events: HrEvent[],
    source: string,
    log: FastifyBaseLogger,
  ): Promise<({ ok: true; workflowId: string } | { ok: false; sent: boolean })[]> => {
    const end = Date.now() + multiBudget;
    const out: ({ ok: true; workflowId: string } | { ok: false; sent: boolean })[] = [];
    for (const e of events) {
      if (out.some((r) => !r.ok)) {
        out.push({ ok: false, sent: false });
        continue;
      }
      const res = await dispatchOne(e, source, Math.min(end, Date.now() + dispatchTimeout), log);
      out.push(res.ok ? res : { ok: false, sent: true });
    }
    return out;
  };

  // Backfills: many events in one signed request. Every event is validated before any is sent: one
  // bad event refuses the whole batch (400 naming each bad field), so a batch is never half applied
  // because of its content. Each dispatched event is then answered on its own line.
  const maxBatch = opts.maxBatch ?? 500;
  const BatchSchema = z
    .object({
      events: z
        .array(z.unknown())
        .min(1, 'must hold at least one event')
        .max(maxBatch, `must hold at most ${maxBatch} events`),
    })
    .strict();
  app.post('/webhooks/hr/batch', async (req, reply) => {
    const result = await signedJson(
      req,
      async (json): Promise<Reply> => {
        const batch = BatchSchema.safeParse(json);
        if (!batch.success) {
          const fields = describeIssues(batch.error);
          return {
            status: 400,
            body: errorBody('invalid_batch', `invalid batch: ${fields.map((f) => f.field).join(', ')}`, fields),
          };
        }
        const events: HrEvent[] = [];
        const fields: { field: string; message: string }[] = [];
        batch.data.events.forEach((item, index) => {
          const parsed = HrEventSchema.safeParse(item);
          if (parsed.success) events.push(parsed.data);
          else
            fields.push(
              ...describeIssues(parsed.error).map((f) => ({
                ...f,
                field: f.field === '(body)' ? `events[${index}]` : `events[${index}].${f.field}`,
              })),
            );
        });
        if (fields.length) {
          return {
            status: 400,
            body: errorBody(
              'invalid_event',
              `invalid HR event(s) in the batch, nothing was sent: ${[...new Set(fields.map((f) => f.field))].join(', ')}`,
              fields,
            ),
          };
        }
        const outcomes = await dispatchInOrder(events, 'batch', req.log);
        const results = outcomes.map((o, index) =>
          o.ok
            ? { index, id: events[index]!.id, status: 202 as const, workflowId: o.workflowId }
            : {
                index,
                id: events[index]!.id,
                status: 503 as const,
                error: {
                  code: 'unavailable',
                  message: o.sent
                    ? 'the lifecycle engine is unavailable; resend this event'
                    : 'not sent (an earlier event could not be); resend this event',
                },
              },
        );
        const accepted202 = results.filter((r) => r.status === 202).length;
        return { status: 200, body: { accepted: accepted202, rejected: results.length - accepted202, results } };
      },
      (r) => r.status === 200 && (r.body as { rejected: number }).rejected === 0,
      (r) => ({ status: 200, body: { ...(r.body as object), duplicate: true } }),
    );
    if (result.status === 503 || (result.status === 200 && (result.body as { rejected: number }).rejected > 0))
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return send(reply, result);
  });

  if (opts.roster) {
    registerRosterRoute(
      app,
      {
        secrets: opts.secrets,
        now,
        tolerance,
        closing: closing.signal,
        replay: (key, expires, work) =>
          replay.run(
            key,
            expires,
            now(),
            work,
            (r) => r.status === 200,
            (r) => ({ status: 200, body: { ...(r.body as object), duplicate: true } }),
          ),
        dispatchOne: (event, deadline, log) => dispatchOne(event, 'roster', deadline, log),
        errorBody,
        unavailable,
      },
      opts.roster,
    );
  }

  if (opts.bambooKeys?.length) {
    const keys = opts.bambooKeys;
    app.post('/webhooks/bamboohr', async (req, reply) => {
      const raw = req.body;
      if (!Buffer.isBuffer(raw)) return send(reply, notJson());
      const sigHeader = req.headers[BAMBOO_SIGNATURE_HEADER];
      const tsHeader = req.headers[BAMBOO_TIMESTAMP_HEADER];
      const sig = Array.isArray(sigHeader) ? sigHeader[0] : sigHeader;
      const ts = Array.isArray(tsHeader) ? tsHeader[0] : tsHeader;
      let signedAt: number;
      try {
        signedAt = verifyBamboo(sig, ts, raw, keys, now(), tolerance);
      } catch (err) {
        return send(reply, { status: 401, body: errorBody('signature_invalid', (err as Error).message) });
      }
      const result = await replay.run(
        `bamboohr:${ts}:${sig!.toLowerCase()}`,
        signedAt + tolerance,
        now(),
        async (): Promise<Reply> => {
          const body = parseJson(raw);
          if (isReply(body)) return body;
          // Every employee is translated and validated before any event is sent.
          const { events, errors } = translateBamboo(body.json, String(ts));
          if (errors.length)
            return {
              status: 400,
              body: errorBody(
                'invalid_event',
                `invalid BambooHR payload, nothing was sent: ${errors.map((e) => e.field).join(', ')}`,
                errors,
              ),
            };
          const outcomes = await dispatchInOrder(events, 'bamboohr', req.log);
          if (outcomes.some((o) => !o.ok))
            return unavailable(
              'the lifecycle engine is unavailable; retry later (events already accepted are not applied twice)',
            );
          return { status: 202, body: { workflowIds: outcomes.map((o) => (o as { workflowId: string }).workflowId) } };
        },
        (r) => r.status === 202,
        (r) => ({ status: 202, body: { ...(r.body as object), duplicate: true } }),
      );
      return send(reply, result);
    });
  }

  return app;
}

// The HR webhook ingress: authenticates, validates and hands each event to Temporal.
// Order matters: size limit (while reading) → signature (before parsing: never parse
// unauthenticated JSON) → JSON → schema → dispatch. Every refusal is a 4xx with a JSON body.
import Fastify, { type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import { HrEventSchema, describeIssues, type HrEvent } from '../shared/hr-event';
import { z } from 'zod';
import { BAMBOO_SIGNATURE_HEADER, BAMBOO_TIMESTAMP_HEADER, translateBamboo, verifyBamboo } from './bamboohr';
import { SIGNATURE_HEADER, SignatureError, verify } from './signature';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/**
 * BambooHR webhook private keys from the environment (`SCIMFLOW_BAMBOOHR_WEBHOOK_KEY`, and
 * `…_PREVIOUS` during a rotation); POST /webhooks/bamboohr exists only when one is set.
 */
export function bambooKeys(env: Record<string, string | undefined> = process.env): { bambooKeys?: string[] } {
  const keys = [env.SCIMFLOW_BAMBOOHR_WEBHOOK_KEY, env.SCIMFLOW_BAMBOOHR_WEBHOOK_KEY_PREVIOUS].filter((k): k is string => Boolean(k));
  return keys.length ? { bambooKeys: keys } : {};
}

/** Hands a validated event to the lifecycle engine. Must be idempotent by `event.id`. */
export interface EventDispatcher {
  dispatch(event: HrEvent): Promise<{ workflowId: string }>;
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
  /** A client must finish sending its request within this time (slow-loris guard). Default 10 s. */
  requestTimeoutMs?: number;
  /** Largest batch accepted by POST /webhooks/hr/batch. */
  maxBatch?: number;
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

/** Remembers accepted signatures for the tolerance window, so a replayed request is answered without a second dispatch. */
class ReplayCache {
  private readonly seen = new Map<string, { workflowId: string; expires: number }>();
  constructor(
    private readonly ttlSeconds: number,
    private readonly maxEntries = 100_000,
  ) {}
  get(sig: string, now: number): string | undefined {
    const hit = this.seen.get(sig);
    if (!hit) return undefined;
    if (hit.expires < now) {
      this.seen.delete(sig);
      return undefined;
    }
    return hit.workflowId;
  }
  set(sig: string, workflowId: string, now: number): void {
    if (this.seen.size >= this.maxEntries) {
      // Map iterates in insertion order: drop the oldest entry.
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(sig, { workflowId, expires: now + this.ttlSeconds * 2 });
  }
}

export function buildIngress(opts: IngressOptions): FastifyInstance {
  if (opts.secrets.length === 0 || opts.secrets.some((s) => s.length < 16)) {
    throw new Error('ingress needs at least one webhook secret of 16 or more characters');
  }
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const tolerance = opts.toleranceSeconds ?? 300;
  const replay = new ReplayCache(tolerance);

  const app = Fastify({
    logger:
      opts.logger === undefined || opts.logger === false
        ? false
        : opts.logger === true
          ? { redact: { paths: [`req.headers["${SIGNATURE_HEADER}"]`, 'req.headers.authorization'], censor: '[redacted]' } }
          : undefined,
    ...(typeof opts.logger === 'object' ? { loggerInstance: opts.logger } : {}),
    bodyLimit: maxBodyBytes,
    // Slow-loris: a client that trickles its body is cut off instead of holding a socket forever.
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    connectionTimeout: opts.requestTimeoutMs ?? 10_000,
  });

  app.removeAllContentTypeParsers();
  // Keep the raw bytes: the HMAC is over exactly what was sent.
  app.addContentTypeParser(['application/json', 'application/*+json'], { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

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
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));

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

  /** Dispatches one validated event; a dispatch failure is the caller's 503 (the HR system retries). */
  const dispatchOne = async (event: HrEvent, source: string) => {
    const res = await opts.dispatcher.dispatch(event);
    accepted(source);
    return res;
  };

  app.post('/webhooks/hr', async (req, reply) => {
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) {
      return reply.code(415).send(errorBody('unsupported_media_type', 'Content-Type must be application/json'));
    }
    const header = req.headers[SIGNATURE_HEADER];
    const sig = Array.isArray(header) ? header[0] : header;
    const t = now();
    try {
      verify(sig, raw, opts.secrets, t, tolerance);
    } catch (err) {
      if (err instanceof SignatureError) return reply.code(401).send(errorBody(`signature_${err.code}`, err.message));
      throw err;
    }
    const replayed = replay.get(sig!, t);
    if (replayed) return reply.code(202).send({ workflowId: replayed, duplicate: true });

    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return reply.code(400).send(errorBody('invalid_json', `body is not valid JSON: ${(err as Error).message}`));
    }
    const parsed = HrEventSchema.safeParse(json);
    if (!parsed.success) {
      const fields = describeIssues(parsed.error);
      return reply.code(400).send(errorBody('invalid_event', `invalid HR event: ${fields.map((f) => f.field).join(', ')}`, fields));
    }
    let workflowId: string;
    try {
      ({ workflowId } = await dispatchOne(parsed.data, 'hr'));
    } catch (err) {
      // The event is not lost: the HR system gets a 503 and redelivers, and dispatch is idempotent by event id.
      req.log.error({ err, eventId: parsed.data.id }, 'dispatch failed');
      return reply.code(503).header('retry-after', '5').send(errorBody('unavailable', 'the lifecycle engine is unavailable; retry later'));
    }
    replay.set(sig!, workflowId, t);
    return reply.code(202).send({ workflowId });
  });

  // Backfills: many events in one signed request, each validated and answered on its own.
  const maxBatch = opts.maxBatch ?? 500;
  const BatchSchema = z.object({ events: z.array(z.unknown()).min(1, 'must hold at least one event').max(maxBatch, `must hold at most ${maxBatch} events`) }).strict();
  app.post('/webhooks/hr/batch', async (req, reply) => {
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) return reply.code(415).send(errorBody('unsupported_media_type', 'Content-Type must be application/json'));
    const header = req.headers[SIGNATURE_HEADER];
    try {
      verify(Array.isArray(header) ? header[0] : header, raw, opts.secrets, now(), tolerance);
    } catch (err) {
      if (err instanceof SignatureError) return reply.code(401).send(errorBody(`signature_${err.code}`, err.message));
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return reply.code(400).send(errorBody('invalid_json', `body is not valid JSON: ${(err as Error).message}`));
    }
    const batch = BatchSchema.safeParse(json);
    if (!batch.success) {
      const fields = describeIssues(batch.error);
      return reply.code(400).send(errorBody('invalid_batch', `invalid batch: ${fields.map((f) => f.field).join(', ')}`, fields));
    }
    const results: ({ index: number; id?: string; status: 202; workflowId: string } | { index: number; id?: string; status: 400 | 503; error: ErrorBody['error'] })[] = [];
    for (const [index, item] of batch.data.events.entries()) {
      const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
      const parsed = HrEventSchema.safeParse(item);
      if (!parsed.success) {
        const fields = describeIssues(parsed.error).map((f) => ({ ...f, field: `events[${index}].${f.field}` }));
        results.push({ index, ...(id ? { id } : {}), status: 400, error: { code: 'invalid_event', message: 'invalid HR event', fields } });
        refused('invalid_event');
        continue;
      }
      try {
        const { workflowId } = await dispatchOne(parsed.data, 'batch');
        results.push({ index, id: parsed.data.id, status: 202, workflowId });
      } catch (err) {
        req.log.error({ err, eventId: parsed.data.id }, 'dispatch failed');
        results.push({ index, id: parsed.data.id, status: 503, error: { code: 'unavailable', message: 'the lifecycle engine is unavailable; resend this event' } });
      }
    }
    const accepted202 = results.filter((r) => r.status === 202).length;
    return reply.code(200).send({ accepted: accepted202, rejected: results.length - accepted202, results });
  });

  if (opts.bambooKeys?.length) {
    const keys = opts.bambooKeys;
    app.post('/webhooks/bamboohr', async (req, reply) => {
      const raw = req.body;
      if (!Buffer.isBuffer(raw)) return reply.code(415).send(errorBody('unsupported_media_type', 'Content-Type must be application/json'));
      const sig = req.headers[BAMBOO_SIGNATURE_HEADER];
      const ts = req.headers[BAMBOO_TIMESTAMP_HEADER];
      try {
        verifyBamboo(Array.isArray(sig) ? sig[0] : sig, Array.isArray(ts) ? ts[0] : ts, raw, keys, now(), tolerance);
      } catch (err) {
        return reply.code(401).send(errorBody('signature_invalid', (err as Error).message));
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        return reply.code(400).send(errorBody('invalid_json', `body is not valid JSON: ${(err as Error).message}`));
      }
      const { events, errors } = translateBamboo(json, String(Array.isArray(ts) ? ts[0] : ts));
      if (errors.length) return reply.code(400).send(errorBody('invalid_event', `invalid BambooHR payload: ${errors.map((e) => e.field).join(', ')}`, errors));
      const workflowIds: string[] = [];
      try {
        for (const e of events) workflowIds.push((await dispatchOne(e, 'bamboohr')).workflowId);
      } catch (err) {
        req.log.error({ err }, 'dispatch failed');
        return reply.code(503).header('retry-after', '5').send(errorBody('unavailable', 'the lifecycle engine is unavailable; retry later'));
      }
      return reply.code(202).send({ workflowIds });
    });
  }

  return app;
}

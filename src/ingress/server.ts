// The HR webhook ingress: authenticates, validates and hands each event to Temporal.
// Order matters: size limit (while reading) → signature (before parsing: never parse
// unauthenticated JSON) → JSON → schema → dispatch. Every refusal is a 4xx with a JSON body.
import Fastify, { type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import { HrEventSchema, describeIssues, type HrEvent } from '../shared/hr-event';
import { SIGNATURE_HEADER, SignatureError, verify } from './signature';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

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
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
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

  app.get('/healthz', async () => ({ status: 'ok' }));

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
      ({ workflowId } = await opts.dispatcher.dispatch(parsed.data));
    } catch (err) {
      // The event is not lost: the HR system gets a 503 and redelivers, and dispatch is idempotent by event id.
      req.log.error({ err, eventId: parsed.data.id }, 'dispatch failed');
      return reply.code(503).header('retry-after', '5').send(errorBody('unavailable', 'the lifecycle engine is unavailable; retry later'));
    }
    replay.set(sig!, workflowId, t);
    return reply.code(202).send({ workflowId });
  });

  return app;
}

// `scimflow codec-server`: the remote codec the Temporal Web UI (and `temporal … --codec-endpoint`)
// calls to show encrypted payloads in clear and to encrypt what a person types (a signal's input).
// Temporal's codec-server protocol: POST …/encode and POST …/decode (only the last path segment
// counts), body and answer `{"payloads": [{"metadata": {k: base64}, "data": base64}]}`, the
// namespace in X-Namespace. docs/security.md, "The codec server".
//
// Whoever may call it can read every HR record (decode) and forge payloads the worker accepts
// (encode): it demands a bearer token from the accepted list (the UI's `passAccessToken` sends the
// signed-in user's), answers browsers only from the configured origins (CORS), and listens on
// loopback unless configured otherwise.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { loadConfig, resolveCodecServerSecrets, type Env, type ScimflowConfig } from '../config';
import { isLoopbackHost } from '../config/schema';
import { createLogger, type Logger } from '../shared/logger';
import { keyRing } from '../temporal/options';
import { EncryptionCodec, isEncrypted, type KeyRing } from './encryption';

/** The UI decodes a whole event history at once (history download): room for many payloads. */
export const DEFAULT_CODEC_BODY_LIMIT = 16 * 1024 * 1024;
const MAX_PAYLOADS = 10_000;
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';

export interface CodecServerOptions {
  ring: KeyRing;
  /** Accepted bearer tokens. */
  tokens: readonly string[];
  /** Serve requests without a token (`scimflow dev` on loopback). */
  allowUnauthenticated?: boolean;
  /** Browser origins allowed to call it (exact match on the Origin header). */
  corsOrigins: readonly string[];
  /** When set, a request whose X-Namespace names another namespace is refused. */
  namespace?: string;
  https?: { cert: string; key: string };
  bodyLimit?: number;
  logger?: FastifyBaseLogger | boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time membership: every accepted token is compared, and lengths do not leak. */
function tokenAccepted(given: string, accepted: readonly Buffer[]): boolean {
  const d = digest(given);
  let ok = false;
  for (const a of accepted) ok = timingSafeEqual(d, a) || ok;
  return ok;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
function bytes(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new HttpError(400, `${where}: expected a base64 string`);
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Payloads in their protobuf-JSON form → Payload objects; a malformed body is a 400 naming the field. */
export function payloadsFromJson(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (body === null || typeof body !== 'object' || !Array.isArray(list))
    throw new HttpError(400, 'expected {"payloads": [...]}');
  if (list.length > MAX_PAYLOADS) throw new HttpError(413, `at most ${MAX_PAYLOADS} payloads per request`);
  return list.map((p: unknown, i) => {
    if (p === null || typeof p !== 'object') throw new HttpError(400, `payloads[${i}]: expected an object`);
    const { metadata = {}, data } = p as { metadata?: unknown; data?: unknown };
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
      throw new HttpError(400, `payloads[${i}].metadata: expected an object`);
    const md: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(metadata)) md[k] = bytes(v, `payloads[${i}].metadata.${k}`);
    return {
      metadata: md,
      data: data === undefined || data === null ? new Uint8Array() : bytes(data, `payloads[${i}].data`),
    };
  });
}

export function payloadsToJson(payloads: Payload[]): {
  payloads: { metadata: Record<string, string>; data: string }[];
} {
  const b64 = (u: Uint8Array | null | undefined) => Buffer.from(u ?? new Uint8Array()).toString('base64');
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
      data: b64(p.data),
    })),
  };
}

export function buildCodecServer(opts: CodecServerOptions): FastifyInstance {
  if (!opts.allowUnauthenticated && opts.tokens.length === 0)
    throw new Error('the codec server needs at least one accepted token (or allowUnauthenticated on loopback)');
  const accepted = opts.tokens.map(digest);
  const origins = new Set(opts.corsOrigins);
  // Encoding is always with the current key; decoding passes a payload that is not encrypted
  // through (it is shown as it is: showing is no trust decision), and one it cannot decrypt too,
  // with a warning — the UI then shows that payload still encrypted instead of nothing at all.
  const codec = new EncryptionCodec({ ...opts.ring, acceptUnencrypted: true });
  const app = Fastify({
    ...(typeof opts.logger === 'object' ? { loggerInstance: opts.logger } : { logger: opts.logger ?? false }),
    bodyLimit: opts.bodyLimit ?? DEFAULT_CODEC_BODY_LIMIT,
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    // fastify's request lines name method, URL and address only: no header, no payload.
  });

  const cors = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser (the temporal CLI, curl): CORS does not apply
    if (!origins.has(origin)) return false;
    reply
      .header('Access-Control-Allow-Origin', origin)
      .header('Vary', 'Origin')
      .header('Access-Control-Allow-Credentials', 'true');
    return true;
  };

  const authorise = (req: FastifyRequest) => {
    const ns = req.headers['x-namespace'];
    if (opts.namespace && typeof ns === 'string' && ns !== '' && ns !== opts.namespace)
      throw new HttpError(403, `this codec server serves namespace ${opts.namespace}, not ${ns}`);
    if (opts.allowUnauthenticated) return;
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m || !tokenAccepted(m[1]!, accepted))
      throw new HttpError(
        401,
        m ? 'the bearer token is not accepted' : 'a bearer token is required (Authorization: Bearer …)',
      );
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!cors(req, reply)) {
      // A page of another origin: no CORS headers, so its browser refuses to read the answer.
      await reply.code(403).send({ error: `origin ${req.headers.origin} is not allowed (codecServer.corsOrigins)` });
      return reply;
    }
    return undefined;
  });

  app.options('/*', async (_req, reply) => {
    reply
      .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
      .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
      .header('Access-Control-Max-Age', '600');
    return reply.code(204).send();
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.post('/*', async (req, reply) => {
    const op = /\/(encode|decode)\/?$/.exec(req.url.split('?')[0]!)?.[1];
    try {
      if (!op) throw new HttpError(404, 'POST …/encode or …/decode');
      authorise(req);
      const payloads = payloadsFromJson(req.body);
      if (op === 'encode') return payloadsToJson(await codec.encode(payloads));
      let failed = 0;
      const out = payloads.map((p) => {
        if (!isEncrypted(p)) return p;
        try {
          return codec.decryptOne(p);
        } catch {
          failed++;
          return p;
        }
      });
      if (failed)
        req.log.warn(
          { failed, of: payloads.length },
          'payloads that could not be decrypted were returned as they are (unknown key, or altered)',
        );
      return payloadsToJson(out);
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.status === 401) reply.header('WWW-Authenticate', 'Bearer');
        return reply.code(err.status).send({ error: err.message });
      }
      throw err;
    }
  });
  return app;
}

export interface RunningCodecServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the codec server of `config` (keys from temporal.encryption, the rest from codecServer). */
export async function startCodecServer(
  config: ScimflowConfig,
  opts: {
    env?: Env;
    host?: string;
    port?: number;
    log?: Logger;
    allowUnauthenticated?: boolean;
    extraTokens?: string[];
  } = {},
): Promise<RunningCodecServer> {
  const env = opts.env ?? process.env;
  const ring = keyRing(config, env);
  if (!ring)
    throw new Error(
      `${config.source}: temporal.encryption is not configured: there is nothing for a codec server to decode`,
    );
  const secrets = resolveCodecServerSecrets(config, env);
  const host = opts.host ?? config.codecServer.host;
  const allowUnauthenticated = opts.allowUnauthenticated ?? config.codecServer.allowUnauthenticated;
  if (allowUnauthenticated && !isLoopbackHost(host))
    throw new Error(`the codec server serves without a token only on a loopback host, not ${host}`);
  const app = buildCodecServer({
    ring,
    tokens: [...secrets.tokens, ...(opts.extraTokens ?? [])],
    allowUnauthenticated,
    corsOrigins: config.codecServer.corsOrigins,
    namespace: env.TEMPORAL_NAMESPACE || config.temporal.namespace,
    ...(secrets.tls ? { https: secrets.tls } : {}),
    ...(opts.log ? { logger: opts.log as unknown as FastifyBaseLogger } : {}),
  });
  await app.listen({ host, port: opts.port ?? config.codecServer.port });
  const a = app.server.address() as AddressInfo;
  const shownHost = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  const url = `${secrets.tls ? 'https' : 'http'}://${shownHost}:${a.port}`;
  opts.log?.info(
    {
      url,
      origins: config.codecServer.corsOrigins,
      auth: allowUnauthenticated ? 'none (loopback, development)' : `bearer (${secrets.tokens.length} token(s))`,
      currentKey: ring.current,
    },
    'codec server listening',
  );
  return { url, close: () => app.close() };
}

/** `scimflow codec-server`: runs until SIGINT / SIGTERM. */
export async function runCodecServerProcess(
  configFile: string,
  overrides: { host?: string; port?: number } = {},
): Promise<void> {
  const log = createLogger({ name: 'scimflow-codec-server' });
  const config = loadConfig(configFile);
  const running = await startCodecServer(config, { ...overrides, log });
  const stop = () => void running.close().then(() => log.info('codec server stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// One pino logger factory, with redaction of every place a secret could surface.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'token',
  'apiKey',
  'password',
  'secret',
  'webhookSecret',
  'authorization',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.authorization',
  'auth.*',
  '*.auth.*',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-scimflow-signature"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-scimflow-signature"]',
  'req.headers["x-bamboohr-signature"]',
  // Temporal activity task tokens: whoever holds one can complete, fail or heartbeat that activity.
  'taskToken',
  'base64TaskToken',
  '*.taskToken',
  '*.base64TaskToken',
];

/** Keys removed at any depth from Temporal SDK log metadata (src/worker/runtime.ts). */
export const REDACTED_KEYS: ReadonlySet<string> = new Set(['taskToken', 'base64TaskToken']);

export function createLogger(
  opts: { level?: string; pretty?: boolean; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const options: pino.LoggerOptions = {
    name: opts.name ?? 'scimflow',
    level: opts.level ?? process.env.SCIMFLOW_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(opts.pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

export type { Logger };

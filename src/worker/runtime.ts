// Temporal's native runtime, installed once per process: its logs go through pino (same format,
// same redaction) and, when asked, its worker metrics are exposed for Prometheus.
import {
  Runtime,
  makeTelemetryFilterString,
  type Logger as TemporalLogger,
  type LogLevel,
  type LogMetadata,
} from '@temporalio/worker';
import { REDACTED_KEYS } from '../shared/logger';
import type { Logger } from '../shared/logger';

const CENSOR = '[redacted]';
const MAX_DEPTH = 6;

/**
 * A copy of the SDK's log metadata without activity task tokens (or any other REDACTED_KEYS) at
 * any depth. The SDK puts `taskToken` into every activity log line (activityLogAttributes) and into
 * its trace of each polled task; a task token lets whoever holds it complete, fail or heartbeat that
 * activity, so it is a credential. pino's own redaction (REDACT_PATHS) covers the top levels as a
 * second line; this covers nested task objects too.
 */
export function redactMeta(meta: unknown, depth = 0): unknown {
  if (meta === null || typeof meta !== 'object') return meta;
  if (meta instanceof Error || meta instanceof Date) return meta;
  if (ArrayBuffer.isView(meta)) return meta;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(meta)) return meta.map((v) => redactMeta(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = REDACTED_KEYS.has(k) ? CENSOR : redactMeta(v, depth + 1);
  return out;
}

/** The Temporal SDK logger interface, writing to pino with task tokens removed. */
export function temporalLogBridge(log: Logger): TemporalLogger {
  // SDK INFO chatter (bundle sizes, worker state changes) is debug for an operator.
  const at = (level: LogLevel) =>
    level === 'TRACE' ? 'trace' : level === 'INFO' ? 'debug' : (level.toLowerCase() as 'debug' | 'warn' | 'error');
  // Activity-only workers on the per-app queues are by design; their "no workflows" note is not a warning.
  const benign = (m: string) => m.startsWith('No workflows registered') || m.startsWith('No Nexus services');
  const clean = (meta: LogMetadata | undefined) => (meta ? (redactMeta(meta) as Record<string, unknown>) : {});
  return {
    log: (level, message, meta) => log[benign(message) ? 'debug' : at(level)](clean(meta), message),
    trace: (m, meta) => log.trace(clean(meta), m),
    debug: (m, meta) => log.debug(clean(meta), m),
    info: (m, meta) => log.debug(clean(meta), m),
    warn: (m, meta) => log[benign(m) ? 'debug' : 'warn'](clean(meta), m),
    error: (m, meta) => log.error(clean(meta), m),
  };
}

export function installRuntime(
  log: Logger,
  opts: { temporalMetricsBind?: string; coreLevel?: 'ERROR' | 'WARN' | 'INFO' } = {},
): void {
  Runtime.install({
    logger: temporalLogBridge(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: opts.coreLevel ?? 'WARN' }), forward: {} },
      ...(opts.temporalMetricsBind ? { metrics: { prometheus: { bindAddress: opts.temporalMetricsBind } } } : {}),
    },
  });
}

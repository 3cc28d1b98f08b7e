// Temporal's native runtime, installed once per process: its logs go through pino (same format,
// same redaction) and, when asked, its worker metrics are exposed for Prometheus.
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from '../shared/logger';

export function installRuntime(log: Logger, opts: { temporalMetricsBind?: string; coreLevel?: 'ERROR' | 'WARN' | 'INFO' } = {}): void {
  // SDK INFO chatter (bundle sizes, worker state changes) is debug for an operator.
  const at = (level: string) => (level === 'TRACE' ? 'trace' : level === 'INFO' ? 'debug' : (level.toLowerCase() as 'debug' | 'warn' | 'error'));
  // Activity-only workers on the per-app queues are by design; their "no workflows" note is not a warning.
  const benign = (m: string) => m.startsWith('No workflows registered') || m.startsWith('No Nexus services');
  Runtime.install({
    logger: {
      log: (level, message, meta) => log[benign(message) ? 'debug' : at(level)]({ ...meta }, message),
      trace: (m, meta) => log.trace({ ...meta }, m),
      debug: (m, meta) => log.debug({ ...meta }, m),
      info: (m, meta) => log.debug({ ...meta }, m),
      warn: (m, meta) => log[benign(m) ? 'debug' : 'warn']({ ...meta }, m),
      error: (m, meta) => log.error({ ...meta }, m),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: opts.coreLevel ?? 'WARN' }), forward: {} },
      ...(opts.temporalMetricsBind ? { metrics: { prometheus: { bindAddress: opts.temporalMetricsBind } } } : {}),
    },
  });
}

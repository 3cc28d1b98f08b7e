// scimflow's Prometheus metrics, and the one /metrics endpoint that serves them together with the
// Temporal worker's own (Temporal core exposes those on an internal port; we append its text).
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { request } from 'undici';

export interface Metrics {
  registry: Registry;
  eventsReceived: Counter<'source'>;
  eventsRejected: Counter<'reason'>;
  accounts: Counter<'app' | 'action'>;
  approvalsPending: Gauge<'app'>;
  needingAttention: Gauge;
  downstreamRequests: Counter<'app' | 'status'>;
  downstreamRateLimited: Counter<'app'>;
  reconcileAccounts: Gauge<'app' | 'class'>;
  reconcileFailing: Gauge<'app'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scimflow_process_' });
  return {
    registry,
    eventsReceived: new Counter({
      name: 'scimflow_hr_events_received_total',
      help: 'HR events accepted by the ingress',
      labelNames: ['source'],
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'scimflow_hr_events_rejected_total',
      help: 'HR requests refused by the ingress, by reason code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    accounts: new Counter({
      name: 'scimflow_accounts_total',
      help: 'Downstream account changes: created, adopted, updated, deactivated, reactivated, deleted',
      labelNames: ['app', 'action'],
      registers: [registry],
    }),
    approvalsPending: new Gauge({
      name: 'scimflow_approvals_pending',
      help: 'Lifecycles waiting for an approval, per app',
      labelNames: ['app'],
      registers: [registry],
    }),
    needingAttention: new Gauge({
      name: 'scimflow_lifecycles_needing_attention',
      help: 'People whose lifecycle waits for an operator (retry/skip)',
      registers: [registry],
    }),
    downstreamRequests: new Counter({
      name: 'scimflow_downstream_requests_total',
      help: 'HTTP requests to downstream apps, by status (or error code)',
      labelNames: ['app', 'status'],
      registers: [registry],
    }),
    downstreamRateLimited: new Counter({
      name: 'scimflow_downstream_429_total',
      help: '429 Too Many Requests answers from downstream apps',
      labelNames: ['app'],
      registers: [registry],
    }),
    reconcileAccounts: new Gauge({
      name: 'scimflow_reconcile_accounts',
      help: "Accounts per reconcile class in the app's last completed scheduled reconcile",
      labelNames: ['app', 'class'],
      registers: [registry],
    }),
    reconcileFailing: new Gauge({
      name: 'scimflow_reconcile_failing',
      help: "1 while the app's latest scheduled reconcile keeps failing (or failed)",
      labelNames: ['app'],
      registers: [registry],
    }),
  };
}

/** Serves `/metrics`: scimflow's registry, then Temporal core's text from `temporalMetricsUrl` if given. */
export async function startMetricsServer(
  metrics: Metrics,
  opts: { host: string; port: number; temporalMetricsUrl?: string },
): Promise<Server & { url: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    void (async () => {
      let text = await metrics.registry.metrics();
      if (opts.temporalMetricsUrl) {
        try {
          const r = await request(opts.temporalMetricsUrl, { headersTimeout: 2000, bodyTimeout: 2000 });
          text += `\n${await r.body.text()}`;
        } catch {
          text += '\n# temporal worker metrics unavailable\n';
        }
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return Object.assign(server, { url: `http://${opts.host}:${port}/metrics` });
}

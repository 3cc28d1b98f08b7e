// /metrics over HTTP: scimflow's counters move with real ingress traffic, and Temporal's worker
// metrics text is appended when its endpoint answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { buildIngress } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import { createMetrics, startMetricsServer } from '../../src/shared/metrics';

const secret = 'metrics-test-secret-0123';
const metrics = createMetrics();
const ingress = buildIngress({
  secrets: [secret],
  dispatcher: { dispatch: async (e) => ({ workflowId: `identity-${e.employee.employeeId}` }) },
  onAccepted: (source) => metrics.eventsReceived.inc({ source }),
  onRejected: (reason) => metrics.eventsRejected.inc({ reason }),
});
let fakeTemporal: Server;
let metricsServer: Server & { url: string };
let base = '';

beforeAll(async () => {
  fakeTemporal = createServer((_req, res) =>
    res.end('temporal_worker_task_slots_available{worker_type="ActivityWorker"} 100\n'),
  );
  await new Promise<void>((r) => fakeTemporal.listen(0, '127.0.0.1', r));
  await ingress.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ingress.server.address() as AddressInfo).port}`;
  metricsServer = await startMetricsServer(metrics, {
    host: '127.0.0.1',
    port: 0,
    temporalMetricsUrl: `http://127.0.0.1:${(fakeTemporal.address() as AddressInfo).port}/metrics`,
  });
});
afterAll(async () => {
  await ingress.close();
  metricsServer.close();
  fakeTemporal.close();
});

it('counts accepted and refused HR events by source and reason, and serves Temporal metrics alongside', async () => {
  const body = JSON.stringify({
    id: 'evt-m1',
    type: 'hire',
    employee: { employeeId: 'M1', email: 'm@example.com', givenName: 'M', familyName: 'N' },
  });
  const headers = { 'content-type': 'application/json' };
  await (
    await request(`${base}/webhooks/hr`, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-scimflow-signature': sign(secret, body, Math.floor(Date.now() / 1000)) },
    })
  ).body.text();
  await (await request(`${base}/webhooks/hr`, { method: 'POST', body, headers })).body.text();
  await (await request(`${base}/webhooks/hr`, { method: 'POST', body, headers })).body.text();
  metrics.accounts.inc({ app: 'generic', action: 'created' });

  const res = await request(metricsServer.url);
  expect(res.statusCode).toBe(200);
  const text = await res.body.text();
  expect(text).toContain('scimflow_hr_events_received_total{source="hr"} 1');
  expect(text).toContain('scimflow_hr_events_rejected_total{reason="signature_missing"} 2');
  expect(text).toContain('scimflow_accounts_total{app="generic",action="created"} 1');
  expect(text).toContain('temporal_worker_task_slots_available{worker_type="ActivityWorker"} 100');
});

// `scimflow dev` — the embedded default: the Temporal dev server (SQLite under .data/, Web UI on
// :8233, search attributes registered), the sandbox SCIM apps on 127.0.0.1:7100, the worker and the
// HR ingress on :8080, supervised together and stopped together on Ctrl-C / SIGTERM.
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, resolveIngressSecrets } from '../config';
import { startTemporalDevServer, portOpen, type DevServer } from '../dev/temporal-server';
import { projectRoot, requireTemporalCli } from '../dev/temporal-cli';
import { bambooKeys, buildIngress } from '../ingress/server';
import { temporalDispatcher } from '../ingress/temporal-dispatcher';
import { startSandbox } from '../sandbox';
import { createLogger } from '../shared/logger';
import { createMetrics, startMetricsServer } from '../shared/metrics';
import { composeWorker } from '../worker/compose';
import { pollGauges } from '../worker/gauges';
import { installRuntime } from '../worker/runtime';
import { startWorkers } from '../worker/workers';
import { DEV_ENV } from './dev-env';
import { connectClient } from './temporal';


export interface DevOptions {
  config: string;
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  sandboxPort: number;
  ingressPort: number;
  metricsPort: number;
  pretty: boolean;
}

export async function runDev(opts: DevOptions): Promise<void> {
  const log = createLogger({ pretty: opts.pretty, name: 'scimflow-dev' });
  const usedDevSecret = !process.env.SCIMFLOW_WEBHOOK_SECRET;
  for (const [k, v] of Object.entries(DEV_ENV)) process.env[k] ??= v;

  const config = loadConfig(opts.config);
  const metrics = createMetrics();
  const temporalMetricsBind = `127.0.0.1:${opts.metricsPort + 1}`;
  installRuntime(log, { temporalMetricsBind });
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  let stopping = false;
  const shutdown = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down');
    for (const s of stops.reverse()) {
      try {
        await s.stop();
        log.info(`stopped ${s.name}`);
      } catch (err) {
        log.error({ err }, `stopping ${s.name} failed`);
      }
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGHUP', () => void shutdown('SIGHUP'));
  // If whatever started us (npm, a terminal) dies without passing a signal on, stop too, so no
  // Temporal server is left behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('parent process exited');
  }, 1000).unref();

  try {
    // 1. Temporal: reuse one already listening (e.g. a second `npm start`), else start our own.
    let temporal: DevServer | undefined;
    const address = `127.0.0.1:${opts.temporalPort}`;
    if (await portOpen('127.0.0.1', opts.temporalPort)) {
      log.warn(`a Temporal server already listens on ${address}: using it`);
    } else {
      const executable = requireTemporalCli();
      temporal = await startTemporalDevServer({
        executable,
        dbFile: join(opts.dataDir, 'temporal.db'),
        port: opts.temporalPort,
        uiPort: opts.uiPort,
        logLevel: 'warn',
        onOutput: (line) => log.debug({ temporal: line }),
      });
      const t = temporal;
      stops.push({ name: 'temporal', stop: () => t.stop() });
      t.process.once('exit', (code) => void shutdown(`temporal server exited (${code})`, 1));
    }

    // 2. Sandbox apps, with their state kept across restarts like Temporal's.
    const sandbox = await startSandbox({ host: '127.0.0.1', port: opts.sandboxPort, snapshotFile: join(opts.dataDir, 'sandbox.json') });
    stops.push({ name: 'sandbox', stop: () => sandbox.close() });

    // The example configuration addresses the sandbox at its default port; follow --sandbox-port.
    const defaultSandbox = 'http://127.0.0.1:7100';
    if (sandbox.url !== defaultSandbox) {
      for (const app of Object.values(config.apps)) {
        if (app.baseUrl.startsWith(defaultSandbox)) app.baseUrl = sandbox.url + app.baseUrl.slice(defaultSandbox.length);
        if (app.jsm?.baseUrl.startsWith(defaultSandbox)) app.jsm.baseUrl = sandbox.url + app.jsm.baseUrl.slice(defaultSandbox.length);
      }
    }

    // 3. Worker.
    const connection = await NativeConnection.connect({ address });
    const composed = composeWorker(config, process.env, (e) => metrics.accounts.inc({ app: e.app, action: e.action }), metrics);
    await composed.discover((app, err) => log.warn({ app, err: String(err) }, 'ServiceProviderConfig discovery failed; using the documented profile'));
    const workers = await startWorkers({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, apps: composed.apps, deps: composed.deps });
    stops.push({
      name: 'worker',
      stop: async () => {
        await workers.shutdown();
        await composed.close();
        await connection.close();
      },
    });
    workers.done.catch((err: unknown) => {
      log.error({ err }, 'worker failed');
      void shutdown('worker failed', 1);
    });

    // 4. Ingress.
    const { client, close } = await connectClient({ address, namespace: config.temporal.namespace });
    const ingressSecrets = resolveIngressSecrets(config);
    const ingress = buildIngress({
      dispatcher: temporalDispatcher(client, config.temporal.taskQueue),
      secrets: ingressSecrets.all,
      maxBodyBytes: config.ingress.maxBodyBytes,
      onAccepted: (source) => metrics.eventsReceived.inc({ source }),
      onRejected: (reason) => metrics.eventsRejected.inc({ reason }),
      ...bambooKeys(),
    });
    await ingress.listen({ host: 'localhost', port: opts.ingressPort });
    const stopGauges = pollGauges(client, metrics, Object.keys(config.apps));
    stops.push({
      name: 'ingress',
      stop: async () => {
        stopGauges();
        await ingress.close();
        await close();
      },
    });
    const metricsServer = await startMetricsServer(metrics, { host: '127.0.0.1', port: opts.metricsPort, temporalMetricsUrl: `http://${temporalMetricsBind}/metrics` });
    stops.push({ name: 'metrics', stop: () => new Promise((r) => metricsServer.close(() => r(undefined))) });

    const lines = [
      '',
      'scimflow dev is running',
      `  HR ingress      http://localhost:${opts.ingressPort}   (GET /healthz, POST /webhooks/hr)`,
      `  Temporal UI     http://localhost:${opts.uiPort}`,
      `  Temporal gRPC   ${address}   (data: ${join(opts.dataDir, 'temporal.db')})`,
      `  Sandbox apps    ${sandbox.url}/<app>/…   generic: ${sandbox.url}/generic/scim/v2  (Authorization: Bearer dev-token)`,
      `  Metrics         ${metricsServer.url}`,
      '',
      'Send a first event (an Engineering hire: jasper waits for approval):',
      '  npm run scimflow -- send examples/hire.json',
      '  npm run scimflow -- status E1001',
      '  npm run scimflow -- approve E1001 jasper --as it-lead@example.com',
      `  curl -s -H 'Authorization: Bearer dev-token' '${sandbox.url}/generic/scim/v2/Users?filter=userName%20eq%20%22ada.lovelace%40example.com%22'`,
      '',
      usedDevSecret
        ? 'Webhook secret: the DEVELOPMENT default "scimflow-dev-webhook-secret" (set SCIMFLOW_WEBHOOK_SECRET to change it; never use it in production).'
        : 'Webhook secret: from SCIMFLOW_WEBHOOK_SECRET.',
      'Ctrl-C stops everything.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}

export const DEFAULT_DATA_DIR = join(projectRoot, '.data');

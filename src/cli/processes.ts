// The production processes: `scimflow worker` and `scimflow ingress` (one each per container).
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../shared/logger';
import { createMetrics, startMetricsServer } from '../shared/metrics';
import { pollGauges } from '../worker/gauges';
import { ensureReconcileSchedules } from '../reconcile/schedule';
import { installRuntime } from '../worker/runtime';
import { composeForProcess } from '../worker/compose';
import { startFleetShare } from '../worker/fleet-share';
import { startWorkers, workerIdentity } from '../worker/workers';
import { newerSource, prebuiltBundle, resolveBuildId } from '../worker/build';
import { onInterrupt } from './signals';
import { describeTemporalAccess, developmentKeyIds } from '../temporal/options';
import { DEV_PAYLOAD_KEY } from './dev-env';
import { connectClient, temporalAccess, temporalTarget } from './temporal';

export async function runWorkerProcess(configFile: string): Promise<void> {
  const log = createLogger({ name: 'scimflow-worker' });
  const config = loadConfig(configFile);
  const target = temporalTarget(config);
  const metrics = createMetrics();
  const metricsPort = Number(process.env.SCIMFLOW_METRICS_PORT ?? 9464);
  // Temporal core exports its worker metrics on a port of its own (loopback only); /metrics appends them. 0: not exported.
  const temporalMetricsPort = Number(process.env.SCIMFLOW_TEMPORAL_METRICS_PORT ?? 9465);
  const temporalMetricsBind = temporalMetricsPort ? `127.0.0.1:${temporalMetricsPort}` : undefined;
  installRuntime(log, temporalMetricsBind ? { temporalMetricsBind } : {});
  // TLS / API key and the payload keys: resolved before anything connects, so a bad key stops here.
  const access = temporalAccess(config);
  const connection = await NativeConnection.connect({ ...access.connection, address: target.address });
  const composed = await composeForProcess(config, process.env, metrics, log);
  const { client, close: closeClient } = await connectClient(target, access);
  // This process's share of each app's rate limit among the worker processes polling its queue.
  const identity = workerIdentity();
  const fleet = startFleetShare({
    client,
    namespace: target.namespace,
    identity,
    apps: composed.paced,
    onChange: (app, share, workers) => log.info({ app, share, workers }, 'rate-limit share'),
    onError: (app, err) =>
      log.warn({ app, err: String(err) }, 'could not read the pollers of the app’s task queue; keeping the last share'),
  });
  await fleet.refresh();
  const stopGauges = pollGauges(client, metrics, Object.keys(config.apps));
  const metricsServer = await startMetricsServer(metrics, {
    host: process.env.SCIMFLOW_METRICS_HOST ?? '127.0.0.1',
    port: metricsPort,
    ...(temporalMetricsBind ? { temporalMetricsUrl: `http://${temporalMetricsBind}/metrics` } : {}),
  });
  // The prebuilt bundle (`npm run build:workflows`, the Docker image) when present, else bundled from source.
  const bundle = prebuiltBundle();
  const stale = bundle && newerSource(bundle.codePath);
  if (stale)
    log.warn(
      { workflowBundle: bundle.codePath, newer: stale },
      'the prebuilt workflow bundle is older than the sources: run `npm run build:workflows` (or delete it to bundle from source)',
    );
  const d = config.temporal.deployment;
  const buildId = resolveBuildId({ configured: d?.buildId, ...(bundle ? { bundlePath: bundle.codePath } : {}) });
  const deployment = d ? { name: d.name, buildId } : undefined;
  const workers = await startWorkers({
    connection,
    namespace: target.namespace,
    taskQueue: config.temporal.taskQueue,
    apps: composed.apps,
    deps: composed.deps,
    dataConverter: access.dataConverter,
    identity,
    buildId,
    ...(deployment ? { deployment } : {}),
    ...(bundle ? { workflowBundle: bundle } : {}),
  });
  // One reconcile schedule per app, brought to the configuration at every start (idempotent).
  await ensureReconcileSchedules(client, config).then(
    (done) => log.info({ schedules: done }, 'reconcile schedules in place'),
    (err: unknown) =>
      log.warn({ err: String(err) }, 'reconcile schedules could not be created or updated; the next start tries again'),
  );
  log.info(
    {
      address: target.address,
      apps: composed.apps.map((a) => a.name),
      buildId,
      deployment: deployment?.name ?? null,
      workflowBundle: bundle?.codePath ?? 'bundled from source',
      ...describeTemporalAccess(config),
    },
    'worker running',
  );
  if (!config.temporal.encryption)
    log.warn('temporal.encryption is not set: HR records are stored in Temporal in clear text (docs/security.md)');
  const devKeys = developmentKeyIds(config, DEV_PAYLOAD_KEY);
  if (devKeys.length)
    log.warn(
      { keys: devKeys },
      'payloads are encrypted with the public DEVELOPMENT key: set SCIMFLOW_PAYLOAD_KEY to a key of your own (docs/security.md)',
    );
  const stop = async () => {
    log.info('worker shutting down (finishing in-flight activities)');
    stopGauges();
    fleet.stop();
    metricsServer.close();
    await workers.shutdown();
    await composed.close();
    await connection.close();
    await closeClient();
  };
  // A repeat of the same Ctrl-C (signals.ts) does not cut the drain short; a later one forces.
  onInterrupt({ onFirst: () => void stop(), onForce: () => process.exit(130) });
  await workers.done;
}

// The ingress process (lazy Temporal connection, deadlines, 503 while Temporal is down) lives with the ingress.
export { runIngressProcess } from '../ingress/process';

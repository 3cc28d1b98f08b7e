// The production processes: `scimflow worker` and `scimflow ingress` (one each per container).
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig, resolveIngressSecrets } from '../config';
import { buildIngress } from '../ingress/server';
import { temporalDispatcher } from '../ingress/temporal-dispatcher';
import { createLogger } from '../shared/logger';
import { composeWorker } from '../worker/compose';
import { startWorkers } from '../worker/workers';
import { connectClient, temporalTarget } from './temporal';

export async function runWorkerProcess(configFile: string): Promise<void> {
  const log = createLogger({ name: 'scimflow-worker' });
  const config = loadConfig(configFile);
  const target = temporalTarget(config);
  // Temporal's own logs go through pino, so they get the same redaction and format.
  Runtime.install({
    logger: {
      log: (level, message, meta) => log[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error')]({ ...meta }, message),
      trace: (m, meta) => log.trace({ ...meta }, m),
      debug: (m, meta) => log.debug({ ...meta }, m),
      info: (m, meta) => log.info({ ...meta }, m),
      warn: (m, meta) => log.warn({ ...meta }, m),
      error: (m, meta) => log.error({ ...meta }, m),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(process.env.SCIMFLOW_METRICS_PORT ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${process.env.SCIMFLOW_METRICS_PORT}` } } } : {}),
    },
  });
  const connection = await NativeConnection.connect({ address: target.address });
  const composed = composeWorker(config);
  const workers = await startWorkers({ connection, namespace: target.namespace, taskQueue: config.temporal.taskQueue, apps: composed.apps, deps: composed.deps });
  log.info({ address: target.address, apps: composed.apps.map((a) => a.name) }, 'worker running');
  const stop = async () => {
    log.info('worker shutting down (finishing in-flight activities)');
    await workers.shutdown();
    await composed.close();
    await connection.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await workers.done;
}

export async function runIngressProcess(configFile: string): Promise<void> {
  const log = createLogger({ name: 'scimflow-ingress' });
  const config = loadConfig(configFile);
  const { client, close } = await connectClient(temporalTarget(config));
  const secrets = resolveIngressSecrets(config);
  const app = buildIngress({
    dispatcher: temporalDispatcher(client, config.temporal.taskQueue),
    secrets: secrets.all,
    maxBodyBytes: config.ingress.maxBodyBytes,
    logger: log,
  });
  const host = process.env.SCIMFLOW_INGRESS_HOST ?? config.ingress.host;
  const port = Number(process.env.SCIMFLOW_INGRESS_PORT ?? config.ingress.port);
  await app.listen({ host, port });
  log.info({ host, port }, 'ingress listening');
  const stop = async () => {
    await app.close();
    await close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

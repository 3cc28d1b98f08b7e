// The `scimflow ingress` process: the HR webhook server and its /metrics, in front of a Temporal
// client that connects lazily. It starts while Temporal is down (answering 503 + Retry-After),
// picks Temporal up by itself when it comes, and stops cleanly on SIGTERM/SIGINT in either state.
import type { AddressInfo } from 'node:net';
import { loadConfig, resolveIngressSecrets, resolveLinkKeys, type ScimflowConfig } from '../config';
import { temporalApprovalDesk } from './approval-links';
import { createLogger, type Logger } from '../shared/logger';
import { createMetrics, startMetricsServer } from '../shared/metrics';
import { bambooKeys, buildIngress } from './server';
import { temporalAccess } from '../cli/temporal';
import { DEV_PAYLOAD_KEY } from '../cli/dev-env';
import { describeTemporalAccess, developmentKeyIds } from '../temporal/options';
import { ingressTemporalClient, temporalDispatcher } from './temporal-dispatcher';
import { rosterSettings } from '../roster/settings';
import { knownRecords } from '../roster/temporal';

export type Env = Record<string, string | undefined>;

export interface RunningIngress {
  /** http://host:port of the webhook server. */
  url: string;
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the ingress for `config`. Environment overrides: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * SCIMFLOW_INGRESS_HOST, SCIMFLOW_INGRESS_PORT, SCIMFLOW_METRICS_HOST (default 127.0.0.1),
 * SCIMFLOW_INGRESS_METRICS_PORT (default 9466), SCIMFLOW_BAMBOOHR_WEBHOOK_KEY[_PREVIOUS][_FILE].
 */
export async function startIngress(
  config: ScimflowConfig,
  opts: { env?: Env; log?: Logger } = {},
): Promise<RunningIngress> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ name: 'scimflow-ingress' });
  // Secrets first: a configuration problem stops the process before anything listens.
  const secrets = resolveIngressSecrets(config, env);
  const bamboo = bambooKeys(env);
  // The approval-link keys only: the ingress checks links, the worker signs them and sends the notices.
  const linkKeys = config.notifications?.links ? resolveLinkKeys(config, env) : [];
  const target = {
    address: env.TEMPORAL_ADDRESS || config.temporal.address,
    namespace: env.TEMPORAL_NAMESPACE || config.temporal.namespace,
  };
  // The payload keys and TLS / API key too: a problem with them stops the process here.
  const temporal = ingressTemporalClient(target, temporalAccess(config, env));
  const metrics = createMetrics();
  const app = buildIngress({
    dispatcher: temporalDispatcher(temporal.client, config.temporal.taskQueue),
    secrets: secrets.all,
    maxBodyBytes: config.ingress.maxBodyBytes,
    headersTimeoutMs: config.ingress.headersTimeoutMs,
    requestTimeoutMs: config.ingress.requestTimeoutMs,
    maxConnections: config.ingress.maxConnections,
    dispatchTimeoutMs: config.ingress.temporalTimeoutMs,
    logger: log,
    roster: {
      ...rosterSettings(config),
      known: (signal, employeeIds) => knownRecords(temporal.client, { signal, employeeIds }),
    },
    onAccepted: (source) => metrics.eventsReceived.inc({ source }),
    onRejected: (reason) => metrics.eventsRejected.inc({ reason }),
    ...bamboo,
    ...(linkKeys.length
      ? {
          approvalLinks: {
            keys: linkKeys,
            desk: temporalApprovalDesk(temporal.client, config.ingress.temporalTimeoutMs * 2),
          },
        }
      : {}),
  });
  const host = env.SCIMFLOW_INGRESS_HOST || config.ingress.host;
  const port = Number(env.SCIMFLOW_INGRESS_PORT || config.ingress.port);
  const metricsHost = env.SCIMFLOW_METRICS_HOST || '127.0.0.1';
  const metricsPort = Number(env.SCIMFLOW_INGRESS_METRICS_PORT || 9466);
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    metricsServer = await startMetricsServer(metrics, { host: metricsHost, port: metricsPort });
    await app.listen({ host, port });
  } catch (err) {
    metricsServer?.close();
    await app.close();
    await temporal.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const protection = describeTemporalAccess(config);
  log.info(
    {
      host,
      port: address.port,
      metrics: metricsServer.url,
      temporal: target.address,
      namespace: target.namespace,
      ...protection,
    },
    'ingress listening (Temporal is connected on first use)',
  );
  if (!config.temporal.encryption)
    log.warn('temporal.encryption is not set: HR records are stored in Temporal in clear text (docs/security.md)');
  const devKeys = developmentKeyIds(config, DEV_PAYLOAD_KEY, env);
  if (devKeys.length)
    log.warn(
      { keys: devKeys },
      'payloads are encrypted with the public DEVELOPMENT key: set SCIMFLOW_PAYLOAD_KEY to a key of your own (docs/security.md)',
    );
  let stopping: Promise<void> | undefined;
  const ms = metricsServer;
  return {
    url,
    metricsUrl: ms.url,
    stop() {
      stopping ??= (async () => {
        // Stop accepting; requests under way are answered (a dispatch is abandoned at once → 503).
        await app.close();
        await new Promise<void>((resolve) => ms.close(() => resolve()));
        await temporal.close();
      })();
      return stopping;
    },
  };
}

/** `scimflow ingress`: loads the configuration, starts, and stops on SIGTERM / SIGINT (exit code 0). */
export async function runIngressProcess(configFile: string, env: Env = process.env): Promise<void> {
  const log = createLogger({ name: 'scimflow-ingress' });
  const config = loadConfig(configFile);
  const running = await startIngress(config, { env, log });
  const stop = (signal: string) => {
    log.info({ signal }, 'ingress shutting down');
    running.stop().then(
      () => log.info('ingress stopped'),
      (err: unknown) => {
        log.error({ err: String(err) }, 'ingress stopped with an error');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

// `scimflow dev` — the embedded default: the Temporal dev server (SQLite under .data/, Web UI on
// :8233, search attributes registered), the sandbox SCIM apps on 127.0.0.1:7100, the worker and the
// HR ingress, supervised together and stopped together on Ctrl-C / SIGTERM.
//
// Addresses: the Temporal port and the ingress host/port come from the configuration file
// (temporal.address, ingress.host, ingress.port) unless a flag (or, for the ingress,
// SCIMFLOW_INGRESS_HOST / SCIMFLOW_INGRESS_PORT as for `scimflow ingress`) overrides them.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, resolveIngressSecrets } from '../config';
import { startTemporalDevServer, type DevServer } from '../dev/temporal-server';
import { projectRoot, requireTemporalCli } from '../dev/temporal-cli';
import { bambooKeys, buildIngress } from '../ingress/server';
import { temporalDispatcher } from '../ingress/temporal-dispatcher';
import { startSandbox } from '../sandbox';
import { createLogger } from '../shared/logger';
import { createMetrics, startMetricsServer } from '../shared/metrics';
import { composeForProcess } from '../worker/compose';
import { pollGauges } from '../worker/gauges';
import { ensureReconcileSchedules } from '../reconcile/schedule';
import { installRuntime } from '../worker/runtime';
import { startWorkers } from '../worker/workers';
import { resolveBuildId } from '../worker/build';
import { devBanner } from './dev-banner';
import { DEV_ENV, DEV_TEMPORAL_ENV } from './dev-env';
import { startCodecServer } from '../codec/server';
import { onInterrupt } from './signals';
import { connectClient, temporalAccess } from './temporal';

export interface DevOptions {
  config: string;
  dataDir: string;
  /** Default: the port of the file's temporal.address (else 7233). */
  temporalPort?: number;
  uiPort: number;
  sandboxPort: number;
  /** Default: the file's ingress.host. */
  ingressHost?: string;
  /** Default: the file's ingress.port. */
  ingressPort?: number;
  metricsPort: number;
  /** The codec server the UI decodes through (on 127.0.0.1). Default: the file's codecServer.port (8081). */
  codecPort?: number;
  /** Where Temporal's own worker metrics are exported (on 127.0.0.1) for /metrics to append; 0: not exported. */
  temporalMetricsPort: number;
  pretty: boolean;
}

/** `scimflow dev` cannot start as asked (a port is taken…): the message says why; exit 1. */
export class DevStartError extends Error {
  override readonly name = 'DevStartError';
}

/** The port of `host:port` (IPv6 as `[::1]:7233`), if there is one. */
export function portOf(address: string): number | undefined {
  const m = /:(\d+)$/.exec(address);
  return m ? Number(m[1]) : undefined;
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const srv = createServer();
    srv.once('error', () => resolvePromise(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolvePromise(true)));
  });
}

async function answersAsTemporal(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '2 seconds' });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

interface Binding {
  what: string;
  host: string;
  port: number;
  flag: string;
}

/** Every port dev is about to bind, checked up front: all problems in one message, nothing started. */
async function checkPorts(bindings: Binding[]): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, Binding>();
  for (const b of bindings) {
    if (b.port === 0) continue;
    const other = seen.get(b.port);
    if (other)
      problems.push(`port ${b.port} is asked for twice: ${other.what} (${other.flag}) and ${b.what} (${b.flag})`);
    seen.set(b.port, b);
  }
  for (const b of bindings) {
    if (b.port === 0 || (await canBind(b.host, b.port))) continue;
    if (b.flag === '--temporal-port' && (await answersAsTemporal(`${b.host}:${b.port}`))) {
      problems.push(
        `a Temporal server already listens on ${b.host}:${b.port} (port ${b.port}) — another \`scimflow dev\` / \`npm start\`? ` +
          `Stop it, or give this one its own ports (${b.flag}, --ui-port, …, or temporal.address in the configuration).`,
      );
    } else {
      problems.push(
        `port ${b.port} (${b.what}, ${b.host}) is already in use: stop what listens there, or choose another with ${b.flag}`,
      );
    }
  }
  if (problems.length)
    throw new DevStartError(`scimflow dev cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

export async function runDev(opts: DevOptions): Promise<void> {
  const log = createLogger({ pretty: opts.pretty, name: 'scimflow-dev' });
  for (const [k, v] of Object.entries({ ...DEV_ENV, ...DEV_TEMPORAL_ENV })) process.env[k] ??= v;

  const config = loadConfig(opts.config);
  const temporalPort = opts.temporalPort ?? portOf(config.temporal.address) ?? 7233;
  const address = `127.0.0.1:${temporalPort}`;
  // As `scimflow ingress`: SCIMFLOW_INGRESS_HOST / _PORT override the file; a flag overrides both.
  const ingressHost = opts.ingressHost ?? process.env.SCIMFLOW_INGRESS_HOST ?? config.ingress.host;
  const ingressPort = opts.ingressPort ?? Number(process.env.SCIMFLOW_INGRESS_PORT ?? config.ingress.port);
  const temporalMetricsBind = opts.temporalMetricsPort ? `127.0.0.1:${opts.temporalMetricsPort}` : undefined;
  // The payload keys (and any TLS / API key): a problem with them stops dev before anything starts.
  const access = temporalAccess(config);
  const encrypted = config.temporal.encryption !== undefined;
  const codecPort = opts.codecPort ?? config.codecServer.port;
  await checkPorts([
    { what: 'Temporal gRPC', host: '127.0.0.1', port: temporalPort, flag: '--temporal-port' },
    { what: 'Temporal Web UI', host: '127.0.0.1', port: opts.uiPort, flag: '--ui-port' },
    { what: 'sandbox apps', host: '127.0.0.1', port: opts.sandboxPort, flag: '--sandbox-port' },
    { what: 'HR ingress', host: ingressHost, port: ingressPort, flag: '--ingress-port' },
    { what: 'metrics', host: '127.0.0.1', port: opts.metricsPort, flag: '--metrics-port' },
    {
      what: "Temporal's worker metrics",
      host: '127.0.0.1',
      port: opts.temporalMetricsPort,
      flag: '--temporal-metrics-port',
    },
    ...(encrypted ? [{ what: 'codec server', host: '127.0.0.1', port: codecPort, flag: '--codec-port' }] : []),
  ]);

  const metrics = createMetrics();
  installRuntime(log, temporalMetricsBind ? { temporalMetricsBind } : {});
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  let temporal: DevServer | undefined;
  let stopping = false;
  const shutdown = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down (Ctrl-C again to force)');
    for (const s of stops.reverse()) {
      try {
        await s.stop();
        log.info(`stopped ${s.name}`);
      } catch (err) {
        log.error({ err }, `stopping ${s.name} failed`);
      }
    }
    log.info('scimflow dev stopped');
    process.exit(code);
  };
  // One Ctrl-C through `npm start` arrives two or three times at once (see signals.ts): only a
  // later, deliberate one skips the orderly stop.
  onInterrupt({
    onFirst: (signal) => void shutdown(signal),
    onRepeat: (signal) => log.debug({ signal }, 'repeated signal ignored: already stopping'),
    onForce: (signal) => {
      log.warn({ signal }, 'forced exit: not waiting for the worker to drain');
      temporal?.process.kill('SIGKILL');
      process.exit(130);
    },
  });
  // If whatever started us (npm, a terminal) dies without passing a signal on, stop too, so no
  // Temporal server is left behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('parent process exited');
  }, 1000).unref();

  try {
    // 1. Temporal, in its own process group: a terminal's Ctrl-C reaches only us, and we stop it
    //    last, after the worker has drained.
    const executable = requireTemporalCli();
    // 0. The codec server, so the UI shows the encrypted payloads decoded (docs/security.md). On
    //    loopback it also serves callers without a token: the dev UI has no sign-in to pass one.
    let codecUrl: string | undefined;
    if (encrypted) {
      const uiOrigins = [`http://localhost:${opts.uiPort}`, `http://127.0.0.1:${opts.uiPort}`];
      const devCodecConfig = {
        ...config,
        codecServer: {
          ...config.codecServer,
          host: '127.0.0.1',
          corsOrigins: [...new Set([...config.codecServer.corsOrigins, ...uiOrigins])],
          tokens: config.codecServer.tokens,
        },
      };
      const codec = await startCodecServer(devCodecConfig, {
        host: '127.0.0.1',
        port: codecPort,
        allowUnauthenticated: true,
        log: log.child({ name: 'codec-server' }),
      });
      codecUrl = codec.url;
      stops.push({ name: 'codec server', stop: () => codec.close() });
    }
    temporal = await startTemporalDevServer({
      executable,
      dbFile: join(opts.dataDir, 'temporal.db'),
      port: temporalPort,
      uiPort: opts.uiPort,
      namespace: config.temporal.namespace,
      ...(codecUrl ? { uiCodecEndpoint: codecUrl } : {}),
      detached: true,
      logLevel: 'warn',
      onOutput: (line) => log.debug({ temporal: line }),
    });
    const t = temporal;
    stops.push({ name: 'temporal', stop: () => t.stop() });
    t.process.once('exit', (code) => void shutdown(`temporal server exited (${code})`, 1));

    // 2. Sandbox apps, with their state kept across restarts like Temporal's.
    const sandbox = await startSandbox({
      host: '127.0.0.1',
      port: opts.sandboxPort,
      snapshotFile: join(opts.dataDir, 'sandbox.json'),
    });
    stops.push({ name: 'sandbox', stop: () => sandbox.close() });

    // The example configuration addresses the sandbox at its default port; follow --sandbox-port.
    const defaultSandbox = 'http://127.0.0.1:7100';
    if (sandbox.url !== defaultSandbox) {
      for (const app of Object.values(config.apps)) {
        if (app.baseUrl.startsWith(defaultSandbox))
          app.baseUrl = sandbox.url + app.baseUrl.slice(defaultSandbox.length);
        if (app.jsm?.baseUrl.startsWith(defaultSandbox))
          app.jsm.baseUrl = sandbox.url + app.jsm.baseUrl.slice(defaultSandbox.length);
      }
    }

    // 3. Worker.
    const connection = await NativeConnection.connect({ ...access.connection, address });
    const composed = await composeForProcess(config, process.env, metrics, log);
    const workers = await startWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      apps: composed.apps,
      deps: composed.deps,
      dataConverter: access.dataConverter,
      buildId: resolveBuildId(),
    });
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
    const { client, close } = await connectClient({ address, namespace: config.temporal.namespace }, access);
    const ingressSecrets = resolveIngressSecrets(config);
    const ingress = buildIngress({
      dispatcher: temporalDispatcher(client, config.temporal.taskQueue),
      secrets: ingressSecrets.all,
      maxBodyBytes: config.ingress.maxBodyBytes,
      onAccepted: (source) => metrics.eventsReceived.inc({ source }),
      onRejected: (reason) => metrics.eventsRejected.inc({ reason }),
      ...bambooKeys(),
    });
    await ingress.listen({ host: ingressHost, port: ingressPort });
    await ensureReconcileSchedules(client, config).catch((err: unknown) =>
      log.warn({ err: String(err) }, 'reconcile schedules could not be created or updated'),
    );
    const stopGauges = pollGauges(client, metrics, Object.keys(config.apps));
    stops.push({
      name: 'ingress',
      stop: async () => {
        stopGauges();
        await ingress.close();
        await close();
      },
    });
    const metricsServer = await startMetricsServer(metrics, {
      host: '127.0.0.1',
      port: opts.metricsPort,
      ...(temporalMetricsBind ? { temporalMetricsUrl: `http://${temporalMetricsBind}/metrics` } : {}),
    });
    stops.push({ name: 'metrics', stop: () => new Promise((r) => metricsServer.close(() => r(undefined))) });

    const bound = ingress.server.address();
    const boundPort = typeof bound === 'object' && bound ? bound.port : ingressPort;
    const shownHost = ['0.0.0.0', '::', ''].includes(ingressHost)
      ? 'localhost'
      : ingressHost.includes(':')
        ? `[${ingressHost}]`
        : ingressHost;
    process.stdout.write(
      devBanner({
        config,
        configFile: opts.config,
        ingressUrl: `http://${shownHost}:${boundPort}`,
        uiUrl: `http://localhost:${opts.uiPort}`,
        temporalAddress: address,
        dbFile: join(opts.dataDir, 'temporal.db'),
        sandboxUrl: sandbox.url,
        metricsUrl: metricsServer.url,
        ...(temporalMetricsBind ? { temporalMetricsBind } : {}),
        ...(codecUrl ? { codecUrl } : {}),
      }) + '\n',
    );
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}

export const DEFAULT_DATA_DIR = join(projectRoot, '.data');

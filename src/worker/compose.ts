// The composition root of the worker: configuration (parsed once, strictly) → secrets (resolved
// here and nowhere else) → one connector per app → the activities' dependencies.
import { createConnector } from '../connectors';
import type { Connector } from '../connectors/types';
import { RequestPacer } from '../connectors/rate-limiter';
import {
  resolveAppSecrets,
  resolveNotificationSecrets,
  toAppConnection,
  toPublicConfig,
  type Env,
  type ScimflowConfig,
} from '../config';
import { createNotifier } from '../notify/notifier';
import { desireAll } from '../rules/desire';
import { outgoingUser } from '../connectors/user-rules';
import type { ScimUser } from '../connectors/types';
import type { ActivityDeps } from '../activities';
import type { Logger } from 'pino';
import type { Metrics } from '../shared/metrics';
import type { AppWorkerSpec } from './workers';
import { DEFAULT_GUARD_MIN_COUNT } from '../domain/guard';

export interface Composed {
  deps: ActivityDeps;
  apps: AppWorkerSpec[];
  connectors: Map<string, Connector>;
  /** Each rate-limited app's request pacer, whose rate the fleet share (fleet-share.ts) adjusts. */
  paced: { name: string; requestsPerSecond: number; pacer: RequestPacer }[];
  /**
   * Merges each app's /ServiceProviderConfig into its profile (where the profile says it is
   * served). An app that is down is retried in the background; until then its documented profile
   * applies. Resolves after the first attempt at every app.
   */
  discover(onError?: (app: string, err: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

export function composeWorker(
  config: ScimflowConfig,
  env: Env = process.env,
  onEvent?: ActivityDeps['onEvent'],
  metrics?: Metrics,
): Composed {
  // App credentials only: the worker is not given the webhook secrets.
  const secrets = { apps: resolveAppSecrets(config, env) };
  const publicConfig = toPublicConfig(config);
  const connectors = new Map<string, Connector>();
  const paced: Composed['paced'] = [];
  for (const [name, app] of Object.entries(config.apps)) {
    // Paced in-process to the configured limit — or to this process's share of it when several
    // worker processes serve the app (fleet-share.ts); the task-queue limit (workers.ts) caps the
    // whole fleet's rate, and a 429 that still happens is retried after exactly its Retry-After.
    const rps = app.rateLimit.requestsPerSecond;
    const pacer = rps ? new RequestPacer(rps) : undefined;
    if (pacer && rps) paced.push({ name, requestsPerSecond: rps, pacer });
    connectors.set(
      name,
      createConnector({
        ...toAppConnection(app, secrets.apps[name]!),
        ...(pacer ? { pacer } : {}),
        ...(metrics
          ? {
              onResponse: (e) => {
                const status = e.status !== undefined ? String(e.status) : (e.code ?? 'error');
                metrics.downstreamRequests.inc({ app: name, status });
                if (e.status === 429) metrics.downstreamRateLimited.inc({ app: name });
              },
            }
          : {}),
      }),
    );
  }

  // Notification secrets (webhook URLs, SMTP passwords, the approval-link key) stay in the worker too.
  const notifySecrets = config.notifications ? resolveNotificationSecrets(config, env) : undefined;
  const notifier =
    config.notifications && notifySecrets ? createNotifier(config.notifications, notifySecrets) : undefined;

  let closed = false;
  const deps: ActivityDeps = {
    connector(app) {
      const c = connectors.get(app);
      // Not retryable: the workflow asks for an app this worker has no configuration for.
      if (!c) throw Object.assign(new Error(`app "${app}" is not configured on this worker`), { code: 'CONFIG' });
      return c;
    },
    desire(employee) {
      const desires = desireAll(employee, publicConfig, (app) => {
        const c = connectors.get(app)!;
        return {
          owner: c.profile.owner,
          groupsSupported: c.profile.groups.supported,
          outgoing: (user) =>
            outgoingUser(user as ScimUser, c.profile, app) as unknown as Record<string, unknown> & { userName: string },
        };
      });
      // What the configuration routes travels with each app's desire: the controller fires only those.
      return desires.map((d) => {
        const notify = notifier?.routing(d.app);
        return notify ? { ...d, notify } : d;
      });
    },
    notifications: { ...(notifier ? { notifier } : {}), linkKeys: notifySecrets?.linkKeys ?? [] },
    approversOf(app) {
      const a = publicConfig.apps[app]?.approval;
      return { required: a?.required ?? false, approvers: a ? [...a.approvers, ...a.escalateTo] : [] };
    },
    guardPolicy(app) {
      if (!config.guard) return { minCount: DEFAULT_GUARD_MIN_COUNT };
      const { apps, ...all } = config.guard;
      return { ...all, ...apps[app] };
    },
    paidSeats(app) {
      const a = config.apps[app];
      return Boolean(a && (a.seatConsuming || a.approval.required));
    },
    serviceDeskId(app) {
      return config.apps[app]?.jsm?.serviceDeskId;
    },
    ...(onEvent ? { onEvent } : {}),
  };
  return {
    deps,
    apps: Object.values(config.apps).map((a) => {
      const pacer = paced.find((p) => p.name === a.name)?.pacer;
      return {
        name: a.name,
        requestsPerSecond: a.rateLimit.requestsPerSecond,
        ...(pacer ? { share: () => pacer.requestsPerSecond } : {}),
      };
    }),
    connectors,
    paced,
    async discover(onError) {
      const tryOnce = async (name: string, c: Connector) => {
        try {
          await c.discover();
          return true;
        } catch (err) {
          onError?.(name, err);
          return false;
        }
      };
      const retryLater = async (name: string, c: Connector) => {
        // Every 30 s for 10 minutes, without holding up start-up.
        for (let i = 0; i < 20 && !closed; i++) {
          await new Promise((r) => setTimeout(r, 30_000).unref());
          if (closed || (await tryOnce(name, c))) return;
        }
      };
      await Promise.all(
        [...connectors.entries()].map(async ([name, c]) => {
          if (!(await tryOnce(name, c))) void retryLater(name, c);
        }),
      );
    },
    async close() {
      closed = true;
      await Promise.all([...connectors.values()].map((c) => c.close()));
      await notifier?.close();
    },
  };
}

/**
 * A worker process's parts (`scimflow worker`, `npm start`): composed with the process's metrics
 * (accounts changed, requests), then each app's ServiceProviderConfig discovered; an app that does
 * not answer keeps its documented profile, with a warning.
 */
export async function composeForProcess(
  config: ScimflowConfig,
  env: Env,
  metrics: Metrics,
  log: Pick<Logger, 'warn'>,
): Promise<Composed> {
  const composed = composeWorker(config, env, (e) => metrics.accounts.inc({ app: e.app, action: e.action }), metrics);
  await composed.discover((app, err) =>
    log.warn({ app, err: String(err) }, 'ServiceProviderConfig discovery failed; using the documented profile'),
  );
  return composed;
}

// The worker process: one Temporal Worker for workflows (main queue) and one activity-only Worker
// per downstream app on `scim-<app>`.
//
// One rate limit per app, however many worker processes run (docs/operations.md, "One rate limit
// per app"): every request an app receives is made by an activity on `scim-<app>`, one request per
// activity attempt (see src/activities/index.ts), and every attempt — a retry included — is a task
// the server's matching service dispatches from that queue. `maxTaskQueueActivitiesPerSecond` is
// that dispatch rate, enforced by the server for the whole queue (all pollers of all processes), so
// the fleet cannot start more requests per second than the app allows. The server divides the rate
// among the queue's read partitions: a production cluster sets `scim-*` queues to one partition
// (scripts/cluster.ts writes that dynamic config) so the whole rate sits on one limiter. Eager
// activity dispatch, which would skip matching, is turned off. The connector's in-process pacer
// (src/connectors/rate-limiter.ts) stays as the second line: given this process's share of the
// limit (fleet-share.ts), the shares adding up to the limit, it clips what the server's token
// bucket lets through at once after a lull, so no one second holds more than the app allows.
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import {
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type BundleOptions,
  type WorkerDeploymentOptions,
  type WorkflowBundleOption,
  type TunerHolder,
} from '@temporalio/worker';
import { ShareSlotSupplier } from './share-slots';
import { createActivities, type ActivityDeps } from '../activities';
import { createNotifyActivities } from '../activities/notify';
import { createReconcileActivities } from '../activities/reconcile';
import { MAIN_TASK_QUEUE, NOTIFY_TASK_QUEUE, appTaskQueue } from '../workflows/definitions';

export interface AppWorkerSpec {
  name: string;
  /** Requests per second the app allows; unset = unlimited. */
  requestsPerSecond?: number;
  /** This process's share of that rate now (its pacer's; default: all of it). */
  share?: () => number;
}

export interface StartWorkersOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  apps: AppWorkerSpec[];
  deps: ActivityDeps;
  /**
   * A pre-built bundle (tests build it once; `npm run build:workflows` writes one to a file, which
   * `scimflow worker` reads); otherwise the workflows are bundled from source, once for the process.
   */
  workflowBundle?: WorkflowBundleOption;
  /**
   * `dataConverter(config)` (src/temporal/options.ts): the payload codec and the failure converter.
   * A pre-built bundle must have been bundled with the same failureConverterPath (src/worker/bundle.ts).
   */
  dataConverter?: DataConverter;
  /** Every Worker's identity (default `<pid>@<host>`); the fleet share finds this process's pollers by it. */
  identity?: string;
  /** Worker Deployment versioning (docs/versioning.md); unset: unversioned workers. */
  deployment?: DeploymentVersion;
  /** The build id an unversioned worker reports (src/worker/build.ts); ignored with `deployment`, which carries its own. */
  buildId?: string;
}

export interface DeploymentVersion {
  name: string;
  buildId: string;
}

/**
 * Every worker of the process (workflows and each app's activities) is one Deployment Version, so
 * activities of a versioned workflow go to workers of the same build. Each workflow type declares
 * its own behaviour (src/workflows/versioning.ts); the default covers a run that began unversioned.
 */
export function deploymentOptions(
  d: DeploymentVersion | undefined,
  buildId?: string,
): { workerDeploymentOptions?: WorkerDeploymentOptions; buildId?: string } {
  // Unversioned: the build id only names the code (each run's `BuildIds`); the server routes nothing by it.
  if (!d) return buildId ? { buildId } : {};
  return {
    workerDeploymentOptions: {
      version: { deploymentName: d.name, buildId: d.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  };
}

export function workerIdentity(): string {
  return `${process.pid}@${hostname()}`;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Resolves when every worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/**
 * How every bundle of the workflows at `entry` is built (the worker's, `npm run build:workflows`,
 * the cluster's, the tests'):
 *
 * - the interceptor module that merges a task's search-attribute upserts
 *   (src/workflows/upsert-coalescing.ts). A bundle without it keeps one upsert per step: its own
 *   runs replay on it, but a run recorded with it would not.
 * - scope hoisting (webpack's `concatenateModules`, with the export analysis it needs). The SDK
 *   evaluates the bundle's module graph once per workflow run, to keep runs apart; hoisted, the
 *   workflows and the libraries they use (zod above all) evaluate as a few functions instead of a
 *   hundred modules each defining its exports. bench/onboarding: creating a run took 10.5 ms of the
 *   workflow thread before, 5.7 ms after (profiled), and the worker's CPU fell by a sixth. The code
 *   is the same code; only how modules are wrapped changes, so histories replay unchanged.
 */
export function workflowBundleOptions(
  entry = workflowsPath(),
): Required<Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'webpackConfigHook'>> {
  return {
    workflowsPath: entry,
    workflowInterceptorModules: [join(dirname(entry), 'upsert-coalescing')],
    webpackConfigHook: (config) => ({
      ...config,
      optimization: {
        ...config.optimization,
        providedExports: true,
        usedExports: true,
        innerGraph: true,
        sideEffects: true,
        concatenateModules: true,
      },
    }),
  };
}

export async function createWorkers(opts: StartWorkersOptions): Promise<Worker[]> {
  const namespace = opts.namespace ?? 'default';
  const activities = createActivities(opts.deps);
  const dataConverter = opts.dataConverter ? { dataConverter: opts.dataConverter } : {};
  const versioning = deploymentOptions(opts.deployment, opts.buildId);
  // Bundled once for the process: each Worker would otherwise bundle the workflows on its own.
  const workflowBundle =
    opts.workflowBundle ??
    (await bundleWorkflowCode({
      ...workflowBundleOptions(),
      ...(opts.dataConverter?.failureConverterPath
        ? { failureConverterPath: opts.dataConverter.failureConverterPath }
        : {}),
      logger: Runtime.instance().logger,
    }));
  const identity = opts.identity ?? workerIdentity();
  const main = await Worker.create({
    connection: opts.connection,
    identity,
    namespace,
    taskQueue: opts.taskQueue ?? MAIN_TASK_QUEUE,
    ...dataConverter,
    workflowBundle,
    activities: { desire: activities.desire, guardPolicy: activities.guardPolicy },
    ...versioning,
  });
  const perApp = await Promise.all(
    opts.apps.map((app) =>
      Worker.create({
        connection: opts.connection,
        identity,
        namespace,
        taskQueue: appTaskQueue(app.name),
        ...dataConverter,
        activities: { ...activities, ...createReconcileActivities(opts.deps) },
        ...versioning,
        // The group single-writer workflow runs its steps on the app's queue.
        workflowBundle,
        // An eagerly dispatched activity (returned with a workflow task on the same queue) skips
        // the queue's rate limit; the server's default is off too (system.enableActivityEagerExecution).
        maxEagerActivityReservationsPerWorkflowTask: 0,
        ...(app.requestsPerSecond
          ? {
              maxTaskQueueActivitiesPerSecond: app.requestsPerSecond,
              // Activities past what this process's share can serve would only wait in its request
              // pacer, where their start-to-close timeout runs; left on the task queue they wait for
              // free, and another worker may take them (src/worker/share-slots.ts).
              tuner: shareTuner(app.share ?? (() => app.requestsPerSecond!)),
            }
          : {}),
      }),
    ),
  );
  // Notifications and link checks: their own queue, so a slow mail server holds up no app.
  const notify = await Worker.create({
    connection: opts.connection,
    namespace,
    identity,
    taskQueue: NOTIFY_TASK_QUEUE,
    ...dataConverter,
    activities: createNotifyActivities(opts.deps.notifications ?? { linkKeys: [] }),
    ...versioning,
  });
  return [main, ...perApp, notify];
}

/** The SDK's default slots for everything but activities, which follow the share. */
function shareTuner(share: () => number): TunerHolder {
  return {
    workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 40 },
    activityTaskSlotSupplier: new ShareSlotSupplier(share),
    localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
  };
}

export async function startWorkers(opts: StartWorkersOptions): Promise<RunningWorkers> {
  const workers = await createWorkers(opts);
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    workers,
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}

export { NativeConnection };

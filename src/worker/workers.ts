// The worker process: one Temporal Worker for workflows (main queue) and one activity-only Worker
// per downstream app on `scim-<app>`. `maxTaskQueueActivitiesPerSecond` is enforced by the Temporal
// server for the whole queue, so an app's rate limit holds however many worker processes run.
import { NativeConnection, Worker, type WorkerDeploymentOptions, type WorkflowBundlePath, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { createReconcileActivities } from '../activities/reconcile';
import { MAIN_TASK_QUEUE, appTaskQueue } from '../workflows/definitions';

export interface AppWorkerSpec {
  name: string;
  /** Requests per second the app allows; unset = unlimited. */
  requestsPerSecond?: number;
}

export interface StartWorkersOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  apps: AppWorkerSpec[];
  deps: ActivityDeps;
  /** A pre-built bundle (tests build it once; `npm run build:workflows` writes one to a file); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundleWithSourceMap | WorkflowBundlePath;
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
export function deploymentOptions(d: DeploymentVersion | undefined, buildId?: string): { workerDeploymentOptions?: WorkerDeploymentOptions; buildId?: string } {
  // Unversioned: the build id only names the code (each run's `BuildIds`); the server routes nothing by it.
  if (!d) return buildId ? { buildId } : {};
  return { workerDeploymentOptions: { version: { deploymentName: d.name, buildId: d.buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' } };
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

export async function createWorkers(opts: StartWorkersOptions): Promise<Worker[]> {
  const namespace = opts.namespace ?? 'default';
  const activities = createActivities(opts.deps);
  const versioning = deploymentOptions(opts.deployment, opts.buildId);
  const main = await Worker.create({
    connection: opts.connection,
    namespace,
    taskQueue: opts.taskQueue ?? MAIN_TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: { desire: activities.desire, guardPolicy: activities.guardPolicy },
    ...versioning,
  });
  const perApp = await Promise.all(
    opts.apps.map((app) =>
      Worker.create({
        connection: opts.connection,
        namespace,
        taskQueue: appTaskQueue(app.name),
        activities: { ...activities, ...createReconcileActivities(opts.deps) },
        ...versioning,
        // The group single-writer workflow runs its steps on the app's queue.
        ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: workflowsPath() }),
        ...(app.requestsPerSecond
          ? {
              maxTaskQueueActivitiesPerSecond: app.requestsPerSecond,
              // Activities past what the app's rate can serve would only wait in the request pacer,
              // where their start-to-close timeout runs; left on the task queue they wait for free.
              // One in flight per request/second keeps the pacer busy without a backlog.
              maxConcurrentActivityTaskExecutions: Math.max(4, Math.ceil(app.requestsPerSecond)),
            }
          : {}),
      }),
    ),
  );
  return [main, ...perApp];
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

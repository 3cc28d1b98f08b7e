// The worker process: one Temporal Worker for workflows (main queue) and one activity-only Worker
// per downstream app on `scim-<app>`. `maxTaskQueueActivitiesPerSecond` is enforced by the Temporal
// server for the whole queue, so an app's rate limit holds however many worker processes run.
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
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
  /** A pre-built bundle (tests build it once); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundleWithSourceMap;
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
  const main = await Worker.create({
    connection: opts.connection,
    namespace,
    taskQueue: opts.taskQueue ?? MAIN_TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: { desire: activities.desire, guardPolicy: activities.guardPolicy },
  });
  const perApp = await Promise.all(
    opts.apps.map((app) =>
      Worker.create({
        connection: opts.connection,
        namespace,
        taskQueue: appTaskQueue(app.name),
        activities,
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

// Scheduled reconciliation: one Temporal Schedule per app, `scimflow-reconcile:<app>`, running
// `reconcileWorkflow` (src/workflows/reconcile.ts) on the configured cron (default nightly,
// `0 3 * * *`), with jitter, overlap Skip. The worker creates or updates every schedule when it
// starts (idempotent: the same call again changes nothing), so the configuration is the truth.
// The last run of each app is read back through the schedule's own record of its actions.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowFailedError,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { ScimflowConfig } from '../config';
import { MAIN_TASK_QUEUE } from '../workflows/definitions';
import { reconcileStatusQuery, type ReconcileStatus } from '../workflows/reconcile';

export const DEFAULT_RECONCILE_CRON = '0 3 * * *';
export const DEFAULT_RECONCILE_JITTER_MS = 10 * 60_000;

export function reconcileScheduleId(app: string): string {
  return `scimflow-reconcile:${app}`;
}

export function reconcileCron(config: Pick<ScimflowConfig, 'reconcile'>, app: string): string {
  return config.reconcile?.apps[app] ?? config.reconcile?.cron ?? DEFAULT_RECONCILE_CRON;
}

function scheduleOptions(config: Pick<ScimflowConfig, 'reconcile' | 'temporal'>, app: string): ScheduleOptions {
  return {
    scheduleId: reconcileScheduleId(app),
    spec: {
      cronExpressions: [reconcileCron(config, app)],
      jitter: config.reconcile?.jitterMs ?? DEFAULT_RECONCILE_JITTER_MS,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'reconcileWorkflow',
      workflowId: reconcileScheduleId(app),
      taskQueue: config.temporal.taskQueue ?? MAIN_TASK_QUEUE,
      args: [{ app }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
}

/** Creates each app's schedule, or brings an existing one to the configuration. Returns what it did per app. */
export async function ensureReconcileSchedules(
  client: Client,
  config: Pick<ScimflowConfig, 'reconcile' | 'temporal' | 'apps'>,
): Promise<Record<string, 'created' | 'updated'>> {
  const out: Record<string, 'created' | 'updated'> = {};
  for (const app of Object.keys(config.apps).sort()) {
    const opts = scheduleOptions(config, app);
    try {
      await client.schedule.create(opts);
      out[app] = 'created';
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(opts.scheduleId).update((prev) => ({
        ...prev,
        spec: opts.spec,
        action: opts.action,
        policies: { ...prev.policies, ...opts.policies },
      }));
      out[app] = 'updated';
    }
  }
  return out;
}

export interface LastReconcile {
  app: string;
  /** `none`: the schedule has not run yet; `failed`: the run ended in error (it was terminated, say). */
  state: 'none' | 'running' | 'failing' | 'ok' | 'failed' | 'no-schedule';
  workflowId?: string;
  takenAt?: string;
  status?: ReconcileStatus;
  /** The last completed run, when the latest is still running or failing. */
  previous?: ReconcileStatus;
  error?: string;
}

async function runOutcome(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ status?: ReconcileStatus; error?: string; running: boolean }> {
  const h = client.workflow.getHandle(workflowId, runId);
  const desc = await h.describe();
  if (desc.status.name === 'RUNNING') return { status: await h.query(reconcileStatusQuery), running: true };
  try {
    return { status: (await h.result()) as ReconcileStatus, running: false };
  } catch (err) {
    return {
      error: err instanceof WorkflowFailedError ? `${err.message}: ${err.cause?.message ?? ''}` : String(err),
      running: false,
    };
  }
}

/** The latest run of the app's schedule (and the last completed one before it, if the latest is not done). */
export async function lastReconcile(client: Client, app: string): Promise<LastReconcile> {
  let desc;
  try {
    desc = await client.schedule.getHandle(reconcileScheduleId(app)).describe();
  } catch {
    return { app, state: 'no-schedule' };
  }
  const runs = [...desc.info.recentActions].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  const [latest, ...older] = runs;
  if (!latest) return { app, state: 'none' };
  const { workflowId, firstExecutionRunId } = latest.action.workflow;
  const now = await runOutcome(client, workflowId, firstExecutionRunId);
  const base = { app, workflowId, takenAt: latest.takenAt.toISOString() };
  if (!now.status) return { ...base, state: 'failed', ...(now.error ? { error: now.error } : {}) };
  if (!now.running) return { ...base, state: 'ok', status: now.status };
  let previous: ReconcileStatus | undefined;
  for (const r of older) {
    const o = await runOutcome(client, r.action.workflow.workflowId, r.action.workflow.firstExecutionRunId).catch(
      () => undefined,
    );
    if (o?.status && !o.running) {
      previous = o.status;
      break;
    }
  }
  return {
    ...base,
    state: now.status.state === 'failing' ? 'failing' : 'running',
    status: now.status,
    ...(previous ? { previous } : {}),
  };
}

// One scheduled reconcile run of one app (Temporal Schedule `scimflow-reconcile:<app>`,
// src/reconcile/schedule.ts): scan every account against the people the controllers know and
// classify (reads only; `scimflow reconcile --fix` converges). The result is the workflow's result
// and, while it runs, the `reconcileStatus` query. A run that keeps failing stays running and
// retrying, marked like any stuck work (`ScimflowNeedsAttention`, `ScimflowProblems =
// reconcile-failing:<app>`; `scimflow stuck`); the schedule skips the runs it would overlap.
import {
  defineQuery,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ReconcileActivities, ReconcileRunSummary } from '../activities/reconcile';
import { nowIso, nowMs } from './clock';
import { appTaskQueue } from './definitions';
import { guardSizeSignal, guardWorkflowId } from './guard';
import { failureCode, failureMessage } from './proxies';
import { NEEDS_ATTENTION, PROBLEMS } from './search-attributes';

export interface ReconcileStatus {
  app: string;
  state: 'running' | 'failing' | 'ok';
  startedAt: string;
  finishedAt?: string;
  attempts: number;
  failure?: { since: string; lastError: string; code?: string; nextTryAt: string };
  summary?: ReconcileRunSummary;
}

export const reconcileStatusQuery = defineQuery<ReconcileStatus>('reconcileStatus');

const MAX_BACKOFF_MS = 30 * 60_000;

export async function reconcileWorkflow(input: { app: string }): Promise<ReconcileStatus> {
  const { app } = input;
  const acts = proxyActivities<ReconcileActivities>({
    taskQueue: appTaskQueue(app),
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
  });
  const status: ReconcileStatus = { app, state: 'running', startedAt: nowIso(), attempts: 0 };
  setHandler(reconcileStatusQuery, () => status);
  for (;;) {
    status.attempts++;
    try {
      status.summary = await acts.reconcileScan({ app });
      break;
    } catch (err) {
      const delay = Math.min(60_000 * 2 ** Math.min(status.attempts - 1, 10), MAX_BACKOFF_MS);
      const code = failureCode(err);
      status.state = 'failing';
      status.failure = {
        since: status.failure?.since ?? nowIso(),
        lastError: failureMessage(err),
        ...(code ? { code } : {}),
        nextTryAt: new Date(nowMs() + delay).toISOString(),
      };
      if (status.attempts === 1)
        upsertSearchAttributes([
          { key: NEEDS_ATTENTION, value: true },
          { key: PROBLEMS, value: [`reconcile-failing:${app}`] },
        ]);
      await sleep(delay);
    }
  }
  if (status.failure)
    upsertSearchAttributes([
      { key: NEEDS_ATTENTION, value: false },
      { key: PROBLEMS, value: [] },
    ]);
  status.state = 'ok';
  delete status.failure;
  status.finishedAt = nowIso();
  // The guard's allowance is a share of the app's size: tell it what the scan counted (if it runs).
  await getExternalWorkflowHandle(guardWorkflowId(app))
    .signal(guardSizeSignal, { accounts: status.summary!.total })
    .catch(() => undefined);
  return status;
}

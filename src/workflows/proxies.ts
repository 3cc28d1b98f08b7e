// Activity proxies: one per app (its own task queue, where the server enforces the app's rate
// limit for all workers together) and one local proxy for planning.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { appTaskQueue } from './definitions';

type AppActivities = Omit<Activities, 'desire'>;

/**
 * The rules are a pure function of the record and the worker's configuration, run by the worker
 * (on the workflow's own task queue) and recorded in history, so replay does not depend on the
 * configuration of the day. A regular activity, not a local one: a local activity that outlives its
 * workflow task left the workflow clock behind on one run and not on its replay (the model-based
 * test caught the nondeterminism), and the extra round trip costs milliseconds once per record.
 *
 * Tried again in 0.4.0 development, bounded well inside the task (2 s to a slot, 2 attempts of 2 s,
 * then this activity as the fallback; branch h-local-desire): it took a third off the dev server's
 * CPU in a bulk onboarding, and the model-based test on a starved machine (`npm run bench:model --
 * --people 20 --burn 3`) failed in 3 runs of 4 with `No command scheduled for event TimerStarted`
 * or `Missing associated machine for LocalActivity(2)`. A task ends early without the 8 s limit
 * being reached too: a state query arriving with it makes the SDK complete it and start another
 * while the local activity runs. In the failing histories that happened while HR events were
 * arriving, and the replay met the rules' result and those signals in another order than the live
 * run had, so it asked the rules a different number of times. (Also: the SDK core drops a local
 * activity's `scheduleToCloseTimeout` when it fires during a retry's backoff, so one that fails fast
 * retries for ever unless `maximumAttempts` bounds it.) Until that order is the same on both paths,
 * this stays a regular activity.
 */
export const planning = proxyActivities<Pick<Activities, 'desire'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const cache = new Map<string, AppActivities>();

/**
 * Each step is tried a few times by Temporal (blips; a 429 waits exactly its Retry-After), then
 * the failure comes back to the controller, which shows it, backs off and — because the truth is
 * in the app — observes again before it tries anything else. No step retries blindly into a
 * state it cannot see.
 */
export function appActivities(app: string): AppActivities {
  let p = cache.get(app);
  if (!p) {
    p = proxyActivities<AppActivities>({
      taskQueue: appTaskQueue(app),
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 3 },
    });
    cache.set(app, p);
  }
  return p;
}

interface FailureCause {
  type?: unknown;
  message?: unknown;
  details?: unknown[];
}

function cause(err: unknown): FailureCause | undefined {
  const c = (err as { cause?: unknown } | undefined)?.cause;
  return c && typeof c === 'object' ? (c as FailureCause) : undefined;
}

/** The human-readable message of an activity failure (the cause carries the connector's text). */
export function failureMessage(err: unknown): string {
  const c = cause(err);
  if (typeof c?.message === 'string') return c.message;
  return err instanceof Error ? err.message : String(err);
}

/** The connector error code of an activity failure (ApplicationFailure.type), if any. */
export function failureCode(err: unknown): string | undefined {
  const t = cause(err)?.type;
  return typeof t === 'string' ? t : undefined;
}

function detail(err: unknown): Record<string, unknown> | undefined {
  const d = cause(err)?.details?.[0];
  return d && typeof d === 'object' ? (d as Record<string, unknown>) : undefined;
}

/** The attempt that failed last, from the failure's details (set by the activities). */
export function failureAttempts(err: unknown): number | undefined {
  const a = detail(err)?.attempt;
  return typeof a === 'number' ? a : undefined;
}

/** The app's Retry-After, when it said one. */
export function failureRetryAfterMs(err: unknown): number | undefined {
  const a = detail(err)?.retryAfterMs;
  return typeof a === 'number' ? a : undefined;
}

// Activity proxies, one per (app, retry profile). Each app has its own task queue, where the
// Temporal server enforces its rate limit for all workers together.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { appTaskQueue } from './definitions';

type AppActivities = Omit<Activities, 'planEntitlements'>;

/**
 * Planning is a pure function of the employee and the worker's rules: a local activity, run in
 * the workflow worker itself (no task-queue round trip), its result still recorded in history so
 * replay does not depend on the configuration of the day.
 */
export const planning = proxyLocalActivities<Pick<Activities, 'planEntitlements'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const provisioningCache = new Map<string, AppActivities>();
const offboardingCache = new Map<string, AppActivities>();

/**
 * Joiner/mover profile. Transient errors back off 1 s, 2 s, 4 s … capped at 60 s; RATE_LIMITED
 * replaces the delay with the server's Retry-After. After an hour of transient failure the step
 * fails for good and the joiner compensates, rather than leaving a half-provisioned person forever.
 */
export function provisioning(app: string): AppActivities {
  let p = provisioningCache.get(app);
  if (!p) {
    p = proxyActivities<AppActivities>({
      taskQueue: appTaskQueue(app),
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: '1 hour',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '60 seconds' },
    });
    provisioningCache.set(app, p);
  }
  return p;
}

/**
 * Leaver/compensation profile: a leaver never gives up. Unlimited attempts, backoff capped at
 * 5 minutes; only non-retryable failures (AUTH_FAILED, INVALID…) surface, as needs-attention.
 */
export function offboarding(app: string): AppActivities {
  let p = offboardingCache.get(app);
  if (!p) {
    p = proxyActivities<AppActivities>({
      taskQueue: appTaskQueue(app),
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
    });
    offboardingCache.set(app, p);
  }
  return p;
}

/** The human-readable message of an activity failure (the cause carries the connector's text). */
export function failureMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : err.message;
  }
  return String(err);
}

/** The connector error code of an activity failure (ApplicationFailure.type), if any. */
export function failureCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { type?: unknown } } | undefined)?.cause;
  return typeof cause?.type === 'string' ? cause.type : undefined;
}

/** The attempt that failed last, from the failure's details (set by the activities). */
export function failureAttempts(err: unknown): number | undefined {
  const details = (err as { cause?: { details?: unknown[] } } | undefined)?.cause?.details;
  const attempt = (details?.[0] as { attempt?: unknown } | undefined)?.attempt;
  return typeof attempt === 'number' ? attempt : undefined;
}

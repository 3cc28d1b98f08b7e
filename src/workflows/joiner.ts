// Joiner: one child workflow per hire, id `joiner-<employeeId>-<eventId>`, so the Temporal UI
// shows one row per lifecycle. Per-app steps run in parallel.
import { proxyActivities, log } from '@temporalio/workflow';
import type { Activities, AppPlan } from '../activities';
import { appTaskQueue, type AppLink, type JoinerInput, type JoinerResult } from './definitions';

// Planning reads the worker's rules; short and cheap to retry.
const planning = proxyActivities<Pick<Activities, 'planJoiner'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

function appActivities(app: string) {
  // One proxy per app: its own task queue (rate limit enforced by the queue) and retry profile.
  // Transient errors back off 1 s → 60 s; RATE_LIMITED overrides the delay with Retry-After.
  return proxyActivities<Pick<Activities, 'ensureUser'>>({
    taskQueue: appTaskQueue(app),
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '60 seconds' },
  });
}

async function provisionApp(step: AppPlan): Promise<AppLink> {
  try {
    const res = await appActivities(step.app).ensureUser({ app: step.app, user: step.user });
    return { app: step.app, scimId: res.scimId, userName: res.userName, status: 'active', createdByUs: res.created };
  } catch (err) {
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    log.warn('joiner step failed', { app: step.app, error: message });
    return { app: step.app, userName: step.user.userName, status: 'failed', lastError: message };
  }
}

export async function joinerWorkflow(input: JoinerInput): Promise<JoinerResult> {
  const plan = await planning.planJoiner(input.employee);
  const links = await Promise.all(plan.apps.map(provisionApp));
  const apps: Record<string, AppLink> = {};
  for (const link of links) apps[link.app] = link;
  return { apps, ok: links.every((l) => l.status === 'active') };
}

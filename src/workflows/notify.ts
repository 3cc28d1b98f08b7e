// Notifications from the controller: the events the worker's configuration routes (carried in each
// app's desire, so replay sees what the run saw) go to the `notify` activity on its own task queue.
// Fired and not awaited: a notifier that is slow or down never holds up or fails a lifecycle; its
// retries run on their own, and a failure that outlasts them is only logged. Each event has one id
// (src/domain/notifications.ts), so the worker sends it once however often the activity is retried.
import { condition, log, patched, proxyActivities } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import { approvalContext } from '../domain/approval-context';
import type { ApprovalPolicy, ApprovalRequest } from '../domain/approvals';
import {
  approvalTransitions,
  requestEvent,
  warningAt,
  type NotificationEvent,
  type NotificationKind,
  type NotificationRouting,
} from '../domain/notifications';
import type { DesireResult } from '../rules/desire';
import type { Employee } from '../shared/hr-event';
import { nowMs } from './clock';
import { NOTIFY_TASK_QUEUE } from './definitions';
import { PATCHES } from './patches';

const acts = proxyActivities<NotifyActivities>({
  taskQueue: NOTIFY_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  // Retried for an hour at most, then given up (and logged): a notice that late helps nobody.
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export interface NotifyHost {
  employeeId: string;
  employee(): Employee | undefined;
  desire(app: string): DesireResult | undefined;
  policies(): Record<string, ApprovalPolicy>;
}

export class Notifications {
  private inFlight = 0;
  constructor(private readonly host: NotifyHost) {}

  private routing(app: string): NotificationRouting | undefined {
    return this.host.desire(app)?.notify;
  }

  private routed(kind: NotificationKind, apps: readonly string[]): boolean {
    return apps.some((a) => this.routing(a)?.events.includes(kind));
  }

  /** Fires the event if any of its apps routes it; never awaited, never throws. */
  send(event: NotificationEvent): void {
    if (!this.routed(event.kind, event.app ? [event.app] : (event.apps ?? []))) return;
    if (!patched(PATCHES.notifications)) return;
    this.inFlight++;
    acts
      .notify(event)
      .catch((err: unknown) =>
        log.warn('notification not sent', {
          id: event.id,
          kind: event.kind,
          error: err instanceof Error ? err.message : String(err),
        }),
      )
      .finally(() => {
        this.inFlight--;
      });
  }

  /** An event about the person in one app (or several), with the person's context. */
  about(kind: NotificationKind, key: string, apps: string[], detail: string): void {
    const emp = this.host.employee();
    const rules = [...new Set(apps.flatMap((a) => this.host.desire(a)?.grantedBy ?? []))];
    this.send({
      id: `${this.host.employeeId}/${kind}/${key}`,
      kind,
      employeeId: this.host.employeeId,
      ...(apps.length === 1 ? { app: apps[0] } : { apps }),
      ...(emp ? { person: approvalContext(emp, rules) } : {}),
      detail,
      at: nowMs(),
    });
  }

  request(kind: NotificationKind, r: ApprovalRequest): void {
    this.send(requestEvent(kind, this.host.employeeId, r, this.host.policies()[r.app], nowMs()));
  }

  /** Escalations and decisions (expiry included) between two versions of the approval list. */
  approvalsChanged(before: readonly ApprovalRequest[], after: readonly ApprovalRequest[]): void {
    for (const t of approvalTransitions(before, after)) this.request(t.kind, t.request);
  }

  private warnBefore(r: ApprovalRequest): number | undefined {
    const routing = this.routing(r.app);
    return routing?.events.includes('approval-expiring') ? routing.expiringBeforeMs : undefined;
  }

  /** Sends the "about to time out" notices that are due; returns the list with those rounds marked. */
  warn(requests: ApprovalRequest[], now: number): ApprovalRequest[] {
    return requests.map((r) => {
      const before = this.warnBefore(r);
      const at = before === undefined ? undefined : warningAt(r, before);
      if (at === undefined || at > now) return r;
      const marked = { ...r, warnedRound: r.round };
      this.request('approval-expiring', marked);
      return marked;
    });
  }

  /** When the next notice is due (Infinity: none), so the controller's loop wakes for it. */
  nextWarningAt(requests: readonly ApprovalRequest[]): number {
    let next = Infinity;
    for (const r of requests) {
      const before = this.warnBefore(r);
      const at = before === undefined ? undefined : warningAt(r, before);
      if (at !== undefined) next = Math.min(next, at);
    }
    // A new timer is a new command: only for runs that take the patched branch.
    return next !== Infinity && patched(PATCHES.notifications) ? next : Infinity;
  }

  /** Before continue-as-new: give notices under way a minute to land (the next run does not resend them). */
  async settle(): Promise<void> {
    if (this.inFlight > 0) await condition(() => this.inFlight === 0, '1 minute');
  }
}

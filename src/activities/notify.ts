// The notification activities, on their own task queue (`scimflow-notify`): `notify` sends one
// event to its channels; `verifyApprovalLink` checks a signed approval link for the controller
// (the key stays in the worker). Neither touches a downstream app.
import { Context } from '@temporalio/activity';
import type { NotificationEvent } from '../domain/notifications';
import { verifyLink } from '../notify/links';
import type { Notifier } from '../notify/notifier';

export interface NotifyDeps {
  /** Absent: nothing is configured, and `notify` sends nothing. */
  notifier?: Notifier;
  /** Approval-link keys, current first (empty: no link is valid). */
  linkKeys: readonly string[];
  now?(): number;
}

export interface LinkToCheck {
  token: string;
  employeeId: string;
  app: string;
  requestId: string;
  approver: string;
}

function heartbeatDetails(): string[] {
  try {
    const d = Context.current().info.heartbeatDetails as unknown;
    return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function createNotifyActivities(deps: NotifyDeps) {
  const now = deps.now ?? Date.now;
  return {
    /** Sends the event once per channel and recipient: what a failed attempt delivered is remembered (heartbeat) and not sent again. */
    async notify(event: NotificationEvent): Promise<{ delivered: number }> {
      if (!deps.notifier) return { delivered: 0 };
      const done = new Set(heartbeatDetails());
      let delivered = 0;
      await deps.notifier.deliver(event, done, (key) => {
        done.add(key);
        delivered++;
        try {
          Context.current().heartbeat([...done]);
        } catch {
          // outside an activity (unit use): nothing to record
        }
      });
      return { delivered };
    },

    /** The link's signature and expiry, and that it names exactly this person, app, request and approver. */
    async verifyApprovalLink(input: LinkToCheck): Promise<{ ok: true } | { ok: false; reason: string }> {
      if (deps.linkKeys.length === 0) return { ok: false, reason: 'approval links are not configured on this worker' };
      const check = verifyLink(input.token, deps.linkKeys, now());
      if (!check.ok)
        return { ok: false, reason: check.reason === 'expired' ? 'the link has expired' : 'the link is not valid' };
      const c = check.claims;
      const same =
        c.emp === input.employeeId &&
        c.app === input.app &&
        c.req === input.requestId &&
        c.apr.toLowerCase() === input.approver.toLowerCase();
      return same ? { ok: true } : { ok: false, reason: 'the link is for another decision' };
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

// Notifications as data: which lifecycle events people are told about, the one id each event has
// (so it is sent once, whoever retries), and the events an approval list's change implies. Pure;
// the controller fires them (src/workflows/notify.ts), the worker renders and sends them.
import { approvalTimes } from './approval-context';
import type { ApprovalContext, ApprovalPolicy, ApprovalRequest, DecisionVia } from './approvals';

export const NOTIFICATION_KINDS = [
  'approval-pending',
  'approval-escalated',
  'approval-expiring',
  'approval-decided',
  'leaver-attention',
  'identity-conflict',
  'join-compensated',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const APPROVAL_KINDS: readonly NotificationKind[] = [
  'approval-pending',
  'approval-escalated',
  'approval-expiring',
  'approval-decided',
];

/** What the worker's configuration routes for one app (carried in its desire, so recorded in history). */
export interface NotificationRouting {
  events: NotificationKind[];
  /** `approval-expiring` goes out this long before a round ends. */
  expiringBeforeMs: number;
}

export interface NotifiedRequest {
  id: string;
  purpose: 'create' | 'reactivate';
  status: ApprovalRequest['status'];
  round: number;
  approvers: string[];
  deadline: number;
  escalatesAt?: number;
  expiresAt: number;
  decidedBy?: string;
  comment?: string;
  reason?: string;
  via?: DecisionVia;
  verified?: boolean;
}

/** One event, as the notify activity receives it. No secrets; no links (the worker signs those). */
export interface NotificationEvent {
  /** Deterministic: the same event always has the same id (the activity's dedupe key). */
  id: string;
  kind: NotificationKind;
  employeeId: string;
  /** The app it is about (every kind has one but join-compensated, which names `apps`). */
  app?: string;
  apps?: string[];
  person?: ApprovalContext;
  request?: NotifiedRequest;
  /** What happened, for the non-approval kinds (the failure, the conflict, why the join was undone). */
  detail?: string;
  at: number;
}

export function notifiedRequest(
  r: ApprovalRequest,
  policy?: Pick<ApprovalPolicy, 'onTimeout' | 'timeoutMs'>,
): NotifiedRequest {
  const t = approvalTimes(r, policy);
  return {
    id: r.id,
    purpose: r.purpose,
    status: r.status,
    round: r.round,
    approvers: [...r.approvers],
    deadline: t.deadline,
    ...(t.escalatesAt !== undefined ? { escalatesAt: t.escalatesAt } : {}),
    expiresAt: t.expiresAt,
    ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.via ? { via: r.via } : {}),
    ...(r.verified !== undefined ? { verified: r.verified } : {}),
  };
}

/** The event for a request: its id names the request, the round, and for a decision its outcome. */
export function requestEvent(
  kind: NotificationKind,
  employeeId: string,
  r: ApprovalRequest,
  policy: Pick<ApprovalPolicy, 'onTimeout' | 'timeoutMs'> | undefined,
  now: number,
): NotificationEvent {
  const suffix = kind === 'approval-decided' ? r.status : `r${r.round}`;
  return {
    id: `${employeeId}/${kind}/${r.id}/${suffix}`,
    kind,
    employeeId,
    app: r.app,
    ...(r.context ? { person: r.context } : {}),
    request: notifiedRequest(r, policy),
    at: now,
  };
}

/** What a change of the approval list means to people: escalations and decisions (expiry included). */
export function approvalTransitions(
  before: readonly ApprovalRequest[],
  after: readonly ApprovalRequest[],
): { kind: NotificationKind; request: ApprovalRequest }[] {
  const was = new Map(before.map((r) => [r.id, r]));
  const out: { kind: NotificationKind; request: ApprovalRequest }[] = [];
  for (const r of after) {
    const prev = was.get(r.id);
    if (!prev || prev.status !== 'pending') continue;
    if (r.status === 'pending' && r.round > prev.round) out.push({ kind: 'approval-escalated', request: r });
    else if (r.status === 'approved' || r.status === 'rejected' || r.status === 'expired')
      out.push({ kind: 'approval-decided', request: r });
  }
  return out;
}

/** When the current round's "about to time out" notice is due (undefined: none, or already sent). */
export function warningAt(r: ApprovalRequest, expiringBeforeMs: number): number | undefined {
  if (r.status !== 'pending' || r.warnedRound === r.round || expiringBeforeMs <= 0) return undefined;
  const due = r.deadline - expiringBeforeMs;
  // A first round shorter than the warning gets none: the pending notice itself said when it ends.
  if (r.round === 1 && due <= r.requestedAt) return undefined;
  return due;
}

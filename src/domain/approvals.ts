// Seat approvals as data: opened when the planner wants a seat, decided once, escalated or expired
// by time, withdrawn as soon as the seat is no longer wanted. Pure; the controller keeps the list.
import * as z from 'zod/mini';
import { lazySchema, type LazyOutput } from '../shared/lazy-schema';

export interface ApprovalPolicy {
  approvers: string[];
  timeoutMs: number;
  onTimeout: 'reject' | 'escalate';
  escalateTo: string[];
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

export interface ApprovalRequest {
  /** `<app>-<requested-at, base 36>`, unique within the person. */
  id: string;
  app: string;
  purpose: 'create' | 'reactivate';
  /** The employment period the seat is for: an approval holds for the period. */
  periodId: string;
  /** The HR record version it was asked under: a refusal holds until the record changes. */
  version: string;
  status: ApprovalStatus;
  requestedAt: number;
  /** When the current round times out. */
  deadline: number;
  round: number;
  approvers: string[];
  escalated: boolean;
  decidedBy?: string;
  decidedAt?: number;
  comment?: string;
  /** Why it ended when nobody decided (withdrawn, expired). */
  reason?: string;
  /** An approval buys one seat: set when the create or reactivation it allowed succeeded. */
  consumedAt?: number;
  /** What the approver is asked about (who, which rule); see src/domain/approval-context.ts. */
  context?: ApprovalContext;
  /** Only decisions through a verified approval link are accepted (the app's policy when asked). */
  verifiedOnly?: boolean;
  /** How the decision arrived, and whether the approver was verified (a signed link, checked by the worker). */
  via?: DecisionVia;
  verified?: boolean;
  /** The round whose "about to time out" notice went out (one per round). */
  warnedRound?: number;
}

/** What an approver sees about a request: computed by `approvalContext` (pure), stored on the request. */
export interface ApprovalContext {
  displayName: string;
  title?: string;
  department?: string;
  managerId?: string;
  /** The birthright rules that grant the seat. */
  rules: string[];
}

export const DECISION_VIAS = ['ui-update', 'cli', 'signal', 'verified-link'] as const;
export type DecisionVia = (typeof DECISION_VIAS)[number];

/** Built on first use (src/shared/lazy-schema.ts): most workflow runs never see a decision. */
export const DecisionSchema = lazySchema(() =>
  z.strictObject({
    app: z.string().check(z.trim(), z.minLength(1, 'app is required'), z.maxLength(128)),
    decision: z.enum(['approve', 'reject'], { message: 'decision must be "approve" or "reject"' }),
    approver: z.string().check(z.trim(), z.minLength(1, 'approver is required'), z.maxLength(256)),
    comment: z.optional(z.string().check(z.maxLength(1000))),
    /** Optional: the request the decision is for; without it, the app's pending request. */
    requestId: z.optional(z.string().check(z.maxLength(200))),
    /** How it was sent (default: `ui-update` for the Update, `signal` for the signal). */
    via: z.optional(z.enum(DECISION_VIAS)),
    /** Claimed by the ingress for a signed link; the controller has the worker check `proof` before it believes it. */
    verified: z.optional(z.boolean()),
    /** The signed approval link token (verified-link only). */
    proof: z.optional(z.string().check(z.maxLength(2048))),
  }),
);
export type Decision = LazyOutput<typeof DecisionSchema>;

/** The request an app's seat decision is about now, if one is pending. */
export function pendingFor(requests: readonly ApprovalRequest[], app: string): ApprovalRequest | undefined {
  return requests.find((r) => r.app === app && r.status === 'pending');
}

/** Apps whose current policy accepts only verified decisions (the request's own flag counts too). */
export interface DecisionPolicy {
  verifiedOnly?(app: string): boolean;
}

/** Why a decision cannot be taken (undefined: it can). The first decision wins; later ones are refused. */
export function refuseDecision(
  requests: readonly ApprovalRequest[],
  input: unknown,
  policy: DecisionPolicy = {},
): string | undefined {
  const parsed = DecisionSchema.safeParse(input);
  if (!parsed.success)
    return parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  const d = parsed.data;
  const target = d.requestId ? requests.find((r) => r.id === d.requestId) : pendingFor(requests, d.app);
  if (!target || target.app !== d.app) {
    const waiting = requests.filter((r) => r.status === 'pending').map((r) => r.app);
    return waiting.length
      ? `no approval is pending for app ${JSON.stringify(d.app)}; pending: ${waiting.join(', ')}`
      : 'nothing is pending approval for this person';
  }
  if (target.status !== 'pending')
    return `request ${target.id} is already ${target.status}${target.decidedBy ? ` by ${target.decidedBy}` : ''}`;
  // The refusal does not say who may decide: that would tell anyone which address to type.
  if (!target.approvers.some((a) => a.toLowerCase() === d.approver.toLowerCase()))
    return `${d.approver} is not an approver for ${d.app}`;
  const linked = d.via === 'verified-link';
  if (d.verified === true && !linked)
    return 'verified: true is only for decisions through a signed approval link (via: "verified-link")';
  if (linked && !d.proof) return 'a verified-link decision needs the link it came from (proof)';
  if (!linked && (target.verifiedOnly || policy.verifiedOnly?.(d.app)))
    return `${d.app} accepts only decisions through a verified approval link (from the approval notification)`;
  return undefined;
}

/**
 * Applies a decision that `refuseDecision` accepted. `verified` is the controller's own finding (the
 * worker checked the link's signature), never the sender's claim.
 */
export function decide(
  requests: readonly ApprovalRequest[],
  d: Decision,
  now: number,
  how?: { via: DecisionVia; verified: boolean },
): ApprovalRequest[] {
  const target = d.requestId ? requests.find((r) => r.id === d.requestId) : pendingFor(requests, d.app);
  return requests.map((r) =>
    r === target
      ? {
          ...r,
          status: d.decision === 'approve' ? 'approved' : 'rejected',
          decidedBy: d.approver,
          decidedAt: now,
          ...(d.comment !== undefined ? { comment: d.comment } : {}),
          ...(how ? { via: how.via, verified: how.verified } : {}),
        }
      : r,
  );
}

/** Timeouts: a round that ran out escalates once (if the policy says so), then expires. */
export function advanceTime(
  requests: readonly ApprovalRequest[],
  policies: Record<string, ApprovalPolicy>,
  now: number,
): ApprovalRequest[] {
  return requests.map((r) => {
    if (r.status !== 'pending' || now < r.deadline) return r;
    const policy = policies[r.app];
    if (policy && policy.onTimeout === 'escalate' && !r.escalated) {
      return {
        ...r,
        escalated: true,
        round: r.round + 1,
        deadline: now + policy.timeoutMs,
        approvers: [...new Set([...r.approvers, ...policy.escalateTo])],
      };
    }
    return { ...r, status: 'expired', reason: 'approval timed out', decidedAt: now };
  });
}

/**
 * Where the seat for `app` stands: an approval not yet used (one approval buys one create or
 * reactivation in this period), pending, refused for this record version, or not asked yet.
 */
export function gateFor(
  requests: readonly ApprovalRequest[],
  app: string,
  periodId: string,
  version: string,
): 'none' | 'pending' | 'approved' | 'refused' {
  const mine = requests.filter((r) => r.app === app && r.periodId === periodId);
  if (mine.some((r) => r.status === 'approved' && r.consumedAt === undefined)) return 'approved';
  if (mine.some((r) => r.status === 'pending')) return 'pending';
  if (mine.some((r) => (r.status === 'rejected' || r.status === 'expired') && r.version === version)) return 'refused';
  return 'none';
}

export function openRequest(
  requests: readonly ApprovalRequest[],
  input: {
    app: string;
    purpose: 'create' | 'reactivate';
    periodId: string;
    version: string;
    policy: ApprovalPolicy;
    now: number;
    context?: ApprovalContext;
    verifiedOnly?: boolean;
  },
): ApprovalRequest[] {
  return [
    ...requests,
    {
      id: `${input.app}-${input.now.toString(36)}`,
      app: input.app,
      purpose: input.purpose,
      periodId: input.periodId,
      version: input.version,
      status: 'pending',
      requestedAt: input.now,
      deadline: input.now + input.policy.timeoutMs,
      round: 1,
      approvers: [...input.policy.approvers],
      escalated: false,
      ...(input.context ? { context: input.context } : {}),
      ...(input.verifiedOnly ? { verifiedOnly: true } : {}),
    },
  ];
}

/** A seat that is no longer wanted is withdrawn at once (pending, or approved and unused): approving or using it later would buy a seat for nobody. */
export function withdraw(
  requests: readonly ApprovalRequest[],
  app: string,
  reason: string,
  now: number,
): ApprovalRequest[] {
  return requests.map((r) =>
    r.app === app && (r.status === 'pending' || (r.status === 'approved' && r.consumedAt === undefined))
      ? { ...r, status: 'withdrawn', reason, decidedAt: now }
      : r,
  );
}

/** Keeps the list bounded: every pending request, and the newest few decided ones per app. */
export function pruneRequests(requests: readonly ApprovalRequest[], keepPerApp = 5): ApprovalRequest[] {
  const out: ApprovalRequest[] = [];
  const byApp = new Map<string, ApprovalRequest[]>();
  for (const r of requests) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r]);
  for (const list of byApp.values()) {
    const decided = list.filter((r) => r.status !== 'pending');
    const keep = new Set([...list.filter((r) => r.status === 'pending'), ...decided.slice(-keepPerApp)]);
    out.push(...list.filter((r) => keep.has(r)));
  }
  return out;
}

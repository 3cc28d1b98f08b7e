// Signals, queries, updates and shared types of the lifecycle workflows. Safe to import from
// clients (ingress, CLI) as well as from workflow code: it only defines names and shapes.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Employee, HrEvent } from '../shared/hr-event';

export const MAIN_TASK_QUEUE = 'scimflow';
/** Each downstream app's activities run on their own queue so its rate limit holds across all workers. */
export function appTaskQueue(app: string): string {
  return `scim-${app}`;
}

// ---- what the rules grant (computed by the planEntitlements activity from the worker's config) ----

export type ScimUserDoc = Record<string, unknown> & { userName: string; id?: string };

export interface ApprovalPolicyView {
  required: boolean;
  approvers: string[];
  timeoutMs: number;
  onTimeout: 'reject' | 'escalate';
  escalateTo: string[];
}

export interface LeaverPolicyView {
  deactivate: boolean;
  removeGroups: boolean;
  jsmCustomerRemoval: boolean;
  hardDeleteAfterMs: number | null;
}

export interface AppEntitlement {
  app: string;
  kind: string;
  /** The desired SCIM user (no secrets). */
  user: ScimUserDoc;
  /** Group display names, sorted. */
  groups: string[];
  approval: ApprovalPolicyView;
  allOrNothing: boolean;
  seatConsuming: boolean;
  leaver: LeaverPolicyView;
}

export interface EntitlementPlan {
  apps: AppEntitlement[];
  matchedRules: string[];
  /** Every configured app's leaver policy (a leaver also covers apps the rules no longer grant). */
  leaverPolicies: Record<string, LeaverPolicyView>;
}

// ---- per-person state ----

export type LifecycleStage = 'new' | 'joining' | 'active' | 'moving' | 'leaving' | 'left' | 'failed';

export interface AppLink {
  app: string;
  /** The downstream SCIM id once known. */
  scimId?: string;
  userName?: string;
  status: 'pending' | 'awaiting-approval' | 'active' | 'inactive' | 'deleted' | 'failed' | 'rejected' | 'compensated' | 'skipped';
  /** Did scimflow create the account (versus adopting an existing one)? Compensation only touches what it created. */
  createdByUs?: boolean;
  /** Groups scimflow granted in this app (display names). */
  groups?: string[];
  lastError?: string;
  attempts?: number;
  /** Hard deletion scheduled for this instant (ISO), after a leaver. */
  deleteAt?: string;
  /** Email used as JSM customer (Atlassian). */
  email?: string;
}

export interface ProcessedEvent {
  id: string;
  type: HrEvent['type'];
  effectiveAt?: string;
  outcome: 'done' | 'failed' | 'cancelled' | 'ignored' | 'compensated';
  detail?: string;
  /** The lifecycle child workflow that ran it. */
  workflowId?: string;
}

export interface PendingApproval {
  app: string;
  approvers: string[];
  since: string;
  workflowId: string;
}

export interface AttentionItem {
  app: string;
  step: string;
  error: string;
  since: string;
  workflowId: string;
  attempts: number;
}

export interface IdentityState {
  employeeId: string;
  employee?: Employee;
  stage: LifecycleStage;
  apps: Record<string, AppLink>;
  events: ProcessedEvent[];
  /** Events accepted but not yet run (e.g. a future-dated termination). */
  pending: { id: string; type: HrEvent['type']; effectiveAt?: string }[];
  pendingApprovals: PendingApproval[];
  needsAttention: AttentionItem[];
  /** The lifecycle child running now, if any (approvals and retry/skip go to it). */
  currentLifecycle?: { workflowId: string; type: string };
  /** Why the last joiner was compensated, if it was. */
  compensation?: { eventId: string; reason: string; undone: string[] };
}

export interface IdentityWorkflowInput {
  employeeId: string;
  /** Continue-as-new after this many events in one run (default 100), besides when Temporal suggests it. */
  eventsPerRun?: number;
  /** Carried across continue-as-new. */
  state?: IdentityState;
  seenEventIds?: string[];
  queue?: QueuedEvent[];
}

export interface QueuedEvent {
  event: HrEvent;
  /** When the event takes effect (ms since epoch): its effectiveAt, or its arrival. */
  dueMs: number;
  /** Arrival order, for a stable sort among equal due times. */
  seq: number;
}

// ---- lifecycle children ----

export interface LifecycleInput {
  employeeId: string;
  eventId: string;
  parentWorkflowId: string;
  /** Apps to provision (joiner, mover gains, rehire). */
  provision?: AppEntitlement[];
  /** Apps kept by a mover or rehire: update attributes and groups. */
  update?: { entitlement: AppEntitlement; link: AppLink }[];
  /** Apps to deprovision (leaver, mover losses). */
  deprovision?: { link: AppLink; policy: LeaverPolicyView }[];
  /** Rehire: reactivate these links first. */
  reactivate?: AppLink[];
  /** Hard delete these (after retention). */
  delete?: AppLink[];
}

export interface LifecycleResult {
  apps: Record<string, AppLink>;
  ok: boolean;
  compensation?: { reason: string; undone: string[] };
}

export interface ApprovalDecision {
  app: string;
  decision: 'approve' | 'reject';
  approver: string;
  comment?: string;
}

export interface LifecycleView {
  employeeId: string;
  eventId: string;
  pendingApprovals: PendingApproval[];
  needsAttention: AttentionItem[];
  apps: Record<string, AppLink>;
  decisions: (ApprovalDecision & { at: string; accepted: boolean; reason?: string })[];
}

/**
 * What a lifecycle child reports to its identity workflow while it waits on a person, so one query
 * (and the search attributes) show everything. Only these moments are reported, with the links as
 * they stand: each signal costs the identity workflow a task, and the child's result carries the
 * final links anyway.
 */
export type ProgressReport =
  | { kind: 'approval-pending'; item: PendingApproval; links: AppLink[] }
  | { kind: 'approval-resolved'; app: string }
  | { kind: 'attention'; item: AttentionItem; links: AppLink[] }
  | { kind: 'attention-cleared'; app: string };

export const hrEventSignal = defineSignal<[HrEvent]>('hrEvent');
export const progressSignal = defineSignal<[ProgressReport]>('progress');
export const stateQuery = defineQuery<IdentityState>('state');

/** Simple enough to type into the Temporal UI's signal dialog: {"app":"jasper","decision":"approve","approver":"it-lead@example.com"} */
export const approvalSignal = defineSignal<[ApprovalDecision]>('approval');
/** The same decision as an Update: validated, so the CLI/API gets a clear refusal. */
export const decideUpdate = defineUpdate<{ accepted: true; app: string; decision: string }, [ApprovalDecision]>('decide');
/** Ops: try a needs-attention step again (optionally for one app). */
export const retrySignal = defineSignal<[{ app?: string }?]>('retry');
/** Ops: give up on a needs-attention step and move on (optionally for one app). */
export const skipSignal = defineSignal<[{ app?: string; reason?: string }?]>('skip');
export const lifecycleQuery = defineQuery<LifecycleView>('lifecycle');
/**
 * From the identity workflow to a running joiner/mover/rehire: a termination is due, so stop
 * waiting for approvals (they are refused as abandoned). Steps already under way finish, so every
 * account that exists is known to the leaver that follows.
 */
export const abandonApprovalsSignal = defineSignal<[{ reason: string }]>('abandonApprovals');

// Signals, queries, Updates and the shapes they carry. Safe to import from clients (ingress, CLI)
// as well as from workflow code: it only defines names and types. Every payload that arrives
// through one of these is parsed in its handler (nothing from outside is trusted).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRequest, Decision } from '../domain/approvals';
import type { AuditEntry, AuditVia } from '../domain/audit';
import type { AppLink, AppState } from '../domain/planner';
import type { Employment, EventFate, PersonEvent } from '../domain/person';
import type { HrEvent } from '../shared/hr-event';
import type { ObservationHints } from './message-schemas';

export const MAIN_TASK_QUEUE = 'scimflow';
/** Each downstream app's activities run on their own queue so its rate limit holds across all workers. */
export function appTaskQueue(app: string): string {
  return `scim-${app}`;
}

/** Notifications and approval-link checks run on their own queue: a slow mail server holds up no app. */
export const NOTIFY_TASK_QUEUE = 'scimflow-notify';

/** The version of `ControllerState`: continue-as-new carries it; older shapes are migrated. */
export const STATE_SCHEMA_VERSION = 2;

export type Stage = 'unknown' | 'pre-hire' | 'joining' | 'active' | 'compensated' | 'leaving' | 'left';

export interface AppFailure {
  /** When this run of failures began (ISO). */
  since: string;
  lastError: string;
  code?: string;
  /** Failed passes since `since` (each pass is itself retried by the activity a few times). */
  attempts: number;
  /** The activity attempt that failed last. */
  activityAttempts?: number;
  action: string;
  /** A person must act (a token, a refusal the app will repeat): retried on `retry`, a new HR event, or hourly for a leaver. */
  needsPerson: boolean;
  /** The next automatic try (ISO), if any. */
  nextTryAt?: string;
}

export interface AppView {
  app: string;
  state: AppState;
  link: AppLink;
  /** What the app held at the last observation. */
  account?: { id: string; userName: string; externalId?: string; active: boolean; groups?: string[] };
  observedAt?: string;
  granted: boolean;
  failure?: AppFailure;
  conflict?: { reason: string; accounts: { id: string; userName: string; externalId?: string }[] };
  /** The app refuses this person's record as mapped. */
  problem?: string;
  /** The employment version this app's lane last finished planning for: until it equals the current one, the app is not settled. */
  plannedFor?: string;
  /** Group display name → id, for this app (ids the single-writer group workflow returned). */
  groupIds?: Record<string, string>;
  /** A deactivation or deletion waiting in the app's mass-change guard (`scimflow guard release|reject <app>`). */
  guard?: { permitId: string; kind: 'deactivate' | 'delete'; accountId: string; since: string };
  /** Bumped by each guard rejection: the next request for the same change is a new one. */
  guardRound?: number;
}

export interface LogEntry {
  at: string;
  kind:
    'event' | 'decision' | 'refused-decision' | 'approval' | 'operator' | 'compensation' | 'action' | 'invalid-message';
  detail: string;
  by?: string;
}

/** The controller's whole state: carried by continue-as-new, returned (as a view) by the `state` query. */
export interface ControllerState {
  schemaVersion: typeof STATE_SCHEMA_VERSION;
  employeeId: string;
  events: PersonEvent[];
  /** Event id → first receipt (ms); kept for 400 days so a late redelivery has no second effect. */
  seen: Record<string, number>;
  apps: Record<string, AppView>;
  approvals: ApprovalRequest[];
  /** The period whose all-or-nothing join completed. */
  joinedPeriod?: string;
  compensation?: { version: string; reason: string; at: string; apps: string[] };
  /** app → the record version an operator skipped it for. */
  skipped: Record<string, string>;
  log: LogEntry[];
  /** Who decided, retried, skipped or refreshed what, when, how and why (src/domain/audit.ts; bounded). */
  audit: AuditEntry[];
}

export interface IdentityWorkflowInput {
  employeeId: string;
  /** Carried across continue-as-new (any older shape is migrated by `migrateState`). */
  state?: unknown;
  /** Continue-as-new once history has this many events (default 2,000), besides when Temporal suggests it. */
  maxHistoryEvents?: number;
}

export interface PersonView {
  employeeId: string;
  stage: Stage;
  employment: Employment;
  apps: Record<string, AppView>;
  pendingApprovals: ApprovalRequest[];
  approvals: ApprovalRequest[];
  /** Each app's timeout policy now (for when a request escalates or times out: src/domain/approval-context.ts). */
  approvalPolicies?: Record<string, { onTimeout: 'reject' | 'escalate'; timeoutMs: number }>;
  events: (Pick<PersonEvent, 'id' | 'type' | 'cancels' | 'source'> & {
    effectiveAt: string;
    recordedAt: string;
    fate: EventFate;
  })[];
  compensation?: ControllerState['compensation'];
  /** Everything that needs a person or is failing now, one line each. */
  problems: string[];
  log: LogEntry[];
  schemaVersion: number;
}

/** `retry` / `skip`: who asks (`by`) and how (`via`; without it, `signal`) are recorded in the audit trail. */
export interface OpsCommandPayload {
  app?: string;
  reason?: string;
  by?: string;
  via?: AuditVia;
}

export type DecisionResult = { accepted: true; requestId: string; app: string; decision: 'approve' | 'reject' };

/**
 * HR events, from the ingress (signalWithStart) or anyone: validated exactly as the ingress does.
 * A roster import sends the person's observation hints as the second argument, so one signal
 * carries both (a worker that predates it ignores the hints, and the lane looks the person up).
 */
export type HrEventSignalArgs = [event: HrEvent, hints?: ObservationHints];
export const hrEventSignal = defineSignal<HrEventSignalArgs>('hrEvent');
export const stateQuery = defineQuery<PersonView>('state');
/** Simple enough to type into the Temporal UI: {"app":"jasper","decision":"approve","approver":"it-lead@example.com"}. A refusal is only recorded: prefer the `decide` Update. */
export const approvalSignal = defineSignal<[Decision]>('approval');
/** The same decision as an Update: validated, so the UI and the CLI show a refusal to the person who sent it. */
export const decideUpdate = defineUpdate<DecisionResult, [Decision]>('decide');
/** Ops: try a failing app again now (optionally one app). */
export const retrySignal = defineSignal<[OpsCommandPayload?]>('retry');
/**
 * Ops and reconciliation: look at every app again now (the truth may have changed behind scimflow's
 * back), and with `continueAsNew`, start a fresh run on the current workflow code once idle.
 */
export const refreshSignal =
  defineSignal<[{ reason?: string; continueAsNew?: boolean; by?: string; via?: AuditVia }?]>('refresh');
/** Ops: leave an app alone for the current HR record (optionally one app). */
export const skipSignal = defineSignal<[OpsCommandPayload?]>('skip');
/** The person's audit trail, oldest first (`scimflow audit` merges many). */
export const auditQuery = defineQuery<AuditEntry[]>('audit');
/**
 * What a fresh scan saw of this person in some apps (src/workflows/hints.ts); parsed in the handler.
 * Imports before the hints rode on `hrEvent` sent it first; kept for their histories and senders.
 */
export const observationHintSignal = defineSignal<[unknown]>('observationHint');
/** Ops (`scimflow upgrade`): continue-as-new at the next quiet moment, onto the current workflow code (docs/versioning.md). */
export const upgradeSignal = defineSignal<[{ reason?: string; by?: string }?]>('upgrade');

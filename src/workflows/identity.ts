// The controller of one person, workflow id `identity-<employeeId>`, fed by `signalWithStart`.
//
// Level-triggered: it folds HR events into the person's timeline (src/domain/person.ts), asks the
// worker's rules what every app should hold, observes what each app really holds, lets the pure
// planner (src/domain/planner.ts) say what to do, does it, and repeats until nothing is left to
// do. Remembered links are a cache; the apps are the truth. Each app has its own lane, so a seat
// waiting for an approval, or an app that is down, holds up nothing else — least of all a
// termination. Nothing from outside is trusted: every signal and Update payload is parsed, and an
// invalid one is recorded and ignored; a handler never throws.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  advanceTime,
  decide,
  DecisionSchema,
  gateFor,
  openRequest,
  pendingFor,
  pruneRequests,
  refuseDecision,
  withdraw,
  type ApprovalPolicy,
  type Decision,
} from '../domain/approvals';
import type { ObservedAccount } from '../domain/ownership';
import { compact, timeline, type PersonEvent, type Timeline } from '../domain/person';
import { applyAction, planApp, type Action, type AppPlan } from '../domain/planner';
import type { DesireResult } from '../rules/desire';
import { HrEventSchema, describeIssues } from '../shared/hr-event';
import { nowIso, nowMs } from './clock';
import {
  OpsCommand,
  RefreshCommand,
  auditDecision,
  auditOps,
  auditRefresh,
  auditRefusedCommand,
  auditRefusedDecision,
  problemOf,
} from './audit';
import {
  approvalSignal,
  auditQuery,
  decideUpdate,
  hrEventSignal,
  observationHintSignal,
  refreshSignal,
  retrySignal,
  skipSignal,
  stateQuery,
  type AppView,
  type ControllerState,
  type IdentityWorkflowInput,
  type LogEntry,
  type PersonView,
  type Stage,
} from './definitions';
import { groupWorkflow, groupWorkflowId } from './group';
import { HintBox, hintedObservation } from './hints';
import { dropStaleHold, GUARD_REJECTED, needsPermit, permitFor } from './leaver-guard';
import { appActivities, failureAttempts, failureCode, failureMessage, failureRetryAfterMs, planning } from './proxies';
import { LINKED_APPS, NEEDS_ATTENTION, PENDING_APPROVALS, PROBLEMS, STAGE } from './search-attributes';
import { oneUpsertPerTask } from './upsert-coalescing';
import { migrateState } from './state';
import { listenForUpgrade, upgradeRequested } from './upgrade';
import { approvalContext } from '../domain/approval-context';
import { linkRefusal, publishApprovalDetails } from './approval-context';
import { Notifications } from './notify';

const DAY = 86_400_000;
/** Redeliveries come within days; remembered ids are kept by age, not by count. */
const SEEN_RETENTION_MS = 400 * DAY;
const MAX_LOG = 200;
const DEFAULT_MAX_HISTORY = 2_000;
/** After this long failing, an all-or-nothing app of a join that has not completed fails the join. */
const JOIN_GIVE_UP_MS = 60 * 60_000;
/** A leaver step that needs a person is still tried again this often, in case the cause went away. */
const LEAVER_ATTENTION_RETRY_MS = 60 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Codes a retry cannot fix: the app step waits for a person (or a new HR record). */
const NEEDS_PERSON = new Set(['AUTH_FAILED', 'INVALID', 'UNSUPPORTED', 'CONFIG', 'APPROVAL_REQUIRED']);
/** Codes that mean "what you saw is stale": observe again at once. */
const STALE = new Set(['CONFLICT', 'NOT_FOUND', 'PRECONDITION_FAILED']);

class Controller {
  private readonly state: ControllerState;
  private tl!: Timeline;
  private desires = new Map<string, DesireResult>();
  /** The employment version the desires were computed for. */
  private desiredFor: string | undefined;
  /** Bumped by anything from outside (events, decisions, commands) and by person-level timers. */
  private inputs = 0;
  private readonly laneGen = new Map<string, number>();
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly wakeAt = new Map<string, number>();
  private stopping = false;
  /** Bumped by `refresh`: every lane observes its app again. */
  private refreshes = 0;
  private continueAsNewRequested = false;
  private attributes = '';
  private readonly notes: Notifications;
  /** Observation hints from a roster import (memory only; each used at most once). */
  private readonly hints = new HintBox();

  constructor(private readonly input: IdentityWorkflowInput) {
    this.state = migrateState(input.state, input.employeeId);
    this.refreshTimeline();
    this.notes = new Notifications({
      employeeId: input.employeeId,
      employee: () => this.employment.employee,
      desire: (app) => this.desires.get(app),
      policies: () => this.policies(),
    });
    setHandler(hrEventSignal, (raw: unknown, hints?: unknown) => this.onHrEvent(raw, hints));
    setHandler(approvalSignal, (raw: unknown) => {
      // A signal cannot wait for the link check: verified decisions come through the Update.
      const linked = (raw as { via?: unknown } | undefined)?.via === 'verified-link';
      const refusal = linked ? 'signed approval links decide through the decide Update' : this.refuse(raw);
      if (refusal) {
        this.record({ kind: 'refused-decision', detail: `${describe(raw)}: ${refusal}`, ...by(raw) });
        auditRefusedDecision(this.state, raw, 'signal', refusal);
      } else this.applyDecision(raw as Decision, 'signal');
    });
    setHandler(
      decideUpdate,
      async (raw: Decision) => {
        // The validator accepted it; a decision taken since (same task) still wins.
        let refusal = this.refuse(raw);
        if (refusal) {
          auditRefusedDecision(this.state, raw, 'update', refusal);
          throw ApplicationFailure.nonRetryable(refusal, 'DECISION_REFUSED');
        }
        const linked = raw.via === 'verified-link';
        if (linked) {
          // The worker checks the signature; then the request must still be pending: a link works once.
          refusal = (await linkRefusal(this.state.employeeId, raw)) ?? this.refuse(raw);
          if (refusal) {
            this.record({
              kind: 'refused-decision',
              detail: `${raw.decision} ${raw.requestId ?? raw.app} via verified-link: ${refusal}`,
              ...by(raw),
            });
            auditRefusedDecision(this.state, raw, 'update', refusal);
            throw ApplicationFailure.nonRetryable(refusal, 'DECISION_REFUSED');
          }
        }
        const d = this.applyDecision(raw, linked ? 'verified-link' : raw.via === 'cli' ? 'cli' : 'update');
        return { accepted: true as const, requestId: d.requestId, app: d.app, decision: d.decision };
      },
      {
        validator: (raw: Decision) => {
          const refusal = this.refuse(raw);
          if (refusal) throw new Error(refusal);
        },
      },
    );
    setHandler(retrySignal, (raw: unknown) => this.onOps('retry', raw));
    setHandler(skipSignal, (raw: unknown) => this.onOps('skip', raw));
    setHandler(refreshSignal, (raw: unknown) => {
      const parsed = RefreshCommand.safeParse(raw ?? undefined);
      if (!parsed.success) {
        this.record({
          kind: 'invalid-message',
          detail: `refresh refused: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        });
        auditRefusedCommand(this.state, 'refresh', raw, parsed.error.issues.map((i) => i.message).join('; '));
        return;
      }
      auditRefresh(this.state, parsed.data ?? {});
      this.refreshes++;
      if (parsed.data?.continueAsNew) this.continueAsNewRequested = true;
      this.record({
        kind: 'operator',
        detail: `refresh${parsed.data?.continueAsNew ? ' and continue-as-new' : ''}${parsed.data?.reason ? `: ${parsed.data.reason}` : ''}`,
        ...(parsed.data?.by ? { by: parsed.data.by } : {}),
      });
      this.bumpAll();
      this.inputs++;
    });
    setHandler(observationHintSignal, (raw: unknown) => this.acceptHints(raw));
    setHandler(stateQuery, () => this.view());
    setHandler(auditQuery, () => this.state.audit);
    listenForUpgrade(
      (entry) => this.record(entry),
      () => this.inputs++,
    );
  }

  // ---- messages ----------------------------------------------------------------------------

  private acceptHints(raw: unknown): void {
    const refusal = this.hints.accept(raw);
    if (refusal) this.record({ kind: 'invalid-message', detail: `observationHint refused: ${refusal}` });
  }

  /** `hints`: a roster import's observation hints, taken only with a new event for this person. */
  private onHrEvent(raw: unknown, hints?: unknown): void {
    const parsed = HrEventSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = describeIssues(parsed.error)
        .map((i) => `${i.field}: ${i.message}`)
        .join('; ');
      this.record({ kind: 'invalid-message', detail: `hrEvent refused: ${fields}` });
      return;
    }
    const e = parsed.data;
    if (e.employee.employeeId !== this.state.employeeId) {
      this.record({
        kind: 'invalid-message',
        detail: `hrEvent ${e.id} refused: it is for employee ${e.employee.employeeId}`,
      });
      return;
    }
    if (this.state.seen[e.id] !== undefined) return; // a redelivery has no second effect
    const now = nowMs();
    this.state.seen[e.id] = now;
    if (hints !== undefined) this.acceptHints(hints);
    // Without HR's own timestamp, arrival order decides: strictly increasing even within one task.
    const lastRecorded = this.state.events.reduce((m, x) => Math.max(m, x.recordedAt), 0);
    const recordedAt = e.recordedAt ? Date.parse(e.recordedAt) : Math.max(now, lastRecorded + 1);
    const at = e.effectiveAt ? Date.parse(e.effectiveAt) : recordedAt;
    const event: PersonEvent = {
      id: e.id,
      type: e.type,
      at,
      recordedAt,
      employee: e.employee,
      ...(e.cancels ? { cancels: e.cancels } : {}),
      ...(e.source ? { source: e.source } : {}),
    };
    this.state.events.push(event);
    this.refreshTimeline();
    const fate = this.tl.fates[e.id];
    this.record({
      kind: 'event',
      detail: `${e.type} ${e.id}${e.effectiveAt ? ` effective ${e.effectiveAt}` : ''}: ${fate ? describeFate(fate) : 'recorded'}`,
    });
    this.inputs++;
  }

  /** Why a decision is refused (the app's current policy on unverified decisions included). */
  private refuse(raw: unknown): string | undefined {
    return refuseDecision(this.state.approvals, raw, {
      verifiedOnly: (app) => this.desires.get(app)?.approval.unverifiedDecisions === 'refuse',
    });
  }

  private applyDecision(
    raw: Decision,
    via: 'signal' | 'update' | 'cli' | 'verified-link',
  ): { requestId: string; app: string; decision: 'approve' | 'reject' } {
    const d = DecisionSchema.parse(raw);
    const target = d.requestId
      ? this.state.approvals.find((r) => r.id === d.requestId)!
      : pendingFor(this.state.approvals, d.app)!;
    const before = this.state.approvals;
    // `verified` is what the worker found (the Update handler checked the link), never the sender's word.
    this.state.approvals = decide(this.state.approvals, d, nowMs(), {
      via: via === 'update' ? 'ui-update' : via,
      verified: via === 'verified-link',
    });
    this.notes.approvalsChanged(before, this.state.approvals);
    this.record({
      kind: 'decision',
      detail: `${d.decision} ${target.id} (${d.app}) via ${via}${d.comment ? `: ${d.comment}` : ''}`,
      by: d.approver,
    });
    // The trail records how it came and whether the worker verified it, never the sender's claim.
    auditDecision(
      this.state,
      { ...d, via: via === 'update' ? 'ui-update' : via, verified: via === 'verified-link' },
      via === 'signal' ? 'signal' : 'update',
      target.id,
    );
    this.bump(d.app);
    return { requestId: target.id, app: d.app, decision: d.decision };
  }

  private onOps(kind: 'retry' | 'skip', raw: unknown): void {
    const parsed = OpsCommand.safeParse(raw ?? undefined);
    if (!parsed.success) {
      this.record({
        kind: 'invalid-message',
        detail: `${kind} refused: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      });
      auditRefusedCommand(this.state, kind, raw, parsed.error.issues.map((i) => i.message).join('; '));
      return;
    }
    const cmd = parsed.data ?? {};
    const acted: { app: string; problem: string | undefined }[] = [];
    const apps = cmd.app
      ? [cmd.app]
      : Object.values(this.state.apps)
          .filter((a) => a.failure || a.conflict || a.problem)
          .map((a) => a.app);
    for (const app of apps) {
      const view = this.state.apps[app];
      if (!view) continue;
      acted.push({ app, problem: problemOf(view) });
      if (kind === 'retry') {
        if (view.failure) view.failure = { ...view.failure, needsPerson: false };
        view.conflict = undefined;
      } else this.state.skipped[app] = this.tl.employment.version;
      this.bump(app);
    }
    this.record({
      kind: 'operator',
      detail: `${kind} ${apps.join(', ') || '(nothing to act on)'}${cmd.reason ? `: ${cmd.reason}` : ''}`,
      ...(cmd.by ? { by: cmd.by } : {}),
    });
    auditOps(this.state, kind, cmd, acted);
    this.inputs++;
  }

  private record(entry: Omit<LogEntry, 'at'>): void {
    this.state.log.push({ at: nowIso(), ...entry });
    if (this.state.log.length > MAX_LOG) this.state.log.splice(0, this.state.log.length - MAX_LOG);
  }

  private bump(app: string): void {
    this.laneGen.set(app, (this.laneGen.get(app) ?? 0) + 1);
  }

  private bumpAll(): void {
    for (const app of this.lanes.keys()) this.bump(app);
  }

  // ---- person level -------------------------------------------------------------------------

  private refreshTimeline(): void {
    this.tl = timeline(this.state.events, nowMs());
  }

  private get employment() {
    return this.tl.employment;
  }

  private policies(): Record<string, ApprovalPolicy> {
    const out: Record<string, ApprovalPolicy> = {};
    for (const d of this.desires.values()) out[d.app] = d.approval;
    return out;
  }

  private compensating(app: string): boolean {
    const c = this.state.compensation;
    return Boolean(c && c.version === this.employment.version && c.apps.includes(app));
  }

  /** The join attempt failed in an all-or-nothing app: undo it in all of them (until HR changes the record). */
  private maybeCompensate(): void {
    const e = this.employment;
    if (e.status !== 'employed' || !e.periodId || this.state.joinedPeriod === e.periodId) return;
    if (this.state.compensation?.version === e.version) return;
    const required = [...this.desires.values()].filter((d) => d.granted && d.allOrNothing);
    const now = nowMs();
    const broken = required.filter((d) => {
      const v = this.state.apps[d.app];
      if (!v) return false;
      if (v.state === 'refused' || v.state === 'conflict' || v.problem) return true;
      const f = v.failure;
      return Boolean(f && (f.needsPerson || now - Date.parse(f.since) >= JOIN_GIVE_UP_MS));
    });
    if (broken.length === 0) return;
    const reason = broken.map((d) => `${d.app}: ${this.whyBroken(d.app)}`).join('; ');
    this.state.compensation = { version: e.version, reason, at: nowIso(), apps: required.map((d) => d.app) };
    this.record({ kind: 'compensation', detail: `join undone in ${required.map((d) => d.app).join(', ')}: ${reason}` });
    this.notes.about('join-compensated', e.version, this.state.compensation.apps, reason);
    for (const d of required) this.bump(d.app);
  }

  private whyBroken(app: string): string {
    const v = this.state.apps[app]!;
    if (v.state === 'refused') {
      const r = [...this.state.approvals]
        .reverse()
        .find((x) => x.app === app && (x.status === 'rejected' || x.status === 'expired'));
      if (r?.status === 'rejected') return `rejected by ${r.decidedBy}${r.comment ? `: ${r.comment}` : ''}`;
      return 'approval timed out';
    }
    if (v.conflict) return `identity conflict: ${v.conflict.reason}`;
    return v.problem ?? v.failure?.lastError ?? v.state;
  }

  private maybeJoined(): void {
    const e = this.employment;
    if (e.status !== 'employed' || !e.periodId || this.state.joinedPeriod === e.periodId || this.compensatingAny())
      return;
    const granted = [...this.desires.values()].filter((d) => d.granted);
    if (granted.length === 0 || this.desiredFor !== e.version) return;
    const required = granted.filter((d) => d.allOrNothing);
    const ok = (required.length ? required : granted).every((d) => this.state.apps[d.app]?.state === 'in-sync');
    if (ok) {
      this.state.joinedPeriod = e.periodId;
      // The join is complete: nothing of it is undone any more.
      for (const v of Object.values(this.state.apps)) {
        delete v.link.origin;
        delete v.link.addedGroups;
      }
    }
  }

  private compensatingAny(): boolean {
    return Boolean(this.state.compensation && this.state.compensation.version === this.employment.version);
  }

  // ---- one lane per app ---------------------------------------------------------------------

  private relevant(
    app: string,
    d: DesireResult,
    observedVersion: string | undefined,
    refreshPending: boolean,
  ): boolean {
    const v = this.state.apps[app];
    const status = this.employment.status;
    if (v?.link.scimId) return true;
    // `refresh`: look everywhere once, even where nothing is granted or linked (an account made by hand).
    if (refreshPending && status !== 'pre-hire') return true;
    if (status === 'employed') return d.granted || this.compensating(app);
    // Whatever we remember, a leaver or an unknown record looks in every app once (a lost workflow rebuilds its links).
    if (status === 'left' || status === 'unknown') return observedVersion !== this.employment.version;
    return false;
  }

  private view_(app: string): AppView {
    return (this.state.apps[app] ??= { app, state: 'absent', link: {}, granted: false });
  }

  private async lane(app: string): Promise<void> {
    let accounts: ObservedAccount[] | undefined;
    let observedVersion: string | undefined;
    let observedDesire: DesireResult | undefined;
    let backoffUntil = 0;
    let attentionVersion: string | undefined;
    let observedRefresh = this.refreshes;
    for (;;) {
      if (this.stopping) return;
      const gen = this.laneGen.get(app) ?? 0;
      const d = this.desires.get(app);
      const view = this.view_(app);
      const waitFor = async (untilMs?: number) => {
        const now = nowMs();
        const until = untilMs ?? this.wakeAt.get(app);
        const timeout = until !== undefined ? Math.max(until - now, 0) : undefined;
        if (timeout !== undefined) this.wakeAt.set(app, until!);
        const changed = () => this.stopping || (this.laneGen.get(app) ?? 0) !== gen;
        if (timeout === undefined) await condition(changed);
        else await condition(changed, timeout);
        this.wakeAt.delete(app);
      };
      if (!d || this.desiredFor !== this.employment.version) {
        await waitFor();
        continue;
      }
      view.granted = d.granted;
      view.problem = d.problem;
      if (!this.relevant(app, d, observedVersion, observedRefresh !== this.refreshes)) {
        view.state = view.link.scimId ? view.state : 'absent';
        this.withdrawUnwanted(app, 'the app is no longer granted');
        view.plannedFor = this.employment.version;
        this.syncAttributes();
        await waitFor();
        continue;
      }
      if (nowMs() < backoffUntil) {
        await waitFor(backoffUntil);
        continue;
      }
      if (view.failure?.needsPerson && attentionVersion === this.employment.version) {
        // Waits for `retry`, a new HR record, or — a leaver is never lost — the hourly try.
        const leaver = this.employment.status === 'left' && view.failure.code !== GUARD_REJECTED;
        const next = leaver
          ? Date.parse(view.failure.since) + view.failure.attempts * LEAVER_ATTENTION_RETRY_MS
          : undefined;
        if (next === undefined || nowMs() < next) {
          await waitFor(next);
          continue;
        }
      }
      if (d.problem && this.employment.status === 'employed' && d.granted) {
        view.state = 'conflict';
        view.plannedFor = this.employment.version;
        this.maybeCompensate();
        await waitFor();
        continue;
      }

      // Observe: once per record version (or after anything went wrong); the truth is in the app.
      try {
        if (
          !accounts ||
          observedVersion !== this.employment.version ||
          observedDesire !== d ||
          view.failure ||
          observedRefresh !== this.refreshes
        ) {
          // A fresh hint stands in for the lookup once, never after a failure or a refresh.
          const hinted = hintedObservation(
            this.hints,
            app,
            {
              userName: d.user.userName,
              ...(d.user.externalId ? { externalId: d.user.externalId } : {}),
              owner: d.owner,
            },
            nowMs(),
            !view.failure && observedRefresh === this.refreshes,
            oneUpsertPerTask,
          );
          observedRefresh = this.refreshes;
          accounts = hinted
            ? hinted.accounts
            : await appActivities(app).observe({
                app,
                userName: d.user.userName,
                ...(d.user.externalId ? { externalId: d.user.externalId } : {}),
              });
          observedVersion = this.employment.version;
          observedDesire = d;
          view.observedAt = hinted ? hinted.observedAt : nowIso();
        }
      } catch (err) {
        backoffUntil = this.fail(app, 'observe', err);
        attentionVersion = this.employment.version;
        accounts = undefined;
        continue;
      }

      // Plan → act → plan, on our own expectation of each action's effect, until nothing is left.
      let plan: AppPlan | undefined;
      let failed = false;
      for (let step = 0; step < 25; step++) {
        plan = this.plan(app, d, accounts);
        this.note(app, plan, accounts);
        const action = plan.actions[0];
        if (!action) break;
        // Ending access asks the app's mass-change guard first (a burst beyond its allowance waits there).
        const permit = !needsPermit(action)
          ? 'go'
          : await permitFor(action, {
              workflowId: workflowInfo().workflowId,
              app,
              view,
              version: this.employment.version,
              interrupted: () => this.stopping || (this.laneGen.get(app) ?? 0) !== gen,
              changed: () => this.syncAttributes(),
              record: (detail) => this.record({ kind: 'action', detail }),
            });
        if (permit === 'interrupted') {
          // Nothing was done: observe again (an unlinked leaver's account must stay relevant).
          observedVersion = undefined;
          break;
        }
        if (permit === 'rejected') {
          attentionVersion = this.employment.version;
          failed = true;
          accounts = undefined;
          break;
        }
        try {
          const result = await this.execute(app, action, accounts, d);
          if (action.kind === 'create' || (action.kind === 'setActive' && action.active)) this.consumeApproval(app);
          const next = applyAction(accounts, view.link, action, d, result);
          accounts = next.accounts;
          view.link = next.link ?? {};
          if (action.kind !== 'forget' && action.kind !== 'adopt')
            this.record({ kind: 'action', detail: `${app}: ${describeAction(action)}` });
          if (view.failure) view.failure = undefined;
        } catch (err) {
          backoffUntil = this.fail(app, action.kind, err);
          attentionVersion = this.employment.version;
          failed = true;
          accounts = undefined;
          break;
        }
        if ((this.laneGen.get(app) ?? 0) !== gen || this.desiredFor !== this.employment.version) break;
      }
      if (failed) continue;
      if (plan) {
        this.note(app, plan, accounts);
        if (plan.wakeAt !== undefined) this.wakeAt.set(app, plan.wakeAt);
        if ((this.laneGen.get(app) ?? 0) === gen) view.plannedFor = observedVersion;
      }
      this.maybeCompensate();
      this.maybeJoined();
      this.syncAttributes();
      if ((this.laneGen.get(app) ?? 0) !== gen) continue;
      await waitFor(plan?.wakeAt);
    }
  }

  private plan(app: string, d: DesireResult, accounts: ObservedAccount[]): AppPlan {
    const e = this.employment;
    const view = this.view_(app);
    const periodId = e.periodId ?? 'none';
    const gate = gateFor(this.state.approvals, app, periodId, e.version);
    const plan = planApp(d, accounts, view.link, {
      status: e.status,
      ...(e.status === 'left' && e.since !== undefined ? { leftAt: e.since } : {}),
      ...(e.terminationId ? { terminationId: e.terminationId } : {}),
      now: nowMs(),
      compensating: this.compensating(app),
      joining: e.status === 'employed' && e.periodId !== undefined && this.state.joinedPeriod !== e.periodId,
      skipped: this.state.skipped[app] === e.version,
      approval: gate,
    });
    // Approvals follow the plan: asked when a seat is wanted, withdrawn the moment it is not.
    if (plan.approvalFor && gate === 'none') {
      const context = e.employee ? approvalContext(e.employee, d.grantedBy) : undefined;
      const verifiedOnly = d.approval.unverifiedDecisions === 'refuse';
      this.state.approvals = pruneRequests(
        openRequest(this.state.approvals, {
          app,
          purpose: plan.approvalFor,
          periodId,
          version: e.version,
          policy: d.approval,
          now: nowMs(),
          ...(context ? { context } : {}),
          verifiedOnly,
        }),
      );
      const opened = pendingFor(this.state.approvals, app)!;
      this.notes.request('approval-pending', opened);
      this.record({
        kind: 'approval',
        detail: `${opened.id}: a ${app} seat (${plan.approvalFor}) waits for ${opened.approvers.join(', ')}`,
      });
      this.inputs++; // the main loop arms the request's deadline
      this.syncAttributes();
    } else if (
      !plan.approvalFor &&
      !plan.actions.some((a) => a.kind === 'create' || (a.kind === 'setActive' && a.active))
    ) {
      this.withdrawUnwanted(app, plan.state);
    }
    return plan;
  }

  /** A seat that is no longer wanted is withdrawn at once, so approving it later buys nothing. */
  private withdrawUnwanted(app: string, why: string): void {
    const open = pendingFor(this.state.approvals, app) ?? this.unusedApproval(app);
    if (!open) return;
    this.state.approvals = withdraw(this.state.approvals, app, `no longer wanted (${why})`, nowMs());
    this.record({ kind: 'approval', detail: `${open.id} withdrawn: the seat is no longer wanted (${why})` });
    this.syncAttributes();
  }

  private note(app: string, plan: AppPlan, accounts: ObservedAccount[] | undefined): void {
    const view = this.view_(app);
    if (plan.conflict && !view.conflict)
      this.notes.about('identity-conflict', `${app}/${this.employment.version}`, [app], plan.conflict.reason);
    view.state = plan.state;
    dropStaleHold(app, view, plan);
    view.conflict = plan.conflict ? { reason: plan.conflict.reason, accounts: plan.conflict.accounts } : undefined;
    const acc = plan.account ?? (view.link.scimId ? accounts?.find((a) => a.id === view.link.scimId) : undefined);
    view.account = acc
      ? {
          id: acc.id,
          userName: acc.userName,
          ...(acc.externalId ? { externalId: acc.externalId } : {}),
          active: acc.active,
          ...(acc.groups ? { groups: acc.groups } : {}),
        }
      : undefined;
  }

  /** An approved seat not yet used: it buys exactly one create or reactivation. */
  private unusedApproval(app: string) {
    const periodId = this.employment.periodId ?? 'none';
    return this.state.approvals.find(
      (x) => x.app === app && x.status === 'approved' && x.consumedAt === undefined && x.periodId === periodId,
    );
  }

  private approvalFor(app: string): { requestId: string; approver: string } | undefined {
    const r = this.unusedApproval(app);
    return r ? { requestId: r.id, approver: r.decidedBy ?? '' } : undefined;
  }

  private consumeApproval(app: string): void {
    const r = this.unusedApproval(app);
    if (!r) return;
    const now = nowMs();
    this.state.approvals = this.state.approvals.map((x) => (x === r ? { ...x, consumedAt: now } : x));
  }

  private async execute(
    app: string,
    action: Action,
    accounts: ObservedAccount[],
    d: DesireResult,
  ): Promise<{ id?: string }> {
    const acts = appActivities(app);
    const account = (id: string) => accounts.find((a) => a.id === id);
    switch (action.kind) {
      case 'create': {
        const approval = this.approvalFor(app);
        const created = await acts.createAccount({ app, user: action.user, ...(approval ? { approval } : {}) });
        return { id: created.id };
      }
      case 'update':
        await acts.updateAccount({
          app,
          id: action.accountId,
          current: account(action.accountId)?.resource ?? {},
          desired: d.user,
          managed: d.managedAttributes,
        });
        return {};
      case 'setActive': {
        const approval = action.active ? this.approvalFor(app) : undefined;
        const current = account(action.accountId)?.resource;
        await acts.setActive({
          app,
          id: action.accountId,
          ...(current ? { current } : {}),
          active: action.active,
          ...(approval ? { approval } : {}),
        });
        return {};
      }
      case 'addGroup': {
        const groupId = await this.groupId(app, action.group);
        await acts.addToGroup({ app, groupId, userId: action.accountId });
        return {};
      }
      case 'removeGroup': {
        // Every group of that name (servers may hold duplicates): the membership ends in all of them.
        for (const groupId of await acts.findGroups({ app, name: action.group }))
          await acts.removeMember({ app, groupId, userId: action.accountId });
        return {};
      }
      case 'removeJsmCustomer':
        await acts.removeJsmCustomer({ app, email: action.email });
        return {};
      case 'delete':
        await acts.deleteAccount({ app, id: action.accountId });
        return {};
      case 'adopt':
      case 'forget':
        return {};
    }
  }

  /** The group's id from its single-writer workflow (cached per app and name). */
  private async groupId(app: string, name: string): Promise<string> {
    const view = this.view_(app);
    const key = name.toLowerCase();
    const cached = view.groupIds?.[key];
    if (cached) return cached;
    // Reading is safe from anywhere; only creating goes through the group's single writer.
    const existing = await appActivities(app).findGroups({ app, name });
    if (existing.length > 0) {
      const id = [...existing].sort()[0]!;
      view.groupIds = { ...(view.groupIds ?? {}), [key]: id };
      return id;
    }
    for (let i = 0; ; i++) {
      try {
        const id = await executeChild(groupWorkflow, {
          workflowId: groupWorkflowId(app, name),
          args: [{ app, name }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        view.groupIds = { ...(view.groupIds ?? {}), [key]: id };
        return id;
      } catch (err) {
        // Another person's controller is making this group right now: wait for it, then ask again.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || i >= 30) throw err;
        await sleep(500 + i * 100);
      }
    }
  }

  /** Records a failure and returns when to try again. */
  private fail(app: string, step: string, err: unknown): number {
    const view = this.view_(app);
    const code = failureCode(err);
    const now = nowMs();
    const prev = view.failure;
    const attempts = (prev?.attempts ?? 0) + 1;
    const needsPerson = code !== undefined && NEEDS_PERSON.has(code);
    const retryAfter = failureRetryAfterMs(err);
    // Stale knowledge (409, 404, 412): observe again at once, then back off like any failure.
    const stale = code !== undefined && STALE.has(code) && attempts <= 1;
    const delay =
      needsPerson || stale ? 0 : Math.min(retryAfter ?? 1000 * 2 ** Math.min(attempts - 1, 10), MAX_BACKOFF_MS);
    const activityAttempts = failureAttempts(err);
    view.failure = {
      since: prev?.since ?? new Date(now).toISOString(),
      lastError: failureMessage(err),
      ...(code ? { code } : {}),
      attempts,
      ...(activityAttempts !== undefined ? { activityAttempts } : {}),
      action: step,
      needsPerson,
      ...(needsPerson ? {} : { nextTryAt: new Date(now + delay).toISOString() }),
    };
    log.warn('app step failed', { app, step, code, attempts, needsPerson });
    if (needsPerson && !prev?.needsPerson && this.employment.status === 'left')
      this.notes.about('leaver-attention', `${app}/${view.failure.since}`, [app], `${step}: ${view.failure.lastError}`);
    this.maybeCompensate();
    this.syncAttributes();
    return needsPerson ? 0 : now + delay;
  }

  // ---- the loop -----------------------------------------------------------------------------

  async run(): Promise<void> {
    const maxHistory = this.input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY;
    for (;;) {
      this.refreshTimeline();
      const now = nowMs();
      const e = this.employment;
      if (e.employee && this.desiredFor !== e.version) {
        const list = await planning.desire(e.employee);
        this.refreshTimeline();
        if (this.employment.version === e.version) {
          this.desires = new Map(list.map((d) => [d.app, d]));
          this.desiredFor = e.version;
          for (const d of list) {
            if (!this.lanes.has(d.app)) this.lanes.set(d.app, this.lane(d.app));
          }
          this.bumpAll();
        }
        continue;
      }
      const before = JSON.stringify(this.state.approvals.map((r) => [r.id, r.status, r.round]));
      const previous = this.state.approvals;
      this.state.approvals = advanceTime(this.state.approvals, this.policies(), now);
      if (JSON.stringify(this.state.approvals.map((r) => [r.id, r.status, r.round])) !== before) {
        for (const r of this.state.approvals) this.bump(r.app);
        this.record({ kind: 'approval', detail: 'approval deadlines passed: escalated or expired' });
        this.notes.approvalsChanged(previous, this.state.approvals);
      }
      this.state.approvals = this.notes.warn(this.state.approvals, now);
      this.syncAttributes();
      if (this.continueAsNewRequested) break;
      if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistory || upgradeRequested())
        break;

      const deadlines = this.state.approvals.filter((r) => r.status === 'pending').map((r) => r.deadline);
      const next = Math.min(
        this.tl.nextChangeAt ?? Infinity,
        ...deadlines,
        this.notes.nextWarningAt(this.state.approvals),
      );
      const seen = this.inputs;
      const version = e.version;
      // Lanes that keep retrying a failing app add history while this loop sleeps: it wakes for that too.
      const changed = () =>
        this.inputs !== seen ||
        workflowInfo().continueAsNewSuggested ||
        workflowInfo().historyLength >= maxHistory ||
        this.continueAsNewRequested;
      if (next === Infinity) await condition(changed);
      else await condition(changed, Math.max(next - now, 0));
      this.refreshTimeline();
      if (this.employment.version !== version) this.bumpAll();
    }
    await this.stop();
  }

  private async stop(): Promise<never> {
    this.stopping = true;
    await Promise.all(this.lanes.values());
    await this.notes.settle();
    await condition(allHandlersFinished);
    const now = nowMs();
    const s = this.state;
    s.events = compact(s.events, now);
    for (const [id, at] of Object.entries(s.seen)) if (at < now - SEEN_RETENTION_MS) delete s.seen[id];
    s.approvals = pruneRequests(s.approvals);
    return continueAsNew<typeof identityWorkflow>({
      employeeId: s.employeeId,
      state: s,
      ...(this.input.maxHistoryEvents ? { maxHistoryEvents: this.input.maxHistoryEvents } : {}),
    });
  }

  // ---- what people see -----------------------------------------------------------------------

  private stage(): Stage {
    const e = this.employment;
    if (e.status === 'unknown' || e.status === 'pre-hire') return e.status;
    const apps = Object.values(this.state.apps);
    const unsettled =
      this.desiredFor !== e.version ||
      [...this.desires.keys()].some((app) => this.state.apps[app]?.plannedFor !== e.version);
    const busy = unsettled || apps.some((a) => a.state === 'converging' || a.failure);
    if (e.status === 'left') return busy ? 'leaving' : 'left';
    if (this.compensatingAny()) return 'compensated';
    // A join is not done while an all-or-nothing app still waits (for a seat approval, say).
    const joinPending =
      e.periodId !== undefined &&
      this.state.joinedPeriod !== e.periodId &&
      [...this.desires.values()].some((d) => d.granted && d.allOrNothing);
    return busy || joinPending ? 'joining' : 'active';
  }

  problems(): string[] {
    const out: string[] = [];
    for (const a of Object.values(this.state.apps)) {
      if (a.failure) out.push(`${a.failure.needsPerson ? 'attention' : 'failing'}:${a.app}`);
      if (a.conflict) out.push(`conflict:${a.app}`);
      if (a.guard) out.push(`held:${a.app}`);
      if (a.problem && a.granted) out.push(`invalid:${a.app}`);
    }
    if (this.compensatingAny()) out.push('compensated');
    return out.sort();
  }

  private syncAttributes(): void {
    const problems = this.problems();
    const attrs = {
      stage: this.stage(),
      pending: this.state.approvals
        .filter((r) => r.status === 'pending')
        .map((r) => r.app)
        .sort(),
      attention: problems.some((p) => !p.startsWith('failing:')),
      problems,
      linked: Object.values(this.state.apps)
        .filter((a) => a.link.scimId)
        .map((a) => a.app)
        .sort(),
    };
    publishApprovalDetails(this.state.approvals, this.policies());
    const key = JSON.stringify(attrs);
    if (key === this.attributes) return;
    this.attributes = key;
    oneUpsertPerTask(); // before the first upsert: it decides whether this task's upserts merge
    upsertSearchAttributes([
      { key: STAGE, value: attrs.stage },
      { key: PENDING_APPROVALS, value: attrs.pending },
      { key: NEEDS_ATTENTION, value: attrs.attention || attrs.problems.length > 0 },
      { key: PROBLEMS, value: attrs.problems },
      { key: LINKED_APPS, value: attrs.linked },
    ]);
  }

  private view(): PersonView {
    const s = this.state;
    return {
      employeeId: s.employeeId,
      stage: this.stage(),
      employment: this.employment,
      apps: s.apps,
      pendingApprovals: s.approvals.filter((r) => r.status === 'pending'),
      approvals: s.approvals,
      approvalPolicies: Object.fromEntries(
        Object.entries(this.policies()).map(([app, p]) => [app, { onTimeout: p.onTimeout, timeoutMs: p.timeoutMs }]),
      ),
      events: s.events
        .slice()
        .sort((a, b) => a.recordedAt - b.recordedAt)
        .map((e) => ({
          id: e.id,
          type: e.type,
          ...(e.cancels ? { cancels: e.cancels } : {}),
          ...(e.source ? { source: e.source } : {}),
          effectiveAt: new Date(e.at).toISOString(),
          recordedAt: new Date(e.recordedAt).toISOString(),
          fate: this.tl.fates[e.id] ?? { kind: 'applied' },
        })),
      ...(s.compensation ? { compensation: s.compensation } : {}),
      problems: this.problems(),
      log: s.log.slice(-50),
      schemaVersion: s.schemaVersion,
    };
  }
}

function by(raw: unknown): { by?: string } {
  const a = (raw as { approver?: unknown } | undefined)?.approver;
  return typeof a === 'string' ? { by: a.slice(0, 256) } : {};
}

function describe(raw: unknown): string {
  try {
    return JSON.stringify(raw)?.slice(0, 200) ?? String(raw);
  } catch {
    return String(raw);
  }
}

function describeFate(f: Timeline['fates'][string]): string {
  switch (f.kind) {
    case 'pending':
      return `queued until ${new Date(f.at).toISOString()}`;
    case 'applied':
      return 'applied';
    case 'superseded':
      return `superseded by ${f.by} (${f.reason})`;
    case 'withdrawn':
      return `withdrawn by ${f.by}`;
    case 'ignored':
      return `ignored (${f.reason})`;
  }
}

function describeAction(a: Action): string {
  switch (a.kind) {
    case 'create':
      return 'created the account';
    case 'setActive':
      return `${a.active ? 'activated' : 'deactivated'} ${a.accountId} (${a.why})`;
    case 'addGroup':
      return `added ${a.accountId} to ${a.group}`;
    case 'removeGroup':
      return `removed ${a.accountId} from ${a.group} (${a.why})`;
    case 'update':
      return `updated ${a.accountId}`;
    case 'delete':
      return `deleted ${a.accountId}`;
    case 'removeJsmCustomer':
      return 'removed the JSM customer';
    case 'adopt':
      return `adopted ${a.accountId}`;
    case 'forget':
      return 'the linked account is gone';
  }
}

export async function identityWorkflow(input: IdentityWorkflowInput): Promise<void> {
  await new Controller(input).run();
}

// Lifecycle children of the identity workflow: joiner, mover, rehire, leaver and delete. Each runs
// once per HR event under a readable id (`joiner-<employeeId>-<eventId>`, …), so the Temporal UI
// shows one row per lifecycle. Per-app steps run in parallel.
//
// Approvers signal `approval` (or call the `decide` Update) on the lifecycle row; ops send
// `retry` / `skip` to a step that needs a person.
import {
  condition,
  getExternalWorkflowHandle,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { nowIso, nowMs } from './clock';
import {
  abandonApprovalsSignal,
  approvalSignal,
  decideUpdate,
  lifecycleQuery,
  progressSignal,
  retrySignal,
  skipSignal,
  type AppEntitlement,
  type AppLink,
  type ApprovalDecision,
  type AttentionItem,
  type LeaverPolicyView,
  type LifecycleInput,
  type LifecycleResult,
  type LifecycleView,
  type ProgressReport,
} from './definitions';
import { failureAttempts, failureMessage, offboarding, provisioning } from './proxies';
import { NEEDS_ATTENTION, PENDING_APPROVALS, STAGE } from './search-attributes';

type Outcome = 'approved' | 'rejected' | 'timeout' | 'abandoned';

/** Per-run state and handlers shared by every lifecycle kind. */
class Lifecycle {
  readonly view: LifecycleView;
  private readonly decisions = new Map<string, ApprovalDecision>();
  private readonly approversByApp = new Map<string, string[]>();
  private readonly commands = new Map<string, { action: 'retry' | 'skip'; reason?: string }>();
  private abandoned: string | undefined;

  constructor(
    private readonly input: LifecycleInput,
    stage: string,
  ) {
    this.view = { employeeId: input.employeeId, eventId: input.eventId, pendingApprovals: [], needsAttention: [], apps: {}, decisions: [] };
    upsertSearchAttributes([{ key: STAGE, value: stage }]);
    setHandler(lifecycleQuery, () => this.view);

    // The signal cannot answer its sender, so a refused decision is recorded with the reason
    // (visible in the query) and otherwise ignored. The Update below refuses it to the caller.
    setHandler(approvalSignal, (d) => {
      const reason = this.refusal(d);
      this.view.decisions.push({ ...d, at: nowIso(), accepted: !reason, ...(reason ? { reason } : {}) });
      if (!reason) this.decisions.set(d.app, d);
    });
    setHandler(
      decideUpdate,
      (d) => {
        this.view.decisions.push({ ...d, at: nowIso(), accepted: true });
        this.decisions.set(d.app, d);
        return { accepted: true as const, app: d.app, decision: d.decision };
      },
      {
        validator: (d) => {
          const reason = this.refusal(d);
          if (reason) throw new Error(reason);
        },
      },
    );
    const command = (action: 'retry' | 'skip') => (arg?: { app?: string; reason?: string }) => {
      const apps = arg?.app ? [arg.app] : this.view.needsAttention.map((i) => i.app);
      for (const app of apps) this.commands.set(app, { action, ...(arg?.reason ? { reason: arg.reason } : {}) });
    };
    setHandler(abandonApprovalsSignal, ({ reason }) => {
      this.abandoned ??= reason;
    });
    setHandler(retrySignal, command('retry'));
    setHandler(skipSignal, command('skip'));
  }

  private refusal(d: ApprovalDecision | undefined): string | undefined {
    if (!d || typeof d !== 'object') return 'a decision needs {"app", "decision", "approver"}';
    if (d.decision !== 'approve' && d.decision !== 'reject') return `decision must be "approve" or "reject", not ${JSON.stringify(d.decision)}`;
    if (typeof d.approver !== 'string' || !d.approver.trim()) return 'approver is required';
    const pending = this.view.pendingApprovals.find((p) => p.app === d.app);
    if (!pending) {
      const waiting = this.view.pendingApprovals.map((p) => p.app);
      return waiting.length
        ? `no approval is pending for app ${JSON.stringify(d.app)}; pending: ${waiting.join(', ')}`
        : `nothing is pending approval in ${workflowInfo().workflowId}`;
    }
    const allowed = this.approversByApp.get(d.app) ?? [];
    if (allowed.length && !allowed.some((a) => a.toLowerCase() === d.approver.trim().toLowerCase())) {
      return `${d.approver} may not approve ${d.app}; approvers: ${allowed.join(', ')}`;
    }
    return undefined;
  }

  report(r: ProgressReport): void {
    // Fire-and-forget to the identity workflow; losing it would only make its query stale, and the
    // final result carries every link anyway.
    getExternalWorkflowHandle(this.input.parentWorkflowId)
      .signal(progressSignal, r)
      .catch((err: unknown) => log.warn('progress report not delivered', { error: String(err) }));
  }

  setLink(link: AppLink): AppLink {
    this.view.apps[link.app] = link;
    return link;
  }

  private links(): AppLink[] {
    return Object.values(this.view.apps);
  }

  private syncAttributes(): void {
    upsertSearchAttributes([
      { key: PENDING_APPROVALS, value: this.view.pendingApprovals.map((p) => p.app) },
      { key: NEEDS_ATTENTION, value: this.view.needsAttention.length > 0 },
    ]);
  }

  /** Waits for an approve/reject, escalating or rejecting on timeout as the app's policy says. */
  async approval(ent: AppEntitlement): Promise<{ outcome: Outcome; by?: string; comment?: string }> {
    const policy = ent.approval;
    const rounds: string[][] = [policy.approvers];
    if (policy.onTimeout === 'escalate') rounds.push(policy.escalateTo.length ? [...policy.approvers, ...policy.escalateTo] : policy.approvers);
    try {
      for (const approvers of rounds) {
        if (this.abandoned !== undefined) return { outcome: 'abandoned', comment: this.abandoned };
        this.approversByApp.set(ent.app, approvers);
        const item = { app: ent.app, approvers, since: nowIso(), workflowId: workflowInfo().workflowId };
        this.view.pendingApprovals = [...this.view.pendingApprovals.filter((p) => p.app !== ent.app), item];
        this.syncAttributes();
        this.report({ kind: 'approval-pending', item, links: this.links() });
        if (await condition(() => this.decisions.has(ent.app) || this.abandoned !== undefined, policy.timeoutMs)) {
          if (!this.decisions.has(ent.app)) return { outcome: 'abandoned', comment: this.abandoned };
          const d = this.decisions.get(ent.app)!;
          return { outcome: d.decision === 'approve' ? 'approved' : 'rejected', by: d.approver, ...(d.comment ? { comment: d.comment } : {}) };
        }
        log.info('approval timed out', { app: ent.app, approvers });
      }
      return { outcome: 'timeout' };
    } finally {
      this.view.pendingApprovals = this.view.pendingApprovals.filter((p) => p.app !== ent.app);
      this.syncAttributes();
      this.report({ kind: 'approval-resolved', app: ent.app });
    }
  }

  /**
   * Runs a step that must not be dropped. Transient failures are retried by the activity's own
   * unlimited policy; what reaches here needs a person: the step waits, visibly, for `retry` or `skip`.
   */
  async needing<T>(app: string, step: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; skipped: string }> {
    for (let attempts = 1; ; attempts++) {
      try {
        return { ok: true, value: await fn() };
      } catch (err) {
        const item: AttentionItem = { app, step, error: failureMessage(err), since: nowIso(), workflowId: workflowInfo().workflowId, attempts };
        log.warn('step needs attention', { ...item });
        this.commands.delete(app);
        this.view.needsAttention = [...this.view.needsAttention.filter((i) => i.app !== app), item];
        this.syncAttributes();
        this.report({ kind: 'attention', item, links: this.links() });
        await condition(() => this.commands.has(app));
        const cmd = this.commands.get(app)!;
        this.commands.delete(app);
        this.view.needsAttention = this.view.needsAttention.filter((i) => i.app !== app);
        this.syncAttributes();
        this.report({ kind: 'attention-cleared', app });
        if (cmd.action === 'skip') return { ok: false, skipped: cmd.reason ?? `${step} skipped by an operator after: ${item.error}` };
      }
    }
  }

  // ---- steps ----

  /** Joiner path for one app: approval gate (only when a paid seat would be consumed), find-or-create, groups. */
  async provision(ent: AppEntitlement): Promise<AppLink> {
    const acts = provisioning(ent.app);
    let link: AppLink = this.setLink({ app: ent.app, userName: ent.user.userName, status: 'pending', email: primaryEmail(ent) });
    try {
      if (ent.approval.required) {
        // An active account that already exists consumes no new seat: adopt it without asking
        // anyone. Reactivating an inactive one takes a seat again, so that is asked for.
        const existing = await acts.lookupUser({ app: ent.app, userName: ent.user.userName, externalId: stringOrUndefined(ent.user.externalId) });
        if (!existing?.active) {
          link = this.setLink({ ...link, status: 'awaiting-approval' });
          const res = await this.approval(ent);
          if (res.outcome !== 'approved') {
            const why =
              res.outcome === 'timeout'
                ? 'approval timed out'
                : res.outcome === 'abandoned'
                  ? `approval abandoned: ${res.comment}`
                  : `rejected by ${res.by}${res.comment ? `: ${res.comment}` : ''}`;
            return this.setLink({ ...link, status: 'rejected', lastError: why });
          }
        }
      }
      const created = await acts.ensureUser({ app: ent.app, user: ent.user });
      link = this.setLink({ ...link, scimId: created.scimId, userName: created.userName, status: 'active', createdByUs: created.created });
      if (ent.groups.length) {
        const g = await acts.syncGroups({ app: ent.app, scimId: created.scimId, add: ent.groups, remove: [] });
        link = this.setLink({ ...link, groups: g.added.length ? g.added : [] });
      }
      return link;
    } catch (err) {
      return this.setLink({ ...link, status: link.scimId ? link.status : 'failed', lastError: failureMessage(err), ...attemptsOf(err) });
    }
  }

  /** Mover path for a kept app: generated PATCH of the attributes, then the group difference. */
  async update(ent: AppEntitlement, current: AppLink): Promise<AppLink> {
    if (!current.scimId) return this.provision(ent);
    const acts = provisioning(ent.app);
    let link: AppLink = { ...current, lastError: undefined };
    try {
      await acts.updateUser({ app: ent.app, scimId: current.scimId, user: ent.user });
      link = { ...link, userName: ent.user.userName, email: primaryEmail(ent) };
      const had = new Set(current.groups ?? []);
      const want = new Set(ent.groups);
      const add = ent.groups.filter((g) => !had.has(g));
      const remove = [...had].filter((g) => !want.has(g));
      if (add.length || remove.length) {
        await acts.syncGroups({ app: ent.app, scimId: current.scimId, add, remove });
      }
      link = { ...link, groups: [...ent.groups] };
      return this.setLink(link);
    } catch (err) {
      return this.setLink({ ...link, lastError: failureMessage(err), ...attemptsOf(err) });
    }
  }

  /** Leaver path for one app: memberships, JSM customer, deactivation. Never gives up. */
  async deprovision(current: AppLink, policy: LeaverPolicyView): Promise<AppLink> {
    if (!current.scimId || current.status === 'deleted') return current;
    const acts = offboarding(current.app);
    const scimId = current.scimId;
    let link: AppLink = { ...current };
    const skipped: string[] = [];
    if (policy.removeGroups && current.groups?.length) {
      const r = await this.needing(current.app, 'remove group memberships', () => acts.syncGroups({ app: current.app, scimId, add: [], remove: current.groups ?? [] }));
      if (r.ok) link = { ...link, groups: [] };
      else skipped.push(r.skipped);
    }
    if (policy.jsmCustomerRemoval && current.email) {
      const email = current.email;
      const r = await this.needing(current.app, 'remove JSM customer', () => acts.removeJsmCustomer({ app: current.app, email }));
      if (!r.ok) skipped.push(r.skipped);
    }
    if (policy.deactivate) {
      const r = await this.needing(current.app, 'deactivate', () => acts.setActive({ app: current.app, scimId, active: false }));
      if (!r.ok) {
        return this.setLink({ ...link, status: 'skipped', lastError: [...skipped, r.skipped].join('; ') });
      }
    }
    const deleteAt = policy.hardDeleteAfterMs === null ? undefined : new Date(nowMs() + policy.hardDeleteAfterMs).toISOString();
    return this.setLink({ ...link, status: 'inactive', ...(deleteAt ? { deleteAt } : {}), ...(skipped.length ? { lastError: skipped.join('; ') } : { lastError: undefined }) });
  }

  async reactivate(current: AppLink): Promise<AppLink> {
    if (!current.scimId || current.status === 'deleted') return current;
    const scimId = current.scimId;
    try {
      await provisioning(current.app).setActive({ app: current.app, scimId, active: true });
      return this.setLink({ ...current, status: 'active', deleteAt: undefined, lastError: undefined });
    } catch (err) {
      return this.setLink({ ...current, lastError: failureMessage(err), ...attemptsOf(err) });
    }
  }

  async hardDelete(current: AppLink): Promise<AppLink> {
    if (!current.scimId) return current;
    const scimId = current.scimId;
    const r = await this.needing(current.app, 'hard delete', () => offboarding(current.app).deleteUser({ app: current.app, scimId }));
    return this.setLink(r.ok ? { ...current, status: 'deleted', deleteAt: undefined } : { ...current, deleteAt: undefined, lastError: r.skipped });
  }

  /** Saga: undo, in reverse order, the accounts this joiner created in all-or-nothing apps. */
  async compensate(done: AppLink[], reason: string): Promise<string[]> {
    const undone: string[] = [];
    for (const link of [...done].reverse()) {
      if (!link.scimId || !link.createdByUs || link.status !== 'active') continue;
      const scimId = link.scimId;
      const r = await this.needing(link.app, 'compensating deactivation', () => offboarding(link.app).setActive({ app: link.app, scimId, active: false }));
      this.setLink({ ...link, status: r.ok ? 'compensated' : 'skipped', lastError: r.ok ? `compensated: ${reason}` : r.skipped });
      if (r.ok) undone.push(link.app);
    }
    return undone;
  }

  result(): LifecycleResult {
    const apps = this.view.apps;
    const ok = Object.values(apps).every((l) => !['failed', 'rejected', 'skipped'].includes(l.status) && !l.lastError);
    return { apps, ok };
  }
}

function attemptsOf(err: unknown): { attempts?: number } {
  const attempts = failureAttempts(err);
  return attempts === undefined ? {} : { attempts };
}

function primaryEmail(ent: AppEntitlement): string | undefined {
  const emails = ent.user.emails;
  if (Array.isArray(emails)) {
    const e = (emails as { value?: unknown; primary?: unknown }[]).find((x) => x.primary) ?? emails[0];
    if (e && typeof (e as { value?: unknown }).value === 'string') return (e as { value: string }).value;
  }
  return undefined;
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Completion order of parallel steps (deterministic on replay), for the saga's reverse order. */
async function inParallel<T>(items: T[], fn: (item: T) => Promise<AppLink>): Promise<AppLink[]> {
  const order: AppLink[] = [];
  await Promise.all(items.map(async (item) => order.push(await fn(item))));
  return order;
}

export async function joinerWorkflow(input: LifecycleInput): Promise<LifecycleResult> {
  const lc = new Lifecycle(input, 'joining');
  const provision = input.provision ?? [];
  const done = await inParallel(provision, (ent) => lc.provision(ent));
  const required = new Set(provision.filter((e) => e.allOrNothing).map((e) => e.app));
  const broken = done.filter((l) => required.has(l.app) && (l.status === 'failed' || l.status === 'rejected'));
  if (broken.length) {
    const reason = broken.map((l) => `${l.app}: ${l.lastError ?? l.status}`).join('; ');
    const undone = await lc.compensate(
      done.filter((l) => required.has(l.app)),
      reason,
    );
    return { ...lc.result(), ok: false, compensation: { reason, undone } };
  }
  return lc.result();
}

export async function moverWorkflow(input: LifecycleInput): Promise<LifecycleResult> {
  const lc = new Lifecycle(input, 'moving');
  await Promise.all([
    ...(input.provision ?? []).map((ent) => lc.provision(ent)),
    ...(input.update ?? []).map((u) => lc.update(u.entitlement, u.link)),
    ...(input.deprovision ?? []).map((d) => lc.deprovision(d.link, d.policy)),
  ]);
  return lc.result();
}

export async function rehireWorkflow(input: LifecycleInput): Promise<LifecycleResult> {
  const lc = new Lifecycle(input, 'joining');
  // Reactivate the linked accounts first (no new seat), then converge them like a mover.
  const reactivated = await Promise.all((input.reactivate ?? []).map((l) => lc.reactivate(l)));
  const byApp = new Map(reactivated.map((l) => [l.app, l]));
  await Promise.all([
    ...(input.provision ?? []).map((ent) => lc.provision(ent)),
    ...(input.update ?? []).map((u) => lc.update(u.entitlement, byApp.get(u.link.app) ?? u.link)),
    ...(input.deprovision ?? []).map((d) => lc.deprovision(byApp.get(d.link.app) ?? d.link, d.policy)),
  ]);
  return lc.result();
}

export async function leaverWorkflow(input: LifecycleInput): Promise<LifecycleResult> {
  const lc = new Lifecycle(input, 'leaving');
  await Promise.all((input.deprovision ?? []).map((d) => lc.deprovision(d.link, d.policy)));
  return lc.result();
}

export async function deleteWorkflow(input: LifecycleInput): Promise<LifecycleResult> {
  const lc = new Lifecycle(input, 'leaving');
  await Promise.all((input.delete ?? []).map((l) => lc.hardDelete(l)));
  return lc.result();
}

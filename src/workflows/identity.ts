// The entity workflow of one person, id `identity-<employeeId>`, fed by `signalWithStart` from the
// ingress. It de-duplicates HR events by id, runs them in `effectiveAt` order (a future-dated
// termination waits on a durable timer), lets `cancel` withdraw a pending termination, schedules
// hard deletes after the retention period, runs each lifecycle as a child workflow, exposes its
// state by query and search attributes, and continues-as-new before its history grows large.
import {
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HrEvent } from '../shared/hr-event';
import { nowMs } from './clock';
import {
  abandonApprovalsSignal,
  hrEventSignal,
  progressSignal,
  stateQuery,
  type AppLink,
  type EntitlementPlan,
  type IdentityState,
  type IdentityWorkflowInput,
  type LeaverPolicyView,
  type LifecycleInput,
  type LifecycleResult,
  type ProcessedEvent,
  type QueuedEvent,
} from './definitions';
import { deleteWorkflow, joinerWorkflow, leaverWorkflow, moverWorkflow, rehireWorkflow } from './lifecycle';
import { planning } from './proxies';
import { LINKED_APPS, NEEDS_ATTENTION, PENDING_APPROVALS, STAGE } from './search-attributes';

/** Remembered event ids, carried across continue-as-new: HR redeliveries come within days, not thousands of events. */
const MAX_SEEN_EVENT_IDS = 1000;
const MAX_EVENT_LOG = 200;
/** A run's history grows with each lifecycle (~30 events each); start afresh well before it is large. */
const DEFAULT_EVENTS_PER_RUN = 100;

/** When an app is no longer configured, its leaver still runs with the safe default. */
const DEFAULT_LEAVER: LeaverPolicyView = { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: null };

export async function identityWorkflow(input: IdentityWorkflowInput): Promise<IdentityState> {
  const state: IdentityState = input.state ?? {
    employeeId: input.employeeId,
    stage: 'new',
    apps: {},
    events: [],
    pending: [],
    pendingApprovals: [],
    needsAttention: [],
  };
  const seen = new Set<string>(input.seenEventIds ?? []);
  let queue: QueuedEvent[] = [...(input.queue ?? [])];
  let seq = queue.reduce((m, q) => Math.max(m, q.seq), 0);
  let version = 0; // bumps on every change to the queue, to wake a waiting timer
  let handledThisRun = 0;
  const eventsPerRun = input.eventsPerRun ?? DEFAULT_EVENTS_PER_RUN;
  const shouldContinue = () => workflowInfo().continueAsNewSuggested || handledThisRun >= eventsPerRun;

  const record = (e: ProcessedEvent) => {
    state.events.push(e);
    if (state.events.length > MAX_EVENT_LOG) state.events.splice(0, state.events.length - MAX_EVENT_LOG);
  };
  const syncPending = () => {
    state.pending = queue.map((q) => ({ id: q.event.id, type: q.event.type, ...(q.event.effectiveAt ? { effectiveAt: q.event.effectiveAt } : {}) }));
  };
  const syncAttributes = () => {
    upsertSearchAttributes([
      { key: STAGE, value: state.stage },
      { key: LINKED_APPS, value: Object.values(state.apps).filter((l) => l.status === 'active' || l.status === 'inactive').map((l) => l.app).sort() },
      { key: PENDING_APPROVALS, value: state.pendingApprovals.map((p) => p.app) },
      { key: NEEDS_ATTENTION, value: state.needsAttention.length > 0 },
    ]);
  };

  setHandler(hrEventSignal, (event) => {
    if (event?.employee?.employeeId !== state.employeeId) {
      record({ id: String(event?.id), type: event?.type, outcome: 'ignored', detail: `event is for employee ${String(event?.employee?.employeeId)}` });
      return;
    }
    if (seen.has(event.id)) return; // redelivery: no second effect
    seen.add(event.id);
    if (event.type === 'cancel') {
      // Withdraws a termination that has not run yet; one that already ran needs a rehire.
      const withdrawn = queue.filter((q) => q.event.type === 'terminate');
      queue = queue.filter((q) => q.event.type !== 'terminate');
      for (const q of withdrawn) record({ id: q.event.id, type: 'terminate', ...(q.event.effectiveAt ? { effectiveAt: q.event.effectiveAt } : {}), outcome: 'cancelled', detail: `withdrawn by ${event.id}` });
      record({
        id: event.id,
        type: 'cancel',
        outcome: withdrawn.length ? 'done' : 'ignored',
        ...(withdrawn.length ? {} : { detail: 'no pending termination to withdraw' }),
      });
      syncPending();
      version++;
      return;
    }
    const effective = event.effectiveAt ? Date.parse(event.effectiveAt) : NaN;
    queue.push({ event, dueMs: Number.isFinite(effective) ? effective : nowMs(), seq: ++seq });
    queue.sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    syncPending();
    version++;
  });

  setHandler(progressSignal, (r) => {
    if ('links' in r) for (const link of r.links) state.apps[link.app] = { ...state.apps[link.app], ...link };
    switch (r.kind) {
      case 'approval-pending':
        state.pendingApprovals = [...state.pendingApprovals.filter((p) => p.app !== r.item.app), r.item];
        break;
      case 'approval-resolved':
        state.pendingApprovals = state.pendingApprovals.filter((p) => p.app !== r.app);
        break;
      case 'attention':
        state.needsAttention = [...state.needsAttention.filter((i) => i.app !== r.item.app), r.item];
        break;
      case 'attention-cleared':
        state.needsAttention = state.needsAttention.filter((i) => i.app !== r.app);
        break;
    }
    syncAttributes();
  });
  setHandler(stateQuery, () => state);

  const links = () => Object.values(state.apps);
  const runChild = async (
    kind: 'joiner' | 'mover' | 'rehire' | 'leaver' | 'delete',
    id: string,
    args: Omit<LifecycleInput, 'employeeId' | 'eventId' | 'parentWorkflowId'> & { eventId: string },
  ): Promise<LifecycleResult> => {
    const workflowId = `${kind}-${state.employeeId}-${id}`;
    state.currentLifecycle = { workflowId, type: kind };
    const fn = { joiner: joinerWorkflow, mover: moverWorkflow, rehire: rehireWorkflow, leaver: leaverWorkflow, delete: deleteWorkflow }[kind];
    let finished = false;
    try {
      const child = executeChild(fn, {
        workflowId,
        args: [{ employeeId: state.employeeId, parentWorkflowId: workflowInfo().workflowId, ...args }],
      });
      if (kind === 'joiner' || kind === 'mover' || kind === 'rehire') {
        // A termination that falls due while this lifecycle waits for an approval must not wait
        // behind it (approvals can take days): tell the child to give up waiting, then run the leaver.
        void (async () => {
          while (!finished) {
            const due = queue.find((q) => q.event.type === 'terminate')?.dueMs;
            const v = version;
            if (due !== undefined && due <= nowMs()) {
              await getExternalWorkflowHandle(workflowId)
                .signal(abandonApprovalsSignal, { reason: `terminated by ${queue.find((q) => q.event.type === 'terminate')!.event.id}` })
                .catch((err: unknown) => log.warn('abandon signal not delivered', { error: String(err) }));
              return;
            }
            if (due === undefined) await condition(() => finished || version !== v);
            else await condition(() => finished || version !== v, due - nowMs());
          }
        })();
      }
      const result = await child;
      for (const link of Object.values(result.apps)) state.apps[link.app] = link;
      return result;
    } finally {
      finished = true;
      state.currentLifecycle = undefined;
      // The child reports approvals/attention as they happen; once it is over none can be pending.
      state.pendingApprovals = state.pendingApprovals.filter((p) => p.workflowId !== workflowId);
      state.needsAttention = state.needsAttention.filter((i) => i.workflowId !== workflowId);
    }
  };

  /** Splits a plan against the current links: what to provision, update, deprovision, reactivate. */
  const converge = (plan: EntitlementPlan, leaverPolicies: Record<string, LeaverPolicyView>) => {
    const granted = new Map(plan.apps.map((a) => [a.app, a]));
    const provision = plan.apps.filter((a) => {
      const l = state.apps[a.app];
      return !l?.scimId || l.status === 'deleted' || l.status === 'compensated';
    });
    const live = (l: AppLink) => Boolean(l.scimId) && l.status !== 'deleted' && l.status !== 'compensated';
    const update = links()
      .filter((l) => live(l) && granted.has(l.app))
      .map((link) => ({ entitlement: granted.get(link.app)!, link }));
    const deprovision = links()
      .filter((l) => live(l) && l.status !== 'inactive' && !granted.has(l.app))
      .map((link) => ({ link, policy: leaverPolicies[link.app] ?? DEFAULT_LEAVER }));
    const reactivate = links().filter((l) => live(l) && l.status === 'inactive' && granted.has(l.app));
    return { provision, update, deprovision, reactivate };
  };

  const handle = async (event: HrEvent): Promise<ProcessedEvent> => {
    const base = { id: event.id, type: event.type, ...(event.effectiveAt ? { effectiveAt: event.effectiveAt } : {}) };
    state.employee = event.employee;
    const hasLinks = links().some((l) => l.scimId && l.status !== 'deleted');
    let kind: 'joiner' | 'mover' | 'rehire' | 'leaver';
    if (event.type === 'terminate') kind = 'leaver';
    else if (event.type === 'rehire' || (state.stage === 'left' && event.type === 'hire')) kind = hasLinks ? 'rehire' : 'joiner';
    else if (state.stage === 'left') return { ...base, outcome: 'ignored', detail: 'the person has left: send a rehire to restore access' };
    else kind = hasLinks ? 'mover' : 'joiner';

    if (kind === 'leaver') {
      const targets = links().filter((l) => l.scimId && (l.status === 'active' || l.status === 'skipped' || l.status === 'failed'));
      state.stage = 'leaving';
      syncAttributes();
      const { leaverPolicies } = await planning.planEntitlements(event.employee);
      const result = await runChild('leaver', event.id, {
        eventId: event.id,
        deprovision: targets.map((link) => ({ link, policy: leaverPolicies[link.app] ?? DEFAULT_LEAVER })),
      });
      state.stage = 'left';
      return { ...base, outcome: result.ok ? 'done' : 'failed', workflowId: `leaver-${state.employeeId}-${event.id}` };
    }

    state.stage = kind === 'mover' ? 'moving' : 'joining';
    syncAttributes();
    const plan = await planning.planEntitlements(event.employee);
    const parts = converge(plan, plan.leaverPolicies);
    const result = await runChild(kind, event.id, {
      eventId: event.id,
      provision: parts.provision,
      update: parts.update,
      deprovision: parts.deprovision,
      ...(kind === 'rehire' ? { reactivate: parts.reactivate } : {}),
    });
    if (result.compensation) {
      state.compensation = { eventId: event.id, ...result.compensation };
      state.stage = 'failed';
      return { ...base, outcome: 'compensated', detail: result.compensation.reason, workflowId: `${kind}-${state.employeeId}-${event.id}` };
    }
    state.stage = links().some((l) => l.status === 'active') || result.ok ? 'active' : 'failed';
    const problems = Object.values(result.apps).filter((l) => l.lastError).map((l) => `${l.app}: ${l.lastError}`);
    return {
      ...base,
      outcome: result.ok ? 'done' : 'failed',
      ...(problems.length ? { detail: problems.join('; ') } : {}),
      workflowId: `${kind}-${state.employeeId}-${event.id}`,
    };
  };

  const nextDeletion = (): number | undefined => {
    let min: number | undefined;
    for (const l of links()) {
      if (l.status !== 'inactive' || !l.deleteAt) continue;
      const t = Date.parse(l.deleteAt);
      if (min === undefined || t < min) min = t;
    }
    return min;
  };

  syncAttributes();
  for (;;) {
    const next = queue[0];
    const deletion = state.stage === 'left' ? nextDeletion() : undefined;
    const wakeAt = Math.min(next?.dueMs ?? Infinity, deletion ?? Infinity);

    if (wakeAt === Infinity) {
      if (shouldContinue()) break;
      const v = version;
      await condition(() => version !== v || workflowInfo().continueAsNewSuggested);
      continue;
    }
    const wait = wakeAt - nowMs();
    if (wait > 0) {
      // A durable timer: survives worker restarts; a new or cancelled event wakes it early.
      const v = version;
      await condition(() => version !== v, wait);
      continue;
    }

    if (next && next.dueMs <= wakeAt) {
      queue.shift();
      syncPending();
      const outcome = await handle(next.event);
      record(outcome);
      handledThisRun++;
    } else {
      const now = nowMs();
      const due = links().filter((l) => l.status === 'inactive' && l.deleteAt && Date.parse(l.deleteAt) <= now);
      await runChild('delete', String(wakeAt), { eventId: `retention-${wakeAt}`, delete: due });
      record({ id: `retention-${new Date(wakeAt).toISOString()}`, type: 'terminate', outcome: 'done', detail: `hard-deleted in ${due.map((l) => l.app).join(', ')}` });
    }
    syncAttributes();
    if (shouldContinue()) break;
  }

  // History stays bounded: start afresh with the state, the queue and the remembered ids.
  state.events = state.events.slice(-MAX_EVENT_LOG);
  return continueAsNew<typeof identityWorkflow>({
    employeeId: state.employeeId,
    ...(input.eventsPerRun ? { eventsPerRun: input.eventsPerRun } : {}),
    state: { ...state, events: state.events, pending: state.pending },
    seenEventIds: [...seen].slice(-MAX_SEEN_EVENT_IDS),
    queue,
  });
}


// The mass-change guard of one app, workflow id `scimflow-guard:<app>`: the single writer of the
// app's deactivation and deletion permits (src/domain/guard.ts decides). Controllers ask it before
// ending an account (src/workflows/guard-client.ts), and `scimflow reconcile --fix --classes
// orphan` asks it for every orphan, which the guard then deactivates itself once granted. When a
// window's allowance is used up, the excess is held until `scimflow guard release|reject <app>`.
// The allowance is a fraction of the app's accounts as the app itself counts them: the guard asks
// the app (one small list request) when it starts and when its count is older than COUNT_MAX_AGE_MS;
// a reconcile scan reports its total too.
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  GuardDecisionCommand,
  GuardSizeCommand,
  PermitRequestSchema,
  PermitWithdrawCommand,
  type PermitAsk,
} from './message-schemas';
import type { Activities } from '../activities';
import {
  allowance,
  DEFAULT_GUARD_POLICY,
  decideHeld,
  emptyGuard,
  reportSize,
  requestPermit,
  withdrawHeld,
  type GuardPolicy,
  type GuardState,
  type PermitRequest,
  type PermitStatus,
} from '../domain/guard';
import { nowMs } from './clock';
import { PATCHES } from './patches';
import { appActivities, failureCode, failureMessage } from './proxies';

/** The app's size is counted again when the last count is older than this (a burst is judged against a recent size). */
export const COUNT_MAX_AGE_MS = 15 * 60_000;

export function guardWorkflowId(app: string): string {
  return `scimflow-guard:${encodeURIComponent(app)}`;
}

export { PermitRequestSchema, type PermitAsk };

export interface GuardView extends GuardState {
  policy: GuardPolicy;
  allowance: number;
  /** Changes the guard made itself (reconcile orphans), last 200. */
  executed: { id: string; accountId: string; at: number; ok: boolean; error?: string }[];
}

export const permitRequestSignal = defineSignal<[PermitAsk]>('permitRequest');
export const guardDecisionSignal = defineSignal<[{ decision: 'release' | 'reject'; by?: string }]>('guardDecision');
export const guardSizeSignal = defineSignal<[{ accounts: number }]>('guardSize');
/** From a requester: it no longer wants this held change (its plan changed); it leaves the queue undecided. */
export const permitWithdrawSignal = defineSignal<[{ id: string }]>('permitWithdraw');
/** Sent to a requester workflow: the verdict on its request. */
export const permitVerdictSignal = defineSignal<[{ id: string; status: PermitStatus }]>('permitVerdict');
export const guardStateQuery = defineQuery<GuardView>('guardState');

const planning = proxyActivities<Pick<Activities, 'guardPolicy'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '30 seconds' },
});

export interface GuardInput {
  app: string;
  state?: GuardState;
  executed?: GuardView['executed'];
}

export async function guardWorkflow(input: GuardInput): Promise<void> {
  const { app } = input;
  let state: GuardState = input.state ?? emptyGuard(app);
  let executed = input.executed ?? [];
  // Every message is queued as it arrives and handled in arrival order once the policy is known
  // (a signalWithStart's signal arrives before the first activity returns).
  const inbox: { kind: 'permit' | 'decision' | 'size' | 'withdraw'; raw: unknown }[] = [];
  let policy: GuardPolicy = DEFAULT_GUARD_POLICY;
  const toTell: { requester: string; id: string; status: PermitStatus }[] = [];
  const toRun: PermitRequest[] = [];
  let handled = 0;
  setHandler(permitRequestSignal, (raw: unknown) => void inbox.push({ kind: 'permit', raw }));
  setHandler(guardDecisionSignal, (raw: unknown) => void inbox.push({ kind: 'decision', raw }));
  setHandler(guardSizeSignal, (raw: unknown) => void inbox.push({ kind: 'size', raw }));
  setHandler(permitWithdrawSignal, (raw: unknown) => void inbox.push({ kind: 'withdraw', raw }));
  setHandler(guardStateQuery, () => {
    return { ...state, policy, allowance: allowance(policy, state.accounts), executed };
  });
  policy = { ...DEFAULT_GUARD_POLICY, ...(await planning.guardPolicy(app)) };
  const pol = policy;
  // Controllers are told `held` too (they show it), and the allowance is a share of the app's own count.
  const wired = patched(PATCHES.guardWired);
  const count = async () => {
    try {
      state = reportSize(state, await appActivities(app).countAccounts({ app }), nowMs());
    } catch (err) {
      // Keep the last count (or none: the allowance is then maxCount); the next permit tries again.
      log.warn('guard: the app could not be counted', { app, error: failureMessage(err) });
      state = { ...state, countedAt: nowMs() - COUNT_MAX_AGE_MS + 60_000 };
    }
  };
  const stale = () => state.countedAt === undefined || nowMs() - state.countedAt >= COUNT_MAX_AGE_MS;
  if (wired && stale()) await count();

  const handle = (m: (typeof inbox)[number]) => {
    handled++;
    const now = nowMs();
    if (m.kind === 'permit') {
      const parsed = PermitRequestSchema.safeParse(m.raw);
      if (!parsed.success) {
        log.warn('guard: invalid permit request ignored', { app });
        return;
      }
      const req: PermitRequest = { ...parsed.data, at: now };
      const before = state.decided[req.id];
      const res = requestPermit(state, req, now, pol);
      state = res.state;
      // A repeat is answered again (the requester may have continued-as-new); executed only once.
      if (res.status === 'held' && wired && req.requester)
        toTell.push({ requester: req.requester, id: req.id, status: 'held' });
      if (res.status !== 'held') {
        if (req.requester) toTell.push({ requester: req.requester, id: req.id, status: res.status });
        if (!before && res.status === 'granted' && req.execute && req.accountId) toRun.push(req);
      }
    } else if (m.kind === 'decision') {
      const p = GuardDecisionCommand.safeParse(m.raw);
      if (!p.success) return;
      const status: PermitStatus = p.data.decision === 'release' ? 'granted' : 'rejected';
      const res = decideHeld(state, p.data.decision, now, p.data.by ?? 'operator', pol);
      state = res.state;
      for (const r of res.decided) {
        if (r.requester) toTell.push({ requester: r.requester, id: r.id, status });
        if (status === 'granted' && r.execute && r.accountId) toRun.push(r);
      }
    } else if (m.kind === 'withdraw') {
      const p = PermitWithdrawCommand.safeParse(m.raw);
      if (p.success) state = withdrawHeld(state, p.data.id).state;
    } else {
      const p = GuardSizeCommand.safeParse(m.raw);
      if (p.success) state = reportSize(state, p.data.accounts, wired ? now : undefined);
    }
  };

  for (;;) {
    await condition(
      () =>
        inbox.length > 0 ||
        toTell.length > 0 ||
        toRun.length > 0 ||
        handled >= 500 ||
        workflowInfo().continueAsNewSuggested,
      24 * 3_600_000,
    );
    // A stale count is refreshed before the next permit is judged (not on every one: no latency for a single leaver).
    if (wired && inbox.some((m) => m.kind === 'permit') && stale()) await count();
    while (inbox.length > 0) handle(inbox.shift()!);
    while (toTell.length > 0) {
      const t = toTell.shift()!;
      try {
        await getExternalWorkflowHandle(t.requester).signal(permitVerdictSignal, { id: t.id, status: t.status });
      } catch {
        // The requester is gone: it asks again when it runs.
      }
    }
    while (toRun.length > 0) {
      const r = toRun.shift()!;
      try {
        if (r.kind === 'delete') await appActivities(app).deleteAccount({ app, id: r.accountId! });
        else await appActivities(app).setActive({ app, id: r.accountId!, active: false });
        executed = [...executed, { id: r.id, accountId: r.accountId!, at: nowMs(), ok: true }].slice(-200);
      } catch (err) {
        const gone = failureCode(err) === 'NOT_FOUND';
        executed = [
          ...executed,
          { id: r.id, accountId: r.accountId!, at: nowMs(), ok: gone, ...(gone ? {} : { error: failureMessage(err) }) },
        ].slice(-200);
      }
    }
    if (handled >= 500 || workflowInfo().continueAsNewSuggested) {
      if (inbox.length > 0 || toTell.length > 0 || toRun.length > 0) continue;
      await continueAsNew<typeof guardWorkflow>({ app, state, executed });
    }
  }
}

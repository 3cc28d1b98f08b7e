// The controller's mass-change guard hook: before a lane ends access in its app (a deactivation or
// a deletion), it asks the app's guard (`scimflow-guard:<app>`) for a permit. Within the app's
// allowance the answer comes back at once (one signal each way); beyond it the change is held,
// like a seat waiting for approval, until `scimflow guard release|reject <app>`. Only that app's
// lane waits. A rejection never loses the leaver: the app needs attention, and `retry` (or a new
// HR record) asks again under a new permit id.
//
// Workflow code (deterministic). Behind `patched(PATCHES.leaverGuard)`: histories recorded before
// it ended access without asking, and replay that way.
import { patched } from '@temporalio/workflow';
import type { PermitKind } from '../domain/guard';
import type { Action, AppPlan } from '../domain/planner';
import { nowIso } from './clock';
import type { AppFailure, AppView } from './definitions';
import { askPermit, withdrawPermit } from './guard-client';
import { PATCHES } from './patches';

/** The failure code of a change the guard's operator rejected: a person decides, never the hourly retry. */
export const GUARD_REJECTED = 'GUARD_REJECTED';

/** What the lane shows while its change waits in the guard (AppView.guard). */
export interface GuardHold {
  permitId: string;
  kind: PermitKind;
  accountId: string;
  /** When the guard first said `held` (ISO). */
  since: string;
}

export interface LeaverGuardContext {
  workflowId: string;
  app: string;
  view: AppView;
  /** The record version the change is for (a new HR record is a new change). */
  version: string;
  interrupted(): boolean;
  /** Something the state query and search attributes show has changed. */
  changed(): void;
  record(detail: string): void;
}

/** The changes that end access: these need a permit. */
export function permitKind(action: Action): { kind: PermitKind; accountId: string } | undefined {
  if (action.kind === 'setActive' && !action.active) return { kind: 'deactivate', accountId: action.accountId };
  if (action.kind === 'delete') return { kind: 'delete', accountId: action.accountId };
  return undefined;
}

/**
 * One permit per account, record version and round: the deactivation and the later hard delete of
 * the same leaver share it (the guard answers a repeat from its memory without counting it again);
 * a rejection starts the next round, so `retry` is a new request.
 */
export function permitId(workflowId: string, app: string, accountId: string, version: string, round: number): string {
  return `${workflowId}:${app}:${accountId}:${version}:${round}`;
}

/**
 * Whether this action waits for a permit. Synchronous on purpose: the lane awaits `permitFor` only
 * when it must, so every other step issues its commands in the same order (and microtask turn) as
 * before — an extra `await` would let another lane's command go first and break replay.
 */
export function needsPermit(action: Action): boolean {
  return permitKind(action) !== undefined && patched(PATCHES.leaverGuard);
}

/**
 * Call only when `needsPermit(action)`. `go`: the change may be made now; `rejected`: the operator refused it (the app now needs
 * attention); `interrupted`: the lane's plan changed while it waited (it observes and plans again).
 */
export async function permitFor(action: Action, ctx: LeaverGuardContext): Promise<'go' | 'rejected' | 'interrupted'> {
  const change = permitKind(action);
  if (!change) return 'go';
  const { view, app } = ctx;
  const id = permitId(ctx.workflowId, app, change.accountId, ctx.version, view.guardRound ?? 0);
  const verdict = await askPermit(
    app,
    {
      id,
      kind: change.kind,
      accountId: change.accountId,
      reason: `${ctx.workflowId}: ${change.kind} ${change.accountId}`,
    },
    {
      interrupted: () => ctx.interrupted(),
      onHeld: () => {
        if (view.guard?.permitId === id) return;
        view.guard = { permitId: id, kind: change.kind, accountId: change.accountId, since: nowIso() };
        ctx.record(
          `${app}: ${change.kind} ${change.accountId} held by the mass-change guard (scimflow guard status ${app})`,
        );
        ctx.changed();
      },
    },
  );
  if (verdict === 'interrupted') return 'interrupted';
  const wasHeld = view.guard?.permitId === id;
  view.guard = undefined;
  if (verdict === 'granted') {
    if (wasHeld) ctx.record(`${app}: ${change.kind} ${change.accountId} released by the mass-change guard`);
    if (wasHeld) ctx.changed();
    return 'go';
  }
  const prev = view.failure;
  const failure: AppFailure = {
    since: prev?.since ?? nowIso(),
    lastError: `the mass-change guard's operator rejected this ${change.kind} (scimflow guard reject ${app}); the record still says so: \`scimflow retry\` asks again`,
    code: GUARD_REJECTED,
    attempts: (prev?.attempts ?? 0) + 1,
    action: action.kind,
    needsPerson: true,
  };
  view.failure = failure;
  view.guardRound = (view.guardRound ?? 0) + 1;
  ctx.record(`${app}: ${change.kind} ${change.accountId} rejected by the mass-change guard; needs attention`);
  ctx.changed();
  return 'rejected';
}

/** A hold the lane's plan no longer wants (rehired, moved back): withdrawn from the guard's queue. */
export function dropStaleHold(app: string, view: AppView, plan: AppPlan): void {
  const hold = view.guard;
  if (!hold) return;
  if (plan.actions.some((a) => permitKind(a)?.accountId === hold.accountId)) return;
  view.guard = undefined;
  withdrawPermit(app, hold.permitId);
}

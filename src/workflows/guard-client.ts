// The controller's side of the mass-change guard: ask `scimflow-guard:<app>` for a permit before a
// deactivation or deletion, and wait for the verdict. Workflow code (deterministic). The guard is
// started on first use (a child that outlives its parent); a second starter finds it running.
import {
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PermitStatus } from '../domain/guard';
import { nowMs } from './clock';
import {
  guardWorkflow,
  guardWorkflowId,
  permitRequestSignal,
  permitVerdictSignal,
  permitWithdrawSignal,
  type PermitAsk,
} from './guard';

const verdicts = new Map<string, PermitStatus>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  setHandler(permitVerdictSignal, (raw: unknown) => {
    const v = raw as { id?: unknown; status?: unknown } | undefined;
    if (typeof v?.id === 'string' && (v.status === 'granted' || v.status === 'held' || v.status === 'rejected'))
      verdicts.set(v.id, v.status);
  });
}

async function ensureGuard(app: string): Promise<void> {
  try {
    await startChild(guardWorkflow, {
      workflowId: guardWorkflowId(app),
      args: [{ app }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export interface AskOptions {
  /** Ask again this often while nothing is heard (the guard may have been lost); default 10 min. */
  reaskMs?: number;
  /** Stop waiting (the caller's plan changed, or it is continuing as new): resolves `interrupted`. */
  interrupted?: () => boolean;
  /** The guard said the change is held (called once per `held` answer). */
  onHeld?: () => void;
}

/**
 * Resolves when the guard grants (`granted`) or a person rejects (`rejected`) this change, or —
 * with `interrupted` — when the caller stops waiting. While it is held only the caller waits (one
 * app's lane). `id` must be deterministic for the change (a repeat is the same request).
 */
export async function askPermit(
  app: string,
  ask: Omit<PermitAsk, 'requester'>,
  opts: AskOptions | number = {},
): Promise<'granted' | 'rejected' | 'interrupted'> {
  const o: AskOptions = typeof opts === 'number' ? { reaskMs: opts } : opts;
  const interrupted = o.interrupted ?? (() => false);
  install();
  const requester = workflowInfo().workflowId;
  const final = () => verdicts.get(ask.id) === 'granted' || verdicts.get(ask.id) === 'rejected';
  for (;;) {
    if (final()) return verdicts.get(ask.id) as 'granted' | 'rejected';
    if (interrupted()) return 'interrupted';
    try {
      await getExternalWorkflowHandle(guardWorkflowId(app)).signal(permitRequestSignal, { ...ask, requester });
    } catch {
      await ensureGuard(app);
      await sleep(200);
      continue;
    }
    const deadline = nowMs() + (o.reaskMs ?? 600_000);
    for (;;) {
      const heard = verdicts.get(ask.id);
      const ok = await condition(
        () => final() || interrupted() || verdicts.get(ask.id) !== heard,
        Math.max(deadline - nowMs(), 0),
      );
      if (!ok || final() || interrupted()) break;
      if (verdicts.get(ask.id) === 'held') o.onHeld?.();
    }
  }
}

/** The caller no longer wants a change it asked for (fire and forget: a lost guard has nothing held). */
export function withdrawPermit(app: string, id: string): void {
  verdicts.delete(id);
  void getExternalWorkflowHandle(guardWorkflowId(app))
    .signal(permitWithdrawSignal, { id })
    .catch(() => undefined);
}

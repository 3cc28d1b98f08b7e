// The controller's side of the mass-change guard: ask `scimflow-guard:<app>` for a permit before a
// deactivation or deletion, and wait for the verdict. Workflow code (deterministic). The guard is
// started on first use (a child that outlives its parent); a second starter finds it running.
import { condition, getExternalWorkflowHandle, ParentClosePolicy, setHandler, sleep, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PermitStatus } from '../domain/guard';
import { guardWorkflow, guardWorkflowId, permitRequestSignal, permitVerdictSignal, type PermitAsk } from './guard';

const verdicts = new Map<string, PermitStatus>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  setHandler(permitVerdictSignal, (raw: unknown) => {
    const v = raw as { id?: unknown; status?: unknown } | undefined;
    if (typeof v?.id === 'string' && (v.status === 'granted' || v.status === 'held' || v.status === 'rejected')) verdicts.set(v.id, v.status);
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

/**
 * Resolves when the guard grants (`granted`) or a person rejects (`rejected`) this change. While it
 * is held only the caller waits (one app's lane). Asks again every `reaskMs` (default 10 min) in
 * case the guard was lost. `id` must be deterministic for the change (a repeat is the same request).
 */
export async function askPermit(app: string, ask: Omit<PermitAsk, 'requester'>, reaskMs = 600_000): Promise<'granted' | 'rejected'> {
  install();
  const requester = workflowInfo().workflowId;
  for (let attempt = 0; ; attempt++) {
    const had = verdicts.get(ask.id);
    if (had === 'granted' || had === 'rejected') return had;
    try {
      await getExternalWorkflowHandle(guardWorkflowId(app)).signal(permitRequestSignal, { ...ask, requester });
    } catch {
      await ensureGuard(app);
      await sleep(200);
      continue;
    }
    await condition(() => verdicts.get(ask.id) === 'granted' || verdicts.get(ask.id) === 'rejected', reaskMs);
  }
}

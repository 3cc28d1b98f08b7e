// Ops commands over the Temporal client: status, approvals, approve/reject, stuck, retry/skip.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { identityWorkflowId } from '../shared/hr-event';
import {
  decideUpdate,
  lifecycleQuery,
  retrySignal,
  skipSignal,
  stateQuery,
  type IdentityState,
  type LifecycleView,
} from '../workflows/definitions';

export const LIFECYCLE_TYPES = ['joinerWorkflow', 'moverWorkflow', 'rehireWorkflow', 'leaverWorkflow', 'deleteWorkflow'] as const;

export class OpsError extends Error {
  override readonly name = 'OpsError';
  constructor(
    readonly code: 'NOT_FOUND' | 'NOTHING_PENDING' | 'REFUSED',
    message: string,
  ) {
    super(message);
  }
}

export async function getState(client: Client, employeeId: string): Promise<IdentityState> {
  try {
    return await client.workflow.getHandle(identityWorkflowId(employeeId)).query(stateQuery);
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') throw new OpsError('NOT_FOUND', `no workflow for employee ${employeeId} (${identityWorkflowId(employeeId)})`);
    throw err;
  }
}

export async function decide(
  client: Client,
  employeeId: string,
  app: string,
  decision: 'approve' | 'reject',
  approver: string,
  comment?: string,
): Promise<{ workflowId: string }> {
  const state = await getState(client, employeeId);
  const pending = state.pendingApprovals.find((p) => p.app === app);
  const workflowId = pending?.workflowId ?? state.currentLifecycle?.workflowId;
  if (!workflowId) throw new OpsError('NOTHING_PENDING', `nothing is pending approval for ${employeeId}`);
  try {
    await client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [{ app, decision, approver, ...(comment ? { comment } : {}) }] });
  } catch (err) {
    // The Update's validator explains a refusal (unknown app, not an approver, nothing pending).
    const cause = (err as { cause?: { message?: string } }).cause;
    throw new OpsError('REFUSED', cause?.message ?? (err as Error).message);
  }
  return { workflowId };
}

export async function signalAttention(client: Client, employeeId: string, action: 'retry' | 'skip', app?: string, reason?: string): Promise<string[]> {
  const state = await getState(client, employeeId);
  const targets = [...new Set(state.needsAttention.filter((i) => !app || i.app === app).map((i) => i.workflowId))];
  if (targets.length === 0) throw new OpsError('NOTHING_PENDING', `nothing needs attention for ${employeeId}${app ? ` in ${app}` : ''}`);
  for (const id of targets) {
    const h = client.workflow.getHandle(id);
    if (action === 'retry') await h.signal(retrySignal, app ? { app } : {});
    else await h.signal(skipSignal, { ...(app ? { app } : {}), ...(reason ? { reason } : {}) });
  }
  return targets;
}

async function list(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query })) out.push(wf);
  return out;
}

export interface PendingApprovalRow {
  employeeId: string;
  app: string;
  approvers: string;
  since: string;
  workflowId: string;
}

export async function listApprovals(client: Client, app?: string): Promise<PendingApprovalRow[]> {
  const types = ['joinerWorkflow', 'moverWorkflow', 'rehireWorkflow'].map((t) => `'${t}'`).join(',');
  const running = await list(client, `ExecutionStatus = 'Running' AND WorkflowType IN (${types})`);
  const rows: PendingApprovalRow[] = [];
  for (const wf of running) {
    const view = await client.workflow.getHandle(wf.workflowId).query(lifecycleQuery).catch(() => undefined);
    for (const p of view?.pendingApprovals ?? []) {
      if (app && p.app !== app) continue;
      rows.push({ employeeId: view!.employeeId, app: p.app, approvers: p.approvers.join(', ') || '(any operator)', since: p.since, workflowId: wf.workflowId });
    }
  }
  return rows.sort((a, b) => a.since.localeCompare(b.since));
}

export interface StuckRow {
  employeeId: string;
  lifecycle: string;
  app: string;
  reason: 'needs-attention' | 'awaiting-approval' | 'retrying';
  lastFailure: string;
  since: string;
  attempts: number;
  workflowId: string;
}

/** Lifecycles that wait on a person or keep failing (an activity past `minAttempts`). */
export async function findStuck(client: Client, opts: { stage?: 'joining' | 'moving' | 'leaving'; olderThanMs?: number; minAttempts?: number; now?: number } = {}): Promise<StuckRow[]> {
  const now = opts.now ?? Date.now();
  const byStage: Record<string, readonly string[]> = {
    joining: ['joinerWorkflow', 'rehireWorkflow'],
    moving: ['moverWorkflow'],
    leaving: ['leaverWorkflow', 'deleteWorkflow'],
  };
  const types = (opts.stage ? byStage[opts.stage]! : LIFECYCLE_TYPES).map((t) => `'${t}'`).join(',');
  const running = await list(client, `ExecutionStatus = 'Running' AND WorkflowType IN (${types})`);
  const rows: StuckRow[] = [];
  for (const wf of running) {
    const handle = client.workflow.getHandle(wf.workflowId);
    const [view, desc] = await Promise.all([handle.query(lifecycleQuery).catch((): LifecycleView | undefined => undefined), handle.describe()]);
    const employeeId = view?.employeeId ?? wf.workflowId;
    const lifecycle = wf.type.replace(/Workflow$/, '');
    for (const item of view?.needsAttention ?? []) {
      rows.push({ employeeId, lifecycle, app: item.app, reason: 'needs-attention', lastFailure: `${item.step}: ${item.error}`, since: item.since, attempts: item.attempts, workflowId: wf.workflowId });
    }
    for (const p of view?.pendingApprovals ?? []) {
      rows.push({ employeeId, lifecycle, app: p.app, reason: 'awaiting-approval', lastFailure: '', since: p.since, attempts: 0, workflowId: wf.workflowId });
    }
    for (const act of desc.raw.pendingActivities ?? []) {
      const attempts = act.attempt ?? 0;
      if (attempts < (opts.minAttempts ?? 3)) continue;
      const lastFailure = act.lastFailure?.message ?? '';
      // Activity failures are prefixed with their call, e.g. `setActive(generic, …)`: the app is its first argument.
      const app = /^\w+\(([^,)]+)/.exec(lastFailure)?.[1] ?? '';
      const since = wf.startTime.toISOString();
      rows.push({ employeeId, lifecycle, app, reason: 'retrying', lastFailure, since, attempts, workflowId: wf.workflowId });
    }
  }
  return rows.filter((r) => opts.olderThanMs === undefined || now - Date.parse(r.since) >= opts.olderThanMs).sort((a, b) => a.since.localeCompare(b.since));
}

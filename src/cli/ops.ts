// Ops commands over the Temporal client: status, approvals, approve/reject, stuck, retry/skip.
// Everything about a person lives in their controller (`identity-<employeeId>`): one query, one
// row per person, one place that takes decisions.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { approvalRow, approvalTimes, type ApprovalRow } from '../domain/approval-context';
import { identityWorkflowId } from '../shared/hr-event';
import { decideUpdate, retrySignal, skipSignal, stateQuery, type PersonView } from '../workflows/definitions';
import { reconcileStatusQuery } from '../workflows/reconcile';

export class OpsError extends Error {
  override readonly name = 'OpsError';
  constructor(
    readonly code: 'NOT_FOUND' | 'NOTHING_PENDING' | 'REFUSED',
    message: string,
  ) {
    super(message);
  }
}

export async function getState(client: Client, employeeId: string): Promise<PersonView> {
  try {
    return await client.workflow.getHandle(identityWorkflowId(employeeId)).query(stateQuery);
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError')
      throw new OpsError('NOT_FOUND', `no workflow for employee ${employeeId} (${identityWorkflowId(employeeId)})`);
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
): Promise<{ workflowId: string; requestId: string }> {
  const workflowId = identityWorkflowId(employeeId);
  try {
    // `via: 'cli'`: the audit trail tells the CLI's decisions from the UI's (the same Update).
    const res = await client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, {
      args: [{ app, decision, approver, via: 'cli', ...(comment ? { comment } : {}) }],
    });
    return { workflowId, requestId: res.requestId };
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError')
      throw new OpsError('NOT_FOUND', `no workflow for employee ${employeeId} (${workflowId})`);
    // The Update's validator explains a refusal (unknown app, not an approver, nothing pending, already decided).
    const cause = (err as { cause?: { message?: string } }).cause;
    const message = cause?.message ?? (err as Error).message;
    throw new OpsError(
      /nothing is pending|no approval is pending/.test(message) ? 'NOTHING_PENDING' : 'REFUSED',
      message,
    );
  }
}

/** `by`: who asks (recorded in the audit trail with `via: 'cli'`, and the reason). */
export async function signalAttention(
  client: Client,
  employeeId: string,
  action: 'retry' | 'skip',
  app?: string,
  reason?: string,
  by?: string,
): Promise<string[]> {
  const state = await getState(client, employeeId);
  const apps = Object.values(state.apps)
    .filter((a) => (!app || a.app === app) && (a.failure || a.conflict || (a.problem && a.granted)))
    .map((a) => a.app);
  if (apps.length === 0)
    throw new OpsError('NOTHING_PENDING', `nothing needs attention for ${employeeId}${app ? ` in ${app}` : ''}`);
  const h = client.workflow.getHandle(identityWorkflowId(employeeId));
  for (const a of apps) {
    const payload = { app: a, via: 'cli' as const, ...(reason ? { reason } : {}), ...(by ? { by } : {}) };
    if (action === 'retry') await h.signal(retrySignal, payload);
    else await h.signal(skipSignal, payload);
  }
  return apps;
}

async function list(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query })) out.push(wf);
  return out;
}

export interface PendingApprovalRow extends Omit<ApprovalRow, 'deadline' | 'escalates'> {
  employeeId: string;
  app: string;
  requestId: string;
  purpose: string;
  since: string;
  /** When it times out for good (ISO). */
  deadline: string;
  /** When it escalates (ISO), with an escalating policy still in its first round. */
  escalates?: string;
  workflowId: string;
}

/** Every pending seat decision, one row each, soonest deadline first. */
export async function listApprovals(client: Client, app?: string): Promise<PendingApprovalRow[]> {
  const running = await list(
    client,
    `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow' AND ScimflowPendingApprovals IS NOT NULL`,
  );
  const rows: PendingApprovalRow[] = [];
  for (const wf of running) {
    const view = await client.workflow
      .getHandle(wf.workflowId)
      .query(stateQuery)
      .catch(() => undefined);
    for (const p of view?.pendingApprovals ?? []) {
      if (app && p.app !== app) continue;
      const policy = view!.approvalPolicies?.[p.app];
      const times = approvalTimes(p, policy);
      const { deadline: _d, escalates: _e, ...context } = approvalRow(p, policy);
      rows.push({
        employeeId: view!.employeeId,
        app: p.app,
        requestId: p.id,
        purpose: p.purpose,
        ...context,
        since: new Date(p.requestedAt).toISOString(),
        deadline: new Date(times.expiresAt).toISOString(),
        ...(times.escalatesAt !== undefined ? { escalates: new Date(times.escalatesAt).toISOString() } : {}),
        workflowId: wf.workflowId,
      });
    }
  }
  return rows.sort((a, b) => a.deadline.localeCompare(b.deadline));
}

export interface StuckRow {
  employeeId: string;
  app: string;
  reason:
    | 'needs-attention'
    | 'failing'
    | 'conflict'
    | 'invalid'
    | 'awaiting-approval'
    | 'held-by-guard'
    | 'compensated'
    | 'workflow-task-failing'
    | 'query-failing'
    | 'reconcile-failing';
  stage: string;
  lastFailure: string;
  since: string;
  attempts: number;
  workflowId: string;
}

/**
 * Every kind of stuck: an app step that needs a person, an app failing right now (transient
 * retries included, with since-when), an identity conflict, a compensated joiner, a seat waiting
 * for approval, and a controller whose workflow task keeps failing or whose query fails.
 */
export async function findStuck(
  client: Client,
  opts: { stage?: string; olderThanMs?: number; minAttempts?: number; now?: number } = {},
): Promise<StuckRow[]> {
  const now = opts.now ?? Date.now();
  const running = await list(client, `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow'`);
  const rows: StuckRow[] = [];
  const minAttempts = opts.minAttempts ?? 1;
  await Promise.all(
    running.map(async (wf) => {
      const handle = client.workflow.getHandle(wf.workflowId);
      const employeeId = wf.workflowId.replace(/^identity-/, '');
      const [view, desc] = await Promise.all([
        handle.query(stateQuery).catch((err: unknown) => err as Error),
        handle.describe().catch(() => undefined),
      ]);
      const task = desc?.raw.pendingWorkflowTask;
      if (task && (task.attempt ?? 0) > 1) {
        rows.push({
          employeeId,
          app: '',
          reason: 'workflow-task-failing',
          stage: '',
          lastFailure: 'the workflow task keeps failing (see the history)',
          since: (wf.startTime ?? new Date(now)).toISOString(),
          attempts: task.attempt ?? 0,
          workflowId: wf.workflowId,
        });
      }
      if (view instanceof Error) {
        rows.push({
          employeeId,
          app: '',
          reason: 'query-failing',
          stage: '',
          lastFailure: view.message,
          since: (wf.startTime ?? new Date(now)).toISOString(),
          attempts: 0,
          workflowId: wf.workflowId,
        });
        return;
      }
      if (opts.stage && view.stage !== opts.stage) return;
      const base = { employeeId, stage: view.stage, workflowId: wf.workflowId };
      for (const a of Object.values(view.apps)) {
        if (a.failure && a.failure.attempts >= minAttempts) {
          rows.push({
            ...base,
            app: a.app,
            reason: a.failure.needsPerson ? 'needs-attention' : 'failing',
            lastFailure: `${a.failure.action}: ${a.failure.lastError}`,
            since: a.failure.since,
            attempts: a.failure.attempts,
          });
        }
        if (a.conflict)
          rows.push({
            ...base,
            app: a.app,
            reason: 'conflict',
            lastFailure: a.conflict.reason,
            since: a.observedAt ?? new Date(now).toISOString(),
            attempts: 0,
          });
        if (a.guard)
          rows.push({
            ...base,
            app: a.app,
            reason: 'held-by-guard',
            lastFailure: `${a.guard.kind} ${a.guard.accountId} waits for \`scimflow guard release|reject ${a.app}\``,
            since: a.guard.since,
            attempts: 0,
          });
        if (a.problem && a.granted)
          rows.push({
            ...base,
            app: a.app,
            reason: 'invalid',
            lastFailure: a.problem,
            since: a.observedAt ?? new Date(now).toISOString(),
            attempts: 0,
          });
      }
      for (const p of view.pendingApprovals) {
        rows.push({
          ...base,
          app: p.app,
          reason: 'awaiting-approval',
          lastFailure: `waits for ${p.approvers.join(', ')} until ${new Date(p.deadline).toISOString()}`,
          since: new Date(p.requestedAt).toISOString(),
          attempts: 0,
        });
      }
      if (view.compensation)
        rows.push({
          ...base,
          app: view.compensation.apps.join(','),
          reason: 'compensated',
          lastFailure: view.compensation.reason,
          since: view.compensation.at,
          attempts: 0,
        });
    }),
  );
  // A scheduled reconcile that keeps failing (src/workflows/reconcile.ts) is stuck work too.
  for (const wf of await list(
    client,
    `ExecutionStatus = 'Running' AND WorkflowType = 'reconcileWorkflow' AND ScimflowNeedsAttention = true`,
  )) {
    if (opts.stage) break;
    const st = await client.workflow
      .getHandle(wf.workflowId)
      .query(reconcileStatusQuery)
      .catch(() => undefined);
    rows.push({
      employeeId: '',
      app: st?.app ?? '',
      reason: 'reconcile-failing',
      stage: '',
      lastFailure: st?.failure?.lastError ?? 'the scheduled reconcile keeps failing',
      since: st?.failure?.since ?? (wf.startTime ?? new Date(now)).toISOString(),
      attempts: st?.attempts ?? 0,
      workflowId: wf.workflowId,
    });
  }
  return rows
    .filter((r) => opts.olderThanMs === undefined || now - Date.parse(r.since) >= opts.olderThanMs)
    .sort((a, b) => a.since.localeCompare(b.since));
}

// `scimflow audit`: every person's audit trail (the controllers' `audit` query), merged in time order
// and filtered. People are found as the other ops commands find them: through visibility.
import type { Client } from '@temporalio/client';
import { mergeAudit, type AuditEntry, type AuditFilter, type PersonAuditEntry } from '../domain/audit';
import { mapLimit } from '../reconcile/controllers';
import { identityWorkflowId } from '../shared/hr-event';
import { auditQuery } from '../workflows/definitions';
import { table } from './format';
export { parseSince } from './format';
import { OpsError } from './ops';

export interface AuditListing {
  entries: PersonAuditEntry[];
  /** Controllers whose query failed (e.g. a worker on a build without the `audit` query). */
  unreadable: string[];
}

export async function listAudit(client: Client, filter: AuditFilter & { concurrency?: number }): Promise<AuditListing> {
  if (filter.employeeId !== undefined) {
    const workflowId = identityWorkflowId(filter.employeeId);
    try {
      const entries = await client.workflow.getHandle(workflowId).query(auditQuery);
      return { entries: mergeAudit([{ employeeId: filter.employeeId, entries }], filter), unreadable: [] };
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError')
        throw new OpsError('NOT_FOUND', `no workflow for employee ${filter.employeeId} (${workflowId})`);
      throw err;
    }
  }
  const ids: string[] = [];
  for await (const wf of client.workflow.list({
    query: `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow'`,
  }))
    ids.push(wf.workflowId);
  const unreadable: string[] = [];
  const trails = await mapLimit(ids, filter.concurrency ?? 16, async (id) => {
    try {
      return {
        employeeId: id.replace(/^identity-/, ''),
        entries: await client.workflow.getHandle(id).query(auditQuery),
      };
    } catch {
      unreadable.push(id);
      return { employeeId: id.replace(/^identity-/, ''), entries: [] as AuditEntry[] };
    }
  });
  return { entries: mergeAudit(trails, filter), unreadable: unreadable.sort() };
}

export function formatAudit(l: AuditListing): string {
  return [
    table(
      l.entries.map((e) => ({
        at: e.at,
        employeeId: e.employeeId,
        action: e.action,
        outcome: e.outcome === 'refused' ? `refused: ${e.refusal ?? ''}` : e.outcome,
        app: e.app,
        by: e.by,
        via: `${e.via}${e.verified ? ' (verified)' : ''}`,
        reason: e.reason,
        request: e.requestId,
      })),
      ['at', 'employeeId', 'action', 'app', 'by', 'via', 'reason', 'outcome', 'request'],
    ),
    ...(l.unreadable.length
      ? [`(${l.unreadable.length} controller(s) did not answer: ${l.unreadable.join(', ')})`]
      : []),
  ].join('\n');
}

// The roster's Temporal edge: the people scimflow knows (every running controller's record in
// force) and the dispatch of a roster's events (with observation hints, for the CLI's import).
//
// Known people come from visibility (one paged List of the running identity workflows) and one
// `state` query per controller, at most `concurrency` at a time; each answer is cut down at once to
// the record in force (KnownRecord), so memory is a few hundred bytes per person. On a dev server
// that is ~1–2 ms per person at 16 in flight: a few seconds for 10,000 people. No activity and no
// workflow history is involved (queries are not recorded).
import type { Client } from '@temporalio/client';
import { knownFromView, type KnownRecord, type RosterItem } from '../domain/roster';
import { identityWorkflowId, type HrEvent } from '../shared/hr-event';
import {
  hrEventSignal,
  MAIN_TASK_QUEUE,
  stateQuery,
  type IdentityWorkflowInput,
  type HrEventSignalArgs,
} from '../workflows/definitions';
import type { ObservationHints } from '../workflows/hints';

type IdentityWorkflow = (input: IdentityWorkflowInput) => Promise<unknown>;
const IDENTITY_WORKFLOW = 'identityWorkflow';
export const RUNNING_IDENTITIES = `WorkflowType = '${IDENTITY_WORKFLOW}' AND ExecutionStatus = 'Running'`;

/** Runs `fn` over `items` with at most `limit` in flight; stops starting new ones once `signal` aborts. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      for (;;) {
        if (signal?.aborted) return;
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!, i);
      }
    }),
  );
}

export interface KnownPeople {
  records: KnownRecord[];
  /** Controllers that did not answer their query: the roster must not act as if they did not exist. */
  unreadable: string[];
}

/**
 * Every running controller's record in force. `employeeIds` (the roster's rows) are looked up by
 * their workflow id as well as listed: visibility trails a start by a moment, and a person hired a
 * second ago must not be hired again; the listing finds the people missing from the roster.
 */
export async function knownRecords(
  client: Client,
  opts: { concurrency?: number; signal?: AbortSignal; employeeIds?: readonly string[] } = {},
): Promise<KnownPeople> {
  const ids = new Set<string>();
  const direct = new Set<string>();
  for (const e of opts.employeeIds ?? []) {
    const id = identityWorkflowId(e);
    ids.add(id);
    direct.add(id);
  }
  for await (const wf of client.workflow.list({ query: RUNNING_IDENTITIES })) {
    if (opts.signal?.aborted) throw new Error('abandoned');
    ids.add(wf.workflowId);
    direct.delete(wf.workflowId);
  }
  const records: KnownRecord[] = [];
  const unreadable: string[] = [];
  await forEachLimit(
    [...ids],
    opts.concurrency ?? 16,
    async (id) => {
      try {
        const call = () => client.workflow.getHandle(id).query(stateQuery);
        const view = opts.signal ? await client.withAbortSignal(opts.signal, call) : await call();
        records.push(knownFromView(view));
      } catch (err) {
        // A roster row nobody has started yet is simply unknown; a listed controller that does not answer is not.
        if (direct.has(id) && (err as Error).name === 'WorkflowNotFoundError') return;
        unreadable.push(id);
      }
    },
    opts.signal,
  );
  if (opts.signal?.aborted) throw new Error('abandoned');
  return { records, unreadable };
}

/**
 * One event to its person's controller, with its hints as the signal's second argument (one
 * signal-with-start: the lane has them before it observes). Idempotent: the controller ignores an
 * event id it has seen, and takes hints only with an event it has not.
 */
export async function dispatchWithHints(
  client: Client,
  event: HrEvent,
  hints: ObservationHints | undefined,
  taskQueue = MAIN_TASK_QUEUE,
): Promise<void> {
  const args: [IdentityWorkflowInput] = [{ employeeId: event.employee.employeeId }];
  await client.workflow.signalWithStart<IdentityWorkflow, HrEventSignalArgs>(IDENTITY_WORKFLOW, {
    workflowId: identityWorkflowId(event.employee.employeeId),
    taskQueue,
    args,
    signal: hrEventSignal,
    signalArgs: hints ? [event, hints] : [event],
  });
}

export interface DispatchReport {
  sent: number;
  failed: { id: string; employeeId: string; error: string }[];
}

/** Every item's event, `concurrency` at a time (one event per person, so no ordering is lost). */
export async function dispatchItems(
  client: Client,
  items: readonly RosterItem[],
  opts: { hints?: Map<string, ObservationHints>; concurrency?: number; taskQueue?: string; onSent?: () => void } = {},
): Promise<DispatchReport> {
  const report: DispatchReport = { sent: 0, failed: [] };
  await forEachLimit(items, opts.concurrency ?? 32, async (item) => {
    try {
      await dispatchWithHints(client, item.event, opts.hints?.get(item.employeeId), opts.taskQueue);
      report.sent++;
      opts.onSent?.();
    } catch (err) {
      report.failed.push({
        id: item.event.id,
        employeeId: item.employeeId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  });
  return report;
}

// Reconciliation's controller side: the people scimflow knows (their controllers' state, over
// Temporal visibility and queries, concurrency-capped), streamed into one people index per app, and
// the convergence of a scan's findings through those controllers and the app's mass-change guard.
import type { Client } from '@temporalio/client';
import {
  addPerson,
  emptyIndex,
  type KnownPerson,
  type PeopleIndex,
  type ReconcileRow,
  type ScanSummary,
} from '../domain/reconcile';
import type { OwnerRule } from '../domain/ownership';
import type { DesireResult } from '../rules/desire';
import type { Employee } from '../shared/hr-event';
import { MAIN_TASK_QUEUE, refreshSignal, stateQuery, type PersonView } from '../workflows/definitions';
import {
  guardDecisionSignal,
  guardSizeSignal,
  guardStateQuery,
  guardWorkflowId,
  permitRequestSignal,
  type GuardView,
} from '../workflows/guard';

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** Every running controller's state (a person whose query fails is left out and counted). */
export async function listPeople(
  client: Client,
  opts: { concurrency?: number } = {},
): Promise<{ views: PersonView[]; failed: string[] }> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({
    query: `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow'`,
  }))
    ids.push(wf.workflowId);
  const failed: string[] = [];
  const views = await mapLimit(ids, opts.concurrency ?? 16, async (id) => {
    try {
      return await client.workflow.getHandle(id).query(stateQuery);
    } catch {
      failed.push(id);
      return undefined;
    }
  });
  return { views: views.filter((v): v is PersonView => v !== undefined), failed };
}

/** app → the people as reconciliation sees them there (desire from the record in force). */
export function peopleByApp(
  views: readonly PersonView[],
  desire: (e: Employee) => DesireResult[],
): Map<string, KnownPerson[]> {
  const out = new Map<string, KnownPerson[]>();
  for (const v of views) {
    const employee = v.employment.employee;
    const desires = employee ? desire(employee) : [];
    const apps = new Set([...desires.map((d) => d.app), ...Object.keys(v.apps)]);
    for (const app of apps) {
      const d = desires.find((x) => x.app === app);
      // The account the controller last saw as the person's (its link is a cache of the same).
      const linkedId = v.apps[app]?.account?.id ?? v.apps[app]?.link.scimId;
      const p: KnownPerson = {
        employeeId: v.employeeId,
        status: v.employment.status,
        ...(v.employment.since !== undefined ? { since: v.employment.since } : {}),
        ...(d
          ? {
              desire: {
                user: d.user,
                granted: d.granted,
                groups: d.groups,
                managedGroups: d.managedGroups,
                managedAttributes: d.managedAttributes,
                groupsSupported: d.groupsSupported,
                leaver: d.leaver,
              },
            }
          : {}),
        ...(linkedId ? { linkedId } : {}),
      };
      let list = out.get(app);
      if (!list) out.set(app, (list = []));
      list.push(p);
    }
  }
  return out;
}

/**
 * Every running controller's state, streamed straight into one people index per app: a view is
 * dropped as soon as it is indexed, so memory holds the compact index, never 100k controller states.
 */
export async function indexControllers(
  client: Client,
  desire: (e: Employee) => DesireResult[],
  owners: ReadonlyMap<string, OwnerRule>,
  opts: { concurrency?: number } = {},
): Promise<{ indexes: Map<string, PeopleIndex>; people: number; failed: string[] }> {
  const indexes = new Map([...owners].map(([app, owner]) => [app, emptyIndex(owner)]));
  const failed: string[] = [];
  let people = 0;
  const pending = new Set<Promise<void>>();
  const limit = opts.concurrency ?? 16;
  for await (const wf of client.workflow.list({
    query: `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow'`,
  })) {
    const id = wf.workflowId;
    const job = client.workflow
      .getHandle(id)
      .query(stateQuery)
      .then(
        (view) => {
          people++;
          for (const [app, list] of peopleByApp([view], desire)) {
            const idx = indexes.get(app);
            if (idx) for (const p of list) addPerson(idx, p);
          }
        },
        () => void failed.push(id),
      )
      .finally(() => pending.delete(job));
    pending.add(job);
    if (pending.size >= limit) await Promise.race(pending);
  }
  await Promise.all(pending);
  return { indexes, people, failed };
}

export type FixClass = 'drifted' | 'unlinked-owner' | 'orphan';

export interface FixResult {
  refreshed: string[];
  /** Orphans handed to the guard (it deactivates them itself once granted). */
  orphansAsked: number;
  guard?: { granted: number; held: number; allowance: number };
}

/**
 * Converges through the same controllers: drifted and unlinked-owner accounts, and leavers'
 * accounts still active, get their owner's controller refreshed (it re-observes and plans, so
 * approvals, ownership and the guard apply). Orphans nobody owns are asked of the app's guard.
 */
export async function fixScan(
  client: Client,
  summary: ScanSummary,
  rows: readonly ReconcileRow[],
  classes: readonly FixClass[],
  by?: string,
): Promise<FixResult> {
  const refresh = new Set<string>();
  const orphans: ReconcileRow[] = [];
  for (const r of rows) {
    if ((r.class === 'drifted' || r.class === 'unlinked-owner') && classes.includes(r.class) && r.employeeId)
      refresh.add(r.employeeId);
    if (r.class === 'orphan' && classes.includes('orphan')) {
      if (r.ownerLeft && r.employeeId) refresh.add(r.employeeId);
      else if (r.active) orphans.push(r);
    }
  }
  const refreshed = [...refresh].sort();
  await mapLimit(refreshed, 16, (id) =>
    client.workflow
      .getHandle(`identity-${id}`)
      .signal(refreshSignal, { reason: `reconcile ${summary.app}`, via: 'cli', ...(by ? { by } : {}) }),
  );
  const result: FixResult = { refreshed, orphansAsked: 0 };
  if (orphans.length > 0) {
    const app = summary.app;
    const workflowId = guardWorkflowId(app);
    await client.workflow.signalWithStart('guardWorkflow', {
      workflowId,
      taskQueue: MAIN_TASK_QUEUE,
      args: [{ app }],
      signal: guardSizeSignal,
      signalArgs: [{ accounts: summary.total }],
    });
    const h = client.workflow.getHandle(workflowId);
    for (const o of orphans)
      await h.signal(permitRequestSignal, {
        id: `reconcile:${app}:${o.id}`,
        kind: 'deactivate',
        accountId: o.id,
        execute: true,
        reason: `orphan: ${o.reason}`,
      });
    const wanted = orphans.map((o) => `reconcile:${app}:${o.id}`);
    const view = await settledView(client, app, (v) =>
      wanted.every((id) => v.decided[id] !== undefined || v.held.some((x) => x.id === id)),
    );
    const ids = new Set(orphans.map((o) => `reconcile:${app}:${o.id}`));
    result.orphansAsked = orphans.length;
    result.guard = {
      granted: Object.entries(view.decided).filter(([id, d]) => ids.has(id) && d.status === 'granted').length,
      held: view.held.filter((x) => ids.has(x.id)).length,
      allowance: view.allowance,
    };
  }
  return result;
}

export async function guardView(client: Client, app: string): Promise<GuardView> {
  return client.workflow.getHandle(guardWorkflowId(app)).query(guardStateQuery);
}

export async function guardDecide(
  client: Client,
  app: string,
  decision: 'release' | 'reject',
  by: string,
): Promise<GuardView> {
  const workflowId = guardWorkflowId(app);
  await client.workflow.signalWithStart('guardWorkflow', {
    workflowId,
    taskQueue: MAIN_TASK_QUEUE,
    args: [{ app }],
    signal: guardDecisionSignal,
    signalArgs: [{ decision, by }],
  });
  return settledView(client, app, (v) => v.held.length === 0);
}

/** The guard's state once `done` holds (signals are handled in order; a query may run first). */
async function settledView(
  client: Client,
  app: string,
  done: (v: GuardView) => boolean,
  timeoutMs = 15_000,
): Promise<GuardView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await guardView(client, app).catch(() => undefined);
    if (v && (done(v) || Date.now() > deadline)) return v;
    if (!v && Date.now() > deadline) return guardView(client, app);
    await new Promise((r) => setTimeout(r, 200));
  }
}

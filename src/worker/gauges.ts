// Gauges that only Temporal's visibility store can answer (approvals pending, people needing an
// operator), refreshed on an interval from the search attributes the workflows maintain.
import type { Client } from '@temporalio/client';
import type { Metrics } from '../shared/metrics';
import { RECONCILE_CLASSES } from '../domain/reconcile';
import { lastReconcile } from '../reconcile/schedule';

/** `scimflow_reconcile_accounts{app,class}` from each app's last completed scheduled run; `scimflow_reconcile_failing{app}`. */
export async function refreshReconcileGauges(client: Client, metrics: Metrics, apps: string[]): Promise<void> {
  for (const app of apps) {
    const last = await lastReconcile(client, app);
    const done = last.state === 'ok' ? last.status : last.previous;
    if (done?.summary)
      for (const c of RECONCILE_CLASSES) metrics.reconcileAccounts.set({ app, class: c }, done.summary.counts[c]);
    metrics.reconcileFailing.set({ app }, last.state === 'failing' || last.state === 'failed' ? 1 : 0);
  }
}

export function pollGauges(client: Client, metrics: Metrics, apps: string[], intervalMs = 15_000): () => void {
  const base = `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow'`;
  const refresh = async () => {
    for (const app of apps) {
      const { count } = await client.workflow.count(
        `${base} AND ScimflowPendingApprovals = '${app.replace(/'/g, '')}'`,
      );
      metrics.approvalsPending.set({ app }, count);
    }
    const { count } = await client.workflow.count(`${base} AND ScimflowNeedsAttention = true`);
    metrics.needingAttention.set(count);
    await refreshReconcileGauges(client, metrics, apps);
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    refresh()
      .catch(() => undefined) // visibility hiccups only delay a gauge
      .finally(() => {
        timer = setTimeout(loop, intervalMs);
        timer.unref();
      });
  };
  loop();
  return () => clearTimeout(timer);
}

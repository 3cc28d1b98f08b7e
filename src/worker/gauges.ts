// Gauges that only Temporal's visibility store can answer (approvals pending, people needing an
// operator), refreshed on an interval from the search attributes the workflows maintain.
import type { Client } from '@temporalio/client';
import type { Metrics } from '../shared/metrics';

export function pollGauges(client: Client, metrics: Metrics, apps: string[], intervalMs = 15_000): () => void {
  const base = `ExecutionStatus = 'Running' AND WorkflowType = 'identityWorkflow'`;
  const refresh = async () => {
    for (const app of apps) {
      const { count } = await client.workflow.count(`${base} AND ScimflowPendingApprovals = '${app.replace(/'/g, '')}'`);
      metrics.approvalsPending.set({ app }, count);
    }
    const { count } = await client.workflow.count(`${base} AND ScimflowNeedsAttention = true`);
    metrics.needingAttention.set(count);
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

// Scheduled reconciliation on a real Temporal dev server against the sandbox: the schedules are
// created once per app and updated idempotently (cron from the configuration, overlap Skip,
// jitter); triggered now, a run scans seeded drift and orphans; its result is in the query, in
// `scimflow reconcile --last` and in `scimflow_reconcile_accounts{app,class}`. A run that keeps
// failing (a wrong token) stays visible: search attributes, `scimflow stuck`, the failing gauge.
import { request } from 'undici';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import { createMetrics } from '../../src/shared/metrics';
import { ensureReconcileSchedules, lastReconcile, reconcileScheduleId } from '../../src/reconcile/schedule';
import { refreshReconcileGauges } from '../../src/worker/gauges';
import { reconcileStatusQuery } from '../../src/workflows/reconcile';
import { accountsOf, seedUser } from '../helpers/apps';
import { scimflow } from '../helpers/cli';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from './config';

const CONFIG = `${LIFECYCLE_CONFIG}reconcile:\n  cron: "0 3 * * *"\n  jitter: 5m\n  apps:\n    jumpcloud: { cron: "30 2 * * 1" }\n`;

let stack: Stack;
let cli: Record<string, string>;
beforeAll(async () => {
  stack = await startStack(CONFIG);
  cli = { TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: 'default' };
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it('schedules per app, idempotent; a triggered run classifies seeded drift and orphans: query, CLI, metrics', async () => {
  expect(await ensureReconcileSchedules(stack.client, stack.config)).toEqual({
    generic: 'created',
    jasper: 'created',
    jumpcloud: 'created',
  });
  expect(await ensureReconcileSchedules(stack.client, stack.config)).toEqual({
    generic: 'updated',
    jasper: 'updated',
    jumpcloud: 'updated',
  });
  const desc = await stack.client.schedule.getHandle(reconcileScheduleId('generic')).describe();
  expect(desc.spec.calendars?.[0]).toMatchObject({
    hour: [{ start: 3, end: 3, step: 1 }],
    minute: [{ start: 0, end: 0, step: 1 }],
  });
  expect(desc.spec.jitter).toBe(300_000);
  expect(desc.policies.overlap).toBe('SKIP');
  const jc = await stack.client.schedule.getHandle(reconcileScheduleId('jumpcloud')).describe();
  expect(jc.spec.calendars?.[0]).toMatchObject({
    hour: [{ start: 2, end: 2, step: 1 }],
    minute: [{ start: 30, end: 30, step: 1 }],
  });
  expect(await lastReconcile(stack.client, 'generic')).toMatchObject({ state: 'none' });

  const a = employee();
  const b = employee();
  for (const e of [a, b]) await stack.send(event('hire', e));
  for (const e of [a, b])
    await stack.until(e.employeeId, (s) => s.stage === 'active' && s.problems.length === 0, 'joined');
  const [bAcc] = await accountsOf(stack.sandbox.url, 'generic', { externalId: b.employeeId });
  const res = await request(`${stack.sandbox.url}/generic/scim/v2/Users/${bAcc!.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${DEV_CREDENTIALS.genericToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Changed by hand' }],
    }),
  });
  await res.body.text();
  const ghosts = [
    await seedUser(stack.sandbox.url, 'generic', { userName: `ghost1-${Date.now()}@example.com` }),
    await seedUser(stack.sandbox.url, 'generic', { userName: `ghost2-${Date.now()}@example.com` }),
  ];

  await stack.client.schedule.getHandle(reconcileScheduleId('generic')).trigger();
  const last = await waitFor(
    async () => {
      const l = await lastReconcile(stack.client, 'generic');
      return l.state === 'ok' ? l : undefined;
    },
    { what: 'the triggered run finished', timeoutMs: 30_000 },
  );
  const summary = last.status!.summary!;
  expect(summary.counts.drifted).toBe(1);
  expect(summary.counts.orphan).toBe(2);
  expect(summary.counts['in-sync']).toBe(1);
  expect(summary.total).toBe(4);
  expect(summary.people).toBe(2);
  expect(summary.sample.map((r) => r.id).sort()).toEqual([bAcc!.id, ...ghosts.map((g) => g.id)].sort());
  // The run's own query says the same.
  const q = await stack.client.workflow.getHandle(last.workflowId!).query(reconcileStatusQuery);
  expect(q).toMatchObject({ app: 'generic', state: 'ok', summary: { counts: summary.counts } });

  const out = await scimflow(['reconcile', '--last', '--app', 'generic', '--json'], cli);
  expect(out.code).toBe(0);
  const parsed = JSON.parse(out.stdout) as {
    apps: { app: string; state: string; status: { summary: { counts: Record<string, number> } } }[];
  };
  expect(parsed.apps[0]).toMatchObject({
    app: 'generic',
    state: 'ok',
    status: { summary: { counts: { drifted: 1, orphan: 2 } } },
  });
  const text = await scimflow(['reconcile', '--last', '--app', 'generic'], cli);
  expect(text.stdout).toMatch(/generic\s+ok/);
  expect(text.stdout).toContain(ghosts[0]!.id);

  const metrics = createMetrics();
  await refreshReconcileGauges(stack.client, metrics, ['generic']);
  const m = await metrics.registry.metrics();
  expect(m).toContain('scimflow_reconcile_accounts{app="generic",class="orphan"} 2');
  expect(m).toContain('scimflow_reconcile_accounts{app="generic",class="drifted"} 1');
  expect(m).toContain('scimflow_reconcile_failing{app="generic"} 0');
}, 180_000);

it('a run that keeps failing is stuck work: search attributes, scimflow stuck, reconcile --last, the failing gauge', async () => {
  await ensureReconcileSchedules(stack.client, stack.config);
  await stack.stopWorkers();
  await stack.restartWorkers({ SCIMFLOW_JUMPCLOUD_TOKEN: 'wrong-token-0123456789' });
  await stack.client.schedule.getHandle(reconcileScheduleId('jumpcloud')).trigger();
  const last = await waitFor(
    async () => {
      const l = await lastReconcile(stack.client, 'jumpcloud');
      return l.state === 'failing' ? l : undefined;
    },
    { what: 'the run is failing', timeoutMs: 60_000 },
  );
  expect(last.status!.failure!.code).toBe('AUTH_FAILED');
  expect(last.status!.failure!.lastError).not.toContain('wrong-token-0123456789');
  await waitFor(
    async () =>
      (
        await stack.client.workflow.count(
          `WorkflowType = 'reconcileWorkflow' AND ScimflowNeedsAttention = true AND ScimflowProblems = 'reconcile-failing:jumpcloud'`,
        )
      ).count === 1,
    { what: 'search attributes', timeoutMs: 20_000 },
  );
  const stuck = await stack.stuck();
  expect(stuck.find((r) => r.reason === 'reconcile-failing')).toMatchObject({
    app: 'jumpcloud',
    workflowId: last.workflowId,
  });
  const out = await scimflow(['reconcile', '--last', '--app', 'jumpcloud'], cli);
  expect(out.code).toBe(3);
  expect(out.stdout).toMatch(/jumpcloud\s+failing/);
  const metrics = createMetrics();
  await refreshReconcileGauges(stack.client, metrics, ['jumpcloud']);
  expect(await metrics.registry.metrics()).toContain('scimflow_reconcile_failing{app="jumpcloud"} 1');
  await stack.client.workflow.getHandle(last.workflowId!).terminate('test over');
}, 180_000);

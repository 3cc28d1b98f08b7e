// Crashes, credentials that stop working, and replay of recorded histories against the current
// workflow code (the determinism guard), on a real Temporal server.
import { Worker } from '@temporalio/worker';
import { signalAttention, findStuck } from '../../src/cli/ops';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { accountsIn, employee, event, jumpcloudUserName, startStack, TEST_ENV, type Stack } from '../helpers/stack';
import { waitFor, workflowBundle } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from './config';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(LIFECYCLE_CONFIG);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const userIn = (app: 'generic' | 'jumpcloud', userName: string) => accountsIn(stack.sandbox, app, userName);

describe('resilience', () => {
  it('the worker killed mid-joiner and restarted → exactly one account per app', async () => {
    const generic = stack.sandbox.app('generic');
    const emp = employee();
    // Slow creates, and the first one commits but its response is lost: the crash lands mid-request.
    generic.setKnobs({ latencyMs: 800, dropAfterCommit: 1 });
    try {
      await stack.send(event('hire', emp));
      await waitFor(() => generic.requests().some((r) => r.method === 'POST') || undefined, { what: 'a create in flight' });
      await stack.stopWorkers();
      generic.setKnobs({ latencyMs: 0 });
      await stack.restartWorkers();
      const state = await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joiner finished after restart', 60_000);
      expect(state.apps.generic).toMatchObject({ status: 'active', createdByUs: true });
      expect(userIn('generic', emp.email)).toHaveLength(1);
      expect(userIn('jumpcloud', jumpcloudUserName(emp.email))).toHaveLength(1);
    } finally {
      generic.setKnobs({ latencyMs: 0, dropAfterCommit: 0 });
    }
  }, 90_000);

  it('an auth failure in a leaver needs attention, then the fixed token and `retry` finish it', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joined');

    await stack.stopWorkers();
    await stack.restartWorkers({ SCIMFLOW_GENERIC_TOKEN: 'revoked-token' });
    await stack.send(event('terminate', emp));
    const stuck = await stack.until(emp.employeeId, (s) => s.needsAttention.some((i) => i.app === 'generic'), 'needs attention');
    const item = stuck.needsAttention.find((i) => i.app === 'generic')!;
    expect(item.error).toMatch(/401|AUTH|auth/i);
    expect(item.workflowId).toMatch(new RegExp(`^leaver-${emp.employeeId}-`));
    expect(stuck.stage).toBe('leaving');
    // jumpcloud's token still works: its deactivation is not held up by generic
    const jcName = jumpcloudUserName(emp.email);
    await waitFor(() => (userIn('jumpcloud', jcName)[0]?.active === false ? true : undefined), { what: 'jumpcloud deactivated' });
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([true]);

    // Ops see it: in `scimflow stuck` and with one visibility query.
    const rows = await findStuck(stack.client, { stage: 'leaving' });
    expect(rows.filter((r) => r.employeeId === emp.employeeId)).toEqual([
      expect.objectContaining({ app: 'generic', reason: 'needs-attention', lifecycle: 'leaver' }),
    ]);
    const listed = await waitFor(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `ScimflowNeedsAttention = true AND ScimflowStage = 'leaving' AND WorkflowId = '${identityWorkflowId(emp.employeeId)}'` })) ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    }, { what: 'needs-attention visible in search attributes' });
    expect(listed).toEqual([identityWorkflowId(emp.employeeId)]);

    // The token is fixed; ops retry.
    await stack.stopWorkers();
    await stack.restartWorkers();
    await signalAttention(stack.client, emp.employeeId, 'retry', 'generic');
    const left = await stack.until(emp.employeeId, (s) => s.stage === 'left', 'leaver finished');
    expect(left.needsAttention).toEqual([]);
    expect(left.apps.generic?.status).toBe('inactive');
    expect(left.apps.jumpcloud?.status).toBe('inactive');
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([false]);
  }, 90_000);

  it('a leaver against an app that keeps failing retries without giving up, visible in `stuck`, and finishes when it recovers', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joined');
    const generic = stack.sandbox.app('generic');
    generic.setKnobs({ failNext: 1000, failStatus: 503 });
    try {
      await stack.send(event('terminate', emp));
      const rows = await waitFor(async () => {
        const r = (await findStuck(stack.client, { stage: 'leaving', minAttempts: 3 })).filter((x) => x.employeeId === emp.employeeId);
        return r.length ? r : undefined;
      }, { timeoutMs: 30_000, what: 'a retrying leaver in stuck' });
      expect(rows[0]).toMatchObject({ lifecycle: 'leaver', app: 'generic', reason: 'retrying' });
      expect(rows[0]!.attempts).toBeGreaterThanOrEqual(3);
      expect(rows[0]!.lastFailure).toMatch(/503/);
      expect((await stack.state(emp.employeeId)).stage).toBe('leaving');
    } finally {
      generic.setKnobs({ failNext: 0, failStatus: 500 });
    }
    const left = await stack.until(emp.employeeId, (s) => s.stage === 'left', 'leaver finished after recovery', 60_000);
    expect(left.apps.generic?.status).toBe('inactive');
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([false]);
  }, 90_000);

  it('replays every recorded history against the current workflow code', async () => {
    const histories = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowType IN ('identityWorkflow','joinerWorkflow','leaverWorkflow')` })) {
      histories.push({ workflowId: wf.workflowId, history: await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory() });
    }
    expect(histories.length).toBeGreaterThanOrEqual(4);
    // Secrets stay in the worker: no credential appears anywhere in any recorded history.
    const everything = JSON.stringify(histories);
    for (const secret of Object.values(TEST_ENV)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('revoked-token');
    const results = [];
    // Histories hold encrypted payloads: the replayer decodes with the stack's data converter.
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: stack.dataConverter }, histories)) results.push(r);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`)).toEqual([]);
    expect(results).toHaveLength(histories.length);
  });
});

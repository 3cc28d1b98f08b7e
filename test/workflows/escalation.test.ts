// An approval that times out with `onTimeout: escalate` is offered to the escalation approvers
// (who could not decide before), and only then rejected.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { decideUpdate } from '../../src/workflows/definitions';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { LIFECYCLE_CONFIG } from './config';

const ESCALATING = LIFECYCLE_CONFIG.replace(
  'approvers: [lead@example.com]\n    timeout: 4s\n    onTimeout: reject\n',
  'approvers: [lead@example.com]\n    timeout: 2s\n    onTimeout: escalate\n    escalateTo: [cto@example.com]\n',
);

let stack: Stack;
beforeAll(async () => {
  expect(ESCALATING).toContain('escalateTo: [cto@example.com]');
  stack = await startStack(ESCALATING);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it('refuses the escalation approver before the timeout, accepts them after it', async () => {
  const emp = employee({ department: 'Engineering' });
  await stack.send(event('hire', emp));
  const first = await stack.until(emp.employeeId, (s) => s.pendingApprovals.some((p) => p.app === 'jasper'), 'approval pending');
  expect(first.pendingApprovals[0]!.approvers).toEqual(['lead@example.com']);
  const handle = stack.client.workflow.getHandle(first.pendingApprovals[0]!.workflowId);
  const early = await handle.executeUpdate(decideUpdate, { args: [{ app: 'jasper', decision: 'approve', approver: 'cto@example.com' }] }).catch((e: unknown) => e);
  expect(early).toBeInstanceOf(WorkflowUpdateFailedError);

  const escalated = await stack.until(emp.employeeId, (s) => s.pendingApprovals.some((p) => p.approvers.includes('cto@example.com')), 'escalated', 15_000);
  expect(escalated.pendingApprovals[0]!.approvers).toEqual(['lead@example.com', 'cto@example.com']);
  await handle.executeUpdate(decideUpdate, { args: [{ app: 'jasper', decision: 'approve', approver: 'cto@example.com' }] });
  const done = await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joined');
  expect(done.apps.jasper).toMatchObject({ status: 'active', createdByUs: true });
  expect((stack.sandbox.app('jasper').users() as unknown as { userName: string }[]).filter((u) => u.userName === emp.email)).toHaveLength(1);
});

it('rejects when the escalation also times out, and compensates', async () => {
  const emp = employee({ department: 'Engineering' });
  await stack.send(event('hire', emp));
  const state = await stack.until(emp.employeeId, (s) => s.stage === 'failed', 'escalation timed out', 30_000);
  expect(state.compensation!.reason).toMatch(/jasper: approval timed out/);
  expect(state.apps.generic?.status).toBe('compensated');
});

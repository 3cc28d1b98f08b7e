// Joiner / mover / leaver on a real Temporal server against the sandbox apps over HTTP.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { request } from 'undici';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { approvalSignal, decideUpdate, lifecycleQuery, type IdentityState } from '../../src/workflows/definitions';
import { accountsIn, employee, event, jumpcloudUserName, startStack, type SandboxUser, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from './config';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(LIFECYCLE_CONFIG);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const userIn = (app: 'generic' | 'jasper' | 'jumpcloud', userName: string) => accountsIn(stack.sandbox, app, userName);
const groupNamesOf = (scimId: string) =>
  (stack.sandbox.app('generic').groups() as unknown as { displayName: string; members?: { value: string }[] }[])
    .filter((g) => (g.members ?? []).some((m) => m.value === scimId))
    .map((g) => g.displayName)
    .sort();
const jumpcloudName = jumpcloudUserName;

async function hired(emp: ReturnType<typeof employee>): Promise<IdentityState> {
  await stack.send(event('hire', emp));
  return stack.until(emp.employeeId, (s) => s.stage === 'active' && s.events.length > 0, 'joiner done');
}

describe('joiner', () => {
  it('creates the account in every granted app, with its groups, visible over SCIM HTTP', async () => {
    const emp = employee({ department: 'Sales' });
    const state = await hired(emp);
    expect(state.apps.generic).toMatchObject({ status: 'active', createdByUs: true, groups: ['all-staff', 'sales'] });
    expect(state.apps.jumpcloud).toMatchObject({ status: 'active', userName: jumpcloudName(emp.email) });

    const res = await request(`${stack.sandbox.url}/generic/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${emp.email}"`)}`, {
      headers: { authorization: 'Bearer dev-token' },
    });
    const list = (await res.body.json()) as { totalResults: number; Resources: SandboxUser[] };
    expect(list.totalResults).toBe(1);
    expect(list.Resources[0]).toMatchObject({ userName: emp.email, externalId: emp.employeeId, active: true, title: emp.title });
    expect(groupNamesOf(list.Resources[0]!.id)).toEqual(['all-staff', 'sales']);
    expect(userIn('jumpcloud', jumpcloudName(emp.email))).toHaveLength(1);
    expect(state.events.map((e) => e.outcome)).toEqual(['done']);
  });

  it('runs a redelivered event only once', async () => {
    const emp = employee();
    const ev = event('hire', emp);
    await stack.send(ev);
    await stack.send(ev);
    await stack.send(ev);
    const state = await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joiner done');
    await new Promise((r) => setTimeout(r, 500));
    expect((await stack.state(emp.employeeId)).events).toHaveLength(1);
    expect(state.events[0]!.id).toBe(ev.id);
    expect(userIn('generic', emp.email)).toHaveLength(1);
  });

  it('waits for an approval signal before a seat-consuming create, ignoring non-approvers', async () => {
    const emp = employee({ department: 'Engineering' });
    const seatsBefore = stack.sandbox.app('jasper').seats().consumed;
    await stack.send(event('hire', emp));
    const waiting = await stack.until(emp.employeeId, (s) => s.pendingApprovals.some((p) => p.app === 'jasper'), 'approval pending');
    const joinerId = waiting.pendingApprovals[0]!.workflowId;
    expect(joinerId).toMatch(new RegExp(`^joiner-${emp.employeeId}-`));
    expect(waiting.apps.jasper?.status).toBe('awaiting-approval');
    expect(userIn('jasper', emp.email)).toHaveLength(0);

    // The Update refuses a non-approver with a clear message; the signal records and ignores it.
    const handle = stack.client.workflow.getHandle(joinerId);
    const refused = await handle.executeUpdate(decideUpdate, { args: [{ app: 'jasper', decision: 'approve', approver: 'mallory@example.com' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(/mallory@example.com may not approve jasper; approvers: lead@example.com/);
    const unknownApp = await handle.executeUpdate(decideUpdate, { args: [{ app: 'jostle', decision: 'approve', approver: 'lead@example.com' }] }).catch((e: unknown) => e);
    expect(String((unknownApp as WorkflowUpdateFailedError).cause?.message)).toMatch(/no approval is pending for app "jostle"/);
    await handle.signal(approvalSignal, { app: 'jasper', decision: 'approve', approver: 'mallory@example.com' });
    const view = await handle.query(lifecycleQuery);
    expect(view.decisions.at(-1)).toMatchObject({ approver: 'mallory@example.com', accepted: false });
    expect(userIn('jasper', emp.email)).toHaveLength(0);

    await handle.signal(approvalSignal, { app: 'jasper', decision: 'approve', approver: 'lead@example.com', comment: 'welcome' });
    const done = await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joiner done');
    expect(done.apps.jasper).toMatchObject({ status: 'active', createdByUs: true });
    expect(done.pendingApprovals).toEqual([]);
    expect(userIn('jasper', emp.email)).toHaveLength(1);
    expect(stack.sandbox.app('jasper').seats().consumed).toBe(seatsBefore + 1);
  });

  it('compensates when the approval is rejected: no active account is left in the all-or-nothing apps', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const waiting = await stack.until(emp.employeeId, (s) => s.pendingApprovals.some((p) => p.app === 'jasper'), 'approval pending');
    // generic (all-or-nothing) is created while jasper waits
    await waitFor(() => (userIn('generic', emp.email).length === 1 ? true : undefined), { what: 'generic created' });
    await stack.client.workflow
      .getHandle(waiting.pendingApprovals[0]!.workflowId)
      .executeUpdate(decideUpdate, { args: [{ app: 'jasper', decision: 'reject', approver: 'lead@example.com', comment: 'no budget' }] });
    const state = await stack.until(emp.employeeId, (s) => s.stage === 'failed', 'compensated');
    expect(state.compensation).toMatchObject({ undone: ['generic'] });
    expect(state.compensation!.reason).toMatch(/jasper: rejected by lead@example.com: no budget/);
    expect(state.apps.generic?.status).toBe('compensated');
    expect(state.apps.jasper?.status).toBe('rejected');
    expect(state.events.at(-1)).toMatchObject({ outcome: 'compensated' });
    expect(userIn('jasper', emp.email)).toHaveLength(0);
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([false]);
    // jumpcloud is not all-or-nothing: it stays
    expect(userIn('jumpcloud', jumpcloudName(emp.email)).map((u) => u.active)).toEqual([true]);

    // HR fixes the record (no Jasper this time): the compensated account comes back, not a second one.
    await stack.send(event('hire', { ...emp, department: 'Sales' }));
    const again = await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joined after compensation');
    expect(again.apps.generic).toMatchObject({ status: 'active', scimId: state.apps.generic!.scimId });
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([true]);
  });

  it('compensates when the approval times out', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const state = await stack.until(emp.employeeId, (s) => s.stage === 'failed', 'approval timed out and compensated', 30_000);
    expect(state.compensation!.reason).toMatch(/jasper: approval timed out/);
    expect(userIn('jasper', emp.email)).toHaveLength(0);
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([false]);
  });

  it('obeys a 429 storm without failing and without a second account', async () => {
    const generic = stack.sandbox.app('generic');
    const emp = employee();
    generic.setKnobs({ throttleNext: 4, retryAfter: '1' });
    try {
      const state = await hired(emp);
      expect(state.apps.generic?.status).toBe('active');
      expect(generic.requests().filter((r) => r.fault === 'throttled')).toHaveLength(4);
      expect(userIn('generic', emp.email)).toHaveLength(1);
    } finally {
      generic.setKnobs({ throttleNext: 0 });
    }
  });

  it('retries after exactly the Retry-After the app sent, not a backoff of its own', async () => {
    const jumpcloud = stack.sandbox.app('jumpcloud');
    const emp = employee();
    const from = jumpcloud.requests().length;
    jumpcloud.setKnobs({ throttleNext: 1, retryAfter: '3' });
    try {
      await hired(emp);
      const log = jumpcloud.requests().slice(from);
      const i = log.findIndex((r) => r.fault === 'throttled');
      expect(i).toBeGreaterThanOrEqual(0);
      const gap = Date.parse(log[i + 1]!.at) - Date.parse(log[i]!.at);
      // 3 s asked; the retry policy alone would have waited 1 s.
      expect(gap).toBeGreaterThanOrEqual(3000);
      expect(gap).toBeLessThan(4500);
    } finally {
      jumpcloud.setKnobs({ throttleNext: 0 });
    }
  });

  it('creates exactly one account when a create commits but its response is lost', async () => {
    const generic = stack.sandbox.app('generic');
    const emp = employee();
    generic.setKnobs({ dropAfterCommit: 1 });
    try {
      const state = await hired(emp);
      expect(state.apps.generic).toMatchObject({ status: 'active', createdByUs: true });
      expect(generic.requests().some((r) => r.fault === 'dropped after commit')).toBe(true);
      expect(userIn('generic', emp.email)).toHaveLength(1);
    } finally {
      generic.setKnobs({ dropAfterCommit: 0 });
    }
  });
});

describe('a refusal by one app', () => {
  it('marks that app failed with the error and the attempt count; the others carry on', async () => {
    const jumpcloud = stack.sandbox.app('jumpcloud');
    const emp = employee();
    jumpcloud.setKnobs({ failNext: 1, failStatus: 400 });
    try {
      await stack.send(event('hire', emp));
      const state = await stack.until(emp.employeeId, (s) => s.events.length === 1, 'joiner done');
      expect(state.apps.jumpcloud).toMatchObject({ status: 'failed', attempts: 1 });
      expect(state.apps.jumpcloud!.lastError).toMatch(/INVALID.*400/);
      expect(state.apps.generic).toMatchObject({ status: 'active' });
      expect(state.events[0]).toMatchObject({ outcome: 'failed' });
      expect(state.events[0]!.detail).toMatch(/^jumpcloud: /);
    } finally {
      jumpcloud.setKnobs({ failNext: 0, failStatus: 500 });
    }
  });
});

describe('mover', () => {
  it('patches attributes and moves group memberships when the department changes', async () => {
    const emp = employee({ department: 'Sales' });
    const before = await hired(emp);
    const scimId = before.apps.generic!.scimId!;
    expect(groupNamesOf(scimId)).toEqual(['all-staff', 'sales']);

    const moved = { ...emp, department: 'Marketing', title: 'Brand Manager' };
    await stack.send(event('update', moved));
    const after = await stack.until(emp.employeeId, (s) => s.events.length === 2 && s.stage === 'active', 'mover done');
    expect(after.events.at(-1)).toMatchObject({ type: 'update', outcome: 'done' });
    expect(after.apps.generic).toMatchObject({ scimId, groups: ['all-staff', 'marketing'] });
    expect(groupNamesOf(scimId)).toEqual(['all-staff', 'marketing']);
    const [user] = userIn('generic', emp.email);
    expect(user).toMatchObject({ id: scimId, title: 'Brand Manager' });
    expect((user!['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { department?: string }).department).toBe('Marketing');
    expect(userIn('generic', emp.email)).toHaveLength(1);
  });
});

describe('leaver', () => {
  it('deactivates everywhere and removes memberships, then hard-deletes after the retention period', async () => {
    const emp = employee({ department: 'Sales' });
    const joined = await hired(emp);
    const scimId = joined.apps.generic!.scimId!;
    await stack.send(event('terminate', emp));
    const left = await stack.until(emp.employeeId, (s) => s.stage === 'left', 'leaver done');
    expect(left.apps.generic).toMatchObject({ status: 'inactive', groups: [] });
    expect(left.apps.generic!.deleteAt).toBeDefined();
    expect(left.apps.jumpcloud).toMatchObject({ status: 'inactive' });
    expect(left.apps.jumpcloud!.deleteAt).toBeUndefined(); // hardDelete: never
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([false]);
    expect(groupNamesOf(scimId)).toEqual([]);
    expect(userIn('jumpcloud', jumpcloudName(emp.email)).map((u) => u.active)).toEqual([false]);

    const deleted = await stack.until(emp.employeeId, (s) => s.apps.generic?.status === 'deleted', 'hard delete after retention', 30_000);
    expect(deleted.apps.jumpcloud?.status).toBe('inactive');
    expect(userIn('generic', emp.email)).toHaveLength(0);
    expect(userIn('jumpcloud', jumpcloudName(emp.email))).toHaveLength(1);
  });

  it('waits for a future-dated termination, and a cancel withdraws another', async () => {
    const a = employee();
    const b = employee();
    await Promise.all([hired(a), hired(b)]);
    const at = new Date(Date.now() + 4000).toISOString();
    await stack.send(event('terminate', a, { effectiveAt: at }));
    await stack.send(event('terminate', b, { effectiveAt: at }));
    await stack.until(a.employeeId, (s) => s.pending.length === 1, 'termination queued');
    const cancel = event('cancel', b);
    await stack.send(cancel);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.state(a.employeeId)).stage).toBe('active');
    expect(userIn('generic', a.email).map((u) => u.active)).toEqual([true]);

    const left = await stack.until(a.employeeId, (s) => s.stage === 'left', 'termination at its effective time', 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at));
    expect(left.events.at(-1)).toMatchObject({ type: 'terminate', outcome: 'done', effectiveAt: at });

    const kept = await stack.state(b.employeeId);
    expect(kept.stage).toBe('active');
    expect(kept.pending).toEqual([]);
    expect(kept.events.map((e) => [e.type, e.outcome])).toEqual([
      ['hire', 'done'],
      ['terminate', 'cancelled'],
      ['cancel', 'done'],
    ]);
    expect(userIn('generic', b.email).map((u) => u.active)).toEqual([true]);
  });

  it('rehire reactivates the linked accounts instead of creating new ones', async () => {
    const emp = employee();
    const joined = await hired(emp);
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, (s) => s.stage === 'left', 'leaver done');
    await stack.send(event('rehire', emp));
    const back = await stack.until(emp.employeeId, (s) => s.stage === 'active' && s.events.length === 3, 'rehired');
    expect(back.apps.generic).toMatchObject({ status: 'active', scimId: joined.apps.generic!.scimId });
    expect(back.apps.generic!.deleteAt).toBeUndefined();
    expect(back.apps.generic!.groups).toEqual(['all-staff', 'sales']);
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([true]);
    expect(userIn('jumpcloud', jumpcloudName(emp.email)).map((u) => u.active)).toEqual([true]);
    expect(userIn('generic', emp.email)).toHaveLength(1);
  });

  it('is visible with the search attributes: one query lists offboardings', async () => {
    const emp = employee();
    await hired(emp);
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, (s) => s.stage === 'left', 'leaver done');
    const found = await waitFor(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `ScimflowStage = 'left' AND WorkflowId = '${identityWorkflowId(emp.employeeId)}'` })) ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    }, { what: 'visibility' });
    expect(found).toEqual([identityWorkflowId(emp.employeeId)]);
  });
});

describe('history stays bounded', () => {
  it('continues-as-new after its events-per-run, carrying state, links and remembered event ids', async () => {
    const emp = employee({ department: 'Sales' });
    const workflowId = identityWorkflowId(emp.employeeId);
    const hire = event('hire', emp);
    await stack.client.workflow.signalWithStart('identityWorkflow', {
      workflowId,
      taskQueue: 'scimflow',
      args: [{ employeeId: emp.employeeId, eventsPerRun: 2 }],
      signal: 'hrEvent',
      signalArgs: [hire],
    });
    const firstRun = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    await stack.until(emp.employeeId, (s) => s.stage === 'active', 'joined');
    await stack.send(event('update', { ...emp, title: 'Senior Account Executive' }));
    await stack.until(emp.employeeId, (s) => s.events.length === 2, 'second event');
    const secondRun = await waitFor(async () => {
      const d = await stack.client.workflow.getHandle(workflowId).describe();
      return d.runId !== firstRun && d.status.name === 'RUNNING' ? d.runId : undefined;
    }, { what: 'a new run' });
    expect(secondRun).not.toBe(firstRun);

    // The new run remembers what the old one did: the hire again is a redelivery, an update still works.
    await stack.send(hire);
    await stack.send(event('update', { ...emp, title: 'Sales Lead' }));
    const state = await stack.until(emp.employeeId, (s) => s.events.length === 3, 'third event in the new run');
    expect(state.events.map((e) => e.type)).toEqual(['hire', 'update', 'update']);
    expect(state.apps.generic).toMatchObject({ status: 'active' });
    expect(userIn('generic', emp.email)).toEqual([expect.objectContaining({ title: 'Sales Lead' })]);
  });
});

describe('a termination does not wait behind an approval', () => {
  it('abandons the pending approval, then deactivates everything the joiner made', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, (s) => s.pendingApprovals.some((p) => p.app === 'jasper'), 'approval pending');
    await waitFor(() => (userIn('generic', emp.email).length === 1 ? true : undefined), { what: 'generic created' });
    const started = Date.now();
    await stack.send(event('terminate', emp));
    const left = await stack.until(emp.employeeId, (s) => s.stage === 'left', 'leaver ran', 15_000);
    expect(Date.now() - started).toBeLessThan(10_000); // not the 4 s approval timeout plus more: right away
    expect(left.apps.jasper).toMatchObject({ status: 'rejected' });
    expect(left.apps.jasper!.lastError).toMatch(/approval abandoned: terminated by evt-terminate-/);
    expect(left.pendingApprovals).toEqual([]);
    expect(userIn('jasper', emp.email)).toHaveLength(0);
    expect(userIn('generic', emp.email).map((u) => u.active)).toEqual([false]);
    expect(userIn('jumpcloud', jumpcloudName(emp.email)).map((u) => u.active)).toEqual([false]);
    expect(left.events.map((e) => [e.type, e.outcome])).toEqual([
      ['hire', 'compensated'],
      ['terminate', 'done'],
    ]);
  });
});

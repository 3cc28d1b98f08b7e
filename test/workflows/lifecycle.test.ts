// Joiner / mover / leaver through the controller (`identity-<employeeId>`), on a real Temporal dev
// server against the sandbox apps. Every outcome is read back over the apps' own SCIM HTTP APIs
// (and the sandbox's /_admin request log); the `state` query only says where to look.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { request } from 'undici';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import { identityWorkflowId, type HrEvent } from '../../src/shared/hr-event';
import {
  approvalSignal,
  decideUpdate,
  hrEventSignal,
  MAIN_TASK_QUEUE,
  retrySignal,
  type PersonView,
  type HrEventSignalArgs,
} from '../../src/workflows/definitions';
import type { identityWorkflow } from '../../src/workflows/identity';
import { knobs, type AppName } from '../helpers/apps';
import {
  accountsFor,
  activeFor,
  fromScimflow,
  groupNamesOf,
  iso,
  quiet,
  requestLog,
  seatsOf,
  settled,
} from '../helpers/oracle';
import { replayEverything } from '../helpers/replay';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from './config';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(LIFECYCLE_CONFIG);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  for (const app of ['generic', 'jasper', 'jumpcloud'] as const) {
    await knobs(stack.sandbox.url, app, {
      failNext: 0,
      failStatus: 500,
      throttleNext: 0,
      retryAfter: '1',
      dropAfterCommit: 0,
      latencyMs: 0,
    });
  }
});

type Emp = ReturnType<typeof employee>;
const base = () => stack.sandbox.url;
const accounts = (app: AppName, emp: Emp) => accountsFor(base(), app, emp);
const active = (app: AppName, emp: Emp) => activeFor(base(), app, emp);
const groupNames = (userId: string) => groupNamesOf(base(), 'generic', userId);
const handle = (emp: Emp) => stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
const eventually = <T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000) =>
  waitFor(fn, { what, timeoutMs });
const pendingFor = (app: string) => (s: PersonView) => s.pendingApprovals.some((p) => p.app === app);
const updateError = (e: unknown) => String((e as WorkflowUpdateFailedError).cause?.message);

async function hired(emp: Emp): Promise<PersonView> {
  await stack.send(event('hire', emp));
  return stack.until(emp.employeeId, settled, 'joined');
}

describe('joiner', () => {
  it('creates the account in every granted app, with its groups, visible over SCIM HTTP', async () => {
    const emp = employee({ department: 'Sales' });
    const state = await hired(emp);
    expect(state.apps.generic).toMatchObject({ state: 'in-sync', granted: true });
    expect(state.apps.jumpcloud).toMatchObject({ state: 'in-sync', granted: true });
    expect(state.apps.jasper?.link.scimId).toBeUndefined();
    expect(state.events.map((e) => [e.type, e.fate.kind])).toEqual([['hire', 'applied']]);

    // Exactly as an admin would ask the app: a filtered GET with the app's own token.
    const res = await request(
      `${base()}/generic/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${emp.email}"`)}`,
      {
        headers: { authorization: `Bearer ${DEV_CREDENTIALS.genericToken}`, accept: 'application/scim+json' },
      },
    );
    const list = (await res.body.json()) as { totalResults: number; Resources: { id: string }[] };
    expect(list.totalResults).toBe(1);
    expect(list.Resources[0]).toMatchObject({
      id: state.apps.generic!.link.scimId,
      userName: emp.email,
      externalId: emp.employeeId,
      active: true,
      title: emp.title,
    });
    expect(await groupNames(list.Resources[0]!.id)).toEqual(['all-staff', 'sales']);
    // JumpCloud keeps no externalId: its owner key is the enterprise employeeNumber.
    const [jc, ...more] = await active('jumpcloud', emp);
    expect(more).toEqual([]);
    expect(jc).toMatchObject({ id: state.apps.jumpcloud!.link.scimId });
    expect(
      (jc!.raw['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { employeeNumber?: string })
        .employeeNumber,
    ).toBe(emp.employeeId);
    expect(await accounts('jasper', emp)).toEqual([]);
  });

  it('runs a redelivered event only once', async () => {
    const emp = employee();
    const ev = event('hire', emp);
    await Promise.all([stack.send(ev), stack.send(ev)]);
    await stack.send(ev);
    await stack.until(emp.employeeId, settled, 'joined');
    await stack.send(ev);
    await quiet(500);
    const s = await stack.state(emp.employeeId);
    expect(s.events.map((e) => e.id)).toEqual([ev.id]);
    expect(s.log.filter((l) => l.kind === 'event')).toHaveLength(1);
    expect(s.log.filter((l) => l.kind === 'action' && l.detail === 'generic: created the account')).toHaveLength(1);
    expect(await accounts('generic', emp)).toHaveLength(1);
    expect(await accounts('jumpcloud', emp)).toHaveLength(1);
  });

  it('waits for an approval before a seat-consuming create; the Update refuses a non-approver and an unknown app, the signal records and ignores them', async () => {
    const emp = employee({ department: 'Engineering' });
    const seatsBefore = (await seatsOf(base(), 'jasper')).consumed;
    await stack.send(event('hire', emp));
    const waiting = await stack.until(
      emp.employeeId,
      (s) => pendingFor('jasper')(s) && s.apps.jasper?.state === 'awaiting-approval',
      'approval pending',
    );
    const req = waiting.pendingApprovals[0]!;
    expect(req).toMatchObject({ app: 'jasper', purpose: 'create', status: 'pending', approvers: ['lead@example.com'] });
    expect(req.id).toMatch(/^jasper-/);
    expect(await accounts('jasper', emp)).toEqual([]);

    // The Update is validated: a refusal comes back to whoever sent it, without naming who may decide.
    const h = handle(emp);
    const refused = await h
      .executeUpdate(decideUpdate, { args: [{ app: 'jasper', decision: 'approve', approver: 'mallory@example.com' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(updateError(refused)).toBe('mallory@example.com is not an approver for jasper');
    expect(updateError(refused)).not.toContain('lead@example.com');
    const unknownApp = await h
      .executeUpdate(decideUpdate, { args: [{ app: 'jostle', decision: 'approve', approver: 'lead@example.com' }] })
      .catch((e: unknown) => e);
    expect(unknownApp).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(updateError(unknownApp)).toMatch(/^no approval is pending for app "jostle"; pending: jasper$/);

    // The signal cannot answer: a non-approver's decision is recorded as refused and changes nothing.
    await h.signal(approvalSignal, { app: 'jasper', decision: 'approve', approver: 'mallory@example.com' });
    const after = await stack.until(
      emp.employeeId,
      (s) => s.log.some((l) => l.kind === 'refused-decision' && l.by === 'mallory@example.com'),
      'refusal recorded',
    );
    expect(after.log.filter((l) => l.kind === 'refused-decision').at(-1)!.detail).toMatch(
      /mallory@example.com is not an approver for jasper/,
    );
    expect(after.pendingApprovals.map((p) => [p.id, p.status])).toEqual([[req.id, 'pending']]);
    await quiet(500);
    expect(await accounts('jasper', emp)).toEqual([]);

    await h.signal(approvalSignal, {
      app: 'jasper',
      decision: 'approve',
      approver: 'lead@example.com',
      comment: 'welcome',
    });
    // (A seat waiting for a person does not make the stage busy: wait for jasper itself.)
    const done = await stack.until(emp.employeeId, (s) => settled(s) && s.apps.jasper?.state === 'in-sync', 'joined');
    expect(done.pendingApprovals).toEqual([]);
    expect(done.approvals.find((r) => r.id === req.id)).toMatchObject({
      status: 'approved',
      decidedBy: 'lead@example.com',
      comment: 'welcome',
      consumedAt: expect.any(Number),
    });
    expect(done.apps.jasper).toMatchObject({ state: 'in-sync' });
    expect(await active('jasper', emp)).toEqual([expect.objectContaining({ id: done.apps.jasper!.link.scimId })]);
    expect((await seatsOf(base(), 'jasper')).consumed).toBe(seatsBefore + 1);
  });

  it('compensates when the approval is rejected: no active account is left in the all-or-nothing apps', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const waiting = await stack.until(emp.employeeId, pendingFor('jasper'), 'approval pending');
    // generic (all-or-nothing) is created while jasper waits
    await eventually(async () => (await active('generic', emp)).length === 1, 'generic created');
    const decided = await handle(emp).executeUpdate(decideUpdate, {
      args: [{ app: 'jasper', decision: 'reject', approver: 'lead@example.com', comment: 'no budget' }],
    });
    expect(decided).toEqual({
      accepted: true,
      requestId: waiting.pendingApprovals[0]!.id,
      app: 'jasper',
      decision: 'reject',
    });
    const state = await stack.until(
      emp.employeeId,
      (s) => s.stage === 'compensated' && s.apps.generic?.state === 'compensated',
      'compensated',
    );
    expect(state.compensation!.apps.sort()).toEqual(['generic', 'jasper']);
    expect(state.compensation!.reason).toMatch(/jasper: rejected by lead@example.com: no budget/);
    expect(state.apps.jasper?.state).toBe('compensated');
    expect(state.approvals.find((r) => r.id === waiting.pendingApprovals[0]!.id)).toMatchObject({
      status: 'rejected',
      decidedBy: 'lead@example.com',
      comment: 'no budget',
    });
    expect(state.problems).toContain('compensated');
    expect(await accounts('jasper', emp)).toEqual([]);
    const [g] = await accounts('generic', emp);
    expect(g).toMatchObject({ active: false });
    expect(await groupNames(g!.id)).toEqual([]);
    // jumpcloud is not all-or-nothing: it stays
    expect((await accounts('jumpcloud', emp)).map((u) => u.active)).toEqual([true]);

    // HR fixes the record (no Jasper this time): the compensated account comes back, not a second one.
    await stack.send(event('update', { ...emp, department: 'Sales' }));
    const again = await stack.until(emp.employeeId, settled, 'joined after compensation');
    expect(again.apps.generic).toMatchObject({ state: 'in-sync', link: expect.objectContaining({ scimId: g!.id }) });
    expect((await accounts('generic', emp)).map((u) => [u.id, u.active])).toEqual([[g!.id, true]]);
    expect(await groupNames(g!.id)).toEqual(['all-staff', 'sales']);
    expect(await accounts('jasper', emp)).toEqual([]);
  });

  it('obeys a 429 storm without failing and without a second account', async () => {
    const emp = employee();
    const from = (await requestLog(base(), 'generic')).length;
    await knobs(base(), 'generic', { throttleNext: 4, retryAfter: '1' });
    await hired(emp);
    const log = (await requestLog(base(), 'generic')).slice(from);
    expect(log.filter((r) => r.fault === 'throttled').map((r) => r.status)).toEqual([429, 429, 429, 429]);
    expect(await accounts('generic', emp)).toHaveLength(1);
  });

  it('retries after exactly the Retry-After the app sent, not a backoff of its own', async () => {
    const emp = employee();
    const from = (await requestLog(base(), 'jumpcloud')).length;
    await knobs(base(), 'jumpcloud', { throttleNext: 1, retryAfter: '3' });
    await hired(emp);
    const log = fromScimflow((await requestLog(base(), 'jumpcloud')).slice(from));
    const i = log.findIndex((r) => r.fault === 'throttled');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(log[i + 1]).toBeDefined();
    const gap = Date.parse(log[i + 1]!.at) - Date.parse(log[i]!.at);
    // 3 s asked; the retry policy alone would have waited 1 s.
    expect(gap).toBeGreaterThanOrEqual(3000);
    expect(gap).toBeLessThan(4500);
  });

  it('creates exactly one account when a create commits but its response is lost', async () => {
    const emp = employee();
    const from = (await requestLog(base(), 'generic')).length;
    await knobs(base(), 'generic', { dropAfterCommit: 1 });
    const state = await hired(emp);
    const log = (await requestLog(base(), 'generic')).slice(from);
    expect(log.find((r) => r.fault === 'dropped after commit')).toMatchObject({ method: 'POST' });
    const found = await accounts('generic', emp);
    expect(found).toHaveLength(1);
    expect(state.apps.generic).toMatchObject({
      state: 'in-sync',
      link: expect.objectContaining({ scimId: found[0]!.id }),
    });
    expect(await groupNames(found[0]!.id)).toEqual(['all-staff', 'sales']);
  });
});

describe('a refusal by one app', () => {
  it('marks that app failed with the error and the attempt count; the others carry on', async () => {
    const emp = employee();
    await knobs(base(), 'jumpcloud', { failNext: 1, failStatus: 400 });
    await stack.send(event('hire', emp));
    const state = await stack.until(
      emp.employeeId,
      (s) => Boolean(s.apps.jumpcloud?.failure) && s.apps.generic?.state === 'in-sync',
      'jumpcloud failed, generic done',
    );
    expect(state.apps.jumpcloud!.failure).toMatchObject({
      attempts: 1,
      code: 'INVALID',
      needsPerson: true,
      since: expect.any(String),
    });
    expect(state.apps.jumpcloud!.failure!.lastError).toMatch(/400/);
    expect(state.problems).toEqual(['attention:jumpcloud']);
    expect(state.stage).toBe('joining');
    expect(await active('generic', emp)).toHaveLength(1);
    expect(await accounts('jumpcloud', emp)).toEqual([]);

    // The app answers again: `retry` finishes the join there too.
    await handle(emp).signal(retrySignal, { app: 'jumpcloud' });
    await stack.until(emp.employeeId, settled, 'joined after retry');
    expect(await active('jumpcloud', emp)).toHaveLength(1);
  });
});

describe('mover', () => {
  it('patches attributes and moves group memberships when the department changes', async () => {
    const emp = employee({ department: 'Sales' });
    const before = await hired(emp);
    const scimId = before.apps.generic!.link.scimId!;
    expect(await groupNames(scimId)).toEqual(['all-staff', 'sales']);

    const moved = { ...emp, department: 'Marketing', title: 'Brand Manager' };
    const ev = event('update', moved);
    await stack.send(ev);
    const after = await stack.until(emp.employeeId, (s) => settled(s) && s.employment.version.endsWith(ev.id), 'moved');
    expect(after.events.at(-1)).toMatchObject({ id: ev.id, type: 'update', fate: { kind: 'applied' } });
    expect(after.apps.generic!.link.scimId).toBe(scimId);
    expect(await groupNames(scimId)).toEqual(['all-staff', 'marketing']);
    const users = await accounts('generic', emp);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ id: scimId, title: 'Brand Manager' });
    expect(
      (users[0]!.raw['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { department?: string })
        .department,
    ).toBe('Marketing');
  });
});

describe('a termination does not wait behind an approval', () => {
  it('withdraws the pending approval, then deactivates everything the join made', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const waiting = await stack.until(emp.employeeId, pendingFor('jasper'), 'approval pending');
    await eventually(async () => (await active('generic', emp)).length === 1, 'generic created');
    const started = Date.now();
    await stack.send(event('terminate', emp));
    const left = await stack.until(emp.employeeId, settled, 'left', 15_000);
    expect(Date.now() - started).toBeLessThan(10_000); // right away, not after the 60 s approval timeout
    expect(left.pendingApprovals).toEqual([]);
    expect(left.approvals.find((r) => r.id === waiting.pendingApprovals[0]!.id)).toMatchObject({ status: 'withdrawn' });
    expect(left.events.map((e) => [e.type, e.fate.kind])).toEqual([
      ['hire', 'applied'],
      ['terminate', 'applied'],
    ]);
    expect(await accounts('jasper', emp)).toEqual([]);
    expect((await accounts('generic', emp)).map((u) => u.active)).toEqual([false]);
    expect((await accounts('jumpcloud', emp)).map((u) => u.active)).toEqual([false]);
    // A decision that comes too late is refused: it would buy a seat for nobody.
    const late = await handle(emp)
      .executeUpdate(decideUpdate, { args: [{ app: 'jasper', decision: 'approve', approver: 'lead@example.com' }] })
      .catch((e: unknown) => e);
    expect(updateError(late)).toBe('nothing is pending approval for this person');
  });
});

describe('leaver', () => {
  it('deactivates everywhere and removes memberships, then hard-deletes after the retention period', async () => {
    const emp = employee({ department: 'Sales' });
    const joined = await hired(emp);
    const scimId = joined.apps.generic!.link.scimId!;
    const jcId = joined.apps.jumpcloud!.link.scimId!;
    const t0 = Date.now();
    await stack.send(event('terminate', emp));
    const left = await stack.until(emp.employeeId, settled, 'left');
    expect(left.apps.generic).toMatchObject({ state: 'deactivated' });
    expect(left.apps.jumpcloud).toMatchObject({ state: 'deactivated' });
    expect((await accounts('generic', emp)).map((u) => [u.id, u.active])).toEqual([[scimId, false]]);
    expect(await groupNames(scimId)).toEqual([]);
    expect((await accounts('jumpcloud', emp)).map((u) => [u.id, u.active])).toEqual([[jcId, false]]);

    // generic: hardDelete after 6 s; jumpcloud: never.
    await eventually(async () => (await accounts('generic', emp)).length === 0, 'hard delete after retention', 30_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(6_000);
    const deleted = await stack.until(emp.employeeId, (s) => s.apps.generic?.state === 'absent', 'generic absent');
    expect(deleted.apps.generic!.link.scimId).toBeUndefined();
    expect(deleted.log.some((l) => l.kind === 'action' && l.detail === `generic: deleted ${scimId}`)).toBe(true);
    expect((await accounts('jumpcloud', emp)).map((u) => [u.id, u.active])).toEqual([[jcId, false]]);
  });

  it('waits for a future-dated termination, and a cancel withdraws another', async () => {
    const a = employee();
    const b = employee();
    await Promise.all([hired(a), hired(b)]);
    const at = iso(Date.now() + 4_000);
    const termA = event('terminate', a, { effectiveAt: at });
    const termB = event('terminate', b, { effectiveAt: at });
    await stack.send(termA);
    await stack.send(termB);
    const queued = await stack.until(
      a.employeeId,
      (s) => s.events.some((e) => e.id === termA.id && e.fate.kind === 'pending'),
      'termination queued',
    );
    expect(queued.employment).toMatchObject({ status: 'employed', terminationId: termA.id });
    const cancel = event('cancel', b);
    await stack.send(cancel);
    await quiet(1_500);
    expect((await stack.state(a.employeeId)).stage).toBe('active');
    expect((await accounts('generic', a)).map((u) => u.active)).toEqual([true]);

    await eventually(async () => (await active('generic', a)).length === 0, 'deactivated at the effective time');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at));
    const left = await stack.until(a.employeeId, settled, 'left');
    expect(left.events.at(-1)).toMatchObject({
      id: termA.id,
      type: 'terminate',
      fate: { kind: 'applied' },
      effectiveAt: at,
    });
    expect((await accounts('jumpcloud', a)).map((u) => u.active)).toEqual([false]);

    const kept = await stack.state(b.employeeId);
    expect(kept.stage).toBe('active');
    expect(kept.employment.terminationId).toBeUndefined();
    expect(kept.events.map((e) => [e.type, e.fate])).toEqual([
      ['hire', { kind: 'applied' }],
      ['terminate', { kind: 'withdrawn', by: cancel.id }],
      ['cancel', { kind: 'applied' }],
    ]);
    expect((await accounts('generic', b)).map((u) => u.active)).toEqual([true]);
    expect((await accounts('jumpcloud', b)).map((u) => u.active)).toEqual([true]);
  });

  it('rehire reactivates the linked accounts instead of creating new ones', async () => {
    const emp = employee();
    const joined = await hired(emp);
    const leftAt = Date.now();
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, settled, 'left');
    expect(await active('generic', emp)).toEqual([]);
    await stack.send(event('rehire', emp)); // within generic's 6 s retention
    const back = await stack.until(emp.employeeId, (s) => settled(s) && s.employment.status === 'employed', 'rehired');
    expect(back.events.map((e) => e.type)).toEqual(['hire', 'terminate', 'rehire']);
    expect(back.apps.generic!.link.scimId).toBe(joined.apps.generic!.link.scimId);
    expect(back.apps.jumpcloud!.link.scimId).toBe(joined.apps.jumpcloud!.link.scimId);
    expect((await accounts('generic', emp)).map((u) => [u.id, u.active])).toEqual([
      [joined.apps.generic!.link.scimId, true],
    ]);
    expect(await groupNames(joined.apps.generic!.link.scimId!)).toEqual(['all-staff', 'sales']);
    expect((await accounts('jumpcloud', emp)).map((u) => [u.id, u.active])).toEqual([
      [joined.apps.jumpcloud!.link.scimId, true],
    ]);
    // The retention clock stopped with the rehire.
    await quiet(leftAt + 7_000 - Date.now());
    expect((await accounts('generic', emp)).map((u) => u.active)).toEqual([true]);
  });

  it('is visible with the search attributes: one query each lists offboardings, people who need attention, seats waiting', async () => {
    const waiting = employee({ department: 'Engineering' });
    const gone = employee();
    const stuck = employee();
    const ids = [waiting, gone, stuck].map((e) => identityWorkflowId(e.employeeId));
    const list = async (query: string) => {
      const out: string[] = [];
      for await (const wf of stack.client.workflow.list({
        query: `${query} AND WorkflowId IN (${ids.map((i) => `'${i}'`).join(', ')})`,
      }))
        out.push(wf.workflowId);
      return out.sort();
    };
    await stack.send(event('hire', waiting));
    await stack.until(
      waiting.employeeId,
      (s) => pendingFor('jasper')(s) && s.apps.jumpcloud?.state === 'in-sync' && s.apps.generic?.state === 'in-sync',
      'jasper waits, the rest joined',
    );
    await hired(gone);
    await hired(stuck);
    await stack.send(event('terminate', gone));
    await stack.until(gone.employeeId, settled, 'left');
    await knobs(base(), 'jumpcloud', { failNext: 1000, failStatus: 401 });
    await stack.send(event('terminate', stuck));
    const s = await stack.until(
      stuck.employeeId,
      (x) => x.problems.includes('attention:jumpcloud') && x.apps.generic?.state === 'deactivated',
      'jumpcloud needs attention',
    );
    expect(s.stage).toBe('leaving');

    const offboarding = await eventually(async () => {
      const found = await list(`ScimflowStage IN ('leaving', 'left')`);
      return found.length === 2 ? found : undefined;
    }, 'offboardings listed');
    expect(offboarding).toEqual([identityWorkflowId(gone.employeeId), identityWorkflowId(stuck.employeeId)].sort());
    expect(await list(`ScimflowStage = 'left'`)).toEqual([identityWorkflowId(gone.employeeId)]);
    expect(await list(`ScimflowNeedsAttention = true AND ScimflowProblems = 'attention:jumpcloud'`)).toEqual([
      identityWorkflowId(stuck.employeeId),
    ]);
    expect(await list(`ScimflowPendingApprovals = 'jasper'`)).toEqual([identityWorkflowId(waiting.employeeId)]);
    expect(await list(`ScimflowNeedsAttention = true`)).toEqual([identityWorkflowId(stuck.employeeId)]);
    expect(await active('generic', stuck)).toEqual([]);

    await knobs(base(), 'jumpcloud', { failNext: 0 });
    await handle(stuck).signal(retrySignal, { app: 'jumpcloud' });
    await handle(waiting).executeUpdate(decideUpdate, {
      args: [{ app: 'jasper', decision: 'reject', approver: 'lead@example.com' }],
    });
    await stack.until(stuck.employeeId, settled, 'left after retry');
    expect(await active('jumpcloud', stuck)).toEqual([]);
    await eventually(async () => {
      const found = await list(`ScimflowStage = 'left' AND ScimflowNeedsAttention = false`);
      return found.length === 2 ? found : undefined;
    }, 'both left, nothing needs attention');
  });
});

describe('history stays bounded', () => {
  it('continues-as-new after maxHistoryEvents, carrying state, links, remembered event ids and a queued termination', async () => {
    const emp = employee({ department: 'Sales', title: 'Title 0' });
    const workflowId = identityWorkflowId(emp.employeeId);
    const hire = event('hire', emp);
    const started = await stack.client.workflow.signalWithStart<typeof identityWorkflow, HrEventSignalArgs>(
      'identityWorkflow',
      {
        workflowId,
        taskQueue: MAIN_TASK_QUEUE,
        args: [{ employeeId: emp.employeeId, maxHistoryEvents: 150 }],
        signal: hrEventSignal,
        signalArgs: [hire],
      },
    );
    const firstRun = started.signaledRunId;
    const joined = await stack.until(emp.employeeId, settled, 'joined');
    const links = { generic: joined.apps.generic!.link.scimId, jumpcloud: joined.apps.jumpcloud!.link.scimId };
    // Queued before the new run: it must still fire, at its date.
    const leaveAt = Date.now() + 12_000;
    const terminate = event('terminate', emp, { effectiveAt: iso(leaveAt) });
    await stack.send(terminate);

    // Moves until the history passes 150 events and the controller continues as new.
    const updates: HrEvent[] = [];
    let runId = firstRun;
    for (let i = 1; i <= 12 && runId === firstRun; i++) {
      const u = event('update', { ...emp, title: `Title ${i}` });
      updates.push(u);
      await stack.send(u);
      await eventually(async () => (await accounts('generic', emp))[0]?.title === `Title ${i}`, `title ${i}`);
      runId = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    }
    expect(runId).not.toBe(firstRun);
    expect(Date.now()).toBeLessThan(leaveAt - 3_000); // the termination is still ahead
    const last = updates.at(-1)!;
    const carried = await stack.until(
      emp.employeeId,
      (s) => settled(s) && s.employment.version.endsWith(last.id),
      'settled in the new run',
    );
    expect(carried.employment).toMatchObject({ status: 'employed', periodId: hire.id, terminationId: terminate.id });
    expect(carried.apps.generic!.link.scimId).toBe(links.generic);
    expect(carried.apps.jumpcloud!.link.scimId).toBe(links.jumpcloud);
    expect(carried.events.find((e) => e.id === terminate.id)!.fate).toEqual({ kind: 'pending', at: leaveAt });
    // Compaction dropped the superseded moves; their ids are still remembered.
    const dropped = updates.find((u) => !carried.events.some((e) => e.id === u.id))!;
    expect(dropped).toBeDefined();
    const firstHistory = await stack.client.workflow.getHandle(workflowId, firstRun).fetchHistory();
    expect(firstHistory.events!.length).toBeGreaterThanOrEqual(150);
    expect(firstHistory.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    // Redeliveries of old events — the hire, and a move the new run no longer holds — have no effect.
    await stack.send(hire);
    await stack.send(dropped);
    await quiet(1_500);
    const after = await stack.state(emp.employeeId);
    expect(after.events.map((e) => e.id)).toEqual(carried.events.map((e) => e.id));
    expect(after.employment.version).toBe(carried.employment.version);
    expect((await accounts('generic', emp)).map((u) => [u.id, u.title])).toEqual([
      [links.generic, last.employee.title],
    ]);
    expect(await accounts('jumpcloud', emp)).toHaveLength(1);

    // The queued termination fires at its date in the new run.
    await eventually(
      async () => (await active('generic', emp)).length === 0,
      'deactivated at the carried termination date',
      40_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(leaveAt);
    await stack.until(emp.employeeId, settled, 'left');
    expect(await active('jumpcloud', emp)).toEqual([]);
  }, 90_000);
});

describe('determinism', () => {
  it('replays every recorded history of this suite against the current workflow code, with no secret in any of them', async () => {
    const n = await replayEverything(stack);
    expect(n).toBeGreaterThanOrEqual(20);
  });
});

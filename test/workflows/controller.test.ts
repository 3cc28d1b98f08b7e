// The convergent controller on a real Temporal server against the sandbox apps, every assertion
// on downstream state read over the apps' own SCIM APIs. One test per bullet of the issue that
// rebuilt the lifecycle core (ordering and dates, leavers, other people's accounts, compensation,
// movers and approvals, robustness).
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { identityWorkflowId } from '../../src/shared/hr-event';
import {
  approvalSignal,
  decideUpdate,
  hrEventSignal,
  refreshSignal,
  retrySignal,
  skipSignal,
  type PersonView,
} from '../../src/workflows/definitions';
import { accountsOf, groupsOf, knobs, seedUser, deleteUserIn, type AppName } from '../helpers/apps';
import { employee, event, jumpcloudUserName, startStack, type Stack } from '../helpers/stack';
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
  for (const app of ['generic', 'jasper', 'jumpcloud'] as const)
    await knobs(stack.sandbox.url, app, {
      failNext: 0,
      throttleNext: 0,
      dropAfterCommit: 0,
      errorRate: 0,
      groupWriteFailures: null,
    });
});

const base = () => stack.sandbox.url;
const iso = (ms: number) => new Date(ms).toISOString();
const accounts = (app: AppName, emp: { email: string; employeeId: string }) =>
  accountsOf(base(), app, {
    userName: app === 'jumpcloud' ? jumpcloudUserName(emp.email) : emp.email,
    externalId: emp.employeeId,
  });
const active = async (app: AppName, emp: { email: string; employeeId: string }) =>
  (await accounts(app, emp)).filter((u) => u.active);
const settled = (s: PersonView) => (s.stage === 'active' || s.stage === 'left') && s.problems.length === 0;
const eventually = <T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000) =>
  waitFor(fn, { what, timeoutMs });
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));
const groupNames = async (app: AppName, userId: string) =>
  (await groupsOf(base(), app))
    .filter((g) => g.members.includes(userId))
    .map((g) => g.displayName)
    .sort();

describe('ordering and dates', () => {
  it('a hire delivered after the termination — same second, or dated earlier — provisions nobody', async () => {
    const emp = employee();
    const now = Date.now();
    await stack.send(event('terminate', emp, { effectiveAt: iso(now) }));
    await stack.send(event('hire', emp, { effectiveAt: iso(now - 86_400_000) }));
    const emp2 = employee();
    await stack.send(event('terminate', emp2));
    await stack.send(event('hire', emp2));
    for (const e of [emp, emp2]) await stack.until(e.employeeId, (s) => s.stage === 'left', 'left');
    await quiet(500);
    for (const e of [emp, emp2])
      for (const app of ['generic', 'jumpcloud'] as const) expect(await active(app, e)).toEqual([]);
    const s = await stack.state(emp2.employeeId);
    expect(s.events.find((e) => e.type === 'hire')!.fate).toMatchObject({ kind: 'superseded' });
  });

  it('a rescinded offer — a future-dated hire, then a terminate effective now — never provisions', async () => {
    const emp = employee();
    const start = Date.now() + 3_000;
    await stack.send(event('hire', emp, { effectiveAt: iso(start) }));
    await stack.until(emp.employeeId, (s) => s.stage === 'pre-hire', 'pre-hire');
    await stack.send(event('terminate', emp));
    await quiet(start - Date.now() + 1_500);
    const s = await stack.state(emp.employeeId);
    expect(s.employment.status).toBe('left');
    for (const app of ['generic', 'jumpcloud'] as const) expect(await accounts(app, emp)).toEqual([]);
  });

  it('a termination re-sent with a later date fires at the new date, not the old one', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    const t0 = Date.now();
    await stack.send(event('terminate', emp, { effectiveAt: iso(t0 + 2_000) }));
    await stack.send(event('terminate', emp, { effectiveAt: iso(t0 + 6_000) }));
    await quiet(t0 + 3_500 - Date.now());
    expect(await active('generic', emp)).toHaveLength(1);
    await eventually(async () => (await active('generic', emp)).length === 0, 'deactivated at the new date');
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 6_000);
  });

  it('an update that arrives late with an older effectiveAt does not overwrite the newer one', async () => {
    const emp = employee({ title: 'First' });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    await stack.send(event('update', { ...emp, title: 'Newest' }, { effectiveAt: iso(Date.now()) }));
    await eventually(async () => (await accounts('generic', emp))[0]?.title === 'Newest', 'newest title');
    await stack.send(event('update', { ...emp, title: 'Stale' }, { effectiveAt: iso(Date.now() - 3_600_000) }));
    await quiet(1_500);
    expect((await accounts('generic', emp))[0]?.title).toBe('Newest');
    const s = await stack.state(emp.employeeId);
    expect(s.events.at(-1)!.fate).toMatchObject({ kind: 'superseded' });
  });

  it('an update before a future-dated hire does not provision before the start date', async () => {
    const emp = employee();
    const start = Date.now() + 3_000;
    await stack.send(event('hire', emp, { effectiveAt: iso(start) }));
    await stack.send(event('update', { ...emp, title: 'Changed before start' }));
    await quiet(1_500);
    expect(await accounts('generic', emp)).toEqual([]);
    await eventually(async () => (await active('generic', emp)).length === 1, 'provisioned at the start date');
    expect(Date.now()).toBeGreaterThanOrEqual(start);
  });
});

describe('leavers', () => {
  it('a group removal that meets transient faults still ends in a deactivated account out of its groups', async () => {
    const emp = employee({ department: 'Sales' });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    const [acct] = await accounts('generic', emp);
    expect(await groupNames('generic', acct!.id)).toEqual(['all-staff', 'sales']);
    await knobs(base(), 'generic', { groupWriteFailures: { status: 503, count: 2 }, dropAfterCommit: 1 });
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, settled, 'left', 60_000);
    const [after] = await accounts('generic', emp);
    expect(after!.active).toBe(false);
    expect(await groupNames('generic', after!.id)).toEqual([]);
  });

  it('a group removal that fails for good (403) does not keep the account active', async () => {
    const emp = employee({ department: 'Sales' });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    await knobs(base(), 'generic', { groupWriteFailures: { status: 403, count: 1000 } });
    await stack.send(event('terminate', emp));
    await eventually(async () => (await active('generic', emp)).length === 0, 'deactivated despite the 403');
    const s = await stack.until(
      emp.employeeId,
      (x) => x.problems.includes('attention:generic'),
      'group removal needs attention',
    );
    expect(s.apps.generic!.failure).toMatchObject({ needsPerson: true, action: 'removeGroup' });
    await knobs(base(), 'generic', { groupWriteFailures: null });
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).signal(retrySignal, { app: 'generic' });
    await stack.until(emp.employeeId, settled, 'left after retry');
  });

  it('a create whose response was lost, then a failing lookup: the later leaver still deactivates it', async () => {
    const emp = employee();
    await knobs(base(), 'generic', { dropAfterCommit: 1 });
    await stack.send(event('hire', emp));
    await eventually(async () => (await accounts('generic', emp)).length === 1, 'created (response lost)');
    await knobs(base(), 'generic', { failNext: 4, failStatus: 503 });
    await stack.send(event('terminate', emp));
    await eventually(async () => (await active('generic', emp)).length === 0, 'deactivated', 60_000);
    expect(await accounts('generic', emp)).toHaveLength(1);
  });

  it('a termination does not wait behind another app that needs attention; an account deleted in the app is simply done', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    await knobs(base(), 'jumpcloud', { failNext: 1000, failStatus: 401 });
    await stack.send(event('update', { ...emp, title: 'Moved' }));
    await stack.until(emp.employeeId, (s) => s.problems.includes('attention:jumpcloud'), 'jumpcloud needs attention');
    const [g] = await accounts('generic', emp);
    await deleteUserIn(base(), 'generic', g!.id);
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, (s) => s.apps.generic?.state === 'absent', 'generic done without anyone');
    await knobs(base(), 'jumpcloud', { failNext: 0 });
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).signal(retrySignal, {});
    await stack.until(emp.employeeId, settled, 'left');
    expect(await active('jumpcloud', emp)).toEqual([]);
  });
});

describe('other people’s accounts', () => {
  it.each([
    ['the same userName with another person’s externalId', (email: string) => email],
    ['a case variant', (email: string) => email.toUpperCase()],
  ])('%s is an identity conflict: the colleague’s account is never touched', async (_why, variant) => {
    const emp = employee();
    const colleague = await seedUser(base(), 'generic', {
      userName: variant(emp.email),
      externalId: `COLLEAGUE-${emp.employeeId}`,
      title: 'Colleague',
      active: true,
    });
    await stack.send(event('hire', emp));
    const s = await stack.until(emp.employeeId, (x) => x.problems.includes('conflict:generic'), 'conflict');
    expect(s.apps.generic!.conflict!.reason).toMatch(/COLLEAGUE-/);
    await stack.send(event('update', { ...emp, title: 'Mover' }));
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, (x) => x.employment.status === 'left', 'left');
    await quiet(1_000);
    const [after] = (await accountsOf(base(), 'generic', { externalId: `COLLEAGUE-${emp.employeeId}` })).filter(
      (u) => u.id === colleague.id,
    );
    expect(after).toMatchObject({ active: true, title: 'Colleague', externalId: `COLLEAGUE-${emp.employeeId}` });
  });

  it('two people whose emails map to one JumpCloud userName: the second is a conflict, the first untouched', async () => {
    const suffix = Date.now().toString(36);
    const ann = employee({ email: `ann.lee.x${suffix}@a.example.com` });
    const other = employee({ email: `annleex${suffix}@b.example.com` });
    await stack.send(event('hire', ann));
    await stack.until(ann.employeeId, settled, 'first joined');
    await stack.send(event('hire', other));
    await stack.until(other.employeeId, (s) => s.problems.includes('conflict:jumpcloud'), 'conflict');
    await stack.send(event('terminate', other));
    await stack.until(other.employeeId, (s) => s.employment.status === 'left', 'second left');
    await quiet(1_000);
    const jc = await accountsOf(base(), 'jumpcloud', { userName: jumpcloudUserName(ann.email) });
    expect(jc).toHaveLength(1);
    expect(jc[0]!.active).toBe(true);
  });

  it('an existing account adopted on a retried attempt is not "ours to undo": compensation gives it back as it was', async () => {
    const emp = employee({ department: 'Engineering' });
    const pre = await seedUser(base(), 'generic', { userName: emp.email, title: 'Hand-made', active: true });
    await knobs(base(), 'generic', { failNext: 1, failStatus: 503 });
    await stack.send(event('hire', emp));
    const waiting = await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
      'jasper waits',
    );
    await eventually(
      async () => (await accounts('generic', emp))[0]?.externalId === emp.employeeId,
      'adopted and stamped',
    );
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).executeUpdate(decideUpdate, {
      args: [
        {
          app: 'jasper',
          decision: 'reject',
          approver: 'lead@example.com',
          requestId: waiting.pendingApprovals[0]!.id,
        },
      ],
    });
    await stack.until(emp.employeeId, (s) => s.stage === 'compensated' && !s.apps.generic?.failure, 'compensated');
    await eventually(async () => {
      const [u] = await accounts('generic', emp);
      return u && u.id === pre.id && u.active && (await groupNames('generic', u.id)).length === 0;
    }, 'adopted account left active, without the memberships the join added');
  });
});

describe('compensation, movers, approvals', () => {
  it('compensation removes the memberships it added and reactivations it made; the next event is a fresh join', async () => {
    const emp = employee({ department: 'Engineering' });
    const pre = await seedUser(base(), 'generic', { userName: emp.email, externalId: emp.employeeId, active: false });
    await stack.send(event('hire', emp));
    const w = await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
      'jasper waits',
    );
    await eventually(async () => (await active('generic', emp)).length === 1, 'generic reactivated by the join');
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).executeUpdate(decideUpdate, {
      args: [{ app: 'jasper', decision: 'reject', approver: 'lead@example.com', requestId: w.pendingApprovals[0]!.id }],
    });
    await stack.until(
      emp.employeeId,
      (s) => s.stage === 'compensated' && s.apps.generic?.state === 'compensated',
      'compensated',
    );
    const [g] = await accounts('generic', emp);
    expect(g).toMatchObject({ id: pre.id, active: false });
    expect(await groupNames('generic', g!.id)).toEqual([]);
    const listed = await stack.stuck();
    expect(listed.some((r) => r.employeeId === emp.employeeId && r.reason === 'compensated')).toBe(true);

    // A new record: all-or-nothing again — Jasper is asked for again, and a second rejection compensates again.
    await stack.send(event('update', { ...emp, title: 'Retry' }));
    const again = await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
      'asked again',
    );
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).executeUpdate(decideUpdate, {
      args: [
        {
          app: 'jasper',
          decision: 'approve',
          approver: 'lead@example.com',
          requestId: again.pendingApprovals[0]!.id,
        },
      ],
    });
    await stack.until(emp.employeeId, settled, 'joined');
    expect(await active('jasper', emp)).toHaveLength(1);
    expect(await active('generic', emp)).toHaveLength(1);
  });

  it('an app lost by a mover and regained waits for approval again; the leaver deactivates it', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const w = await stack.until(emp.employeeId, (s) => s.pendingApprovals.length === 1, 'jasper waits');
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).executeUpdate(decideUpdate, {
      args: [
        { app: 'jasper', decision: 'approve', approver: 'lead@example.com', requestId: w.pendingApprovals[0]!.id },
      ],
    });
    await stack.until(emp.employeeId, settled, 'joined');
    await stack.send(event('update', { ...emp, department: 'Sales' }));
    await eventually(async () => (await active('jasper', emp)).length === 0, 'jasper deactivated on the move');
    await stack.send(event('update', { ...emp, department: 'Engineering' }));
    await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper' && p.purpose === 'reactivate'),
      'reactivation waits',
    );
    expect(await active('jasper', emp)).toEqual([]);
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, settled, 'left');
    expect(await active('jasper', emp)).toEqual([]);
    expect((await stack.state(emp.employeeId)).pendingApprovals).toEqual([]);
  });

  it('a rehire reactivates a paid seat only with an approval', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const w = await stack.until(emp.employeeId, (s) => s.pendingApprovals.length === 1, 'jasper waits');
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).executeUpdate(decideUpdate, {
      args: [
        { app: 'jasper', decision: 'approve', approver: 'lead@example.com', requestId: w.pendingApprovals[0]!.id },
      ],
    });
    await stack.until(emp.employeeId, settled, 'joined');
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, settled, 'left');
    await stack.send(event('rehire', emp));
    await stack.until(emp.employeeId, (s) => s.pendingApprovals.some((p) => p.app === 'jasper'), 'rehire seat waits');
    await eventually(async () => (await active('generic', emp)).length === 1, 'generic back');
    expect(await active('jasper', emp)).toEqual([]);
  });

  it('an update, a move and a termination never wait behind another app’s approval; a seat no longer wanted is withdrawn', async () => {
    const emp = employee({ department: 'Engineering', title: 'Before' });
    await stack.send(event('hire', emp));
    const w = await stack.until(emp.employeeId, (s) => s.pendingApprovals.length === 1, 'jasper waits');
    await stack.send(event('update', { ...emp, title: 'After' }));
    await eventually(async () => (await accounts('generic', emp))[0]?.title === 'After', 'update not held back');
    await stack.send(event('update', { ...emp, title: 'After', department: 'Sales' }));
    const moved = await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.length === 0,
      'approval withdrawn by the move',
    );
    expect(moved.approvals.find((r) => r.id === w.pendingApprovals[0]!.id)!.status).toBe('withdrawn');
    const late = await stack.client.workflow
      .getHandle(identityWorkflowId(emp.employeeId))
      .executeUpdate(decideUpdate, {
        args: [
          { app: 'jasper', decision: 'approve', approver: 'lead@example.com', requestId: w.pendingApprovals[0]!.id },
        ],
      })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(await accounts('jasper', emp)).toEqual([]);
  });

  it('one lookup decides adoption: an approval-gated Jasper hire costs exactly two requests (lookup, create), no user list', async () => {
    const emp = employee({ department: 'Engineering' });
    const before = stack.sandbox.app('jasper').requests().length;
    await stack.send(event('hire', emp));
    const w = await stack.until(emp.employeeId, (s) => s.pendingApprovals.length === 1, 'jasper waits');
    await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).executeUpdate(decideUpdate, {
      args: [
        { app: 'jasper', decision: 'approve', approver: 'lead@example.com', requestId: w.pendingApprovals[0]!.id },
      ],
    });
    await eventually(async () => (await active('jasper', emp)).length === 1, 'jasper seat');
    await stack.until(emp.employeeId, (s) => s.apps.jasper?.state === 'in-sync', 'jasper in sync');
    const mine = stack.sandbox
      .app('jasper')
      .requests()
      .slice(before)
      .filter((r) => !r.url.includes('startIndex=1&count=100')); // the test's own reads (usersOf)
    expect(mine.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /jasper/scim/v2/Users',
      'POST /jasper/scim/v2/Users',
    ]);
    expect(mine[0]!.url).toContain('filter=');
  });

  it('two decisions: the first wins and the second is refused', async () => {
    const emp = employee({ department: 'Engineering' });
    await stack.send(event('hire', emp));
    const w = await stack.until(emp.employeeId, (s) => s.pendingApprovals.length === 1, 'jasper waits');
    const h = stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
    const args = (decision: 'approve' | 'reject') => ({
      args: [{ app: 'jasper', decision, approver: 'lead@example.com', requestId: w.pendingApprovals[0]!.id }] as [
        never,
      ],
    });
    const [a, b] = await Promise.allSettled([
      h.executeUpdate(decideUpdate, args('approve')),
      h.executeUpdate(decideUpdate, args('reject')),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const s = await stack.state(emp.employeeId);
    const decided = s.approvals.find((r) => r.id === w.pendingApprovals[0]!.id)!;
    expect(decided.status).toBe(a.status === 'fulfilled' ? 'approved' : 'rejected');
  });

  it('a field HR clears is removed downstream; an adopted account is brought up to date at once', async () => {
    const emp = employee({ title: 'Has a title', costCenter: 'CC-1' });
    await seedUser(base(), 'generic', { userName: emp.email, title: 'Stale', nickName: 'stale', active: true });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    const [u] = await accounts('generic', emp);
    expect(u).toMatchObject({ externalId: emp.employeeId, title: 'Has a title' });
    const { title: _t, costCenter: _c, ...cleared } = emp;
    await stack.send(event('update', cleared));
    await eventually(async () => (await accounts('generic', emp))[0]?.title === undefined, 'title removed');
    const [v] = await accounts('generic', emp);
    expect(JSON.stringify(v!.raw)).not.toContain('CC-1');
  });
});

describe('robustness', () => {
  it('garbage in signals and Updates is recorded and ignored; the next termination still runs', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    const h = stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
    await h.signal(approvalSignal, {} as never);
    await h.signal(retrySignal, 'x' as never);
    await h.signal(skipSignal, { app: 42 } as never);
    await h.signal(hrEventSignal, { id: 'bad' } as never);
    const refused = await h.executeUpdate(decideUpdate, { args: [{} as never] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const s = await stack.state(emp.employeeId);
    expect(
      s.log.filter((l) => l.kind === 'invalid-message' || l.kind === 'refused-decision').length,
    ).toBeGreaterThanOrEqual(4);
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, settled, 'left');
    expect(await active('generic', emp)).toEqual([]);
  });

  it('a person whose workflow was terminated: the next event rebuilds the links from the apps and the leaver deactivates everything', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    await stack.client.workflow
      .getHandle(identityWorkflowId(emp.employeeId))
      .terminate('an operator clicked Terminate');
    await stack.send(event('terminate', emp));
    await stack.until(emp.employeeId, settled, 'left');
    for (const app of ['generic', 'jumpcloud'] as const) {
      expect(await accounts(app, emp)).toHaveLength(1);
      expect(await active(app, emp)).toEqual([]);
    }
  });

  it('refresh looks at the apps again: drift made by an admin is converged; with continueAsNew a fresh run takes over', async () => {
    const emp = employee({ department: 'Sales' });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    const [g] = await accounts('generic', emp);
    // An admin deactivates the account and removes it from a group, behind scimflow's back.
    const { request } = await import('undici');
    await request(`${base()}/generic/scim/v2/Users/${g!.id}`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer dev-token', 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
    }).then((r) => r.body.text());
    const h = stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
    const firstRun = (await h.describe()).runId;
    await h.signal(refreshSignal, { reason: 'nightly', continueAsNew: true });
    await eventually(async () => (await active('generic', emp)).length === 1, 'reactivated by the refresh');
    await eventually(
      async () =>
        (await stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId)).describe()).runId !== firstRun,
      'a new run',
    );
    const s = await stack.until(emp.employeeId, settled, 'settled in the new run');
    expect(s.events.map((e) => e.type)).toEqual(['hire']);
  });

  it('concurrent joiners that need the same new group make it once, even where duplicate names are allowed', async () => {
    await knobs(base(), 'generic', { allowDuplicateGroupNames: true });
    try {
      const people = Array.from({ length: 6 }, () => employee({ department: 'Marketing' }));
      await Promise.all(people.map((p) => stack.send(event('hire', p))));
      for (const p of people) await stack.until(p.employeeId, settled, 'joined', 40_000);
      expect((await groupsOf(base(), 'generic')).filter((g) => g.displayName === 'marketing')).toHaveLength(1);
    } finally {
      await knobs(base(), 'generic', { allowDuplicateGroupNames: false });
    }
  });
});

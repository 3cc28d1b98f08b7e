// Crashes, credentials that stop working, apps that stay down, and replay of recorded histories
// against the current workflow code (the determinism guard), on a real Temporal server. Outcomes
// are read over the apps' own SCIM HTTP APIs; `scimflow stuck` and visibility are what ops see.
import { findStuck, signalAttention } from '../../src/cli/ops';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { knobs, type AppName } from '../helpers/apps';
import { accountsFor, activeFor, requestLog, settled } from '../helpers/oracle';
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
  for (const app of ['generic', 'jumpcloud'] as const)
    await knobs(stack.sandbox.url, app, { failNext: 0, failStatus: 500, dropAfterCommit: 0, latencyMs: 0 });
});

type Emp = ReturnType<typeof employee>;
const base = () => stack.sandbox.url;
const accounts = (app: AppName, emp: Emp) => accountsFor(base(), app, emp);
const active = (app: AppName, emp: Emp) => activeFor(base(), app, emp);

async function visible(query: string, workflowId: string): Promise<string[]> {
  return waitFor(
    async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `${query} AND WorkflowId = '${workflowId}'` }))
        ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    },
    { what: `visible: ${query}` },
  );
}

describe('resilience', () => {
  it('the worker stopped mid-joiner, with a create response lost, and restarted → exactly one account per app', async () => {
    const emp = employee();
    const from = (await requestLog(base(), 'generic')).length;
    // Slow requests, and the first write commits but its response is lost: the crash lands mid-request.
    await knobs(base(), 'generic', { latencyMs: 800, dropAfterCommit: 1 });
    await stack.send(event('hire', emp));
    await waitFor(
      async () => (await requestLog(base(), 'generic')).slice(from).some((r) => r.method === 'POST') || undefined,
      { what: 'a create in flight' },
    );
    await stack.stopWorkers();
    await knobs(base(), 'generic', { latencyMs: 0 });
    await stack.restartWorkers();
    const state = await stack.until(emp.employeeId, settled, 'joined after the restart', 60_000);
    const log = (await requestLog(base(), 'generic')).slice(from);
    expect(log.some((r) => r.method === 'POST' && r.fault === 'dropped after commit')).toBe(true);
    const g = await accounts('generic', emp);
    expect(g).toHaveLength(1);
    expect(state.apps.generic!.link.scimId).toBe(g[0]!.id);
    expect(g[0]!.active).toBe(true);
    expect(await accounts('jumpcloud', emp)).toHaveLength(1);
  }, 90_000);

  it('an auth failure in a leaver needs attention, the other apps are unaffected; the fixed token and `retry` finish it', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    const workflowId = identityWorkflowId(emp.employeeId);

    await stack.stopWorkers();
    await stack.restartWorkers({ SCIMFLOW_GENERIC_TOKEN: 'revoked-token' });
    await stack.send(event('terminate', emp));
    const stuck = await stack.until(
      emp.employeeId,
      (s) => s.problems.includes('attention:generic') && s.apps.jumpcloud?.state === 'deactivated',
      'generic needs attention',
    );
    expect(stuck.stage).toBe('leaving');
    expect(stuck.problems).toEqual(['attention:generic']);
    expect(stuck.apps.generic!.failure).toMatchObject({ code: 'AUTH_FAILED', needsPerson: true, attempts: 1 });
    expect(stuck.apps.generic!.failure!.lastError).toMatch(/401|auth/i);
    // jumpcloud's token still works: its deactivation is not held up by generic.
    expect(await active('jumpcloud', emp)).toEqual([]);
    expect((await accounts('jumpcloud', emp)).map((u) => u.active)).toEqual([false]);
    expect((await accounts('generic', emp)).map((u) => u.active)).toEqual([true]);

    // Ops see it: in `scimflow stuck` and with one visibility query.
    const rows = (await findStuck(stack.client, { stage: 'leaving' })).filter((r) => r.employeeId === emp.employeeId);
    expect(rows).toEqual([
      expect.objectContaining({ app: 'generic', reason: 'needs-attention', stage: 'leaving', workflowId, attempts: 1 }),
    ]);
    expect(rows[0]!.lastFailure).toMatch(/401|auth/i);
    expect(
      await visible(
        `ScimflowNeedsAttention = true AND ScimflowStage = 'leaving' AND ScimflowProblems = 'attention:generic'`,
        workflowId,
      ),
    ).toEqual([workflowId]);

    // The token is fixed; ops retry.
    await stack.stopWorkers();
    await stack.restartWorkers();
    expect(await signalAttention(stack.client, emp.employeeId, 'retry', 'generic')).toEqual(['generic']);
    // generic keeps a leaver's account for 6 s: on a slow machine the retry can come after that, so
    // the test waits for the whole leaver (deactivated first, then deleted) instead of racing it.
    const left = await stack.until(
      emp.employeeId,
      (s) => settled(s) && s.log.some((l) => l.detail.startsWith('generic: deleted ')),
      'left after the retry, and past the retention',
    );
    expect(left.problems).toEqual([]);
    expect(left.apps.generic).toMatchObject({ state: 'absent' });
    expect(left.apps.generic!.failure).toBeUndefined();
    const details = left.log.map((l) => l.detail.replace(/ [0-9a-f-]{36}/, ' <id>'));
    expect(details.slice(details.indexOf('retry generic')).filter((d) => d.startsWith('generic: '))).toEqual([
      'generic: deactivated <id> (leaver)',
      'generic: removed <id> from all-staff (leaver)',
      'generic: removed <id> from sales (leaver)',
      'generic: deleted <id>',
    ]);
    // Nothing reached generic before the retry: the revoked token failed the leaver's first step.
    const terminated = details.findIndex((d) => d.startsWith('terminate '));
    expect(
      details.slice(terminated, details.indexOf('retry generic')).filter((d) => d.startsWith('generic: ')),
    ).toEqual([]);
    expect(await accounts('generic', emp)).toEqual([]);
    expect((await findStuck(stack.client)).filter((r) => r.employeeId === emp.employeeId)).toEqual([]);
    expect(await visible(`ScimflowNeedsAttention = false AND ScimflowStage = 'left'`, workflowId)).toEqual([
      workflowId,
    ]);
  }, 90_000);

  it('a leaver against an app answering 503 is retried without limit, listed by `stuck` as failing since it began, and finishes when the app recovers', async () => {
    const emp = employee();
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, settled, 'joined');
    await knobs(base(), 'generic', { failNext: 100_000, failStatus: 503 });
    const t0 = Date.now();
    await stack.send(event('terminate', emp));
    // jumpcloud is not held up.
    await waitFor(async () => (await active('jumpcloud', emp)).length === 0 || undefined, {
      what: 'jumpcloud deactivated',
    });
    const rows = await waitFor(
      async () => {
        const r = (await findStuck(stack.client, { stage: 'leaving', minAttempts: 3 })).filter(
          (x) => x.employeeId === emp.employeeId,
        );
        return r.length ? r : undefined;
      },
      { timeoutMs: 45_000, what: 'a leaver failing three times in stuck' },
    );
    expect(rows).toEqual([expect.objectContaining({ app: 'generic', reason: 'failing', stage: 'leaving' })]);
    expect(rows[0]!.attempts).toBeGreaterThanOrEqual(3);
    expect(rows[0]!.lastFailure).toMatch(/503/);
    const since = Date.parse(rows[0]!.since);
    expect(since).toBeGreaterThanOrEqual(t0 - 1_000);
    expect(since).toBeLessThan(Date.now());
    const s = await stack.state(emp.employeeId);
    expect(s.stage).toBe('leaving');
    expect(s.apps.generic!.failure).toMatchObject({
      needsPerson: false,
      code: 'UNAVAILABLE',
      since: rows[0]!.since,
      nextTryAt: expect.any(String),
    });
    expect(s.problems).toEqual(['failing:generic']);
    // It keeps going: a later look finds more attempts, counted from the same moment.
    const later = await waitFor(
      async () => {
        const r = (await stack.state(emp.employeeId)).apps.generic!.failure;
        return r && r.attempts > rows[0]!.attempts ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'another failed pass' },
    );
    expect(later.since).toBe(rows[0]!.since);

    await knobs(base(), 'generic', { failNext: 0 });
    const left = await stack.until(emp.employeeId, settled, 'left after the app recovered', 60_000);
    expect(left.apps.generic!.failure).toBeUndefined();
    // By now generic's 6 s retention has passed too: deactivated first, then deleted.
    const actions = left.log
      .filter((l) => l.kind === 'action' && l.detail.startsWith('generic: '))
      .map((l) => l.detail.replace(/ [0-9a-f-]{36}/, ' <id>'));
    const leaver = actions.slice(actions.indexOf('generic: deactivated <id> (leaver)'));
    expect(leaver).toEqual([
      'generic: deactivated <id> (leaver)',
      'generic: removed <id> from all-staff (leaver)',
      'generic: removed <id> from sales (leaver)',
      'generic: deleted <id>',
    ]);
    expect(await accounts('generic', emp)).toEqual([]);
  }, 120_000);

  it('replays every recorded history against the current workflow code; no secret is in any of them', async () => {
    const n = await replayEverything(stack, ['revoked-token']);
    expect(n).toBeGreaterThanOrEqual(5);
  });
});

// Bulk onboarding, bounded (100 people; `npm run bench:onboarding` runs 1,000): the generic app
// already holds accounts for most of the company, behind a 20 requests/second limit; the import
// scans it once and hands each controller what it saw. Counted from the sandbox's request log:
// at most 1.05 requests per account and no duplicate. A hint gone stale (the account deleted after
// the scan) costs a failed write and a lookup, and the lane still converges.
import { company, seedGeneric, tally } from '../../bench/onboarding/scenario';
import { buildHints, runImport, waitForSettled } from '../../src/roster/import';
import { dispatchItems } from '../../src/roster/temporal';
import { diffRoster } from '../../src/domain/roster';
import { rosterHash } from '../../src/roster/settings';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { hrEventSignal, MAIN_TASK_QUEUE, type HrEventSignalArgs } from '../../src/workflows/definitions';
import type { identityWorkflow } from '../../src/workflows/identity';
import type { ObservationHints } from '../../src/workflows/hints';
import { deleteUserIn, seedUser } from '../helpers/apps';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { sandboxConfig } from '../helpers/sandbox-config';

const RPS = 20;
const CONFIG = sandboxConfig({ sandbox: '{{SANDBOX}}', apps: { generic: RPS } });

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(CONFIG);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it('100 employees onto an app that holds most of them: ≤ 1.05 requests per account, no duplicate, everyone linked', async () => {
  const c = company(100, 'OB');
  const desire = (e: Parameters<Stack['composed']['deps']['desire']>[0]) => stack.composed.deps.desire(e);
  const seeded = await seedGeneric(stack.sandbox, c, desire, 'OB');
  expect(seeded).toBe(100);
  const app = stack.sandbox.app('generic');
  app.controls.log.length = 0; // count from here on
  app.setKnobs({ rateLimit: { limit: RPS, windowMs: 1000 } });

  const started = Date.now();
  const result = await runImport({
    client: stack.client,
    entries: c.entries,
    dryRun: false,
    hints: 'auto',
    connectors: stack.composed.connectors,
    desire,
  });
  expect(result.plan.counts).toMatchObject({ hire: 100, update: 0, terminate: 0 });
  expect(result.scans).toEqual([{ app: 'generic', accounts: 100, hinted: 100, found: 90 }]);
  expect(result.dispatch).toEqual({ sent: 100, failed: [] });
  const progress: number[] = [];
  const wait = await waitForSettled(stack.client, result.plan.items, {
    onProgress: (p) => progress.push(p.done),
    pollMs: 250,
    stallMs: 30_000,
  });
  expect(wait.unsettled).toEqual([]);
  const seconds = (Date.now() - started) / 1000;

  const t = tally(stack.sandbox, c);
  const perAccount = t.requests / c.entries.length;
  process.stdout.write(
    `onboarding 100: ${t.requests} requests (${perAccount.toFixed(2)}/account), ${t.throttled} × 429, ${seconds.toFixed(1)} s (bound ${(t.requests / RPS).toFixed(1)} s)\n`,
  );
  expect(perAccount).toBeLessThanOrEqual(1.05);
  // The work that was really needed: 1 page + 40 adopts + 10 drifted + 10 creates.
  expect(t.requests).toBe(61);
  expect(t.duplicates).toEqual([]);
  expect(t.missing).toEqual([]);
  expect(progress.at(-1)).toBe(100);

  // Nothing left to do: a fresh diff of the same roster is empty.
  const again = await runImport({
    client: stack.client,
    entries: c.entries,
    dryRun: true,
    hints: 'auto',
    connectors: stack.composed.connectors,
    desire,
  });
  expect(again.plan.counts).toMatchObject({ hire: 0, update: 0, terminate: 0, unchanged: 100 });
}, 120_000);

it('a hint gone stale (the account deleted after the scan) fails its write, the lane observes again and creates', async () => {
  stack.sandbox.app('generic').setKnobs({ rateLimit: null });
  const e = employee({ employeeId: `ST${Date.now().toString(36)}`, department: 'Engineering' });
  const d = stack.composed.deps.desire(e).find((x) => x.app === 'generic')!;
  const { externalId: _x, ...unowned } = d.user;
  const acc = await seedUser(stack.sandbox.url, 'generic', { ...unowned });
  const plan = diffRoster(
    [{ row: 1, employee: e, managed: ['employeeId', 'email', 'givenName', 'familyName', 'title', 'department'] }],
    [],
    { hash: rosterHash },
  );
  const { hints } = await buildHints(plan.items, {
    connectors: stack.composed.connectors,
    desire: (x) => stack.composed.deps.desire(x),
    mode: 'always',
  });
  expect(hints.get(e.employeeId)?.hints[0]?.resources.map((r) => r.id)).toEqual([acc.id]);
  await deleteUserIn(stack.sandbox.url, 'generic', acc.id);
  await dispatchItems(stack.client, plan.items, { hints });
  const s = await stack.until(
    e.employeeId,
    (v) => v.stage === 'active' && v.problems.length === 0,
    'joined after the stale hint',
    30_000,
  );
  expect(s.apps.generic?.account?.id).not.toBe(acc.id);
  expect(s.log.map((l) => l.detail).join('\n')).toMatch(/generic: created the account/);
  // An invalid hint is refused and recorded; the next event is observed as usual.
  await stack.client.workflow.getHandle(`identity-${e.employeeId}`).signal('observationHint', {
    hints: [
      {
        app: 'generic',
        userName: 'x',
        observedAt: 'yesterday',
        resources: [{ id: '1', userName: 'x', password: 'p' }],
      },
    ],
  });
  await stack.send(event('update', { ...e, title: 'Principal' }));
  const after = await stack.until(
    e.employeeId,
    (v) =>
      v.stage === 'active' && v.apps.generic?.account !== undefined && v.log.some((l) => l.kind === 'invalid-message'),
    'update applied',
    30_000,
  );
  expect(after.log.find((l) => l.kind === 'invalid-message')?.detail).toMatch(/observationHint refused: .*password/);
}, 60_000);

it('hints ride on their hrEvent: invalid ones are refused and recorded while the event applies; a redelivered event brings none', async () => {
  stack.sandbox.app('generic').setKnobs({ rateLimit: null });
  const e = employee({ employeeId: `HR${Date.now().toString(36)}`, department: 'Engineering' });
  const bad = {
    hints: [
      {
        app: 'generic',
        userName: 'x',
        observedAt: 'yesterday',
        resources: [{ id: '1', userName: 'x', password: 'p' }],
      },
    ],
  };
  const hire = event('hire', e);
  await stack.client.workflow.signalWithStart<typeof identityWorkflow, HrEventSignalArgs>('identityWorkflow', {
    workflowId: identityWorkflowId(e.employeeId),
    taskQueue: MAIN_TASK_QUEUE,
    args: [{ employeeId: e.employeeId }],
    signal: hrEventSignal,
    signalArgs: [hire, bad as unknown as ObservationHints],
  });
  const s = await stack.until(e.employeeId, (v) => v.stage === 'active' && v.problems.length === 0, 'joined', 30_000);
  const refusals = () => s.log.filter((l) => l.kind === 'invalid-message').map((l) => l.detail);
  expect(refusals()).toEqual([expect.stringMatching(/^observationHint refused: .*password/)]);
  expect(s.log.map((l) => l.detail).join('\n')).toMatch(/generic: created the account/);
  // The same event again, with the same bad hints: a redelivery has no effect, its hints are not even read.
  await stack.client.workflow.getHandle(identityWorkflowId(e.employeeId)).signal(hrEventSignal, hire, bad as never);
  await stack.send(event('update', { ...e, title: 'Principal' }));
  const after = await stack.until(
    e.employeeId,
    (v) => v.stage === 'active' && v.employment.employee?.title === 'Principal' && v.problems.length === 0,
    'update applied',
    30_000,
  );
  expect(after.log.filter((l) => l.kind === 'invalid-message')).toHaveLength(1);
}, 60_000);

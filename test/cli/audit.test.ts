// `scimflow audit` and `scimflow seats` as processes against a real stack (Temporal dev server,
// worker, sandbox apps): every decision — CLI, Update, signal — retry, skip and conflict resolution
// appears with who, when, how and why; the filters; the seat counts against the sandbox's own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry, PersonAuditEntry } from '../../src/domain/audit';
import type { SeatReport } from '../../src/domain/seats';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { approvalSignal, auditQuery, decideUpdate, refreshSignal } from '../../src/workflows/definitions';
import { knobs, seedUser, usersOf } from '../helpers/apps';
import { scimflow } from '../helpers/cli';
import { employee, event, startStack, TEST_ENV, withTestEncryption, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

// Approvals must wait (5 min, not 60 s); jasper's leaver accounts are deleted 30 days on.
const CONFIG = LIFECYCLE_CONFIG.replace(
  /(approvals:\s*\n\s*jasper:[\s\S]*?timeout:\s*)60s/,
  (_, head: string) => `${head}5m`,
).replace(
  '    generic:\n      hardDelete: { after: 6s }\n',
  '    generic:\n      hardDelete: { after: 6s }\n    jasper:\n      hardDelete: { after: 30d }\n',
);
const DAY = 86_400_000;

let stack: Stack;
let env: Record<string, string>;
let configFile: string;
beforeAll(async () => {
  expect(CONFIG).toMatch(/timeout: 5m/);
  expect(CONFIG).toMatch(/after: 30d/);
  stack = await startStack(CONFIG);
  configFile = join(mkdtempSync(join(tmpdir(), 'scimflow-audit-')), 'scimflow.yaml');
  // With the stack's payload key: the CLI reads the controllers' encrypted answers.
  writeFileSync(configFile, withTestEncryption(CONFIG.replaceAll('{{SANDBOX}}', stack.sandbox.url)));
  env = { ...TEST_ENV, TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: 'default' };
}, 120_000);
afterAll(async () => {
  for (const app of ['generic', 'jasper', 'jumpcloud'] as const)
    await knobs(stack.sandbox.url, app, { failNext: 0 }).catch(() => undefined);
  await stack?.close();
});

const handle = (id: string) => stack.client.workflow.getHandle(identityWorkflowId(id));
const trail = (id: string) => handle(id).query(auditQuery);
const trailHas = (id: string, pred: (e: AuditEntry) => boolean, what: string) =>
  waitFor(async () => ((await trail(id)).some(pred) ? true : undefined), { what: `${id}: ${what}`, timeoutMs: 20_000 });

async function engineerWaitingForJasper(): Promise<string> {
  const emp = employee({ department: 'Engineering' });
  await stack.send(event('hire', emp));
  await stack.until(
    emp.employeeId,
    (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
    'jasper approval pending',
  );
  return emp.employeeId;
}

async function audit(args: string[] = []): Promise<{ entries: PersonAuditEntry[]; unreadable: string[] }> {
  const res = await scimflow(['audit', '--json', ...args], env);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as { entries: PersonAuditEntry[]; unreadable: string[] };
}

const osUser = userInfo().username;
const people: Record<'cli' | 'update' | 'signal' | 'ops' | 'conflict', string> = {
  cli: '',
  update: '',
  signal: '',
  ops: '',
  conflict: '',
};
let sinceIso = '';

describe('scimflow audit', () => {
  it('records decisions via the CLI, the Update without via (ui-update) and the signal, refusals included', async () => {
    people.cli = await engineerWaitingForJasper();
    const approved = await scimflow(
      ['approve', people.cli, 'jasper', '--as', 'lead@example.com', '--comment', 'budget ok'],
      env,
    );
    expect(approved.code).toBe(0);

    people.update = await engineerWaitingForJasper();
    await handle(people.update).executeUpdate(decideUpdate, {
      args: [{ app: 'jasper', decision: 'reject', approver: 'lead@example.com', comment: 'no budget' }],
    });

    await new Promise((r) => setTimeout(r, 50));
    sinceIso = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));

    people.signal = await engineerWaitingForJasper();
    await handle(people.signal).signal(approvalSignal, {
      app: 'jasper',
      decision: 'approve',
      approver: 'intruder@example.com',
    });
    await handle(people.signal).signal(approvalSignal, {
      app: 'jasper',
      decision: 'approve',
      approver: 'lead@example.com',
      via: 'email',
    } as never);
    await handle(people.signal).signal(approvalSignal, {
      app: 'jasper',
      decision: 'approve',
      approver: 'lead@example.com',
      comment: 'ok from chat',
    });
    await trailHas(people.signal, (e) => e.outcome === 'applied' && e.action === 'approve', 'the signalled approval');
    // Both approved people get their seat.
    for (const id of [people.cli, people.signal])
      await stack.until(id, (s) => s.apps.jasper?.state === 'in-sync', 'jasper account');
  }, 120_000);

  it('records a retry with its reason, a skip, and a retry that resolves an identity conflict', async () => {
    // Everyone so far is done with JumpCloud before it starts refusing our token.
    for (const id of [people.cli, people.update, people.signal])
      await stack.until(id, (s) => s.apps.jumpcloud?.state === 'in-sync', 'jumpcloud done');
    const emp = employee({ department: 'Sales' });
    people.ops = emp.employeeId;
    await knobs(stack.sandbox.url, 'jumpcloud', { failNext: 1000, failStatus: 401 });
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, (s) => s.problems.includes('attention:jumpcloud'), 'jumpcloud needs attention');
    const retried = await scimflow(
      ['retry', emp.employeeId, '--app', 'jumpcloud', '--reason', 'token rotated', '--as', 'ops@example.com'],
      env,
    );
    expect(retried.code).toBe(0);
    await trailHas(emp.employeeId, (e) => e.action === 'retry', 'the retry');
    await stack.until(emp.employeeId, (s) => s.problems.includes('attention:jumpcloud'), 'jumpcloud still refuses');
    const skipped = await scimflow(
      ['skip', emp.employeeId, '--app', 'jumpcloud', '--reason', 'not needed for sales'],
      env,
    );
    expect(skipped.code).toBe(0);
    await trailHas(emp.employeeId, (e) => e.action === 'skip', 'the skip');
    await knobs(stack.sandbox.url, 'jumpcloud', { failNext: 0 });

    const other = employee();
    people.conflict = other.employeeId;
    await seedUser(stack.sandbox.url, 'generic', {
      userName: other.email,
      externalId: `COLLEAGUE-${other.employeeId}`,
      active: true,
    });
    await stack.send(event('hire', other));
    await stack.until(other.employeeId, (s) => s.problems.includes('conflict:generic'), 'identity conflict');
    const resolved = await scimflow(
      [
        'retry',
        other.employeeId,
        '--app',
        'generic',
        '--by',
        'helpdesk@example.com',
        '--reason',
        'colleague account renamed',
      ],
      env,
    );
    expect(resolved.code).toBe(0);
    await trailHas(other.employeeId, (e) => e.action === 'resolve-conflict', 'the conflict resolution');
  }, 120_000);

  it('lists every entry across people, in time order, with who, when, how and why', async () => {
    const { entries, unreadable } = await audit();
    expect(unreadable).toEqual([]);
    const at = entries.map((e) => Date.parse(e.at));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const of = (id: string) =>
      entries.filter((e) => e.employeeId === id).map(({ seq: _s, at: _a, employeeId: _e, ...rest }) => rest);

    expect(of(people.cli)).toEqual([
      {
        action: 'approve',
        outcome: 'applied',
        by: 'lead@example.com',
        via: 'cli',
        reason: 'budget ok',
        verified: false,
        app: 'jasper',
        requestId: expect.stringMatching(/^jasper-/),
      },
    ]);
    expect(of(people.update)).toEqual([
      {
        action: 'reject',
        outcome: 'applied',
        by: 'lead@example.com',
        via: 'ui-update',
        verified: false,
        reason: 'no budget',
        app: 'jasper',
        requestId: expect.stringMatching(/^jasper-/),
      },
    ]);
    expect(of(people.signal)).toEqual([
      {
        action: 'approve',
        outcome: 'refused',
        by: 'intruder@example.com',
        via: 'signal',
        app: 'jasper',
        refusal: 'intruder@example.com is not an approver for jasper',
      },
      {
        action: 'approve',
        outcome: 'refused',
        by: 'lead@example.com',
        via: 'signal',
        app: 'jasper',
        refusal: expect.stringMatching(/^via: /),
      },
      {
        action: 'approve',
        outcome: 'applied',
        by: 'lead@example.com',
        via: 'signal',
        verified: false,
        reason: 'ok from chat',
        app: 'jasper',
        requestId: expect.stringMatching(/^jasper-/),
      },
    ]);
    expect(of(people.ops)).toEqual([
      {
        action: 'retry',
        outcome: 'applied',
        by: 'ops@example.com',
        via: 'cli',
        reason: 'token rotated',
        app: 'jumpcloud',
        problem: 'needs-attention',
      },
      {
        action: 'skip',
        outcome: 'applied',
        by: osUser,
        via: 'cli',
        reason: 'not needed for sales',
        app: 'jumpcloud',
        problem: 'needs-attention',
      },
    ]);
    expect(of(people.conflict)).toEqual([
      {
        action: 'resolve-conflict',
        outcome: 'applied',
        by: 'helpdesk@example.com',
        via: 'cli',
        reason: 'colleague account renamed',
        app: 'generic',
        problem: 'conflict',
      },
    ]);
    for (const e of entries) expect(Number.isFinite(Date.parse(e.at))).toBe(true);

    const text = await scimflow(['audit'], env);
    expect(text.code).toBe(0);
    expect(
      text.stdout
        .split('\n')
        .some(
          (l) =>
            l.includes(people.ops) &&
            l.includes('retry') &&
            l.includes('ops@example.com') &&
            l.includes('token rotated'),
        ),
    ).toBe(true);
  }, 60_000);

  it('--person, --since (a date or a duration) and --app filter; a bad --since is a usage error', async () => {
    const one = await audit(['--person', people.update]);
    expect(one.entries.map((e) => `${e.employeeId}:${e.action}`)).toEqual([`${people.update}:reject`]);

    const since = await audit(['--since', sinceIso]);
    const ids = new Set(since.entries.map((e) => e.employeeId));
    expect(ids.has(people.cli)).toBe(false);
    expect(ids.has(people.update)).toBe(false);
    expect([people.signal, people.ops, people.conflict].every((id) => ids.has(id))).toBe(true);
    expect(since.entries.every((e) => e.at >= sinceIso)).toBe(true);

    const hour = await audit(['--since', '1h']);
    expect(hour.entries.length).toBeGreaterThanOrEqual(8);
    expect((await audit(['--since', '2999-01-01T00:00:00Z'])).entries).toEqual([]);

    const jc = await audit(['--app', 'jumpcloud']);
    expect(jc.entries.map((e) => e.action)).toEqual(['retry', 'skip']);

    const bad = await scimflow(['audit', '--since', 'last tuesday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);
    const nobody = await scimflow(['audit', '--person', 'NOBODY-XYZ'], env);
    expect(nobody.code).toBe(2);
  }, 60_000);

  it('the trail is carried across continue-as-new (a refresh that asks for one is itself recorded)', async () => {
    const before = await handle(people.update).describe();
    await handle(people.update).signal(refreshSignal, {
      continueAsNew: true,
      reason: 'fresh run',
      by: 'ops@example.com',
      via: 'cli',
    });
    await waitFor(async () => ((await handle(people.update).describe()).runId !== before.runId ? true : undefined), {
      what: 'a new run',
      timeoutMs: 20_000,
    });
    const after = await trail(people.update);
    expect(after.map((e) => [e.seq, e.action, e.by, e.via])).toEqual([
      [1, 'reject', 'lead@example.com', 'ui-update'],
      [2, 'refresh', 'ops@example.com', 'cli'],
    ]);
    expect(after[1]!.reason).toBe('fresh run');
  }, 60_000);
});

describe('scimflow seats', () => {
  it('per paid-seat app: held (the app’s own count), pending, held by a leaver with how long, scheduled for deletion', async () => {
    // A leaver whose Jasper deactivation cannot happen (the app refuses our token): the seat stays held.
    const leaver = employee({ department: 'Engineering' });
    await stack.send(event('hire', leaver));
    await stack.until(
      leaver.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
      'jasper approval pending',
    );
    expect((await scimflow(['approve', leaver.employeeId, 'jasper', '--as', 'lead@example.com'], env)).code).toBe(0);
    await stack.until(
      leaver.employeeId,
      (s) => s.apps.jasper?.state === 'in-sync' && s.apps.jumpcloud?.state === 'in-sync',
      'jasper and jumpcloud accounts',
    );
    await knobs(stack.sandbox.url, 'jasper', { failNext: 1000, failStatus: 401 });
    await stack.send(event('terminate', leaver));
    const left = await stack.until(
      leaver.employeeId,
      (s) => s.employment.status === 'left' && s.problems.includes('attention:jasper'),
      'jasper deactivation needs attention',
    );
    await knobs(stack.sandbox.url, 'jasper', { failNext: 0 });
    // And one seat that waits for a decision.
    await engineerWaitingForJasper();

    const res = await scimflow(['seats', '--json', '-c', configFile], env);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { apps: SeatReport[]; unreadable: string[] };
    expect(out.unreadable).toEqual([]);
    // Only the paid-seat apps by default.
    expect(out.apps.map((a) => a.app)).toEqual(['jasper']);
    const jasper = out.apps[0]!;
    const activeInJasper = (await usersOf(stack.sandbox.url, 'jasper')).filter((u) => u.active);
    expect(jasper.source).toBe('app');
    expect(jasper.held).toBe(activeInJasper.length);
    expect(jasper.held).toBe(stack.sandbox.app('jasper').seats().active);
    // The CLI approval, the signalled approval, and the leaver's.
    expect(jasper.held).toBeGreaterThanOrEqual(3);
    expect(jasper.pendingApproval).toBe(1);
    const leaverAccount = left.apps.jasper!.account!.id;
    expect(jasper.heldByLeavers).toEqual({
      count: 1,
      seats: [
        {
          employeeId: leaver.employeeId,
          accountId: leaverAccount,
          userName: expect.any(String),
          since: new Date(left.employment.since!).toISOString(),
          days: 0,
        },
      ],
    });
    expect(jasper.scheduledForDeletion.accounts).toEqual([
      {
        employeeId: leaver.employeeId,
        accountId: leaverAccount,
        dueAt: new Date(left.employment.since! + 30 * DAY).toISOString(),
        inDays: 29,
      },
    ]);

    const generic = JSON.parse(
      (await scimflow(['seats', '--json', '--app', 'generic', '-c', configFile], env)).stdout,
    ) as { apps: SeatReport[] };
    expect(generic.apps[0]).toMatchObject({ app: 'generic', paidSeats: false, held: 0 });

    const text = await scimflow(['seats', '-c', configFile], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('held by people who left');
    expect(text.stdout).toContain(leaver.employeeId);
    const unknown = await scimflow(['seats', '--app', 'nope', '-c', configFile], env);
    expect(unknown.code).toBe(2);
  }, 120_000);
});

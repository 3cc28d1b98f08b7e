// `npm run record:histories`: records the replay corpus (docs/versioning.md, "The replay corpus").
//
// Drives a small, fixed set of scenarios through a real Temporal dev server, the sandbox apps and
// the worker exactly as the integration tests do (test/helpers/stack.ts), then writes each
// workflow's history as JSON (History.toJSON(), see test/helpers/histories.ts) to test/fixtures/histories/<package version>/<scenario>.json with an
// index.json that names them. test/workflows/replay-corpus.test.ts replays every committed history
// against the current workflow code. Sandbox data only: the script refuses to write a history in
// which a sandbox token or a webhook secret appears.
//
// Record again (and commit) whenever the workflows change before a release; after a release, the
// directory of that version is never re-recorded — it is what running workflows really contain.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { identityWorkflowId, type Employee, type HrEvent } from '../src/shared/hr-event';
import { packageVersion, resolveBuildId } from '../src/worker/build';
import {
  decideUpdate,
  hrEventSignal,
  MAIN_TASK_QUEUE,
  retrySignal,
  upgradeSignal,
  type IdentityWorkflowInput,
  type PersonView,
} from '../src/workflows/definitions';
import { groupWorkflowId } from '../src/workflows/group';
import { accountsOf, knobs } from '../test/helpers/apps';
import { adoptOnHints } from '../test/helpers/roster-adopt';
import { CORPUS_ROOT, findSecrets, historyJson, type CorpusManifest } from '../test/helpers/histories';
import { startStack, type Stack } from '../test/helpers/stack';
import { waitFor } from '../test/helpers/temporal';
import { LIFECYCLE_CONFIG } from '../test/workflows/config';

interface Recorded {
  /** The file name, without `.json`. */
  name: string;
  workflowId: string;
  /** A closed run (continue-as-new); default: the current one. */
  runId?: string;
  workflowType: 'identityWorkflow' | 'groupWorkflow';
  description: string;
}

interface Scenario {
  name: string;
  run(s: Stack): Promise<Recorded[]>;
}

const APPROVER = 'lead@example.com';
const settled = (v: PersonView) => (v.stage === 'active' || v.stage === 'left') && v.problems.length === 0;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

function person(id: string, overrides: Partial<Employee> = {}): Employee {
  return {
    employeeId: id,
    email: `${id.toLowerCase()}@example.com`,
    givenName: 'Corpus',
    familyName: id,
    department: 'Sales',
    title: 'Account Executive',
    employeeType: 'Employee',
    ...overrides,
  };
}

let seq = 0;
function hr(type: HrEvent['type'], employee: Employee, extra: Partial<HrEvent> = {}): HrEvent {
  seq += 1;
  return { id: `rec-${type}-${employee.employeeId}-${seq}`, type, employee, ...extra };
}

function identity(name: string, employeeId: string, description: string): Recorded {
  return { name, workflowId: identityWorkflowId(employeeId), workflowType: 'identityWorkflow', description };
}

async function decideSeat(s: Stack, employeeId: string, decision: 'approve' | 'reject'): Promise<void> {
  const waiting = await s.until(
    employeeId,
    (v) => v.pendingApprovals.some((p) => p.app === 'jasper'),
    'jasper seat waits',
  );
  await s.client.workflow.getHandle(identityWorkflowId(employeeId)).executeUpdate(decideUpdate, {
    args: [{ app: 'jasper', decision, approver: APPROVER, requestId: waiting.pendingApprovals[0]!.id }],
  });
}

const SCENARIOS: Scenario[] = [
  {
    name: 'hire-with-groups',
    async run(s) {
      const p = person('REC-HIRE');
      await s.send(hr('hire', p));
      await s.until(p.employeeId, settled, 'joined');
      return [
        identity(
          'hire-with-groups',
          p.employeeId,
          'a Sales hire: generic (groups all-staff, sales, made by the group workflow) and jumpcloud',
        ),
        {
          name: 'group-workflow',
          workflowId: groupWorkflowId('generic', 'sales'),
          workflowType: 'groupWorkflow',
          description: 'the single writer of group "sales" in generic: looked up, then created',
        },
      ];
    },
  },
  {
    name: 'hire-approval-approved',
    async run(s) {
      const p = person('REC-APPROVED', { department: 'Engineering', title: 'Engineer' });
      await s.send(hr('hire', p));
      await decideSeat(s, p.employeeId, 'approve');
      await s.until(p.employeeId, settled, 'joined with jasper');
      return [
        identity(
          'hire-approval-approved',
          p.employeeId,
          'an Engineering hire whose jasper seat waits for an approval, then is approved (decide Update)',
        ),
      ];
    },
  },
  {
    name: 'hire-approval-rejected',
    async run(s) {
      const p = person('REC-REJECTED', { department: 'Engineering', title: 'Engineer' });
      await s.send(hr('hire', p));
      await decideSeat(s, p.employeeId, 'reject');
      await s.until(
        p.employeeId,
        (v) => v.stage === 'compensated' && Object.values(v.apps).every((a) => !a.failure && a.state !== 'converging'),
        'compensated',
      );
      return [
        identity(
          'hire-approval-rejected-compensated',
          p.employeeId,
          'an Engineering hire whose jasper seat is rejected: the all-or-nothing join is undone in generic',
        ),
      ];
    },
  },
  {
    name: 'mover',
    async run(s) {
      const p = person('REC-MOVER');
      await s.send(hr('hire', p));
      await s.until(p.employeeId, settled, 'joined');
      await s.send(hr('update', { ...p, department: 'Marketing', title: 'Marketing Lead' }));
      await waitFor(
        async () => {
          const [a] = await accountsOf(s.sandbox.url, 'generic', { externalId: p.employeeId });
          return a && a.groups.join() === 'all-staff,marketing' && a.title === 'Marketing Lead';
        },
        { what: 'moved to marketing', timeoutMs: 30_000 },
      );
      await s.until(p.employeeId, settled, 'moved');
      return [
        identity(
          'mover',
          p.employeeId,
          'a Sales hire moves to Marketing: title updated, sales group left, marketing group joined',
        ),
      ];
    },
  },
  {
    name: 'leaver',
    async run(s) {
      const p = person('REC-LEAVER');
      await s.send(hr('hire', p));
      await s.until(p.employeeId, settled, 'joined');
      await s.send(hr('terminate', p));
      await s.until(p.employeeId, settled, 'left');
      // generic deletes a leaver's account 6 s after the termination (the configuration's hardDelete).
      await waitFor(
        async () => (await accountsOf(s.sandbox.url, 'generic', { externalId: p.employeeId })).length === 0,
        { what: 'generic account deleted', timeoutMs: 30_000 },
      );
      await s.until(p.employeeId, settled, 'left after the delete');
      return [
        identity(
          'leaver',
          p.employeeId,
          'a termination: deactivated and out of groups everywhere, then deleted in generic after its hard-delete timer',
        ),
      ];
    },
  },
  {
    name: 'future-termination-cancelled',
    async run(s) {
      const p = person('REC-CANCEL');
      await s.send(hr('hire', p));
      await s.until(p.employeeId, settled, 'joined');
      const terminate = hr('terminate', p, { effectiveAt: iso(Date.now() + 4_000) });
      await s.send(terminate);
      await pause(500);
      await s.send(hr('cancel', p, { cancels: terminate.id }));
      await pause(5_000);
      const v = await s.until(p.employeeId, settled, 'still employed');
      if (v.employment.status !== 'employed') throw new Error(`${p.employeeId}: the cancelled termination took effect`);
      return [
        identity(
          'future-termination-cancelled',
          p.employeeId,
          'a termination dated 4 s ahead, cancelled before it fires: nothing is deprovisioned',
        ),
      ];
    },
  },
  {
    name: 'rehire',
    async run(s) {
      const p = person('REC-REHIRE');
      await s.send(hr('hire', p));
      await s.until(p.employeeId, settled, 'joined');
      await s.send(hr('terminate', p));
      await s.until(p.employeeId, (v) => settled(v) && v.stage === 'left', 'left');
      await s.send(hr('rehire', p));
      await s.until(p.employeeId, (v) => settled(v) && v.stage === 'active', 'back');
      return [identity('rehire', p.employeeId, 'hire, termination, rehire: the same accounts reactivated')];
    },
  },
  {
    name: 'needs-attention-retry',
    async run(s) {
      const p = person('REC-ATTENTION');
      await knobs(s.sandbox.url, 'jumpcloud', { failNext: 1000, failStatus: 401 });
      try {
        await s.send(hr('hire', p));
        await s.until(p.employeeId, (v) => v.problems.includes('attention:jumpcloud'), 'jumpcloud needs attention');
      } finally {
        await knobs(s.sandbox.url, 'jumpcloud', { failNext: 0 });
      }
      await s.client.workflow
        .getHandle(identityWorkflowId(p.employeeId))
        .signal(retrySignal, { app: 'jumpcloud', reason: 'token fixed', by: 'ops@example.com' });
      await s.until(p.employeeId, settled, 'joined after retry');
      return [
        identity(
          'needs-attention-retry',
          p.employeeId,
          'jumpcloud refuses the token (401): the app waits for a person; after `retry` it joins',
        ),
      ];
    },
  },
  {
    name: 'continue-as-new',
    async run(s) {
      const p = person('REC-CAN');
      const workflowId = identityWorkflowId(p.employeeId);
      const input: IdentityWorkflowInput = { employeeId: p.employeeId, maxHistoryEvents: 60 };
      await s.client.workflow.signalWithStart('identityWorkflow', {
        workflowId,
        taskQueue: MAIN_TASK_QUEUE,
        args: [input],
        signal: hrEventSignal,
        signalArgs: [hr('hire', p)],
      });
      await s.until(p.employeeId, settled, 'joined');
      const first = (await s.client.workflow.getHandle(workflowId).describe()).runId;
      await s.send(hr('update', { ...p, title: 'Senior Account Executive' }));
      await waitFor(async () => (await s.client.workflow.getHandle(workflowId).describe()).runId !== first, {
        what: 'continued as new',
        timeoutMs: 30_000,
      });
      await s.until(
        p.employeeId,
        (v) => settled(v) && v.apps.generic?.account !== undefined,
        'settled in the next run',
      );
      await waitFor(
        async () =>
          (await accountsOf(s.sandbox.url, 'generic', { externalId: p.employeeId }))[0]?.title ===
          'Senior Account Executive',
        { what: 'update applied by the next run' },
      );
      return [
        {
          ...identity(
            'continue-as-new-first-run',
            p.employeeId,
            'a hire with maxHistoryEvents 60: the next event makes the run continue-as-new, carrying its state',
          ),
          runId: first,
        },
        identity(
          'continue-as-new-next-run',
          p.employeeId,
          'the run continued from it: migrates the carried state and applies the update',
        ),
      ];
    },
  },
  {
    name: 'roster-adopt-with-hints',
    async run(s) {
      // Day one: generic and jumpcloud already hold this person's accounts, unlinked (no
      // externalId). A roster import scans both and sends the hire with what it saw.
      const p = person('REC-ROSTER');
      await adoptOnHints(s, p);
      await s.until(p.employeeId, settled, 'adopted');
      return [
        identity(
          'roster-adopt-with-hints',
          p.employeeId,
          'a roster import adopts existing unlinked accounts in generic and jumpcloud from its scan (hints on the hrEvent signal)',
        ),
      ];
    },
  },
  {
    name: 'upgrade-signal',
    async run(s) {
      const p = person('REC-UPGRADE');
      const workflowId = identityWorkflowId(p.employeeId);
      await s.send(hr('hire', p));
      await s.until(p.employeeId, settled, 'joined');
      const handle = s.client.workflow.getHandle(workflowId);
      const first = (await handle.describe()).runId;
      await handle.signal(upgradeSignal, { reason: 'scimflow upgrade', by: 'ops@example.com' });
      await pause(1_000);
      await s.send(hr('update', { ...p, title: 'After the upgrade' }));
      await waitFor(
        async () =>
          (await accountsOf(s.sandbox.url, 'generic', { externalId: p.employeeId }))[0]?.title === 'After the upgrade',
        { what: 'update applied' },
      );
      await s.until(p.employeeId, settled, 'settled');
      const continued = (await handle.describe()).runId !== first;
      return [
        {
          ...identity(
            'upgrade-signal',
            p.employeeId,
            continued
              ? 'an `upgrade` signal: the controller continues as new at once'
              : 'an `upgrade` signal to a controller without its handler (ignored), then an update',
          ),
          runId: first,
        },
      ];
    },
  },
];

/**
 * The history once nothing is in flight (no workflow task, activity or child pending but the app's
 * long-lived guard), or the closed run's.
 */
async function quiescentHistory(
  handle: WorkflowHandle,
): Promise<ReturnType<WorkflowHandle['fetchHistory']> extends Promise<infer H> ? H : never> {
  let lastLength = -1;
  for (let i = 0; i < 100; i++) {
    const d = await handle.describe();
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    if (d.status.name !== 'RUNNING') return history;
    const busy =
      Boolean(d.raw.pendingWorkflowTask) ||
      (d.raw.pendingActivities?.length ?? 0) > 0 ||
      // The mass-change guard is a child that outlives its parent (src/workflows/guard-client.ts).
      (d.raw.pendingChildren ?? []).some((c) => c.workflowTypeName !== 'guardWorkflow');
    // Nothing scheduled and nothing new since the last look: the last workflow task has completed
    // and its commands' events (timers, upserts) follow it.
    if (!busy && events.length === lastLength) return history;
    lastLength = events.length;
    await pause(300);
  }
  const d = await handle.describe();
  const pending = [
    ...(d.raw.pendingWorkflowTask ? ['a workflow task'] : []),
    ...(d.raw.pendingActivities ?? []).map((a) => `activity ${a.activityType?.name} (attempt ${a.attempt})`),
    ...(d.raw.pendingChildren ?? []).map((c) => `child ${c.workflowTypeName}`),
  ];
  throw new Error(`${handle.workflowId}: never quiet (pending: ${pending.join(', ') || 'none; events still growing'})`);
}

/**
 * The recording machine (pid@host) is no business of the repository: every `identity` field becomes
 * "scimflow-recorder", and the worker's sticky task queue (named after it) "scimflow-recorder-sticky".
 * Replay reads neither.
 */
function anonymise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anonymise);
  if (value && typeof value === 'object') {
    const sticky = (value as { kind?: unknown }).kind === 'TASK_QUEUE_KIND_STICKY';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && k === 'identity') out[k] = 'scimflow-recorder';
      else if (typeof v === 'string' && sticky && k === 'name') out[k] = 'scimflow-recorder-sticky';
      else out[k] = anonymise(v);
    }
    return out;
  }
  return value;
}

async function record(client: Client, r: Recorded, dir: string): Promise<CorpusManifest['histories'][number]> {
  const handle = client.workflow.getHandle(r.workflowId, r.runId);
  const history = await quiescentHistory(handle);
  const runId = r.runId ?? (await handle.describe()).runId;
  const json = JSON.stringify(anonymise(historyJson(history)), null, 1);
  const file = join(dir, `${r.name}.json`);
  writeFileSync(file, `${json}\n`);
  return {
    file: relative(CORPUS_ROOT, file),
    workflowId: r.workflowId,
    workflowType: r.workflowType,
    description: r.description,
    runId,
    events: history.events?.length ?? 0,
  };
}

async function main(): Promise<void> {
  const version = packageVersion();
  const buildId = resolveBuildId();
  const dir = join(CORPUS_ROOT, version);
  // A version's directory is what running workflows of that release contain: recording it again
  // from later code would replace it with histories no such run ever had (docs/versioning.md).
  if (existsSync(dir) && !process.argv.includes('--force'))
    throw new Error(
      `${relative(process.cwd(), dir)} exists: bump package.json's version for new histories, or pass --force to re-record an unreleased one`,
    );
  const started = Date.now();
  // In clear text: the corpus is read by people and replayed without keys.
  const stack = await startStack(LIFECYCLE_CONFIG, { workers: { buildId }, encryption: false });
  const written: CorpusManifest['histories'] = [];
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const scenario of SCENARIOS) {
      const t0 = Date.now();
      const recorded = await scenario.run(stack);
      for (const r of recorded) written.push(await record(stack.client, r, dir));
      process.stdout.write(
        `  ${scenario.name}: ${recorded.map((r) => r.name).join(', ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
    }
  } finally {
    await stack.close();
  }
  const manifest: CorpusManifest = { version, recordedAt: new Date().toISOString(), buildId, histories: written };
  writeFileSync(join(dir, 'index.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // No secret in any file written, in any form, payloads decoded; nor the name of this machine.
  const leaks = written.flatMap((h) => {
    const text = readFileSync(join(CORPUS_ROOT, h.file), 'utf8');
    return [
      ...findSecrets(text).map((s) => `${h.file}: ${s.slice(0, 3)}…`),
      ...(text.includes(`@${hostname()}`) ? [`${h.file}: the host name`] : []),
    ];
  });
  if (leaks.length) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`secrets in the recorded histories (nothing written):\n${leaks.join('\n')}`);
  }
  process.stdout.write(
    `wrote ${written.length} histories to ${relative(process.cwd(), dir)} in ${((Date.now() - started) / 1000).toFixed(0)} s (build ${buildId})\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `record:histories failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);

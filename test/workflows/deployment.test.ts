// Worker Deployments on the dev server, end to end (docs/versioning.md, "Rollout, ramp, rollback"):
// `scimflow worker` processes of two builds — v1, the controller as released, and v2, the same
// controller wired to the `upgrade` signal — rolled out with the Temporal CLI's `worker deployment`
// commands, `scimflow upgrade` moving idle controllers onto v2, and a rollback to v1.
//
// SCIMFLOW_VERSIONING_TRANSCRIPT=<file> writes every command and its output there (the transcript
// in docs/versioning.md comes from such a run).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { formatUpgrade, type UpgradeReport } from '../../src/cli/upgrade';
import { table } from '../../src/cli/format';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { buildWorkflowBundle } from '../../src/worker/bundle';
import { stateQuery } from '../../src/workflows/definitions';
import { accountsOf } from '../helpers/apps';
import { scimflow } from '../helpers/cli';
import { employee, event } from '../helpers/stack';
import { startTemporal, waitFor } from '../helpers/temporal';
import { upgradeVariants } from '../helpers/upgrade-wiring';
import { variantSources } from '../helpers/variants';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../helpers/worker-process';
import { LIFECYCLE_CONFIG } from './config';

const DEPLOYMENT = 'scimflow-test';
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let config: string;
const bundles = { v1: '', v2: '' };
const workers: WorkerProcess[] = [];
const transcript: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'scimflow-deployment-'));

const address = () => env.connection.options.address as string;
const readable = (text: string) =>
  text.replaceAll(address(), 'localhost:7233').replaceAll(`localhost:${address().split(':')[1]}`, 'localhost:7233');

function say(command: string, output: string): void {
  transcript.push(`$ ${command}\n${readable(output).trimEnd()}\n`);
}

/** The Temporal CLI against the test's dev server. */
function temporalCli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      findTemporalCli()!,
      [...args, '--address', address()],
      { encoding: 'utf8', timeout: 30_000 },
      (err, stdout, stderr) => {
        say(`temporal ${args.join(' ')}`, stdout + stderr);
        if (err) reject(new Error(`temporal ${args.join(' ')}: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** `scimflow upgrade` as a child process: its JSON report, and the text people see (the CLI's own with `human`, else the same formatter's). */
async function upgradeCli(
  args: string[],
  opts: { human?: boolean } = {},
): Promise<{ report: UpgradeReport; text: string }> {
  const envs = { TEMPORAL_ADDRESS: address(), TEMPORAL_NAMESPACE: 'default' };
  const run = async (extra: string[]) => {
    const r = await scimflow(['upgrade', '-c', config, ...extra], envs);
    if (r.code !== 0) throw new Error(`scimflow upgrade ${extra.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r.stdout;
  };
  if (opts.human) {
    const text = await run(args);
    say(`scimflow upgrade ${args.join(' ')}`.trim(), text);
    // The same state as JSON for the assertions: a dry run, the run above already acted.
    return { report: JSON.parse(await run(['--dry-run', '--json'])) as UpgradeReport, text };
  }
  const report = JSON.parse(await run([...args, '--json'])) as UpgradeReport;
  const text = formatUpgrade(report, table);
  say(`scimflow upgrade ${args.join(' ')}`.trim(), text);
  return { report, text };
}

async function startVersion(buildId: 'v1' | 'v2'): Promise<WorkerProcess> {
  const w = await startWorkerProcess({
    config,
    temporalAddress: address(),
    env: { SCIMFLOW_BUILD_ID: buildId, SCIMFLOW_WORKFLOW_BUNDLE: bundles[buildId] },
  });
  workers.push(w);
  say(
    `SCIMFLOW_BUILD_ID=${buildId} scimflow worker -c scimflow.yaml   # temporal.deployment: { name: ${DEPLOYMENT} }`,
    `${JSON.stringify({ msg: w.running.msg, buildId: w.running.buildId, deployment: w.running.deployment })}\n`,
  );
  await versionPolled(buildId).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- worker output ---\n${w.output().slice(-4000)}`);
  });
  return w;
}

/**
 * Until every task queue of the version is polled — scimflow and scim-<app>, workflow and activity
 * — the server refuses to make it current or ramping (it would leave a queue unversioned).
 */
async function versionPolled(buildId: string): Promise<void> {
  const queues = 2 * (1 + 3); // scimflow + the three apps, each for workflows and activities
  await waitFor(
    async () => {
      const res = await env.client.workflowService.describeWorkerDeploymentVersion({
        namespace: 'default',
        deploymentVersion: { deploymentName: DEPLOYMENT, buildId },
      });
      return (res.workerDeploymentVersionInfo?.taskQueueInfos?.length ?? 0) >= queues ? true : undefined;
    },
    { timeoutMs: 30_000, what: `every task queue of ${buildId} polled` },
  );
}

async function listIdentity(query = ''): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of env.client.workflow.list({
    query: `WorkflowType = 'identityWorkflow' AND ExecutionStatus = 'Running'${query}`,
  }))
    out.push(wf);
  return out;
}

const versionOf = (wf: WorkflowExecutionInfo) =>
  (wf.searchAttributes as Record<string, unknown[]>).TemporalWorkerDeploymentVersion?.[0];
const stageOf = async (employeeId: string) =>
  (await env.client.workflow.getHandle(identityWorkflowId(employeeId)).query(stateQuery)).stage;

beforeAll(async () => {
  const { before, after } = upgradeVariants();
  const v1 = variantSources(before);
  const v2 = variantSources(after);
  try {
    [env, sandbox] = await Promise.all([
      startTemporal(),
      startSandbox({ host: '127.0.0.1', port: 0 }),
      buildWorkflowBundle({ out: join(dir, 'v1.js'), workflowsPath: v1.workflowsPath }).then(
        (b) => (bundles.v1 = b.path),
      ),
      buildWorkflowBundle({ out: join(dir, 'v2.js'), workflowsPath: v2.workflowsPath }).then(
        (b) => (bundles.v2 = b.path),
      ),
    ]);
  } finally {
    v1.cleanup();
    v2.cleanup();
  }
  config = writeWorkerConfig(
    LIFECYCLE_CONFIG.replace('taskQueue: scimflow }', `taskQueue: scimflow, deployment: { name: ${DEPLOYMENT} } }`),
    sandbox.url,
    dir,
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await sandbox?.close();
  await env?.teardown();
  if (process.env.SCIMFLOW_VERSIONING_TRANSCRIPT)
    writeFileSync(process.env.SCIMFLOW_VERSIONING_TRANSCRIPT, transcript.join('\n'));
});

it('v1 workers, v2 workers, ramp, set-current, scimflow upgrade onto v2, and a rollback to v1', async () => {
  const dispatch = temporalDispatcher(env.client);
  const people = [
    employee({ department: 'Sales' }),
    employee({ department: 'Sales' }),
    employee({ department: 'Marketing' }),
  ];

  // ---- v1: versioned workers take no task until their version is current -----------------------
  await startVersion('v1');
  await temporalCli('worker', 'deployment', 'describe', '--name', DEPLOYMENT);
  await dispatch.dispatch(event('hire', people[0]!));
  await new Promise((r) => setTimeout(r, 1_500));
  const waiting = await env.client.workflow.getHandle(identityWorkflowId(people[0]!.employeeId)).describe();
  expect(waiting.raw.pendingWorkflowTask).toBeTruthy();
  expect(waiting.historyLength).toBeLessThanOrEqual(3); // started, signalled, a task scheduled: nobody took it

  await temporalCli(
    'worker',
    'deployment',
    'set-current-version',
    '--deployment-name',
    DEPLOYMENT,
    '--build-id',
    'v1',
    '--yes',
  );
  for (const p of people.slice(1)) await dispatch.dispatch(event('hire', p));
  for (const p of people)
    await waitFor(async () => ((await stageOf(p.employeeId)) === 'active' ? true : undefined), {
      timeoutMs: 45_000,
      what: `${p.employeeId} joined on v1`,
    });
  const onV1 = await listIdentity();
  expect(onV1.map(versionOf).sort()).toEqual([`${DEPLOYMENT}:v1`, `${DEPLOYMENT}:v1`, `${DEPLOYMENT}:v1`]);
  expect(
    onV1.map((wf) => (wf.searchAttributes as Record<string, unknown[]>).TemporalWorkflowVersioningBehavior?.[0]),
  ).toEqual(['AutoUpgrade', 'AutoUpgrade', 'AutoUpgrade']);
  const groups: WorkflowExecutionInfo[] = [];
  for await (const wf of env.client.workflow.list({ query: `WorkflowType = 'groupWorkflow'` })) groups.push(wf);
  expect(groups.length).toBeGreaterThan(0);
  for (const g of groups)
    expect((g.searchAttributes as Record<string, unknown[]>).TemporalWorkflowVersioningBehavior).toEqual(['Pinned']);

  let up = await upgradeCli(['--dry-run'], { human: true });
  expect(up.text).toMatch(/^current build: v1 \(Worker Deployment scimflow-test\)\nrunning controllers: 3\n/);
  expect(up.text).toContain('dry run: nothing sent');
  expect(up.report).toMatchObject({
    current: { buildIds: ['v1'], from: 'deployment', deployment: DEPLOYMENT },
    running: 3,
    byVersion: [{ version: `${DEPLOYMENT}:v1`, people: 3 }],
    toUpgrade: [],
  });

  // ---- v2 next to it: ramp, then current ----------------------------------------------------------
  await startVersion('v2');
  await temporalCli(
    'worker',
    'deployment',
    'set-ramping-version',
    '--deployment-name',
    DEPLOYMENT,
    '--build-id',
    'v2',
    '--percentage',
    '10',
    '--yes',
  );
  const ramping = await env.client.workflowService.describeWorkerDeployment({
    namespace: 'default',
    deploymentName: DEPLOYMENT,
  });
  expect(ramping.workerDeploymentInfo?.routingConfig?.rampingDeploymentVersion?.buildId).toBe('v2');
  expect(ramping.workerDeploymentInfo?.routingConfig?.rampingVersionPercentage).toBe(10);
  await temporalCli(
    'worker',
    'deployment',
    'set-current-version',
    '--deployment-name',
    DEPLOYMENT,
    '--build-id',
    'v2',
    '--yes',
  );
  await temporalCli('worker', 'deployment', 'describe', '--name', DEPLOYMENT);

  // Idle controllers stay where they are until their next task: all three still show v1.
  up = await upgradeCli(['--dry-run']);
  expect(up.report.current.buildIds).toEqual(['v2']);
  expect(up.report.byVersion).toEqual([{ version: `${DEPLOYMENT}:v1`, people: 3 }]);
  expect(up.report.toUpgrade.map((u) => u.employeeId).sort()).toEqual(people.map((p) => p.employeeId).sort());
  const runsBefore = new Map(onV1.map((wf) => [wf.workflowId, wf.runId]));
  expect((await listIdentity()).every((wf) => runsBefore.get(wf.workflowId) === wf.runId)).toBe(true);

  // ---- scimflow upgrade: each continues as new onto v2 ---------------------------------------------
  up = await upgradeCli([]);
  expect(up.report.woken.sort()).toEqual(people.map((p) => identityWorkflowId(p.employeeId)).sort());
  expect(up.text).toMatch(/woke 3: each continues as new/);
  await waitFor(
    async () => {
      const now = await listIdentity();
      return now.length === 3 &&
        now.every((wf) => runsBefore.get(wf.workflowId) !== wf.runId && versionOf(wf) === `${DEPLOYMENT}:v2`)
        ? true
        : undefined;
    },
    { timeoutMs: 45_000, what: 'every controller continued as new onto v2' },
  );
  up = await upgradeCli(['--dry-run']);
  expect(up.report).toMatchObject({
    current: { buildIds: ['v2'] },
    running: 3,
    byVersion: [{ version: `${DEPLOYMENT}:v2`, people: 3 }],
    toUpgrade: [],
  });
  // The new runs carried everything: still joined, and the upgrade is in each person's log.
  for (const p of people) {
    const view = await env.client.workflow.getHandle(identityWorkflowId(p.employeeId)).query(stateQuery);
    expect(view.stage).toBe('active');
    expect(view.log.some((l) => l.kind === 'operator' && l.detail.startsWith('upgrade: continuing as new'))).toBe(true);
  }
  await temporalCli('worker', 'deployment', 'describe-version', '--deployment-name', DEPLOYMENT, '--build-id', 'v1');

  // ---- rollback: v1 current again; a new event runs on v1 -----------------------------------------
  await temporalCli(
    'worker',
    'deployment',
    'set-current-version',
    '--deployment-name',
    DEPLOYMENT,
    '--build-id',
    'v1',
    '--yes',
  );
  const mover = people[0]!;
  await dispatch.dispatch(event('update', { ...mover, title: 'Rolled back' }));
  await waitFor(
    async () =>
      (await accountsOf(sandbox.url, 'generic', { externalId: mover.employeeId }))[0]?.title === 'Rolled back'
        ? true
        : undefined,
    { timeoutMs: 30_000, what: 'update applied on v1' },
  );
  await waitFor(
    async () =>
      (await listIdentity(` AND WorkflowId = '${identityWorkflowId(mover.employeeId)}'`)).map(versionOf)[0] ===
      `${DEPLOYMENT}:v1`
        ? true
        : undefined,
    { what: 'controller back on v1' },
  );
  up = await upgradeCli(['--dry-run']);
  expect(up.report.current.buildIds).toEqual(['v1']);
  expect(up.report.byVersion).toEqual([
    { version: `${DEPLOYMENT}:v2`, people: 2 },
    { version: `${DEPLOYMENT}:v1`, people: 1 },
  ]);
  // Roll forward again.
  await temporalCli(
    'worker',
    'deployment',
    'set-current-version',
    '--deployment-name',
    DEPLOYMENT,
    '--build-id',
    'v2',
    '--yes',
  );
}, 240_000);

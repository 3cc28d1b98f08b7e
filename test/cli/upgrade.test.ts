// `scimflow upgrade` with unversioned workers (no temporal.deployment): the current build is what the
// workers polling the task queue report; a rollout in progress (two builds polling) wakes nobody; a
// wake-up moves exactly the controllers it is sent to — the flag is per run, not per worker.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildsOf, upgrade } from '../../src/cli/upgrade';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { buildWorkflowBundle } from '../../src/worker/bundle';
import { stateQuery } from '../../src/workflows/definitions';
import { employee, event } from '../helpers/stack';
import { startTemporal, waitFor } from '../helpers/temporal';
import { upgradeVariants } from '../helpers/upgrade-wiring';
import { variantSources } from '../helpers/variants';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../helpers/worker-process';
import { LIFECYCLE_CONFIG } from '../workflows/config';

describe('buildsOf', () => {
  it('reads the build ids out of BuildIds, whatever the prefix', () => {
    expect(
      buildsOf([
        'unversioned',
        'unversioned:0.1.0+abc',
        'pinned:scimflow:0.2.0+def',
        'assigned:x',
        'unversioned:0.1.0+abc',
      ]),
    ).toEqual(['0.1.0+abc', '0.2.0+def', 'x']);
    expect(buildsOf(undefined)).toEqual([]);
  });
});

describe('scimflow upgrade, unversioned workers', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: SandboxHandle;
  let config: string;
  const dir = mkdtempSync(join(tmpdir(), 'scimflow-upgrade-'));
  const bundle = join(dir, 'wired.js');
  const workers = new Map<string, WorkerProcess>();
  const startBuild = async (buildId: string) => {
    workers.set(
      buildId,
      await startWorkerProcess({
        config,
        temporalAddress: env.connection.options.address as string,
        env: { SCIMFLOW_BUILD_ID: buildId, SCIMFLOW_WORKFLOW_BUNDLE: bundle },
      }),
    );
  };

  beforeAll(async () => {
    const wired = variantSources(upgradeVariants().after);
    try {
      [env, sandbox] = await Promise.all([
        startTemporal(),
        startSandbox({ host: '127.0.0.1', port: 0 }),
        buildWorkflowBundle({ out: bundle, workflowsPath: wired.workflowsPath }),
      ]);
    } finally {
      wired.cleanup();
    }
    config = writeWorkerConfig(LIFECYCLE_CONFIG, sandbox.url, dir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...workers.values()].map((w) => w.stop()));
    await sandbox?.close();
    await env?.teardown();
  });

  it('reports per build, refuses during a rollout, and wakes exactly whom it is told to', async () => {
    await startBuild('u1');
    const people = [employee(), employee()];
    for (const p of people) await temporalDispatcher(env.client).dispatch(event('hire', p));
    const handle = (p: { employeeId: string }) => env.client.workflow.getHandle(identityWorkflowId(p.employeeId));
    for (const p of people)
      await waitFor(async () => ((await handle(p).query(stateQuery)).stage === 'active' ? true : undefined), {
        timeoutMs: 30_000,
        what: 'joined',
      });

    let r = await upgrade(env.client, { dryRun: true });
    expect(r).toMatchObject({
      current: { buildIds: ['u1'], from: 'pollers' },
      running: 2,
      byVersion: [{ version: 'u1', people: 2 }],
      toUpgrade: [],
      problems: [],
    });

    // u2 rolling out next to u1: which one is current is not clear yet — nobody is woken.
    await startBuild('u2');
    await waitFor(
      async () =>
        (await upgrade(env.client, { dryRun: true })).problems[0]?.includes('workers of 2 builds poll')
          ? true
          : undefined,
      { what: 'both builds polling' },
    );
    r = await upgrade(env.client);
    expect(r.woken).toEqual([]);
    expect(r.problems[0]).toMatch(/finish the rollout first, or pass --build-id/);

    // u1 stopped (the server lists a poller for a while after it stops: name the build meanwhile).
    // Both controllers are behind u2. Wake one.
    await workers.get('u1')!.stop();
    workers.delete('u1');
    const before = await Promise.all(people.map(async (p) => (await handle(p).describe()).runId));
    r = await upgrade(env.client, { buildId: 'u2', limit: 1, by: 'test' });
    expect(r.toUpgrade).toHaveLength(2);
    expect(r.woken).toHaveLength(1);
    const woken = people.find((p) => identityWorkflowId(p.employeeId) === r.woken[0])!;
    const other = people.find((p) => p !== woken)!;
    await waitFor(
      async () => ((await handle(woken).describe()).runId !== before[people.indexOf(woken)] ? true : undefined),
      { timeoutMs: 30_000, what: 'the woken one continued as new' },
    );
    await new Promise((res) => setTimeout(res, 1_500));
    // The other ran in the same worker (one V8 context for all): its run is the same.
    expect((await handle(other).describe()).runId).toBe(before[people.indexOf(other)]);
    expect(
      (await handle(woken).query(stateQuery)).log.filter((l) => l.kind === 'operator').map((l) => [l.detail, l.by]),
    ).toEqual([['upgrade: continuing as new onto the current workflow code: scimflow upgrade to u2', 'test']]);
    await waitFor(
      async () => {
        const now = await upgrade(env.client, { buildId: 'u2', dryRun: true });
        return now.toUpgrade.length === 1 && now.toUpgrade[0]!.workflowId === identityWorkflowId(other.employeeId)
          ? now
          : undefined;
      },
      { timeoutMs: 30_000, what: 'visibility: one left behind' },
    );
    // The query docs/versioning.md gives for "who still runs on a history of build u1".
    const onU1: string[] = [];
    for await (const wf of env.client.workflow.list({
      query: `WorkflowType = 'identityWorkflow' AND ExecutionStatus = 'Running' AND BuildIds = 'unversioned:u1'`,
    }))
      onU1.push(wf.workflowId);
    expect(onU1).toEqual([identityWorkflowId(other.employeeId)]);
  }, 180_000);
});

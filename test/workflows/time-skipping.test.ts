// Temporal's time-skipping test server (the Java one, resolved from Maven Central by
// scripts/ensure-test-server.mjs): workflows whose timers are measured in days finish in moments.
// Each describe block pins down one feature scimflow's workflows rely on, so a test written against
// this server knows what it can trust. The probe workflows live in test/fixtures/tss-workflows/.
//
// Durations are asserted on workflow time (what the workflow saw pass), never on wall time; the
// wall time is printed.
import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { LINKED_APPS, NEEDS_ATTENTION, PENDING_APPROVALS, STAGE } from '../../src/workflows/search-attributes';
import { createActivities } from '../fixtures/tss-workflows/activities';
import * as wf from '../fixtures/tss-workflows';
import { registerSearchAttributes, startTimeSkipping, waitFor } from '../helpers/temporal';

const DAY = 24 * 60 * 60 * 1000;
const taskQueue = 'time-skipping';
const attempts: number[] = [];
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let bundle: Promise<WorkflowBundleWithSourceMap>;

beforeAll(async () => {
  env = await startTimeSkipping();
  bundle = bundleWorkflowCode({ workflowsPath: require.resolve('../fixtures/tss-workflows'), logger: quietLogger });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundle,
    activities: createActivities(attempts),
  });
  running = worker.run();
}, 60_000);

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await env?.teardown();
});

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
const workflowId = (name: string) => `${name}-${randomUUID()}`;

/** Runs `fn`, printing how much wall time it took. */
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await fn();
  console.log(`${what}: ${Date.now() - t0} ms of wall time`);
  return r;
}

describe('days of workflow time in moments', () => {
  it('sleep("3 days") completes, and the workflow saw 3 days pass', async () => {
    const r = await timed('sleep 3 days', () =>
      env.client.workflow.execute(wf.sleeper, { args: ['3 days'], workflowId: workflowId('sleep'), taskQueue }),
    );
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3 * DAY);
  });

  it('condition(fn, "3 days") times out after 3 days of workflow time', async () => {
    const r = await timed('condition 3 days', () =>
      env.client.workflow.execute(wf.waiter, { args: ['3 days'], workflowId: workflowId('condition'), taskQueue }),
    );
    expect(r.released).toBe(false);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3 * DAY);
  });
});

describe('(a) custom search attributes', () => {
  it('upserted scimflow keys (registered by startTimeSkipping) are seen by the workflow and by describe()', async () => {
    const id = workflowId('attributes');
    const seen = await env.client.workflow.execute(wf.attributes, { workflowId: id, taskQueue });
    const expected = {
      ScimflowStage: 'left',
      ScimflowPendingApprovals: ['generic', 'jumpcloud'],
      ScimflowNeedsAttention: true,
      ScimflowLinkedApps: ['generic'],
    };
    expect(seen).toEqual(expected);
    const described = (await env.client.workflow.getHandle(id).describe()).typedSearchAttributes;
    expect({
      ScimflowStage: described.get(STAGE),
      ScimflowPendingApprovals: described.get(PENDING_APPROVALS),
      ScimflowNeedsAttention: described.get(NEEDS_ATTENTION),
      ScimflowLinkedApps: described.get(LINKED_APPS),
    }).toEqual(expected);
  });

  it('registering a key twice is refused; listing workflows by query is not implemented', async () => {
    await expect(registerSearchAttributes(env, [STAGE])).rejects.toThrow(/already exists/);
    const list = async () => {
      for await (const _ of env.client.workflow.list({ query: `ScimflowStage = 'left'` })) break;
    };
    await expect(list()).rejects.toMatchObject({
      cause: expect.objectContaining({ details: expect.stringMatching(/ListWorkflowExecutions is unimplemented/) }),
    });
  });

  it('an unregistered key fails the workflow task (BadSearchAttributes); the workflow keeps running, and the clock stops', async () => {
    await onOwnServer(async (own) => {
      const stuck = await own.client.workflow.start(wf.unregisteredAttribute, {
        workflowId: workflowId('unregistered'),
        taskQueue,
        workflowTaskTimeout: '1 second',
      });
      expect(await firstTaskFailure(stuck)).toBe(
        'BadSearchAttributes: search attribute ScimflowNotRegistered is not defined',
      );
      expect((await stuck.describe()).status.name).toBe('RUNNING');
      await stuck.terminate('test over');
      await expectClockStopped(own);
    });
  }, 30_000);
});

describe('a failed workflow task stops the clock', () => {
  // Found while probing (a): once any workflow task has failed, the server no longer skips time for
  // any workflow, even after the culprit is terminated. A test that provokes a failing workflow task
  // (a bad search attribute, a workflow bug that throws) must run on its own server.
  it('after a workflow that throws, a 1-minute sleep no longer completes', async () => {
    await onOwnServer(async (own) => {
      const stuck = await own.client.workflow.start(wf.buggy, {
        workflowId: workflowId('buggy'),
        taskQueue,
        workflowTaskTimeout: '1 second',
      });
      expect(await firstTaskFailure(stuck)).toBe('bug');
      await stuck.terminate('test over');
      await expectClockStopped(own);
    });
  }, 30_000);
});

async function expectClockStopped(own: TestWorkflowEnvironment): Promise<void> {
  const frozen = await own.client.workflow.start(wf.sleeper, {
    args: ['1 minute'],
    workflowId: workflowId('frozen'),
    taskQueue,
  });
  const sleeping = frozen.result().then(
    () => 'completed',
    () => 'ended',
  );
  const outcome = await Promise.race([sleeping, new Promise((r) => setTimeout(() => r('still sleeping'), 2000))]);
  expect(outcome).toBe('still sleeping');
  // End the pending result() before the server goes: its client would retry into a closed channel.
  await frozen.terminate('test over');
  expect(await sleeping).toBe('ended');
}

/** A separate server and worker for a test that would poison the shared one. */
async function onOwnServer(fn: (own: TestWorkflowEnvironment) => Promise<void>): Promise<void> {
  const own = await startTimeSkipping();
  try {
    const w = await Worker.create({
      connection: own.nativeConnection,
      taskQueue,
      workflowBundle: await bundle,
      activities: createActivities(),
    });
    await w.runUntil(fn(own));
  } finally {
    await own.teardown();
  }
}

async function firstTaskFailure(handle: WorkflowHandle): Promise<string> {
  return waitFor(
    async () => {
      const { events } = await handle.fetchHistory();
      return events?.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message).find(Boolean) ?? undefined;
    },
    { what: 'a failed workflow task' },
  );
}

describe('(b) workflow Update with a validator', () => {
  it('an accepted update returns its result; a rejected one throws WorkflowUpdateFailedError and changes nothing', async () => {
    const handle = await env.client.workflow.start(wf.counter, {
      args: [0],
      workflowId: workflowId('update'),
      taskQueue,
    });
    expect(await handle.executeUpdate(wf.addUpdate, { args: [5] })).toBe(5);
    const rejected = handle.executeUpdate(wf.addUpdate, { args: [-1] });
    await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(rejected).rejects.toMatchObject({ cause: { message: 'amount must be positive, got -1' } });
    expect(await handle.query(wf.totalQuery)).toBe(5);
    await handle.signal(wf.finishSignal);
    expect(await handle.result()).toBe(5);
  });
});

describe('(c) update-with-start', () => {
  // Not tested because the server gets it wrong: an update-with-start whose validator rejects the
  // update on a workflow it has just started. Test server 1.31.0 then sometimes throws a
  // NullPointerException ("updateHandle" is null) in UpdateWorkflowExecution; the client retries for
  // ~20 s and fails with `ServiceError: 2 UNKNOWN`. Other times it returns WorkflowUpdateFailedError.
  // The workflow is started either way.
  it('USE_EXISTING starts the workflow once, then updates the same run', async () => {
    const id = workflowId('uws');
    const start = () =>
      new WithStartWorkflowOperation(wf.counter, {
        args: [100],
        workflowId: id,
        taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    const first = start();
    expect(
      await env.client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [1], startWorkflowOperation: first }),
    ).toBe(101);
    const second = start();
    expect(
      await env.client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [2], startWorkflowOperation: second }),
    ).toBe(103);
    const [a, b] = await Promise.all([first.workflowHandle(), second.workflowHandle()]);
    expect((await a.describe()).runId).toBe((await b.describe()).runId);
    // The validator also guards update-with-start on a running workflow.
    await expect(
      env.client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [-2], startWorkflowOperation: start() }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await b.signal(wf.finishSignal);
    expect(await b.result()).toBe(103);
  });

  it('FAIL refuses a second start', async () => {
    const id = workflowId('uws-fail');
    const start = () =>
      new WithStartWorkflowOperation(wf.counter, {
        args: [0],
        workflowId: id,
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
      });
    expect(
      await env.client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [1], startWorkflowOperation: start() }),
    ).toBe(1);
    await expect(
      env.client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [1], startWorkflowOperation: start() }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await env.client.workflow.getHandle(id).terminate('test over');
  });
});

describe('(d) signalWithStart', () => {
  it('starts the workflow with the first signal, and signals the running one the second time', async () => {
    const id = workflowId('sws');
    const first = await env.client.workflow.signalWithStart(wf.notes, {
      workflowId: id,
      taskQueue,
      signal: wf.noteSignal,
      signalArgs: ['one'],
    });
    const second = await env.client.workflow.signalWithStart(wf.notes, {
      workflowId: id,
      taskQueue,
      signal: wf.noteSignal,
      signalArgs: ['two'],
    });
    expect(second.signaledRunId).toBe(first.signaledRunId);
    expect(await env.client.workflow.getHandle(id).result()).toEqual(['one', 'two']);
  });
});

describe('(e) continueAsNew', () => {
  it('a chain of three runs, a day each; result() follows it to the last run', async () => {
    const id = workflowId('chain');
    const r = await env.client.workflow.execute(wf.chain, { args: [1, 3], workflowId: id, taskQueue });
    expect(r.run).toBe(3);
    expect(r.runId).not.toBe(r.firstRunId);
    expect(r.continuedFromExecutionRunId).toEqual(expect.any(String));
    const d = await env.client.workflow.getHandle(id).describe();
    expect(d.runId).toBe(r.runId);
    expect(d.status.name).toBe('COMPLETED');
  });
});

describe('(f) workflowInfo().historyLength / continueAsNewSuggested', () => {
  it('historyLength counts events as a real server does; continueAsNewSuggested and historySize are never set', async () => {
    const r = await env.client.workflow.execute(wf.history, {
      args: [20],
      workflowId: workflowId('history'),
      taskQueue,
    });
    // started, task scheduled, task started; then per timer: task completed, timer started, fired, task scheduled, started
    expect(r.start).toBe(3);
    expect(r.end).toBe(3 + 5 * 20);
    expect(r.suggested.every((s) => s === false)).toBe(true);
    expect(r.sizeBytes).toBe(0);
  });
});

describe('(g) local activities', () => {
  it('run, and a local retry after a 2-day nextRetryDelay waits 2 days of workflow time', async () => {
    attempts.length = 0;
    const r = await env.client.workflow.execute(wf.localActivities, { workflowId: workflowId('local'), taskQueue });
    expect(r.greeting).toBe('hello local');
    expect(r.attempts).toBe(2);
    expect(attempts).toEqual([1, 2]);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2 * DAY);
  });
});

describe('(h) activity retries with nextRetryDelay', () => {
  it('two failures asking for a 1-day delay: three attempts, 2 days of workflow time (the 1 s retry policy is overridden)', async () => {
    attempts.length = 0;
    const r = await timed('two 1-day retries', () =>
      env.client.workflow.execute(wf.retries, { args: [2, '1 day'], workflowId: workflowId('retries'), taskQueue }),
    );
    expect(r.attempts).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2 * DAY);
    expect(r.elapsedMs).toBeLessThan(2 * DAY + 60_000);
  });
});

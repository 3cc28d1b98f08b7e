// One search-attribute upsert per workflow task (src/workflows/upsert-coalescing.ts): the merge
// itself (pure), then real controllers on a Temporal dev server against the sandbox — a hire with
// groups and a roster adopt on hints — read back from their histories and from visibility.
import { temporal } from '@temporalio/proto';
import type { ConcludeActivationInput } from '@temporalio/workflow';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { mergeUpserts } from '../../src/workflows/upsert-coalescing';
import { adoptOnHints } from '../helpers/roster-adopt';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from './config';

type Command = ConcludeActivationInput['commands'][number];
const EventType = temporal.api.enums.v1.EventType;

const payload = (v: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(v)),
});
const upsert = (fields: Record<string, unknown>): Command => ({
  upsertWorkflowSearchAttributes: {
    searchAttributes: { indexedFields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, payload(v)])) },
  },
});
const timer = (seq: number): Command => ({ startTimer: { seq } });
const fieldsOf = (c: Command) =>
  Object.fromEntries(
    Object.entries(c.upsertWorkflowSearchAttributes?.searchAttributes?.indexedFields ?? {}).map(([k, p]) => [
      k,
      JSON.parse(Buffer.from(p.data!).toString()) as unknown,
    ]),
  );

describe('mergeUpserts', () => {
  it('leaves a task with at most one upsert as it is', () => {
    const one = [timer(1), upsert({ ScimflowStage: 'joining' }), timer(2)];
    expect(mergeUpserts(one)).toEqual(one);
    expect(mergeUpserts([timer(1)])).toEqual([timer(1)]);
    expect(mergeUpserts([])).toEqual([]);
  });

  it('merges several into one where the last was: each attribute its last value, every other command in order', () => {
    const out = mergeUpserts([
      upsert({ ScimflowStage: 'joining', ScimflowLinkedApps: [] }),
      timer(1),
      upsert({ ScimflowStage: 'joining', ScimflowLinkedApps: ['generic'] }),
      timer(2),
      upsert({ ScimflowStage: 'active', ScimflowProblems: [] }),
      timer(3),
    ]);
    expect(out.map((c) => (c.startTimer ? `timer ${c.startTimer.seq}` : 'upsert'))).toEqual([
      'timer 1',
      'timer 2',
      'upsert',
      'timer 3',
    ]);
    expect(fieldsOf(out[2]!)).toEqual({
      ScimflowStage: 'active',
      ScimflowLinkedApps: ['generic'],
      ScimflowProblems: [],
    });
  });
});

describe('a controller upserts at most once per workflow task', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(LIFECYCLE_CONFIG);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** Per completed workflow task: its upserts of scimflow's attributes, and of the SDK's patch list. */
  async function upsertsPerTask(employeeId: string) {
    const events = (await stack.client.workflow.getHandle(identityWorkflowId(employeeId)).fetchHistory()).events ?? [];
    const tasks: { ours: number; patches: number; markers: number }[] = [];
    for (const e of events) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) tasks.push({ ours: 0, patches: 0, markers: 0 });
      const t = tasks.at(-1);
      if (!t) continue;
      const keys = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
      if (keys.some((k) => k.startsWith('Scimflow'))) t.ours++;
      if (keys.includes('TemporalChangeVersion')) t.patches++;
      if (e.markerRecordedEventAttributes?.markerName === 'core_patch') t.markers++;
    }
    return tasks;
  }

  async function visible(employeeId: string, query: string): Promise<boolean> {
    for await (const _ of stack.client.workflow.list({
      query: `WorkflowId = '${identityWorkflowId(employeeId)}' AND ${query}`,
    }))
      return true;
    return false;
  }

  it('a hire with groups (one step per task: nothing to merge): the patch asked once, at the first upsert, and the last values visible', async () => {
    const e = employee({ employeeId: `UC${Date.now().toString(36)}`, department: 'Sales' });
    await stack.send(event('hire', e));
    await stack.until(e.employeeId, (v) => v.stage === 'active' && v.problems.length === 0, 'joined', 60_000);
    const tasks = await upsertsPerTask(e.employeeId);
    expect(tasks.filter((t) => t.ours > 1)).toEqual([]);
    expect(tasks.reduce((n, t) => n + t.ours, 0)).toBeGreaterThanOrEqual(2);
    // The patch is asked once, in the task of the first upsert.
    expect(tasks.reduce((n, t) => n + t.markers, 0)).toBe(1);
    expect(tasks.find((t) => t.ours > 0)?.markers).toBe(1);
    await waitFor(
      () =>
        visible(
          e.employeeId,
          `ScimflowStage = 'active' AND ScimflowLinkedApps = 'generic' AND ScimflowLinkedApps = 'jumpcloud' AND ScimflowNeedsAttention = false`,
        ),
      { what: 'the last values in visibility' },
    );
  }, 90_000);

  it('a roster adopt on hints: its second task carries one marker, one patch-list upsert and one of ours', async () => {
    const p = employee({ employeeId: `UA${Date.now().toString(36)}`, department: 'Sales' });
    const { apps, hints } = await adoptOnHints(stack, p);
    expect(apps).toEqual(['generic', 'jumpcloud']);
    expect(hints?.hints).toHaveLength(2);
    const s = await stack.until(
      p.employeeId,
      (v) => v.stage === 'active' && v.problems.length === 0,
      'adopted',
      60_000,
    );
    expect(s.apps.generic?.account?.id).toBeDefined();
    // Planned on the hints: no lookup (`observe`) in either app.
    const events =
      (await stack.client.workflow.getHandle(identityWorkflowId(p.employeeId)).fetchHistory()).events ?? [];
    const activities = events.flatMap((x) => x.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities).toContain('desire');
    expect(activities).not.toContain('observe');
    const tasks = await upsertsPerTask(p.employeeId);
    expect(tasks.filter((t) => t.ours > 1)).toEqual([]);
    // The first task asks for the desired state; the second plans on the hints and adopts. Before
    // the patch it carried two markers' worth of work: the hint patch's marker and list, and three upserts.
    expect(tasks[1]).toEqual({ ours: 1, patches: 1, markers: 1 });
    expect(tasks.reduce((n, t) => n + t.markers, 0)).toBe(1);
  }, 90_000);
});

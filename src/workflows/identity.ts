// The entity workflow of one person, id `identity-<employeeId>`, fed by `signalWithStart` from
// the ingress. It de-duplicates HR events by id, runs each lifecycle as a child workflow, exposes
// its state by query and continues-as-new before its history grows large.
import { condition, continueAsNew, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import type { HrEvent } from '../shared/hr-event';
import {
  hrEventSignal,
  stateQuery,
  type IdentityState,
  type IdentityWorkflowInput,
  type ProcessedEvent,
} from './definitions';
import { joinerWorkflow } from './joiner';

/** Bound on remembered event ids (carried across continue-as-new): HR redeliveries come within days, not thousands of events. */
const MAX_SEEN_EVENT_IDS = 1000;
const MAX_EVENT_LOG = 200;

export async function identityWorkflow(input: IdentityWorkflowInput): Promise<IdentityState> {
  const state: IdentityState = input.state ?? { employeeId: input.employeeId, stage: 'new', apps: {}, events: [], pending: [] };
  const seen = new Set<string>(input.seenEventIds ?? []);
  const queue: HrEvent[] = [...(input.queue ?? [])];

  const record = (e: ProcessedEvent) => {
    state.events.push(e);
    if (state.events.length > MAX_EVENT_LOG) state.events.splice(0, state.events.length - MAX_EVENT_LOG);
  };

  setHandler(hrEventSignal, (event) => {
    if (event.employee.employeeId !== state.employeeId) {
      record({ id: event.id, type: event.type, outcome: 'ignored', detail: `event is for employee ${event.employee.employeeId}` });
      return;
    }
    if (seen.has(event.id)) return; // redelivery: no second effect
    seen.add(event.id);
    queue.push(event);
    state.pending.push({ id: event.id, type: event.type, effectiveAt: event.effectiveAt });
  });
  setHandler(stateQuery, () => state);

  for (;;) {
    await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested);
    if (queue.length === 0) {
      const ids = [...seen].slice(-MAX_SEEN_EVENT_IDS);
      await continueAsNew<typeof identityWorkflow>({ employeeId: state.employeeId, state, seenEventIds: ids, queue });
    }
    const event = queue.shift()!;
    state.pending = state.pending.filter((p) => p.id !== event.id);
    state.employee = event.employee;
    switch (event.type) {
      case 'hire': {
        state.stage = 'joining';
        const result = await executeChild(joinerWorkflow, {
          workflowId: `joiner-${state.employeeId}-${event.id}`,
          args: [{ employee: event.employee, eventId: event.id }],
        });
        Object.assign(state.apps, result.apps);
        state.stage = result.ok ? 'active' : 'failed';
        record({ id: event.id, type: event.type, outcome: result.ok ? 'done' : 'failed' });
        break;
      }
      default:
        record({ id: event.id, type: event.type, outcome: 'ignored', detail: `${event.type} is not handled yet` });
    }
  }
}

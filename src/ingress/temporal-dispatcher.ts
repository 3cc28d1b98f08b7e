// Dispatches HR events to the person's entity workflow with signal-with-start: the first event
// starts `identity-<employeeId>`, later ones are signalled to it. The workflow de-duplicates by
// event id, so an HR redelivery or a retried POST has no second effect.
import type { Client } from '@temporalio/client';
import { identityWorkflowId, type HrEvent } from '../shared/hr-event';
import { MAIN_TASK_QUEUE, type IdentityWorkflowInput } from '../workflows/definitions';
import type { EventDispatcher } from './server';

export function temporalDispatcher(client: Client, taskQueue = MAIN_TASK_QUEUE): EventDispatcher {
  return {
    async dispatch(event: HrEvent) {
      const workflowId = identityWorkflowId(event.employee.employeeId);
      const args: [IdentityWorkflowInput] = [{ employeeId: event.employee.employeeId }];
      await client.workflow.signalWithStart('identityWorkflow', {
        workflowId,
        taskQueue,
        args,
        signal: 'hrEvent',
        signalArgs: [event],
      });
      return { workflowId };
    },
  };
}

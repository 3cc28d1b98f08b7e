// Workflow code (deterministic). One search-attribute upsert per workflow task.
//
// The controller refreshes its search attributes after every step that changes what they show, and
// several lanes take steps in one workflow task: a bulk-onboarded person's second task upserted three
// times. Each upsert is a history event, and on the server a visibility task that rewrites the
// person's visibility row — in a bulk onboarding the largest single cost of the Temporal server.
// Only the last value of each attribute at the end of the task is ever visible (the server applies
// a task's commands together), so the upserts of one activation can leave as one, placed where the
// last of them was, each attribute taking its last value.
//
// Registered with the bundler as a workflow interceptor module (src/worker/workers.ts,
// `workflowInterceptorModules`) in every bundle. It merges nothing until the run switches it on
// (`oneUpsertPerTask`), behind `patched(PATCHES.oneUpsertPerTask)`: a history recorded with one
// upsert per step replays with one per step.
import { patched, type ConcludeActivationInput, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { PATCHES } from './patches';

type Command = ConcludeActivationInput['commands'][number];

// Module state is per run: every workflow run evaluates its own copy of the bundle's modules.
let loaded = false;
let on: boolean | undefined;

/**
 * Whether this run's upserts leave one per workflow task. Asked at the run's first upsert or first
 * hint (PATCHES.oneUpsertPerTask), then kept: the same point on replay, so a history recorded
 * before the patch replays one upsert per step. In a bundle built without this module as an
 * interceptor it is false and the patch is never asked, so that bundle's runs replay on it too.
 */
export function oneUpsertPerTask(): boolean {
  on ??= loaded && patched(PATCHES.oneUpsertPerTask);
  return on;
}

/**
 * The commands with their upserts merged into one at the position of the last: each attribute
 * takes its last value. Everything else keeps its order. Pure.
 */
export function mergeUpserts(commands: readonly Command[]): Command[] {
  let last = -1;
  let count = 0;
  for (let i = 0; i < commands.length; i++)
    if (commands[i]!.upsertWorkflowSearchAttributes) {
      last = i;
      count++;
    }
  if (count < 2) return [...commands];
  const fields: NonNullable<
    NonNullable<NonNullable<Command['upsertWorkflowSearchAttributes']>['searchAttributes']>['indexedFields']
  > = {};
  for (const c of commands) Object.assign(fields, c.upsertWorkflowSearchAttributes?.searchAttributes?.indexedFields);
  const out: Command[] = [];
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    if (!c.upsertWorkflowSearchAttributes) out.push(c);
    else if (i === last)
      out.push({
        ...c,
        upsertWorkflowSearchAttributes: {
          ...c.upsertWorkflowSearchAttributes,
          searchAttributes: { indexedFields: fields },
        },
      });
  }
  return out;
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  loaded = true;
  return {
    internals: [
      {
        concludeActivation(input, next) {
          const out = next(input);
          return on === true ? { ...out, commands: mergeUpserts(out.commands) } : out;
        },
      },
    ],
  };
};

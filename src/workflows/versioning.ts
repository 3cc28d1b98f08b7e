// How each workflow type behaves under Worker Deployment versioning (docs/versioning.md).
//
//  - identityWorkflow is AUTO_UPGRADE: a controller lives for years, so it must move to new code at
//    its next workflow task. Replaying its history on the new code is safe because every change
//    that alters its commands is behind `patched()` (src/workflows/patches.ts) and the replay
//    corpus (test/fixtures/histories) proves the old histories still replay; `scimflow upgrade`
//    then makes idle controllers continue-as-new so old branches can be retired.
//  - groupWorkflow is PINNED: it lives for seconds; it finishes on the code it started on.
//
// The server refuses a versioning behaviour from a worker that is not versioned (configuration
// `temporal.deployment` unset), so the behaviour is declared only when the task runs on a
// Deployment Version. A run that began on unversioned workers and is replayed from its start by a
// versioned one gets the worker's default, AUTO_UPGRADE (src/worker/workers.ts).
import type { VersioningBehavior } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { groupWorkflow } from './group';
import { identityWorkflow } from './identity';

export const VERSIONING_BEHAVIOR = {
  identityWorkflow: 'AUTO_UPGRADE',
  groupWorkflow: 'PINNED',
} as const satisfies Record<string, VersioningBehavior>;

/** The behaviour, when this task runs on a versioned worker (a Deployment Version has a deployment name). */
function onVersionedWorkers(versioningBehavior: VersioningBehavior) {
  return () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior } : {});
}

setWorkflowOptions(onVersionedWorkers(VERSIONING_BEHAVIOR.identityWorkflow), identityWorkflow);
setWorkflowOptions(onVersionedWorkers(VERSIONING_BEHAVIOR.groupWorkflow), groupWorkflow);

// The workflow bundle's entry point: every workflow the worker registers.
export { identityWorkflow } from './identity';
export { groupWorkflow } from './group';
export { guardWorkflow } from './guard';
export { reconcileWorkflow } from './reconcile';
// Each workflow's versioning behaviour (AUTO_UPGRADE / PINNED), attached to the functions above.
import './versioning';

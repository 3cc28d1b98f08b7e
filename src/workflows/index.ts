// The workflow bundle's entry point: every workflow the worker registers.
export { identityWorkflow } from './identity';
export { joinerWorkflow, moverWorkflow, rehireWorkflow, leaverWorkflow, deleteWorkflow } from './lifecycle';

// The workflow bundle's entry point: every workflow the worker registers.
export { identityWorkflow } from './identity';
export { groupWorkflow } from './group';
export { guardWorkflow } from './guard';
export { reconcileWorkflow } from './reconcile';
// Each workflow's versioning behaviour (AUTO_UPGRADE / PINNED), attached to the functions above.
import './versioning';

// Every run has its own module graph, so its own schemas, each parsing a handful of messages: zod's
// JIT (a fast path compiled with `new Function` on a schema's first parse) would cost each run more
// than it saves. This zod instance is the run's own; the ingress and the CLI keep theirs as is.
import { config } from 'zod';
config({ jitless: true });

// Dispatches HR events to the person's entity workflow with signal-with-start: the first event
// starts `identity-<employeeId>`, later ones are signalled to it. The workflow de-duplicates by
// event id, so an HR redelivery or a retried POST has no second effect.
//
// Every call is bounded (docs/hr-events.md, "When Temporal is unavailable"):
//  - it carries a gRPC deadline (DispatchLimits.deadline, set by the ingress well inside its socket
//    timeouts) and is cancelled when the ingress aborts it (shutdown);
//  - the ingress's connection has NO gRPC retry interceptor (the SDK's default one retries for ~30 s
//    from timers that neither the deadline's caller nor an AbortSignal can stop, so an event answered
//    503 could still be delivered later). Instead this dispatcher retries UNAVAILABLE itself, only
//    while the deadline allows, and returns only once its last attempt has ended.
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { identityWorkflowId, type HrEvent } from '../shared/hr-event';
import {
  hrEventSignal,
  MAIN_TASK_QUEUE,
  type HrEventSignalArgs,
  type IdentityWorkflowInput,
} from '../workflows/definitions';
import type { TemporalAccess } from '../cli/temporal';
import { DEFAULT_DISPATCH_TIMEOUT_MS, type DispatchLimits, type EventDispatcher } from './server';

/** The identity workflow's signature as the client needs it (the workflow code itself is not imported). */
type IdentityWorkflow = (input: IdentityWorkflowInput) => Promise<unknown>;
const IDENTITY_WORKFLOW = 'identityWorkflow';

const GRPC_UNAVAILABLE = 14;
/** How long a dispatch keeps retrying an unreachable server (within its deadline) before giving up. */
export const DEFAULT_UNAVAILABLE_WAIT_MS = 1_500;
const RETRY_PAUSE_MS = 100;

export interface TemporalDispatcherOptions {
  /** Deadline when the caller gives none (the ingress always does). */
  timeoutMs?: number;
  /** Keep retrying UNAVAILABLE for this long at most (the channel may be reconnecting). */
  unavailableWaitMs?: number;
}

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function temporalDispatcher(
  client: Client,
  taskQueue = MAIN_TASK_QUEUE,
  opts: TemporalDispatcherOptions = {},
): EventDispatcher {
  const unavailableWait = opts.unavailableWaitMs ?? DEFAULT_UNAVAILABLE_WAIT_MS;
  return {
    async dispatch(event: HrEvent, limits?: DispatchLimits) {
      const workflowId = identityWorkflowId(event.employee.employeeId);
      const args: [IdentityWorkflowInput] = [{ employeeId: event.employee.employeeId }];
      const started = Date.now();
      const deadline = limits?.deadline ?? started + (opts.timeoutMs ?? DEFAULT_DISPATCH_TIMEOUT_MS);
      const signal = limits?.signal;
      const once = () =>
        client.withDeadline(deadline, () => {
          const call = () =>
            client.workflow.signalWithStart<IdentityWorkflow, HrEventSignalArgs>(IDENTITY_WORKFLOW, {
              workflowId,
              taskQueue,
              args,
              signal: hrEventSignal,
              signalArgs: [event],
            });
          return signal ? client.withAbortSignal(signal, call) : call();
        });
      for (;;) {
        if (signal?.aborted) throw new Error('dispatch abandoned (the ingress is stopping or gave up)');
        try {
          await once();
          return { workflowId };
        } catch (err) {
          // Not reachable (yet): the channel may be reconnecting. Try again only while there is time
          // for a whole attempt; every attempt carries the same deadline.
          const now = Date.now();
          if (
            grpcCode(err) !== GRPC_UNAVAILABLE ||
            signal?.aborted ||
            now - started + RETRY_PAUSE_MS > unavailableWait ||
            now + 2 * RETRY_PAUSE_MS >= deadline
          )
            throw err;
          await pause(RETRY_PAUSE_MS, signal);
        }
      }
    },
  };
}

export interface IngressTemporal {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/**
 * The ingress's Temporal client: connected lazily (the ingress starts, and answers 503, while
 * Temporal is down), reconnecting by itself within about a second once it is back, and without the
 * SDK's background gRPC retries (see the top of this file).
 */
export function ingressTemporalClient(
  target: { address: string; namespace: string },
  access?: TemporalAccess,
): IngressTemporal {
  const connection = Connection.lazy({
    // TLS and the API key / JWT (src/temporal/options.ts), then what this file needs.
    ...access?.connection,
    address: target.address,
    interceptors: [],
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1_000,
    },
  });
  const client = new Client({
    connection,
    namespace: target.namespace,
    ...(access ? { dataConverter: access.dataConverter } : {}),
  });
  return { client, connection, close: () => connection.close() };
}

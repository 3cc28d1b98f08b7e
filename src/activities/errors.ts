// Connector error codes → Temporal retry semantics. Workflows decide what a non-retryable
// failure means (compensate, needs-attention); the retry arithmetic lives here and in the proxies.
import { ApplicationFailure } from '@temporalio/common';

/** Failure types a workflow can branch on (ApplicationFailure.type). */
export const FailureType = {
  RateLimited: 'RATE_LIMITED',
  Unavailable: 'UNAVAILABLE',
  Conflict: 'CONFLICT',
  NotFound: 'NOT_FOUND',
  Invalid: 'INVALID',
  AuthFailed: 'AUTH_FAILED',
  PreconditionFailed: 'PRECONDITION_FAILED',
  BadResponse: 'BAD_RESPONSE',
  Config: 'CONFIG',
} as const;

export interface CodedError {
  name?: string;
  code: string;
  message: string;
  retryAfterMs?: number;
  status?: number;
  scimType?: string;
}

function isCoded(err: unknown): err is CodedError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string';
}

/** Translates a connector error into an ApplicationFailure with the right retry behaviour. */
/** `attempt` (the activity attempt that failed) travels in the details, for the per-app attempt count. */
export function toFailure(err: unknown, context: string, attempt?: number): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!isCoded(err)) {
    // An unexpected error: retryable (transient until proven otherwise), with its attempt recorded.
    const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
    return ApplicationFailure.retryable(message, 'UNEXPECTED', { attempt });
  }
  const message = `${context}: ${err.message}`;
  const details = [
    { code: err.code, status: err.status, scimType: err.scimType, attempt, retryAfterMs: err.retryAfterMs },
  ];
  switch (err.code) {
    case FailureType.RateLimited:
      // Obey Retry-After exactly instead of the policy's backoff: the server told us when.
      return ApplicationFailure.create({
        type: err.code,
        message,
        details,
        nextRetryDelay: err.retryAfterMs !== undefined ? Math.max(err.retryAfterMs, 1) : undefined,
      });
    case FailureType.Unavailable:
    case FailureType.PreconditionFailed:
    case FailureType.BadResponse:
      return ApplicationFailure.retryable(message, err.code, ...details);
    default:
      // INVALID, CONFLICT, NOT_FOUND, AUTH_FAILED: retrying the same request cannot help.
      return ApplicationFailure.nonRetryable(message, err.code, ...details);
  }
}

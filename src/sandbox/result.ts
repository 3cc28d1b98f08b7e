// What a sandbox handler answers, before it reaches the wire. Handlers are plain functions of
// the request so SCIM Bulk can run them per operation without another HTTP round trip.

export interface SandboxResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export {
  ERROR_SCHEMA as SCIM_ERROR_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  PATCH_OP_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  BULK_REQUEST_SCHEMA,
  BULK_RESPONSE_SCHEMA,
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
} from '../scim';
import { ERROR_SCHEMA } from '../scim';

/** RFC 7644 §3.12 error response. `status` is a string in the body, per the RFC's examples. */
export function scimError(status: number, detail: string, scimType?: string): SandboxResult {
  return {
    status,
    body: { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail },
  };
}

/** Thrown inside handlers; the router turns it into `result`. */
export class SandboxFailure extends Error {
  constructor(readonly result: SandboxResult) {
    super(
      typeof result.body === 'object' && result.body !== null && 'detail' in result.body
        ? String((result.body as { detail: unknown }).detail)
        : `HTTP ${result.status}`,
    );
  }
}

export function fail(status: number, detail: string, scimType?: string): never {
  throw new SandboxFailure(scimError(status, detail, scimType));
}

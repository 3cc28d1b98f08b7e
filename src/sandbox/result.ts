// What a sandbox handler answers, before it reaches the wire. Handlers are plain functions of
// the request so SCIM Bulk can run them per operation without another HTTP round trip.

export interface SandboxResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** RFC 7644 §3.12 error response. `status` is a string in the body, per the RFC's examples. */
export function scimError(status: number, detail: string, scimType?: string): SandboxResult {
  return {
    status,
    body: { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail },
  };
}

/** Thrown inside handlers; the router turns it into `result`. */
export class SandboxFailure extends Error {
  constructor(readonly result: SandboxResult) {
    super(typeof result.body === 'object' && result.body !== null && 'detail' in result.body ? String((result.body as { detail: unknown }).detail) : `HTTP ${result.status}`);
  }
}

export function fail(status: number, detail: string, scimType?: string): never {
  throw new SandboxFailure(scimError(status, detail, scimType));
}

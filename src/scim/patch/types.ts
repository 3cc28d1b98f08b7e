import { type PATCH_OP_SCHEMA } from '../urns';

/** RFC 7644 §3.5.2: the three PATCH operations. */
export type PatchOperationName = 'add' | 'remove' | 'replace';

export interface PatchOperation {
  op: PatchOperationName;
  path?: string;
  value?: unknown;
}

/** RFC 7644 §3.5.2 PatchOp request body. */
export interface PatchOp {
  schemas: [typeof PATCH_OP_SCHEMA] | string[];
  Operations: PatchOperation[];
}

export type ScimResource = Record<string, unknown>;

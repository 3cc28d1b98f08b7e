// PATCH (RFC 7644 §3.5.2) for the sandbox apps, by the SCIM core's applyPatch: atomic, strict
// RFC paths (incl. value paths such as `members[value eq "id"]`), mutability enforced.
import { applyPatch, isScimError, type PatchOp } from '../scim';
import { fail } from './result';

type Obj = Record<string, unknown>;

export function applyPatchBody(resource: Obj, body: unknown): Obj {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    fail(400, 'PATCH body must be a PatchOp', 'invalidSyntax');
  try {
    return applyPatch(resource, body as PatchOp);
  } catch (err) {
    if (isScimError(err)) fail(err.status, err.detail, err.scimType);
    throw err;
  }
}

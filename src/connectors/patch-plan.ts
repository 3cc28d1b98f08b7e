// Turns "current vs desired" into a PatchOp and a PatchOp into a full resource for PUT-only
// apps — both by the SCIM core (generatePatch / applyPatch), never by hand here.
import { applyPatch, generatePatch, type PatchOp } from '../scim';
import type { Capabilities } from './types';

export type { PatchOp };

type Obj = Record<string, unknown>;

/**
 * The PatchOp that makes `current` match `desired` on the attributes `desired` carries, plus
 * `managed` ones that are removed when `desired` omits them (RFC 7644 §3.5.2).
 */
export function planPatch(current: Obj, desired: Obj, managed: readonly string[] | undefined, profile: Capabilities): PatchOp {
  return generatePatch(current, desired, { ...(managed ? { managed } : {}), valuePathFilters: profile.patchValuePaths });
}

/** current + plan → the full resource a PUT must carry (RFC 7644 §3.5.1 replaces everything). */
export function applyPlan(current: Obj, plan: PatchOp): Obj {
  return applyPatch(current, plan, { enforceMutability: false });
}

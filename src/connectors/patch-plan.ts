// Turns "current vs desired" into a PatchOp and a PatchOp into a full resource for PUT-only
// apps — both by the SCIM core (generatePatch / applyPatch), never by hand here.
import { applyPatch, DEFAULT_CATALOG, generatePatch, parsePath, type AttributePath, type PatchOp } from '../scim';
import type { Capabilities } from './types';

export type { PatchOp };

type Obj = Record<string, unknown>;

/**
 * The PatchOp that makes `current` match `desired` on the attributes `desired` carries, plus
 * `managed` ones that are removed when `desired` omits them (RFC 7644 §3.5.2). `managed` entries
 * are attribute names (`title`), sub-attributes (`name.middleName`), extension attributes
 * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, also with `.value`) or
 * whole extension URNs.
 */
export function planPatch(
  current: Obj,
  desired: Obj,
  managed: readonly string[] | undefined,
  profile: Capabilities,
): PatchOp {
  const { desired: d, managed: m } = managed
    ? withManagedSubAttributes(current, desired, managed)
    : { desired, managed };
  return generatePatch(current, d, { ...(m ? { managed: m } : {}), valuePathFilters: profile.patchValuePaths });
}

/** current + plan → the full resource a PUT must carry (RFC 7644 §3.5.1 replaces everything). */
export function applyPlan(current: Obj, plan: PatchOp): Obj {
  return applyPatch(current, plan, { enforceMutability: false });
}

/**
 * generatePatch takes managed attributes, not sub-attributes. A managed `name.middleName` that
 * desired omits, while desired omits `name` altogether, becomes desired `name` = current `name`
 * without `middleName`: the plan then removes exactly that sub-attribute and leaves the others.
 * (When desired carries `name`, its sub-attributes are compared as a whole already.)
 */
function withManagedSubAttributes(
  current: Obj,
  desired: Obj,
  managed: readonly string[],
): { desired: Obj; managed: string[] } {
  let out: Obj | undefined;
  const rest: string[] = [];
  for (const m of managed) {
    const path = tryParse(m);
    if (!path || path.attr === undefined || path.sub === undefined || path.filter) {
      rest.push(m);
      continue;
    }
    const ext = path.uri !== undefined && !DEFAULT_CATALOG.coreUrns.has(path.uri.toLowerCase()) ? path.uri : undefined;
    const curHolder = ext === undefined ? current : asObj(current[findKey(current, ext) ?? ext]);
    const curAttr = curHolder ? asObj(curHolder[findKey(curHolder, path.attr) ?? path.attr]) : undefined;
    if (!curAttr || findKey(curAttr, path.sub) === undefined) continue; // nothing to remove
    out ??= { ...desired };
    let desHolder: Obj = out;
    if (ext !== undefined) {
      const ek = findKey(out, ext) ?? ext;
      desHolder = { ...(asObj(out[ek]) ?? {}) };
      out[ek] = desHolder;
    }
    const ak = findKey(desHolder, path.attr);
    if (ak !== undefined && desHolder[ak] !== undefined) continue; // desired carries the attribute: compared whole
    const kept: Obj = {};
    for (const [k, v] of Object.entries(curAttr)) if (k.toLowerCase() !== path.sub.toLowerCase()) kept[k] = v;
    desHolder[ak ?? path.attr] = Object.keys(kept).length > 0 ? kept : null;
  }
  return { desired: out ?? desired, managed: rest };
}

function tryParse(text: string): AttributePath | undefined {
  try {
    return parsePath(text);
  } catch {
    return undefined;
  }
}

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function findKey(o: Obj, k: string): string | undefined {
  if (k in o) return k;
  const l = k.toLowerCase();
  return Object.keys(o).find((x) => x.toLowerCase() === l);
}

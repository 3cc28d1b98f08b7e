// Turns "current vs desired" into a PatchOp (RFC 7644 §3.5.2) and a PatchOp into a full resource
// for PUT-only apps. Only managed attributes are touched; everything else an app or an admin
// set is left alone.
import { PATCH_OP_SCHEMA } from './scim-schemas';

export interface PatchOp {
  schemas: string[];
  Operations: { op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown }[];
}

type Obj = Record<string, unknown>;

/** Attributes never diffed: server-owned or envelope. */
const IGNORED = new Set(['id', 'meta', 'schemas', 'groups']);

export function defaultManaged(desired: Obj): string[] {
  return Object.keys(desired).filter((k) => !IGNORED.has(k));
}

export function planPatch(current: Obj, desired: Obj, managed: readonly string[]): PatchOp {
  const ops: PatchOp['Operations'] = [];
  for (const attr of managed) {
    if (IGNORED.has(attr)) continue;
    // A whole extension (RFC 7643 §3.3) is diffed attribute by attribute: `urn:…:User:department`.
    if (attr.startsWith('urn:') && isObj(desired[attr])) {
      const want = desired[attr] as Obj;
      const have = isObj(current[attr]) ? (current[attr] as Obj) : {};
      for (const sub of new Set([...Object.keys(want)])) {
        if (!deepEqual(have[sub], want[sub])) ops.push(want[sub] === undefined ? { op: 'remove', path: `${attr}:${sub}` } : { op: 'replace', path: `${attr}:${sub}`, value: want[sub] });
      }
      continue;
    }
    const want = lookup(desired, attr);
    const have = lookup(current, attr);
    if (want === undefined) {
      if (have !== undefined) ops.push({ op: 'remove', path: attr });
    } else if (!deepEqual(have, want)) {
      ops.push({ op: 'replace', path: attr, value: want });
    }
  }
  return { schemas: [PATCH_OP_SCHEMA], Operations: ops };
}

/** current + plan → full desired resource (for PUT, which replaces everything: RFC 7644 §3.5.1). */
export function applyPlan(current: Obj, plan: PatchOp): Obj {
  const out: Obj = structuredClone(current);
  for (const op of plan.Operations) {
    if (!op.path) continue;
    if (op.op === 'remove') remove(out, op.path);
    else assign(out, op.path, op.value);
  }
  return out;
}

function splitPath(path: string): string[] {
  // `urn:…:User:attr` keeps the URN as one segment.
  const m = /^(urn:.+):([^:]+)$/.exec(path);
  return m ? [m[1]!, ...m[2]!.split('.')] : path.split('.');
}

function lookup(obj: Obj, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of splitPath(path)) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[seg];
  }
  return cur;
}

function assign(obj: Obj, path: string, value: unknown): void {
  const segs = splitPath(path);
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = {};
    cur = cur[seg] as Obj;
  }
  cur[segs[segs.length - 1]!] = structuredClone(value);
}

function remove(obj: Obj, path: string): void {
  const segs = splitPath(path);
  let cur: unknown = obj;
  for (const seg of segs.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null) return;
    cur = (cur as Obj)[seg];
  }
  if (typeof cur === 'object' && cur !== null) delete (cur as Obj)[segs[segs.length - 1]!];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as Obj).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b as Obj).filter((k) => (b as Obj)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

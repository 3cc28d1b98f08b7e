import {
  type AttributeCatalog,
  type AttributeDefinition,
  type SchemaDefinition,
  DEFAULT_CATALOG,
  buildCatalog,
  identityKey,
  lookupAttribute,
  lookupExtension,
  subAttribute,
} from '../attributes';
import { type FilterValue } from '../filter/ast';
import { formatValue } from '../filter/format';
import { cloneJson, isPlainObject, jsonEqual } from '../json';
import { PATCH_OP_SCHEMA } from '../urns';
import { isUnassigned, scimEquivalent } from './equivalence';
import { type PatchOp, type PatchOperation, type ScimResource } from './types';

export interface GeneratePatchOptions {
  /**
   * Attributes managed even when `desired` omits them: if `current` has a value it is removed.
   * Entries are attribute names (`title`), extension attribute paths
   * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`) or a whole
   * extension URN (all of its attributes).
   */
  managed?: readonly string[];
  /**
   * Address changed values of multi-valued attributes with value paths
   * (`emails[type eq "work"].value`). When false, a changed multi-valued attribute is replaced
   * whole, for service providers that do not implement value paths. Default true.
   */
  valuePathFilters?: boolean;
  /** Schema definitions (or a prebuilt catalog) giving mutability and types. Default: User, Group, enterprise. */
  schema?: readonly SchemaDefinition[] | AttributeCatalog;
}

type Obj = Record<string, unknown>;

interface Ctx {
  catalog: AttributeCatalog;
  valuePaths: boolean;
  ops: PatchOperation[];
}

const ATTRNAME_RE = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
const catalogs = new WeakMap<readonly SchemaDefinition[], AttributeCatalog>();

function catalogOf(schema: GeneratePatchOptions['schema']): AttributeCatalog {
  if (schema === undefined) return DEFAULT_CATALOG;
  if (!Array.isArray(schema)) return schema as AttributeCatalog;
  const list = schema as readonly SchemaDefinition[];
  let c = catalogs.get(list);
  if (!c) catalogs.set(list, (c = buildCatalog(list)));
  return c;
}

/**
 * Computes a PatchOp that turns `current` into `desired` on the attributes `desired` manages
 * (those it contains, plus `options.managed`). Invariant, checked by property tests:
 * `resourcesEquivalentOn(applyPatch(current, generatePatch(current, desired)), desired, managed)`.
 *
 * readOnly attributes (id, meta, groups, schemas, manager.displayName ...) never appear, and
 * neither do changes to an immutable attribute that already has a value (RFC 7643 §7): a service
 * provider must refuse both. Operation order is removals, then replacements, then additions, so a
 * value that gains `primary: true` is written after the one losing it.
 */
export function generatePatch(current: ScimResource, desired: ScimResource, options: GeneratePatchOptions = {}): PatchOp {
  const ctx: Ctx = { catalog: catalogOf(options.schema), valuePaths: options.valuePathFilters ?? true, ops: [] };
  const cur = indexKeys(current);
  const des = indexKeys(desired);

  // Top-level attribute names and extension attribute sets to consider, keyed by lower-case name.
  const top = new Map<string, string>();
  const ext = new Map<string, { urn: string; attrs: Map<string, string> }>();
  const extEntry = (urn: string): { urn: string; attrs: Map<string, string> } => {
    const canonical = lookupExtension(ctx.catalog, urn)?.urn ?? urn;
    let e = ext.get(canonical.toLowerCase());
    if (!e) ext.set(canonical.toLowerCase(), (e = { urn: canonical, attrs: new Map() }));
    return e;
  };
  for (const [l, k] of des.keys) {
    if (/^urn:/.test(l)) {
      const e = extEntry(k);
      const v = desired[k];
      if (isPlainObject(v)) for (const a of Object.keys(v)) e.attrs.set(a.toLowerCase(), a);
    } else top.set(l, k);
  }
  for (const m of options.managed ?? []) {
    const l = m.toLowerCase();
    if (!/^urn:/.test(l)) {
      if (!top.has(l)) top.set(l, m);
      continue;
    }
    if (lookupExtension(ctx.catalog, m) || cur.keys.has(l) || des.keys.has(l)) {
      // Whole extension: every attribute either side has.
      const e = extEntry(m);
      for (const side of [current, desired]) {
        const k = (side === current ? cur : des).keys.get(l);
        const v = k === undefined ? undefined : side[k];
        if (isPlainObject(v)) for (const a of Object.keys(v)) if (!e.attrs.has(a.toLowerCase())) e.attrs.set(a.toLowerCase(), a);
      }
      continue;
    }
    const colon = m.lastIndexOf(':');
    const e = extEntry(m.slice(0, colon));
    const a = m.slice(colon + 1);
    if (!e.attrs.has(a.toLowerCase())) e.attrs.set(a.toLowerCase(), a);
  }

  const removes: PatchOperation[] = [];
  const replaces: PatchOperation[] = [];
  const adds: PatchOperation[] = [];
  const buckets = { removes, replaces, adds };

  for (const [l, name] of top) {
    if (l === 'schemas') continue;
    const def = lookupAttribute(ctx.catalog, undefined, name);
    const ck = cur.keys.get(l);
    const dk = des.keys.get(l);
    diffAttribute(ctx, buckets, def, def?.name ?? name, ck === undefined ? undefined : current[ck], dk === undefined ? undefined : desired[dk]);
  }
  for (const [l, e] of ext) {
    const ck = cur.keys.get(l);
    const dk = des.keys.get(l);
    const cObj = ck !== undefined && isPlainObject(current[ck]) ? (current[ck] as Obj) : {};
    const dObj = dk !== undefined && isPlainObject(desired[dk]) ? (desired[dk] as Obj) : {};
    const ci = indexKeys(cObj);
    const di = indexKeys(dObj);
    for (const [al, a] of e.attrs) {
      const def = lookupExtension(ctx.catalog, e.urn)?.attributes.get(al);
      const cka = ci.keys.get(al);
      const dka = di.keys.get(al);
      diffAttribute(ctx, buckets, def, `${e.urn}:${def?.name ?? a}`, cka === undefined ? undefined : cObj[cka], dka === undefined ? undefined : dObj[dka]);
    }
  }
  return { schemas: [PATCH_OP_SCHEMA], Operations: [...removes, ...replaces, ...adds] };
}

interface Buckets {
  removes: PatchOperation[];
  replaces: PatchOperation[];
  adds: PatchOperation[];
}

function indexKeys(o: Obj): { keys: Map<string, string> } {
  const keys = new Map<string, string>();
  for (const k of Object.keys(o)) keys.set(k.toLowerCase(), k);
  return { keys };
}

function isWritable(def: AttributeDefinition | undefined, current: unknown): boolean {
  if (!def) return true;
  if (def.mutability === 'readOnly') return false;
  if (def.mutability === 'immutable' && !isUnassigned(current)) return false;
  return true;
}

/** Drops unassigned and readOnly sub-attributes so the written value is what a server keeps. */
function clean(v: unknown, def: AttributeDefinition | undefined): unknown {
  if (Array.isArray(v)) {
    const one = def ? { ...def, multiValued: false } : undefined;
    return v.filter((x) => !isUnassigned(x)).map((x) => clean(x, one));
  }
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    if (isUnassigned(v[k])) continue;
    const s = def ? subAttribute(def, k) : undefined;
    if (s && s.mutability === 'readOnly') continue;
    out[k] = cloneJson(v[k]);
  }
  return out;
}

function diffAttribute(ctx: Ctx, b: Buckets, def: AttributeDefinition | undefined, path: string, cur: unknown, des: unknown): void {
  if (!isWritable(def, cur)) return;
  if (scimEquivalent(cur, des, def)) return;
  const plainName = ATTRNAME_RE.test(path) || /^urn:.*:\$?[A-Za-z][A-Za-z0-9_-]*$/.test(path);
  if (!plainName) {
    // Unknown attribute whose name is not a valid path: only a path-less replace can reach it.
    b.replaces.push({ op: 'replace', value: { [path]: null } });
    if (!isUnassigned(des)) b.replaces.push({ op: 'replace', value: { [path]: clean(des, def) } });
    return;
  }
  if (isUnassigned(des)) {
    if (def?.required) return; // a server refuses to unassign a required attribute
    b.removes.push({ op: 'remove', path });
    return;
  }
  if (def?.multiValued || Array.isArray(des) || Array.isArray(cur)) {
    diffMulti(ctx, b, def, path, cur, des);
    return;
  }
  if ((def?.type === 'complex' || !def) && isPlainObject(des) && isPlainObject(cur) && !isUnassigned(cur)) {
    diffComplex(b, def, path, cur, des);
    return;
  }
  if (isPlainObject(des) && !isUnassigned(cur)) {
    // Current is a scalar where a complex value is wanted: clear it first so nothing merges.
    b.removes.push({ op: 'remove', path });
  }
  b.replaces.push({ op: 'replace', path, value: clean(des, def) });
}

/** Singular complex attribute (`name`, enterprise `manager`): one operation per changed sub-attribute. */
function diffComplex(b: Buckets, def: AttributeDefinition | undefined, path: string, cur: Obj, des: Obj): void {
  const ci = indexKeys(cur).keys;
  const di = indexKeys(des).keys;
  const subs = new Map<string, string>(ci);
  for (const [l, k] of di) subs.set(l, k);
  for (const [l, k] of subs) {
    const sdef = def ? subAttribute(def, k) : undefined;
    const cv = ci.has(l) ? cur[ci.get(l) as string] : undefined;
    const dv = di.has(l) ? des[di.get(l) as string] : undefined;
    if (!isWritable(sdef, cv) || scimEquivalent(cv, dv, sdef)) continue;
    const p = `${path}.${sdef?.name ?? k}`;
    if (!ATTRNAME_RE.test(sdef?.name ?? k)) {
      // Sub-attribute name that no path can express: rewrite the whole attribute.
      b.removes.push({ op: 'remove', path });
      b.replaces.push({ op: 'replace', path, value: clean(des, def) });
      return;
    }
    if (isUnassigned(dv)) b.removes.push({ op: 'remove', path: p });
    else b.replaces.push({ op: 'replace', path: p, value: clean(dv, sdef) });
  }
}

type Id = string | number | boolean;

function identityOf(el: unknown, idKey: string, sdef: AttributeDefinition | undefined): { raw: Id; key: string } | undefined {
  if (!isPlainObject(el)) return undefined;
  let raw: unknown;
  for (const k of Object.keys(el)) if (k.toLowerCase() === idKey) raw = el[k];
  if (typeof raw === 'string') return { raw, key: sdef?.caseExact ? `s${raw}` : `s${raw.toLowerCase()}` };
  if (typeof raw === 'number' || typeof raw === 'boolean') return { raw, key: `${typeof raw}${String(raw)}` };
  return undefined;
}

/** Indexes values by identity; undefined when some value lacks one or two values share one. */
function byIdentity(list: unknown[], idKey: string, sdef: AttributeDefinition | undefined): Map<string, { raw: Id; el: Obj }> | undefined {
  const m = new Map<string, { raw: Id; el: Obj }>();
  for (const el of list) {
    if (isUnassigned(el)) continue;
    const id = identityOf(el, idKey, sdef);
    if (!id || m.has(id.key)) return undefined;
    m.set(id.key, { raw: id.raw, el: el as Obj });
  }
  return m;
}

function hasEqualPair(list: unknown[]): boolean {
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) if (jsonEqual(list[i], list[j])) return true;
  return false;
}

function isPrimary(el: Obj): boolean {
  for (const k of Object.keys(el)) if (k.toLowerCase() === 'primary') return el[k] === true;
  return false;
}

function diffMulti(ctx: Ctx, b: Buckets, def: AttributeDefinition | undefined, path: string, cur: unknown, des: unknown): void {
  const desList = (Array.isArray(des) ? des : [des]).filter((x) => !isUnassigned(x));
  const curList = (Array.isArray(cur) ? cur : cur === undefined || cur === null ? [] : [cur]).filter((x) => !isUnassigned(x));
  const whole = (): void => {
    b.replaces.push({ op: 'replace', path, value: clean(desList, def) });
  };
  const attrName = path.slice(path.lastIndexOf(':') + 1);
  if (curList.length === 0) {
    // "add" skips values already present (RFC 7644 §3.5.2.1), which would collapse duplicates
    // inside `desired` itself; "replace" writes the list as given.
    const dup = identityKey(attrName) === 'value' ? byIdentity(desList, 'value', def ? subAttribute(def, 'value') : undefined) === undefined : hasEqualPair(desList);
    b[dup ? 'replaces' : 'adds'].push({ op: dup ? 'replace' : 'add', path, value: clean(desList, def) });
    return;
  }
  let idKey: string | undefined = identityKey(attrName);
  if (!idKey && desList.concat(curList).every((x) => isPlainObject(x) && 'value' in x)) idKey = 'value';
  if (!ctx.valuePaths || !idKey) {
    whole();
    return;
  }
  const sdefId = def ? subAttribute(def, idKey) : undefined;
  const ci = byIdentity(curList, idKey, sdefId);
  const di = byIdentity(desList, idKey, sdefId);
  if (!ci || !di) {
    whole();
    return;
  }
  const removes: PatchOperation[] = [];
  const replaces: PatchOperation[] = [];
  const added: unknown[] = [];
  const sel = (raw: Id): string => `${path}[${idKey} eq ${formatValue(raw as FilterValue)}]`;
  // Does some value become primary in this patch? Then the primary rule (RFC 7644 §3.5.2) clears
  // the old one and no operation is needed for it.
  let newPrimary = false;
  let dropped = 0;
  for (const [k, d] of di) {
    const c = ci.get(k);
    if (isPrimary(d.el) && (!c || !isPrimary(c.el))) newPrimary = true;
  }
  for (const [k, c] of ci) {
    const d = di.get(k);
    if (!d) {
      removes.push({ op: 'remove', path: sel(c.raw) });
      dropped++;
      continue;
    }
    if (scimEquivalent(c.el, d.el, def ? { ...def, multiValued: false } : undefined)) continue;
    const subOps = diffElement(def, sel(c.raw), c.el, d.el, newPrimary);
    if (subOps === 'readd') {
      removes.push({ op: 'remove', path: sel(c.raw) });
      added.push(clean(d.el, def ? { ...def, multiValued: false } : undefined));
    } else if (subOps === 'whole') {
      replaces.push({ op: 'replace', path: sel(c.raw), value: clean(d.el, def ? { ...def, multiValued: false } : undefined) });
    } else {
      for (const o of subOps) (o.op === 'remove' ? removes : replaces).push(o);
    }
  }
  for (const [k, d] of di) if (!ci.has(k)) added.push(clean(d.el, def ? { ...def, multiValued: false } : undefined));
  if (added.length === 0 && dropped === curList.length) {
    // Every current value goes and nothing comes: one remove of the attribute.
    b.removes.push({ op: 'remove', path });
    return;
  }
  b.removes.push(...removes);
  b.replaces.push(...replaces);
  if (added.length > 0) b.adds.push({ op: 'add', path, value: added });
}

/**
 * Changes within one matched value. A change to an immutable/readOnly sub-attribute (members'
 * `$ref`, `type`) cannot be made in place, so the value is removed and added back; several
 * changed sub-attributes are written as one replacement of the value.
 */
function diffElement(def: AttributeDefinition | undefined, selector: string, c: Obj, d: Obj, newPrimary: boolean): PatchOperation[] | 'readd' | 'whole' {
  const ci = indexKeys(c).keys;
  const di = indexKeys(d).keys;
  const subs = new Map<string, string>(ci);
  for (const [l, k] of di) subs.set(l, k);
  const ops: PatchOperation[] = [];
  let changed = 0;
  for (const [l, k] of subs) {
    const sdef = def ? subAttribute(def, k) : undefined;
    const cv = ci.has(l) ? c[ci.get(l) as string] : undefined;
    const dv = di.has(l) ? d[di.get(l) as string] : undefined;
    if (l === 'primary' ? (cv === true) === (dv === true) : scimEquivalent(cv, dv, sdef)) continue;
    if (sdef && sdef.mutability === 'readOnly') continue;
    if (sdef && sdef.mutability === 'immutable') return 'readd';
    if (!ATTRNAME_RE.test(sdef?.name ?? k)) return 'whole';
    changed++;
    // Losing "primary" while another value gains it is handled by the primary rule.
    if (l === 'primary' && dv !== true && cv === true && newPrimary) continue;
    const p = `${selector}.${sdef?.name ?? k}`;
    ops.push(isUnassigned(dv) ? { op: 'remove', path: p } : { op: 'replace', path: p, value: clean(dv, sdef) });
  }
  if (changed > 1) return 'whole';
  return ops;
}

export interface ChunkOptions {
  /** Most member values one PatchOp may add or remove. */
  maxMembersPerOperation: number;
  /** Multi-valued attributes to split; default `["members"]`. */
  attributes?: readonly string[];
}

/**
 * Splits a PatchOp so that no request carries more than `maxMembersPerOperation` member changes
 * (service providers cap group PATCH size; Entra ID sends at most 1000 members per request).
 * The first PatchOp keeps every other operation in its original position; a whole-list
 * `replace members` becomes a replace with the first chunk followed by adds, which leaves the same
 * final membership.
 */
export function chunkPatch(patch: PatchOp, options: ChunkOptions): PatchOp[] {
  const max = options.maxMembersPerOperation;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxMembersPerOperation must be a positive integer');
  const names = new Set((options.attributes ?? ['members']).map((a) => a.toLowerCase()));
  const isMemberPath = (p: string | undefined): boolean => {
    if (p === undefined) return false;
    const head = p.split('[')[0] ?? '';
    return names.has((head.split('.')[0] ?? '').toLowerCase());
  };
  const out: PatchOperation[][] = [[]];
  let count = 0;
  const room = (): number => {
    if (count >= max) {
      out.push([]);
      count = 0;
    }
    return max - count;
  };
  const last = (): PatchOperation[] => out[out.length - 1] as PatchOperation[];
  for (const op of patch.Operations) {
    if (!isMemberPath(op.path)) {
      (out[0] as PatchOperation[]).push(op);
      continue;
    }
    if (op.op === 'remove' || !Array.isArray(op.value) || op.value.length === 0) {
      room();
      last().push(op);
      if (op.op === 'remove' || Array.isArray(op.value) === false) count++;
      continue;
    }
    const values = op.value as unknown[];
    for (let i = 0; i < values.length; ) {
      const slice = values.slice(i, i + room());
      last().push({ op: i === 0 ? op.op : 'add', path: op.path as string, value: slice });
      count += slice.length;
      i += slice.length;
    }
  }
  return out.filter((ops, i) => i === 0 || ops.length > 0).map((ops) => ({ schemas: [PATCH_OP_SCHEMA], Operations: ops }));
}

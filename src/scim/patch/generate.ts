import { type AttributeCatalog, type AttributeDefinition, type SchemaDefinition } from '../attributes';
import * as attributes from '../attributes';
import { type FilterValue } from '../filter/ast';
import { formatValue } from '../filter/format';
import * as json from '../json';
import { PATCH_OP_SCHEMA } from '../urns';
import * as equivalence from './equivalence';
import { type PatchOp, type PatchOperation, type ScimResource } from './types';

// Bound once: under tsx (esbuild's CommonJS output) every use of a named import is a getter call,
// which showed as ~12% of patch generation time in profiles.
const { DEFAULT_CATALOG, buildCatalog, findKey, identityKey, lookupExtension, elementDefinition, subAttribute } =
  attributes;
const { cloneJson, isPlainObject, jsonEqual } = json;
const { isUnassigned, scimEquivalent } = equivalence;

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
export function generatePatch(current: ScimResource, desired: ScimResource, options?: GeneratePatchOptions): PatchOp {
  const ctx: Ctx = { catalog: catalogOf(options?.schema), valuePaths: options?.valuePathFilters ?? true, ops: [] };
  const b: Buckets = { removes: [], replaces: [], adds: [] };
  // Extension URNs to diff, with the attributes `managed` adds to each beyond what desired holds.
  // Created on first use: most updates do not touch an extension.
  let extensions: Extensions | undefined;

  const keys = Object.keys(desired);
  for (let i = 0; i < keys.length; i++) {
    const dk = keys[i] as string;
    const des = desired[dk];
    // Most attributes are unchanged and spelled alike on both sides: an exact comparison is the
    // first and usually the only test.
    const same = current[dk];
    if (same !== undefined && jsonEqual(same, des)) continue;
    if (isUrn(dk)) {
      extEntry((extensions ??= new Map()), ctx.catalog, dk);
      continue;
    }
    const def = lookupTop(ctx.catalog, dk);
    // readOnly covers id, meta, groups and schemas (COMMON_ATTRIBUTES).
    if (def?.mutability === 'readOnly') continue;
    const ck = same !== undefined ? dk : findKey(current, dk);
    const cur = ck === undefined ? undefined : current[ck];
    if (ck !== dk && jsonEqual(cur, des)) continue;
    diffAttribute(ctx, b, def, def?.name ?? dk, cur, des);
  }
  for (const m of options?.managed ?? NONE) {
    if (isUrn(m)) {
      if (lookupExtension(ctx.catalog, m) || findKey(current, m) !== undefined || findKey(desired, m) !== undefined)
        extEntry((extensions ??= new Map()), ctx.catalog, m).whole = true;
      else {
        const colon = m.lastIndexOf(':');
        extEntry((extensions ??= new Map()), ctx.catalog, m.slice(0, colon)).extra.add(m.slice(colon + 1));
      }
      continue;
    }
    if (findKey(desired, m) !== undefined) continue;
    const def = lookupTop(ctx.catalog, m);
    if (def?.mutability === 'readOnly') continue;
    const ck = findKey(current, m);
    diffAttribute(ctx, b, def, def?.name ?? m, ck === undefined ? undefined : current[ck], undefined);
  }
  if (extensions)
    for (const e of extensions.values()) {
      const ck = e.urn in current ? e.urn : findKey(current, e.urn);
      const dk = e.urn in desired ? e.urn : findKey(desired, e.urn);
      const cObj = ck !== undefined && isPlainObject(current[ck]) ? (current[ck] as Obj) : EMPTY;
      const dObj = dk !== undefined && isPlainObject(desired[dk]) ? (desired[dk] as Obj) : EMPTY;
      if (ck !== dk && jsonEqual(cObj, dObj)) continue;
      let attrs = Object.keys(dObj);
      if (e.extra.size > 0 || e.whole) {
        attrs = attrs.concat([...e.extra]);
        if (e.whole) attrs = attrs.concat(Object.keys(cObj));
        attrs = dedupeCaseInsensitive(attrs);
      }
      const table = lookupExtension(ctx.catalog, e.urn)?.attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs[i] as string;
        const cur = read(cObj, a);
        const des = read(dObj, a);
        if (jsonEqual(cur, des)) continue;
        const def = table?.get(a.toLowerCase());
        diffAttribute(ctx, b, def, `${e.urn}:${def?.name ?? a}`, cur, des);
      }
    }
  return { schemas: [PATCH_OP_SCHEMA], Operations: b.removes.concat(b.replaces, b.adds) };
}

const NONE: readonly string[] = [];
const EMPTY: Obj = Object.freeze({}) as Obj;

function dedupeCaseInsensitive(names: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    const l = n.toLowerCase();
    if (!seen.has(l)) {
      seen.add(l);
      out.push(n);
    }
  }
  return out;
}

type Extensions = Map<string, { urn: string; extra: Set<string>; whole: boolean }>;

function extEntry(
  extensions: Extensions,
  catalog: AttributeCatalog,
  urn: string,
): { urn: string; extra: Set<string>; whole: boolean } {
  const known = lookupExtension(catalog, urn);
  // Known extensions are keyed by their canonical URN (no case folding needed); others by lower case.
  const key = known ? known.urn : urn.toLowerCase();
  let e = extensions.get(key);
  if (!e) extensions.set(key, (e = { urn: known ? known.urn : urn, extra: new Set(), whole: false }));
  return e;
}

function isUrn(k: string): boolean {
  const c = k.charCodeAt(0);
  return (c === 117 || c === 85) && /^urn:/i.test(k);
}

// Top-level definitions memoised by the exact spelling used, so the common case is one Map read.
const topCache = new WeakMap<AttributeCatalog, Map<string, AttributeDefinition | null>>();
function lookupTop(catalog: AttributeCatalog, name: string): AttributeDefinition | undefined {
  let m = topCache.get(catalog);
  if (!m) topCache.set(catalog, (m = new Map()));
  let d = m.get(name);
  if (d === undefined) {
    d = catalog.core.get(name.toLowerCase()) ?? null;
    if (m.size < 1024) m.set(name, d);
  }
  return d ?? undefined;
}

interface Buckets {
  removes: PatchOperation[];
  replaces: PatchOperation[];
  adds: PatchOperation[];
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
    const one = def ? elementDefinition(def) : undefined;
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

function diffAttribute(
  ctx: Ctx,
  b: Buckets,
  def: AttributeDefinition | undefined,
  path: string,
  cur: unknown,
  des: unknown,
): void {
  if (!isWritable(def, cur)) return;
  // Callers have already found cur and des not exactly equal; RFC-equivalence (RFC 7643 §2.5
  // unassigned forms, value order, primary=false, dateTime instants) is decided below, per value,
  // so a changed attribute is walked once.
  const desUnassigned = isUnassigned(des);
  if (desUnassigned && isUnassigned(cur)) return;
  const plainName = ATTRNAME_RE.test(path) || /^urn:.*:\$?[A-Za-z][A-Za-z0-9_-]*$/.test(path);
  if (!plainName) {
    if (scimEquivalent(cur, des, def)) return;
    // Unknown attribute whose name is not a valid path: only a path-less replace can reach it.
    b.replaces.push({ op: 'replace', value: { [path]: null } });
    if (!desUnassigned) b.replaces.push({ op: 'replace', value: { [path]: clean(des, def) } });
    return;
  }
  if (desUnassigned) {
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
  if (scimEquivalent(cur, des, def)) return;
  if (isPlainObject(des) && !isUnassigned(cur)) {
    // Current is a scalar where a complex value is wanted: clear it first so nothing merges.
    b.removes.push({ op: 'remove', path });
  }
  b.replaces.push({ op: 'replace', path, value: clean(des, def) });
}

/** Singular complex attribute (`name`, enterprise `manager`): one operation per changed sub-attribute. */
function diffComplex(b: Buckets, def: AttributeDefinition | undefined, path: string, cur: Obj, des: Obj): void {
  const subs = unionKeys(cur, des);
  for (let i = 0; i < subs.length; i++) {
    const k = subs[i] as string;
    const sdef = def ? subAttribute(def, k) : undefined;
    const cv = read(cur, k);
    const dv = read(des, k);
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

/** Keys of `b` plus those of `a` that `b` lacks (compared case-insensitively, RFC 7643 §2.1). */
function unionKeys(a: Obj, b: Obj): string[] {
  const out = Object.keys(b);
  for (const k of Object.keys(a)) if (!(k in b) && findKey(b, k) === undefined) out.push(k);
  return out;
}

function read(o: Obj, k: string): unknown {
  const v = o[k];
  if (v !== undefined) return v;
  const f = findKey(o, k);
  return f === undefined ? undefined : o[f];
}

type Id = string | number | boolean;

function identityOf(
  el: unknown,
  idKey: string,
  sdef: AttributeDefinition | undefined,
): { raw: Id; key: string } | undefined {
  if (!isPlainObject(el)) return undefined;
  let raw = el[idKey];
  if (raw === undefined) {
    const k = findKey(el, idKey);
    if (k !== undefined) raw = el[k];
  }
  if (typeof raw === 'string') return { raw, key: sdef?.caseExact ? `s${raw}` : `s${raw.toLowerCase()}` };
  if (typeof raw === 'number' || typeof raw === 'boolean') return { raw, key: `${typeof raw}${String(raw)}` };
  return undefined;
}

/**
 * Values indexed by identity key, in parallel arrays: lists are short (a handful of emails or
 * roles), where a linear scan beats building Maps. Undefined when some value lacks an identity or
 * two values share one.
 */
interface Identities {
  keys: string[];
  raws: Id[];
  els: Obj[];
}
function byIdentity(list: unknown[], idKey: string, sdef: AttributeDefinition | undefined): Identities | undefined {
  const out: Identities = { keys: [], raws: [], els: [] };
  for (const el of list) {
    const id = identityOf(el, idKey, sdef);
    if (!id || out.keys.includes(id.key)) return undefined;
    out.keys.push(id.key);
    out.raws.push(id.raw);
    out.els.push(el as Obj);
  }
  return out;
}

function hasEqualPair(list: unknown[]): boolean {
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) if (jsonEqual(list[i], list[j])) return true;
  return false;
}

function isPrimary(el: Obj): boolean {
  const v = el.primary;
  if (v !== undefined) return v === true;
  const k = findKey(el, 'primary');
  return k !== undefined && el[k] === true;
}

/** Drops unassigned values without allocating when there are none (the usual case). */
function assignedValues(v: unknown): unknown[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  for (let i = 0; i < list.length; i++) {
    if (isUnassigned(list[i])) {
      const out: unknown[] = [];
      for (const x of list) if (!isUnassigned(x)) out.push(x);
      return out;
    }
  }
  return list;
}

function selector(path: string, idKey: string, raw: Id): string {
  return `${path}[${idKey} eq ${formatValue(raw as FilterValue)}]`;
}

function allHaveValue(a: unknown[], b: unknown[]): boolean {
  for (const list of [a, b]) for (const x of list) if (!isPlainObject(x) || !('value' in x)) return false;
  return true;
}

function diffMulti(
  ctx: Ctx,
  b: Buckets,
  def: AttributeDefinition | undefined,
  path: string,
  cur: unknown,
  des: unknown,
): void {
  const desList = assignedValues(des);
  const curList = assignedValues(cur);
  const one = def ? elementDefinition(def) : undefined;
  const attrName = def ? def.name : path.slice(path.lastIndexOf(':') + 1);
  let idKey: string | undefined = identityKey(attrName);
  if (curList.length === 0) {
    // "add" skips values already present (RFC 7644 §3.5.2.1), which would collapse duplicates
    // inside `desired` itself; "replace" writes the list as given.
    const dup =
      idKey === 'value'
        ? byIdentity(desList, 'value', def ? subAttribute(def, 'value') : undefined) === undefined
        : hasEqualPair(desList);
    (dup ? b.replaces : b.adds).push({ op: dup ? 'replace' : 'add', path, value: clean(desList, def) });
    return;
  }
  if (!idKey && allHaveValue(desList, curList)) idKey = 'value';
  const sdefId = def && idKey ? subAttribute(def, idKey) : undefined;
  const ci = ctx.valuePaths && idKey ? byIdentity(curList, idKey, sdefId) : undefined;
  const di = ci && idKey ? byIdentity(desList, idKey, sdefId) : undefined;
  if (!ci || !di || !idKey) {
    if (!scimEquivalent(curList, desList, def)) b.replaces.push({ op: 'replace', path, value: clean(desList, def) });
    return;
  }
  const removes: PatchOperation[] = [];
  const replaces: PatchOperation[] = [];
  const added: unknown[] = [];
  // Does some value become primary in this patch? Then the primary rule (RFC 7644 §3.5.2) clears
  // the old one and no operation is needed for it.
  let newPrimary = false;
  let dropped = 0;
  for (let j = 0; j < di.keys.length; j++) {
    const d = di.els[j] as Obj;
    const ci_ = ci.keys.indexOf(di.keys[j] as string);
    if (isPrimary(d) && (ci_ < 0 || !isPrimary(ci.els[ci_] as Obj))) newPrimary = true;
  }
  for (let j = 0; j < ci.keys.length; j++) {
    const c = ci.els[j] as Obj;
    const raw = ci.raws[j] as Id;
    const di_ = di.keys.indexOf(ci.keys[j] as string);
    if (di_ < 0) {
      removes.push({ op: 'remove', path: selector(path, idKey, raw) });
      dropped++;
      continue;
    }
    const d = di.els[di_] as Obj;
    if (scimEquivalent(c, d, one)) continue;
    const sel = selector(path, idKey, raw);
    const subOps = diffElement(def, sel, c, d, newPrimary);
    if (subOps === 'readd') {
      removes.push({ op: 'remove', path: sel });
      added.push(clean(d, one));
    } else if (subOps === 'whole') {
      replaces.push({ op: 'replace', path: sel, value: clean(d, one) });
    } else {
      for (const o of subOps) (o.op === 'remove' ? removes : replaces).push(o);
    }
  }
  for (let j = 0; j < di.keys.length; j++)
    if (!ci.keys.includes(di.keys[j] as string)) added.push(clean(di.els[j], one));
  if (added.length === 0 && dropped === curList.length) {
    // Every current value goes and nothing comes: one remove of the attribute.
    b.removes.push({ op: 'remove', path });
    return;
  }
  for (const o of removes) b.removes.push(o);
  for (const o of replaces) b.replaces.push(o);
  if (added.length > 0) b.adds.push({ op: 'add', path, value: added });
}

/**
 * Changes within one matched value. A change to an immutable/readOnly sub-attribute (members'
 * `$ref`, `type`) cannot be made in place, so the value is removed and added back; several
 * changed sub-attributes are written as one replacement of the value.
 */
function diffElement(
  def: AttributeDefinition | undefined,
  selector: string,
  c: Obj,
  d: Obj,
  newPrimary: boolean,
): PatchOperation[] | 'readd' | 'whole' {
  const subs = unionKeys(c, d);
  const ops: PatchOperation[] = [];
  let changed = 0;
  for (let i = 0; i < subs.length; i++) {
    const k = subs[i] as string;
    const sdef = def ? subAttribute(def, k) : undefined;
    const cv = read(c, k);
    const dv = read(d, k);
    const isPrimaryKey = k === 'primary' || k.toLowerCase() === 'primary';
    if (isPrimaryKey ? (cv === true) === (dv === true) : scimEquivalent(cv, dv, sdef)) continue;
    if (sdef && sdef.mutability === 'readOnly') continue;
    if (sdef && sdef.mutability === 'immutable') return 'readd';
    if (!ATTRNAME_RE.test(sdef?.name ?? k)) return 'whole';
    changed++;
    // Losing "primary" while another value gains it is handled by the primary rule.
    if (isPrimaryKey && dv !== true && cv === true && newPrimary) continue;
    const p = `${selector}.${sdef?.name ?? k}`;
    ops.push(isUnassigned(dv) ? { op: 'remove', path: p } : { op: 'replace', path: p, value: clean(dv, sdef) });
  }
  if (changed > 1) return 'whole';
  return ops;
}

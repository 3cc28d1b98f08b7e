import {
  type AttributeCatalog,
  type AttributeDefinition,
  DEFAULT_CATALOG,
  findKey,
  identityKey,
  lookupAttribute,
  lookupExtension,
  elementDefinition,
  subAttribute,
} from '../attributes';
import { type AttributePath, formatPath, parsePath } from '../attribute-path';
import { InvalidSyntaxError, InvalidValueError, MutabilityError, NoTargetError } from '../errors';
import { type FilterAst } from '../filter/ast';
import { type FilterPredicate, compileValueFilter, isPresent } from '../filter/compile';
import { cloneJson, isPlainObject, jsonEqual } from '../json';
import { PATCH_OP_SCHEMA } from '../urns';
import { normalizePatchOp } from './normalize';
import { validateMulti, validateValue } from './validate';
import { type PatchOp, type PatchOperation, type ScimResource } from './types';
import { scimEquivalent } from './equivalence';

export interface ApplyPatchOptions {
  /** Attribute metadata (mutability, types, caseExact). Defaults to User + Group + enterprise. */
  catalog?: AttributeCatalog;
  /**
   * Accept what Microsoft Entra ID and Okta actually send (see `normalizePatchOp`), and, like those
   * IdPs expect, create the value a `replace` value path points at when no value matches instead
   * of failing with noTarget. Default false: strict RFC 7644.
   */
  idpCompat?: boolean;
  /** Enforce readOnly/immutable (RFC 7643 §7 "mutability"). Default true; a server may disable it for internal updates. */
  enforceMutability?: boolean;
}

interface Ctx {
  catalog: AttributeCatalog;
  idpCompat: boolean;
  enforceMutability: boolean;
}

type Obj = Record<string, unknown>;

/**
 * Applies an RFC 7644 §3.5.2 PatchOp and returns the patched copy; `resource` is never mutated.
 * Operations are applied in order and atomically: any failure throws a ScimError and no result is
 * produced (§3.5.2: "If an error occurs ... the resource SHALL NOT be modified").
 */
export function applyPatch<T extends ScimResource>(resource: T, patch: PatchOp, options: ApplyPatchOptions = {}): T {
  const ctx: Ctx = {
    catalog: options.catalog ?? DEFAULT_CATALOG,
    idpCompat: options.idpCompat ?? false,
    enforceMutability: options.enforceMutability ?? true,
  };
  const p = ctx.idpCompat ? normalizePatchOp(patch, { catalog: ctx.catalog }) : patch;
  checkEnvelope(p);
  const out = cloneJson(resource) as Obj;
  const ops = p.Operations;
  for (let i = 0; i < ops.length; i++) applyOperation(out, ops[i] as PatchOperation, ctx);
  return out as T;
}

function checkEnvelope(p: PatchOp): void {
  if (!isPlainObject(p)) throw new InvalidSyntaxError('PatchOp must be a JSON object');
  if (!Array.isArray(p.schemas) || !p.schemas.includes(PATCH_OP_SCHEMA)) {
    throw new InvalidSyntaxError(`PatchOp "schemas" must contain "${PATCH_OP_SCHEMA}"`);
  }
  if (!Array.isArray(p.Operations)) throw new InvalidSyntaxError('PatchOp "Operations" must be an array');
}

// Parsed paths are cached: the same few paths ("members", "active", "emails[type eq "work"].value")
// recur in every request an IdP sends. Bounded so hostile input cannot grow it without limit.
const PATH_CACHE_LIMIT = 512;
const pathCache = new WeakMap<AttributeCatalog, Map<string, AttributePath>>();
function cachedPath(text: string, catalog: AttributeCatalog): AttributePath {
  let m = pathCache.get(catalog);
  if (!m) pathCache.set(catalog, (m = new Map()));
  let p = m.get(text);
  if (p === undefined) {
    p = parsePath(text, catalog);
    if (m.size >= PATH_CACHE_LIMIT) m.clear();
    m.set(text, p);
  }
  return p;
}
const filterCache = new WeakMap<FilterAst, FilterPredicate>();
function predicateFor(
  ast: FilterAst,
  def: AttributeDefinition | undefined,
  catalog: AttributeCatalog,
): FilterPredicate {
  let f = filterCache.get(ast);
  if (!f) filterCache.set(ast, (f = compileValueFilter(ast, def, catalog)));
  return f;
}

function applyOperation(resource: Obj, op: PatchOperation, ctx: Ctx): void {
  if (!isPlainObject(op)) throw new InvalidSyntaxError('each operation must be a JSON object');
  const name = op.op;
  if (name !== 'add' && name !== 'remove' && name !== 'replace') {
    throw new InvalidSyntaxError(
      `unsupported operation ${JSON.stringify(name)}; expected "add", "remove" or "replace"`,
    );
  }
  if (op.path === undefined || op.path === null) {
    // §3.5.2.2: remove without a path has no target.
    if (name === 'remove') throw new NoTargetError('"remove" requires a "path"');
    if (!isPlainObject(op.value))
      throw new InvalidValueError(`"${name}" without a path needs an object "value" of attributes`);
    applyPathless(resource, name, op.value, ctx);
    return;
  }
  if (typeof op.path !== 'string') throw new InvalidSyntaxError('"path" must be a string');
  if (name !== 'remove' && !('value' in op))
    throw new InvalidValueError(`"${name}" requires a "value" (path "${op.path}")`);
  const path = cachedPath(op.path, ctx.catalog);
  applyAt(resource, name, path, op.value, ctx, false);
}

/**
 * §3.5.2.1 / §3.5.2.3 with no path: the value is a set of attributes applied to the resource.
 * readOnly attributes that a client echoes back unchanged (Okta sends `id`) are ignored; changing
 * them is still a mutability error.
 */
function applyPathless(resource: Obj, name: 'add' | 'replace', value: Obj, ctx: Ctx): void {
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (key.toLowerCase() === 'schemas') {
      mergeSchemas(resource, v);
      continue;
    }
    let path: AttributePath;
    if (/^urn:/i.test(key)) {
      const ext = lookupExtension(ctx.catalog, key);
      if (ext || ctx.catalog.coreUrns.has(key.toLowerCase())) path = { uri: ext?.urn ?? key };
      else if (isPlainObject(v)) path = { uri: key };
      else path = cachedPath(key, ctx.catalog);
    } else {
      path = { attr: key };
    }
    applyAt(resource, name, path, v, ctx, true);
  }
}

function mergeSchemas(resource: Obj, v: unknown): void {
  if (!Array.isArray(v)) throw new InvalidValueError('"schemas" must be an array of URIs');
  const key = findKey(resource, 'schemas') ?? 'schemas';
  const cur = Array.isArray(resource[key]) ? (resource[key] as unknown[]) : [];
  for (const s of v) {
    if (typeof s !== 'string') throw new InvalidValueError('"schemas" must be an array of URIs');
    if (!cur.some((c) => typeof c === 'string' && c.toLowerCase() === s.toLowerCase())) cur.push(s);
  }
  resource[key] = cur;
}

/** Adds an extension URN to `schemas` when a patch first writes into that extension (RFC 7643 §3). */
function declareSchema(resource: Obj, urn: string): void {
  const key = findKey(resource, 'schemas');
  if (key === undefined) return;
  const cur = resource[key];
  if (!Array.isArray(cur)) return;
  const l = urn.toLowerCase();
  if (!cur.some((c) => typeof c === 'string' && c.toLowerCase() === l)) cur.push(urn);
}

interface Resolved {
  container: Obj | undefined;
  key: string;
  def: AttributeDefinition | undefined;
  label: string;
}

/** Finds the object that holds the attribute `path` names: the resource or an extension object. */
function resolve(resource: Obj, path: AttributePath, ctx: Ctx, create: boolean): Resolved {
  const attr = path.attr as string;
  const label = formatPath({ ...path, filter: undefined, sub: undefined });
  const def = lookupAttribute(ctx.catalog, path.uri, attr);
  let extUrn: string | undefined;
  if (path.uri !== undefined && !ctx.catalog.coreUrns.has(path.uri.toLowerCase())) {
    extUrn = lookupExtension(ctx.catalog, path.uri)?.urn ?? path.uri;
  } else if (path.uri === undefined && def && !ctx.catalog.core.has(attr.toLowerCase())) {
    // Unqualified name that only an extension defines (e.g. "department"): it lives in the extension.
    for (const e of ctx.catalog.extensions.values()) if (e.attributes.get(attr.toLowerCase()) === def) extUrn = e.urn;
  }
  let container: Obj | undefined = resource;
  if (extUrn !== undefined) {
    const ck = findKey(resource, extUrn);
    const existing = ck === undefined ? undefined : resource[ck];
    if (isPlainObject(existing)) container = existing;
    else if (create) {
      container = {};
      resource[ck ?? extUrn] = container;
      declareSchema(resource, extUrn);
    } else container = undefined;
  }
  const key = (container && findKey(container, attr)) ?? def?.name ?? attr;
  return { container, key, def, label };
}

function applyAt(
  resource: Obj,
  name: 'add' | 'remove' | 'replace',
  path: AttributePath,
  value: unknown,
  ctx: Ctx,
  pathless: boolean,
): void {
  if (path.attr === undefined) {
    applyToExtension(resource, name, path, value, ctx);
    return;
  }
  const writing = name !== 'remove';
  const r = resolve(resource, path, ctx, writing && value !== null);
  const { container, key, def, label } = r;
  if (!container) return; // removing from an extension the resource does not have: nothing to do
  const current = container[key];

  if (ctx.enforceMutability && def) {
    if (
      pathless &&
      (def.mutability === 'readOnly' || def.mutability === 'immutable') &&
      scimEquivalent(current, value, def)
    )
      return;
    checkMutability(def, current, label, name);
  }

  if (path.filter) {
    applyFiltered(container, key, def, name, path, value, ctx, label);
    pruneExtension(resource, path, container);
    return;
  }
  if (path.sub !== undefined) {
    applySub(container, key, def, name, path.sub, value, ctx, label);
    pruneExtension(resource, path, container);
    return;
  }
  if (name === 'remove') {
    if (def?.required) throw new InvalidValueError(`"${label}" is required and cannot be removed`);
    delete container[key];
    pruneExtension(resource, path, container);
    return;
  }
  if (value === null || (Array.isArray(value) && value.length === 0 && name === 'replace')) {
    // RFC 7643 §2.5: null and [] mean unassigned.
    if (def?.required) throw new InvalidValueError(`"${label}" is required and cannot be unassigned`);
    delete container[key];
    pruneExtension(resource, path, container);
    return;
  }
  if (def?.multiValued || (!def && Array.isArray(value))) {
    const values = validateMulti(def, value, label);
    if (name === 'replace') {
      // §3.5.2.3: a multi-valued target without a filter has all of its values replaced.
      container[key] = values;
    } else {
      // §3.5.2.1: new values are added; a value already present is not added twice.
      const cur = asArray(current);
      const idKey = identityKey(def?.name ?? key) === 'value' ? 'value' : undefined;
      for (const v of values) {
        const dup = cur.findIndex((c) =>
          idKey && isPlainObject(c) && isPlainObject(v) ? sameValue(c[idKey], v[idKey], def, idKey) : jsonEqual(c, v),
        );
        if (dup < 0) cur.push(v);
        else if (idKey && isPlainObject(v) && isPlainObject(cur[dup])) Object.assign(cur[dup] as Obj, v);
      }
      container[key] = cur;
    }
    enforceSinglePrimary(container[key] as unknown[], values);
    return;
  }
  if (def?.type === 'complex' || (!def && isPlainObject(value) && isPlainObject(current))) {
    // §3.5.2.1 / §3.5.2.3: a complex target receives the given sub-attributes; others are left unchanged.
    const v = validateValue(def, value, label);
    if (!isPlainObject(v)) throw new InvalidValueError(`"${label}" expects an object of sub-attributes`);
    const target = isPlainObject(current) ? current : {};
    for (const sk of Object.keys(v)) {
      const sdef = def ? subAttribute(def, sk) : undefined;
      if (ctx.enforceMutability && sdef && sdef.mutability === 'readOnly') {
        if (scimEquivalent(target[findKey(target, sk) ?? sk], v[sk], sdef)) continue;
        throw new MutabilityError(`"${label}.${sdef.name}" is readOnly`);
      }
      const tk = findKey(target, sk) ?? sdef?.name ?? sk;
      if (v[sk] === null) delete target[tk];
      else target[tk] = cloneJson(v[sk]);
    }
    if (Object.keys(target).length === 0) delete container[key];
    else container[key] = target;
    return;
  }
  // Values are copied in so the result never shares objects with the PatchOp.
  container[key] = cloneJson(validateValue(def, value, label));
}

/** A path that is only an extension URN addresses the extension object as a complex attribute. */
function applyToExtension(
  resource: Obj,
  name: 'add' | 'remove' | 'replace',
  path: AttributePath,
  value: unknown,
  ctx: Ctx,
): void {
  const urn = path.uri as string;
  if (ctx.catalog.coreUrns.has(urn.toLowerCase())) {
    if (name === 'remove') throw new MutabilityError(`the core schema "${urn}" cannot be removed`);
    if (!isPlainObject(value)) throw new InvalidValueError(`"${urn}" expects an object of attributes`);
    applyPathless(resource, name, value, ctx);
    return;
  }
  if (name === 'remove') {
    const ck = findKey(resource, urn);
    if (ck !== undefined) delete resource[ck];
    return;
  }
  if (!isPlainObject(value)) throw new InvalidValueError(`"${urn}" expects an object of attributes`);
  for (const k of Object.keys(value)) applyAt(resource, name, { uri: urn, attr: k }, value[k], ctx, true);
}

function pruneExtension(resource: Obj, path: AttributePath, container: Obj): void {
  if (container === resource) return;
  if (Object.keys(container).length > 0) return;
  for (const k of Object.keys(resource)) if (resource[k] === container) delete resource[k];
}

function checkMutability(def: AttributeDefinition, current: unknown, label: string, name: string): void {
  if (def.mutability === 'readOnly')
    throw new MutabilityError(`"${label}" is readOnly and cannot be modified with "${name}"`);
  // RFC 7643 §7: immutable attributes may be set once, when they have no value yet.
  if (def.mutability === 'immutable' && isPresent(current))
    throw new MutabilityError(`"${label}" is immutable and already has a value`);
}

/** `name.givenName`, or `emails.type` applied to every value of a multi-valued attribute. */
function applySub(
  container: Obj,
  key: string,
  def: AttributeDefinition | undefined,
  name: string,
  sub: string,
  value: unknown,
  ctx: Ctx,
  label: string,
): void {
  const sdef = def ? subAttribute(def, sub) : undefined;
  const full = `${label}.${sdef?.name ?? sub}`;
  const current = container[key];
  if (def?.multiValued || Array.isArray(current)) {
    // No filter: the sub-attribute of every value is the target.
    const arr = asArray(current);
    if (arr.length === 0) {
      if (name === 'remove') return;
      throw new NoTargetError(`"${full}" has no values to modify; use a value path or add the values`);
    }
    for (const el of arr) if (isPlainObject(el)) writeSub(el, sdef, sub, name, value, ctx, full);
    return;
  }
  if (name === 'remove') {
    if (!isPlainObject(current)) return;
    writeSub(current, sdef, sub, name, value, ctx, full);
    if (Object.keys(current).length === 0) delete container[key];
    return;
  }
  const target = isPlainObject(current) ? current : {};
  writeSub(target, sdef, sub, name, value, ctx, full);
  if (Object.keys(target).length === 0) delete container[key];
  else container[key] = target;
}

function writeSub(
  el: Obj,
  sdef: AttributeDefinition | undefined,
  sub: string,
  name: string,
  value: unknown,
  ctx: Ctx,
  label: string,
): void {
  const k = findKey(el, sub) ?? sdef?.name ?? sub;
  if (ctx.enforceMutability && sdef) checkMutability(sdef, el[k], label, name);
  if (name === 'remove' || value === null) {
    delete el[k];
    return;
  }
  el[k] = cloneJson(validateValue(sdef, value, label));
}

/** §3.5.2.1–3 with a value path (`emails[type eq "work"]`, optionally followed by `.sub`). */
function applyFiltered(
  container: Obj,
  key: string,
  def: AttributeDefinition | undefined,
  name: 'add' | 'remove' | 'replace',
  path: AttributePath,
  value: unknown,
  ctx: Ctx,
  label: string,
): void {
  const pred = predicateFor(path.filter as FilterAst, def, ctx.catalog);
  const arr = asArray(container[key]);
  const hits: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i];
    if (isPlainObject(el) && pred(el)) hits.push(i);
  }
  const text = formatPath(path);
  const sdef = path.sub !== undefined && def ? subAttribute(def, path.sub) : undefined;
  if (hits.length === 0) {
    if (name === 'remove') throw new NoTargetError(`no value of "${label}" matches "${text}"`);
    // §3.5.2.3 requires noTarget for replace; §3.5.2.1 says nothing for add, and Entra ID sends
    // `add emails[type eq "work"].value` for a user without a work email, meaning "create it".
    const seed = name === 'add' || ctx.idpCompat ? seedFromFilter(path.filter as FilterAst) : undefined;
    if (!seed) throw new NoTargetError(`no value of "${label}" matches "${text}"`);
    let el: unknown;
    if (path.sub !== undefined) {
      if (value === null) return;
      el = { ...seed, [sdef?.name ?? path.sub]: cloneJson(validateValue(sdef, value, text)) };
    } else {
      const v = validateValue(def ? elementDefinition(def) : undefined, value, text);
      if (!isPlainObject(v)) throw new InvalidValueError(`"${text}" expects an object`);
      el = { ...seed, ...cloneJson(v) };
    }
    arr.push(el);
    container[key] = arr;
    enforceSinglePrimary(arr, [el]);
    return;
  }
  if (name === 'remove') {
    if (path.sub !== undefined) {
      for (const i of hits) writeSub(arr[i] as Obj, sdef, path.sub, 'remove', undefined, ctx, text);
    } else {
      // §3.5.2.2: matched values are removed; an emptied multi-valued attribute becomes unassigned.
      const drop = new Set(hits);
      const rest = arr.filter((_, i) => !drop.has(i));
      if (rest.length === 0) delete container[key];
      else container[key] = rest;
    }
    return;
  }
  const written: unknown[] = [];
  if (path.sub !== undefined) {
    for (const i of hits) {
      const el = arr[i] as Obj;
      writeSub(el, sdef, path.sub, name, value, ctx, text);
      written.push(el);
    }
  } else {
    const v = validateValue(def ? elementDefinition(def) : undefined, value, text);
    if (!isPlainObject(v)) throw new InvalidValueError(`"${text}" expects an object`);
    for (const i of hits) {
      if (ctx.enforceMutability && def?.subAttributes) {
        for (const s of def.subAttributes) {
          if (s.mutability === 'immutable' || s.mutability === 'readOnly') {
            const cur = (arr[i] as Obj)[findKey(arr[i] as Obj, s.name) ?? s.name];
            const nxt = v[findKey(v, s.name) ?? s.name];
            if (!scimEquivalent(cur, nxt, s)) throw new MutabilityError(`"${text}.${s.name}" is ${s.mutability}`);
          }
        }
      }
      // §3.5.2.3 replaces each matching value; add merges sub-attributes into it (§3.5.2.1 complex rule).
      arr[i] = name === 'replace' ? cloneJson(v) : { ...(arr[i] as Obj), ...cloneJson(v) };
      written.push(arr[i]);
    }
  }
  container[key] = arr;
  enforceSinglePrimary(arr, written);
}

/**
 * For a value filter made only of `eq` terms joined by `and` (`emails[type eq "work"]`), the
 * sub-attributes the new value must carry so that the filter selects it; undefined otherwise.
 */
function seedFromFilter(f: FilterAst): Obj | undefined {
  if (f.op === 'and') {
    const l = seedFromFilter(f.left);
    const r = seedFromFilter(f.right);
    return l && r ? { ...l, ...r } : undefined;
  }
  if (f.op === 'eq' && f.attr.uri === undefined && f.attr.sub === undefined && f.value !== null)
    return { [f.attr.name]: f.value };
  return undefined;
}

/**
 * RFC 7644 §3.5.2: setting "primary" to true on one value sets it to false on all the others
 * (RFC 7643 §2.4: "true" appears no more than once).
 */
function enforceSinglePrimary(all: unknown[], written: unknown[]): void {
  let winner: unknown;
  for (const w of written) if (isPlainObject(w) && primaryOf(w) === true) winner = w;
  if (winner === undefined) return;
  for (const el of all) {
    if (el !== winner && isPlainObject(el) && primaryOf(el) === true) el[findKey(el, 'primary') ?? 'primary'] = false;
  }
}

function primaryOf(el: Obj): unknown {
  const k = findKey(el, 'primary');
  return k === undefined ? undefined : el[k];
}

function asArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  return [v];
}

function sameValue(a: unknown, b: unknown, def: AttributeDefinition | undefined, sub: string): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    const sdef = def ? subAttribute(def, sub) : undefined;
    return sdef && !sdef.caseExact ? a.toLowerCase() === b.toLowerCase() : a === b;
  }
  return jsonEqual(a, b);
}

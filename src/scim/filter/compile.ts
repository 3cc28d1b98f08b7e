import {
  type AttributeCatalog,
  type AttributeDefinition,
  DEFAULT_CATALOG,
  findKey,
  lookupAttribute,
  lookupExtension,
  subAttribute,
} from '../attributes';
import { InvalidFilterError } from '../errors';
import { type AttrRef, type CompareNode, type FilterAst, type FilterValue } from './ast';
import { formatAttrRef } from './format';
import { parseFilter } from './parser';

export interface CompileOptions {
  /** Attribute metadata (caseExact, type) to compile against. Defaults to User + Group + enterprise. */
  catalog?: AttributeCatalog;
}

export type Resource = Record<string, unknown>;
export type FilterPredicate = (resource: Resource) => boolean;
type ValueTest = (x: unknown) => boolean;
type Getter = (obj: Resource) => unknown;

/**
 * Compiles a filter into a predicate. All decisions that depend only on the filter (operator,
 * attribute metadata, case folding of the operand, dateTime parsing) are made here, once; the
 * returned closures only read the resource.
 */
export function compileFilter(filter: string | FilterAst, options: CompileOptions = {}): FilterPredicate {
  const ast = typeof filter === 'string' ? parseFilter(filter) : filter;
  return compileNode(ast, options.catalog ?? DEFAULT_CATALOG, undefined);
}

/** `parent` is set inside a value filter: attribute names there are sub-attributes of `parent`. */
interface Scope {
  def: AttributeDefinition | undefined;
}

function compileNode(ast: FilterAst, catalog: AttributeCatalog, scope: Scope | undefined): FilterPredicate {
  switch (ast.op) {
    case 'and': {
      const l = compileNode(ast.left, catalog, scope);
      const r = compileNode(ast.right, catalog, scope);
      return (o) => l(o) && r(o);
    }
    case 'or': {
      const l = compileNode(ast.left, catalog, scope);
      const r = compileNode(ast.right, catalog, scope);
      return (o) => l(o) || r(o);
    }
    case 'not': {
      const f = compileNode(ast.filter, catalog, scope);
      return (o) => !f(o);
    }
    case 'valuePath': {
      if (scope) throw new InvalidFilterError(`nested value filter on "${formatAttrRef(ast.attr)}"`);
      const { get, def } = topGetter(ast.attr, catalog);
      const inner = compileNode(ast.filter, catalog, { def });
      // RFC 7644 §3.4.2.2: the value filter selects among the values of a complex multi-valued
      // attribute; a match on any single value is a match (the same value must satisfy all of it).
      return (o) => {
        const v = get(o);
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const el: unknown = v[i];
            if (el !== null && typeof el === 'object' && inner(el as Resource)) return true;
          }
          return false;
        }
        return v !== null && typeof v === 'object' && inner(v as Resource);
      };
    }
    case 'pr': {
      const get = attrGetter(ast.attr, catalog, scope).get;
      return (o) => isPresent(get(o));
    }
    default:
      return compileCompare(ast, catalog, scope);
  }
}

function compileCompare(node: CompareNode, catalog: AttributeCatalog, scope: Scope | undefined): FilterPredicate {
  const { get, def, parent, sub } = attrGetter(node.attr, catalog, scope);
  // RFC 7643 §2.5: null and unassigned are equivalent, so `eq null` asks for absence.
  if (node.value === null) {
    if (node.op === 'eq') return (o) => !isPresent(get(o));
    if (node.op === 'ne') return (o) => isPresent(get(o));
    throw new InvalidFilterError(`operator "${node.op}" cannot compare with null on "${formatAttrRef(node.attr)}"`);
  }
  if (node.op === 'ne') {
    // `ne` is the negation of `eq` over the whole attribute: "emails.type ne "work"" selects
    // resources with no work email, and an unassigned attribute is "not identical" to any value.
    const eq = compileCompare({ ...node, op: 'eq' }, catalog, scope);
    return (o) => !eq(o);
  }
  const test = valueTest(node, def);
  if (!scope && node.attr.sub !== undefined) {
    // `emails.value co "x"`: walk the values in place instead of collecting sub-values first.
    return (o) => {
      const v = parent(o);
      if (v === null || typeof v !== 'object') return false;
      if (!Array.isArray(v)) return anyValue(subValue(v as Resource, sub), test, false);
      for (let i = 0; i < v.length; i++) {
        const el: unknown = v[i];
        if (el !== null && typeof el === 'object' && anyValue(subValue(el as Resource, sub), test, false)) return true;
      }
      return false;
    };
  }
  const complexNoSub = def?.type === 'complex' && node.attr.sub === undefined && !scope;
  return (o) => anyValue(get(o), test, complexNoSub);
}

/**
 * Multi-valued attributes match when any value matches (RFC 7644 §3.4.2.2). A complex value
 * compared without a sub-attribute is compared through its `value` sub-attribute (same section:
 * "emails co ..." means "emails.value co ...").
 */
function anyValue(v: unknown, test: ValueTest, complexNoSub: boolean): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      let el: unknown = v[i];
      if (el !== null && typeof el === 'object' && !Array.isArray(el)) el = subValue(el as Resource, 'value');
      if (test(el)) return true;
    }
    return false;
  }
  if (complexNoSub && v !== null && typeof v === 'object') return test(subValue(v as Resource, 'value'));
  return test(v);
}

function subValue(obj: Resource, key: string): unknown {
  const v = obj[key];
  if (v !== undefined) return v;
  const k = findKey(obj, key);
  return k === undefined ? undefined : obj[k];
}

/** RFC 7644 §3.4.2.2 "pr": a non-empty value, or a complex value with a non-empty node. */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (const x of v) if (isPresent(x)) return true;
    return false;
  }
  for (const k in v) if (isPresent((v as Resource)[k])) return true;
  return false;
}

const ORDERING = new Set(['gt', 'ge', 'lt', 'le']);

function valueTest(node: CompareNode, def: AttributeDefinition | undefined): ValueTest {
  const { op } = node;
  const value = node.value as Exclude<FilterValue, null>;
  const type = def?.type;
  if (ORDERING.has(op) && (type === 'boolean' || type === 'binary')) {
    // RFC 7644 §3.4.2.2: gt/ge/lt/le on Boolean or Binary attributes SHALL fail with invalidFilter.
    throw new InvalidFilterError(`operator "${op}" is not defined for ${type} attribute "${formatAttrRef(node.attr)}"`);
  }
  if (typeof value === 'boolean') {
    if (op === 'eq') return (x) => x === value;
    return () => false;
  }
  if (typeof value === 'number') {
    switch (op) {
      case 'eq':
        return (x) => x === value;
      case 'gt':
        return (x) => typeof x === 'number' && x > value;
      case 'ge':
        return (x) => typeof x === 'number' && x >= value;
      case 'lt':
        return (x) => typeof x === 'number' && x < value;
      case 'le':
        return (x) => typeof x === 'number' && x <= value;
      default:
        // co/sw/ew are string operators (RFC 7644 Table 3).
        return () => false;
    }
  }
  if (type === 'dateTime') return dateTimeTest(node, value);
  // String comparison honours the attribute's caseExact (RFC 7643 §2.2 / §7); unknown attributes
  // compare case-insensitively, as RFC 7643 §7 makes caseExact default to false.
  const caseExact = def?.caseExact ?? false;
  return caseExact ? exactStringTest(op, value) : foldedStringTest(op, value);
}

function exactStringTest(op: string, value: string): ValueTest {
  switch (op) {
    case 'eq':
      return (x) => x === value;
    case 'co':
      return (x) => typeof x === 'string' && x.includes(value);
    case 'sw':
      return (x) => typeof x === 'string' && x.startsWith(value);
    case 'ew':
      return (x) => typeof x === 'string' && x.endsWith(value);
    case 'gt':
      return (x) => typeof x === 'string' && x > value;
    case 'ge':
      return (x) => typeof x === 'string' && x >= value;
    case 'lt':
      return (x) => typeof x === 'string' && x < value;
    default:
      return (x) => typeof x === 'string' && x <= value;
  }
}

// eslint-disable-next-line no-control-regex
const ASCII_RE = /^[\x00-\x7f]*$/;

function foldedStringTest(op: string, value: string): ValueTest {
  const lv = value.toLowerCase();
  // Only U+0130 changes length when lower-cased, and its expansion is non-ASCII, so for an ASCII
  // operand a length mismatch proves inequality without allocating a lower-cased copy.
  const ascii = ASCII_RE.test(lv);
  const n = lv.length;
  switch (op) {
    case 'eq':
      return ascii
        ? (x) => typeof x === 'string' && x.length === n && (x === lv || x.toLowerCase() === lv)
        : (x) => typeof x === 'string' && x.toLowerCase() === lv;
    case 'co':
      return (x) => typeof x === 'string' && x.toLowerCase().includes(lv);
    case 'sw':
      return (x) => typeof x === 'string' && x.toLowerCase().startsWith(lv);
    case 'ew':
      return (x) => typeof x === 'string' && x.toLowerCase().endsWith(lv);
    case 'gt':
      return (x) => typeof x === 'string' && x.toLowerCase() > lv;
    case 'ge':
      return (x) => typeof x === 'string' && x.toLowerCase() >= lv;
    case 'lt':
      return (x) => typeof x === 'string' && x.toLowerCase() < lv;
    default:
      return (x) => typeof x === 'string' && x.toLowerCase() <= lv;
  }
}

function instant(x: unknown): number {
  return typeof x === 'string' ? Date.parse(x) : x instanceof Date ? x.getTime() : Number.NaN;
}

/** dateTime attributes (RFC 7643 §2.3.5, xsd:dateTime) compare as instants, not as text. */
function dateTimeTest(node: CompareNode, value: string): ValueTest {
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InvalidFilterError(`"${value}" is not a valid dateTime for "${formatAttrRef(node.attr)}"`);
  switch (node.op) {
    case 'eq':
      return (x) => instant(x) === t;
    case 'gt':
      return (x) => instant(x) > t;
    case 'ge':
      return (x) => instant(x) >= t;
    case 'lt':
      return (x) => instant(x) < t;
    case 'le':
      return (x) => instant(x) <= t;
    default:
      // co/sw/ew on a dateTime are textual (RFC 7644 Table 3 defines them on strings only).
      return exactStringTest(node.op, value);
  }
}

interface CompiledAttr {
  get: Getter;
  def: AttributeDefinition | undefined;
  /** For `attr.sub`: the getter of `attr` and the sub-attribute key. */
  parent: Getter;
  sub: string;
}

function attrGetter(ref: AttrRef, catalog: AttributeCatalog, scope: Scope | undefined): CompiledAttr {
  if (!scope) return topGetter(ref, catalog);
  if (ref.uri !== undefined || ref.sub !== undefined) {
    throw new InvalidFilterError(`"${formatAttrRef(ref)}" inside a value filter must be a plain sub-attribute name`);
  }
  const def = scope.def ? subAttribute(scope.def, ref.name) : undefined;
  const key = def?.name ?? ref.name;
  const get = readKey(key);
  return { get, def, parent: get, sub: '' };
}

// Getter factories. Returning the arrow directly (rather than assigning it to a named binding)
// matters under tsx: esbuild's keepNames wraps every named function expression in a __name()
// call, which was a fifth of filter compile time.
function readKey(key: string): Getter {
  return (o) => subValue(o, key);
}

function readExtension(urn: string, key: string): Getter {
  return (o) => {
    const e = subValue(o, urn);
    return e !== null && typeof e === 'object' && !Array.isArray(e) ? subValue(e as Resource, key) : undefined;
  };
}

function readExtensionOrTop(urn: string, key: string): Getter {
  return (o) => {
    const e = subValue(o, urn);
    const v = e !== null && typeof e === 'object' && !Array.isArray(e) ? subValue(e as Resource, key) : undefined;
    return v === undefined ? subValue(o, key) : v;
  };
}

/** Multi-valued complex: "emails.type" denotes the list of every value's type. */
function readSub(parent: Getter, sub: string): Getter {
  return (o) => {
    const v = parent(o);
    if (v === null || typeof v !== 'object') return undefined;
    if (!Array.isArray(v)) return subValue(v as Resource, sub);
    const out: unknown[] = [];
    for (const el of v) if (el !== null && typeof el === 'object') out.push(subValue(el as Resource, sub));
    return out;
  };
}

/** Builds a getter for `[urn:]name[.sub]` relative to the resource root. */
function topGetter(ref: AttrRef, catalog: AttributeCatalog): CompiledAttr {
  const topDef = lookupAttribute(catalog, ref.uri, ref.name);
  const def =
    ref.sub !== undefined && topDef ? subAttribute(topDef, ref.sub) : ref.sub === undefined ? topDef : undefined;
  const key = topDef?.name ?? ref.name;
  let first: Getter;
  if (ref.uri !== undefined && !catalog.coreUrns.has(ref.uri.toLowerCase())) {
    // Extension attributes live in a complex attribute named by the extension URN (RFC 7643 §3.3).
    first = readExtension(lookupExtension(catalog, ref.uri)?.urn ?? ref.uri, key);
  } else if (ref.uri === undefined && topDef && !catalog.core.has(ref.name.toLowerCase())) {
    // Unprefixed name that only an extension defines: read it from that extension's container,
    // falling back to the top level for clients that flatten extension attributes.
    let urn = '';
    for (const e of catalog.extensions.values()) if (e.attributes.get(ref.name.toLowerCase()) === topDef) urn = e.urn;
    first = readExtensionOrTop(urn, key);
  } else {
    first = readKey(key);
  }
  if (ref.sub === undefined) return { get: first, def, parent: first, sub: '' };
  const sub = def?.name ?? ref.sub;
  return { get: readSub(first, sub), def, parent: first, sub };
}

/**
 * Compiles the filter of a value path (`emails[type eq "work"]`) into a predicate over one element
 * of the multi-valued attribute `parent`.
 */
export function compileValueFilter(
  ast: FilterAst,
  parent: AttributeDefinition | undefined,
  catalog: AttributeCatalog = DEFAULT_CATALOG,
): FilterPredicate {
  return compileNode(ast, catalog, { def: parent });
}

import { type AttributeCatalog, type AttributeDefinition } from '../attributes';
import * as attributes from '../attributes';
import * as json from '../json';

// Bound once (see patch/generate.ts): named imports cost a getter call per use under tsx.
const { DEFAULT_CATALOG, elementDefinition, findKey, lookupAttribute, subAttribute } = attributes;
const { isPlainObject, jsonEqual } = json;

/**
 * Equality "modulo RFC-equivalent representations", used to decide whether a patch is needed and
 * to state the generatePatch invariant. Two values are equivalent when they differ only by:
 *  1. unassigned forms — absent, null, [] and a complex value whose sub-attributes are all
 *     unassigned are the same state (RFC 7643 §2.5);
 *  2. the order of values in a multi-valued attribute (RFC 7643 §2.4 gives the order no meaning;
 *     compared as multisets);
 *  3. `primary: false` versus no `primary` (RFC 7643 §2.4: only the one "true" value is marked;
 *     RFC 7644 §3.5.2 itself turns other values' primary into false);
 *  4. the case of attribute names (RFC 7643 §2.1);
 *  5. the textual form of a dateTime that denotes the same instant (RFC 7643 §2.3.5).
 * String values are otherwise compared exactly, even for caseExact=false attributes: a change of
 * case is a change a provisioning client must be able to make.
 */
export function scimEquivalent(a: unknown, b: unknown, def?: AttributeDefinition): boolean {
  return jsonEqual(a, b) || equivalent(a, b, def);
}

function equivalent(a: unknown, b: unknown, def?: AttributeDefinition): boolean {
  const ua = isUnassigned(a);
  const ub = isUnassigned(b);
  if (ua || ub) return ua && ub;
  if (Array.isArray(a) || Array.isArray(b) || def?.multiValued) return multisetEquivalent(asList(a), asList(b), def);
  if (isPlainObject(a) && isPlainObject(b)) return complexEquivalent(a, b, def);
  if (a === b) return true;
  if (def?.type === 'dateTime' && typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a);
    return !Number.isNaN(ta) && ta === Date.parse(b);
  }
  return false;
}

export function isUnassigned(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.every(isUnassigned);
  if (isPlainObject(v)) {
    for (const k in v) if (!isUnassigned(v[k])) return false;
    return true;
  }
  return false;
}

function asList(v: unknown): unknown[] {
  return (Array.isArray(v) ? v : [v]).filter((x) => !isUnassigned(x));
}

function multisetEquivalent(a: unknown[], b: unknown[], def?: AttributeDefinition): boolean {
  if (a.length !== b.length) return false;
  const one = def ? elementDefinition(def) : undefined;
  const used = new Array<boolean>(b.length).fill(false);
  outer: for (const x of a) {
    for (let j = 0; j < b.length; j++) {
      if (!used[j] && scimEquivalent(x, b[j], one)) {
        used[j] = true;
        continue outer;
      }
    }
    return false;
  }
  return true;
}

function lowerKeys(o: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const k of Object.keys(o)) if (!isUnassigned(o[k])) m.set(k.toLowerCase(), o[k]);
  return m;
}

/** `primary: false` is the same state as no `primary` (rule 3 above). */
function ignorable(k: string, v: unknown): boolean {
  return isUnassigned(v) || (v === false && (k === 'primary' || k.toLowerCase() === 'primary'));
}

function complexEquivalent(a: Record<string, unknown>, b: Record<string, unknown>, def?: AttributeDefinition): boolean {
  // Every significant key of `a` must have an equivalent value in `b` (names case-insensitive),
  // and `b` must have no other significant key.
  let na = 0;
  for (const k in a) {
    const v = a[k];
    if (ignorable(k, v)) continue;
    na++;
    const bk = k in b ? k : findKey(b, k);
    const sdef = def?.subAttributes ? subAttribute(def, k) : undefined;
    if (!scimEquivalent(v, bk === undefined ? undefined : b[bk], sdef)) return false;
  }
  let nb = 0;
  for (const k in b) if (!ignorable(k, b[k])) nb++;
  return na === nb;
}

/**
 * Compares two resources on the listed attributes — top-level names, extension attribute paths
 * (`urn:...:User:department`) or extension URNs (the whole extension object) — applying
 * `scimEquivalent` with each attribute's definition.
 */
export function resourcesEquivalentOn(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  attributes: readonly string[],
  catalog: AttributeCatalog = DEFAULT_CATALOG,
): boolean {
  const ma = new Map(Object.keys(a).map((k) => [k.toLowerCase(), a[k]]));
  const mb = new Map(Object.keys(b).map((k) => [k.toLowerCase(), b[k]]));
  for (const name of attributes) {
    const l = name.toLowerCase();
    const ext = catalog.extensions.get(l);
    if (ext) {
      const ea = ma.get(l);
      const eb = mb.get(l);
      const oa = isPlainObject(ea) ? ea : {};
      const ob = isPlainObject(eb) ? eb : {};
      if (
        !complexEquivalent(oa, ob, {
          name: ext.urn,
          type: 'complex',
          multiValued: false,
          description: '',
          required: false,
          caseExact: false,
          mutability: 'readWrite',
          returned: 'default',
          uniqueness: 'none',
          subAttributes: [...ext.attributes.values()],
        })
      )
        return false;
      continue;
    }
    if (/^urn:/.test(l)) {
      // An extension attribute path: "urn:...:User:department".
      const colon = name.lastIndexOf(':');
      const urn = name.slice(0, colon).toLowerCase();
      const attr = name.slice(colon + 1);
      const ea = ma.get(urn);
      const eb = mb.get(urn);
      const va = isPlainObject(ea) ? lowerKeys(ea).get(attr.toLowerCase()) : undefined;
      const vb = isPlainObject(eb) ? lowerKeys(eb).get(attr.toLowerCase()) : undefined;
      if (!scimEquivalent(va, vb, lookupAttribute(catalog, name.slice(0, colon), attr))) return false;
      continue;
    }
    if (!scimEquivalent(ma.get(l), mb.get(l), lookupAttribute(catalog, undefined, name))) return false;
  }
  return true;
}

import {
  type AttributeCatalog,
  type AttributeDefinition,
  DEFAULT_CATALOG,
  elementDefinition,
  findKey,
  lookupAttribute,
  lookupExtension,
  subAttribute,
} from '../attributes';
import { type AttributePath, parsePath } from '../attribute-path';
import { InvalidSyntaxError } from '../errors';
import { formatValue } from '../filter/format';
import { isPlainObject } from '../json';
import { PATCH_OP_SCHEMA } from '../urns';
import { type PatchOp, type PatchOperation } from './types';

export interface NormalizeOptions {
  catalog?: AttributeCatalog;
}

type Obj = Record<string, unknown>;

/**
 * Rewrites the PatchOp dialects that real identity providers send into strict RFC 7644 §3.5.2.
 * Every rewrite preserves the sender's intent; nothing here consults the target resource.
 *
 *  - `"op": "Replace"` / `"Add"` / `"Remove"`: op names are lower-cased (Entra ID).
 *  - `"True"` / `"False"` strings for Boolean attributes (`active`, `emails[..].primary`, ...)
 *    become JSON booleans (Entra ID).
 *  - A path-less `add`/`replace` whose value has dotted keys (`"name.givenName": "Barbara"`) or
 *    URN-qualified keys (`"urn:...:enterprise:2.0:User:department": "Sales"`) is split into one
 *    operation per such key, with the key as path (Entra ID).
 *  - `remove` with path `members` (or any multi-valued attribute) and a `value` list
 *    `[{"value": "id"}]` becomes one `remove` per listed value with path `members[value eq "id"]`
 *    (Entra ID); read literally, RFC 7644 would remove every member.
 *  - A bare string for a complex attribute with a `value` sub-attribute (Entra ID sends the
 *    enterprise `manager` as its id) becomes `{ "value": ... }`.
 *  - The envelope: a missing `schemas`, and an `operations` key in another case.
 *
 * Sources:
 *  - Microsoft Entra ID, "Known issues and resolutions with SCIM 2.0 protocol compliance of the
 *    Microsoft Entra user provisioning service":
 *    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
 *  - Microsoft Entra ID, "Tutorial: Develop and plan provisioning for a SCIM endpoint" (request examples):
 *    https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
 *  - Okta, "SCIM 2.0 protocol reference" / "Build a SCIM provisioning integration":
 *    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/
 *    (Okta sends path-less `replace` with `{"active": false}` and may echo `id`; applyPatch
 *    accepts both without rewriting.)
 */
export function normalizePatchOp(input: unknown, options: NormalizeOptions = {}): PatchOp {
  const catalog = options.catalog ?? DEFAULT_CATALOG;
  if (!isPlainObject(input)) throw new InvalidSyntaxError('PatchOp must be a JSON object');
  const opsKey = findKey(input, 'Operations');
  const rawOps = opsKey === undefined ? undefined : input[opsKey];
  if (!Array.isArray(rawOps)) throw new InvalidSyntaxError('PatchOp "Operations" must be an array');
  const schemasKey = findKey(input, 'schemas');
  const schemas = schemasKey !== undefined && Array.isArray(input[schemasKey]) ? (input[schemasKey] as string[]) : [];
  const out: PatchOperation[] = [];
  for (const raw of rawOps) {
    if (!isPlainObject(raw)) throw new InvalidSyntaxError('each operation must be a JSON object');
    const opKey = findKey(raw, 'op');
    const pathKey = findKey(raw, 'path');
    const valueKey = findKey(raw, 'value');
    const opRaw = opKey === undefined ? undefined : raw[opKey];
    const op = (typeof opRaw === 'string' ? opRaw.toLowerCase() : opRaw) as PatchOperation['op'];
    const path = pathKey === undefined ? undefined : raw[pathKey];
    const hasValue = valueKey !== undefined && raw[valueKey] !== undefined;
    const value = hasValue ? raw[valueKey] : undefined;
    if (typeof path === 'string' && path.trim() !== '') {
      const parsed = parsePath(path, catalog);
      const def = targetDefinition(parsed, catalog);
      if (
        op === 'remove' &&
        hasValue &&
        value !== null &&
        parsed.filter === undefined &&
        parsed.sub === undefined &&
        (def === undefined || def.multiValued)
      ) {
        out.push(...removeByValue(path, value));
        continue;
      }
      out.push(hasValue ? { op, path, value: coerce(value, def) } : { op, path });
      continue;
    }
    if ((op === 'add' || op === 'replace') && isPlainObject(value)) {
      out.push(...splitPathless(op, value, catalog));
      continue;
    }
    out.push(hasValue ? { op, value } : { op });
  }
  return { schemas: schemas.includes(PATCH_OP_SCHEMA) ? schemas : [PATCH_OP_SCHEMA, ...schemas], Operations: out };
}

/** Definition of what a path writes: the element for value paths, the sub-attribute for `.sub`. */
function targetDefinition(p: AttributePath, catalog: AttributeCatalog): AttributeDefinition | undefined {
  if (p.attr === undefined) return undefined;
  const def = lookupAttribute(catalog, p.uri, p.attr);
  if (!def) return undefined;
  if (p.sub !== undefined) return subAttribute(def, p.sub);
  if (p.filter) return elementDefinition(def);
  return def;
}

function removeByValue(path: string, value: unknown): PatchOperation[] {
  const list = Array.isArray(value) ? value : [value];
  const ops: PatchOperation[] = [];
  for (const item of list) {
    const id = isPlainObject(item) ? item[findKey(item, 'value') ?? 'value'] : item;
    if (typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'boolean') {
      throw new InvalidSyntaxError(`cannot remove ${JSON.stringify(item)} from "${path}": each value needs a "value"`);
    }
    ops.push({ op: 'remove', path: `${path}[value eq ${formatValue(id)}]` });
  }
  return ops;
}

function splitPathless(op: 'add' | 'replace', value: Obj, catalog: AttributeCatalog): PatchOperation[] {
  const plain: Obj = {};
  const split: PatchOperation[] = [];
  for (const key of Object.keys(value)) {
    const v = value[key];
    const isUrn = /^urn:/i.test(key);
    const wholeSchema =
      isUrn && (lookupExtension(catalog, key) !== undefined || catalog.coreUrns.has(key.toLowerCase()));
    if (wholeSchema) {
      const ext = lookupExtension(catalog, key);
      plain[key] = isPlainObject(v) && ext ? coerceObject(v, (k) => ext.attributes.get(k.toLowerCase())) : v;
    } else if (isUrn || key.includes('.')) {
      const parsed = parsePath(key, catalog);
      split.push({ op, path: key, value: coerce(v, targetDefinition(parsed, catalog)) });
    } else {
      plain[key] = coerce(v, lookupAttribute(catalog, undefined, key));
    }
  }
  return Object.keys(plain).length > 0 ? [{ op, value: plain }, ...split] : split;
}

function coerceObject(v: Obj, defOf: (k: string) => AttributeDefinition | undefined): Obj {
  const o: Obj = {};
  for (const k of Object.keys(v)) o[k] = coerce(v[k], defOf(k));
  return o;
}

function coerce(v: unknown, def: AttributeDefinition | undefined): unknown {
  if (!def || v === null || v === undefined) return v;
  if (def.multiValued) {
    const one = elementDefinition(def);
    return Array.isArray(v) ? v.map((x) => coerce(x, one)) : coerce(v, one);
  }
  if (def.type === 'boolean' && typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
    return v;
  }
  if (def.type === 'complex') {
    if ((typeof v === 'string' || typeof v === 'number') && subAttribute(def, 'value')) return { value: v };
    if (isPlainObject(v)) return coerceObject(v, (k) => subAttribute(def, k));
  }
  return v;
}

// RFC 7643 §2.3 data type checks for values written by PATCH (invalidValue on mismatch).
import { type AttributeDefinition, elementDefinition, subAttribute } from '../attributes';
import { InvalidValueError } from '../errors';
import { cloneJson, isPlainObject } from '../json';

type Obj = Record<string, unknown>;

export function validateMulti(def: AttributeDefinition | undefined, value: unknown, label: string): unknown[] {
  // A single value for a multi-valued attribute is accepted as a one-element list, as most
  // service providers do; RFC 7644 §3.5.2.1 examples always send arrays.
  const list = Array.isArray(value) ? value : [value];
  const one = def ? elementDefinition(def) : undefined;
  return list.map((v) => cloneJson(validateValue(one, v, label)));
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function badValue(def: AttributeDefinition, value: unknown, label: string): never {
  throw new InvalidValueError(`"${label}" expects a ${def.type} value, got ${typeName(value)}`);
}

/** RFC 7643 §2.3 data types. Unknown attributes (no definition) are accepted as given. */
export function validateValue(def: AttributeDefinition | undefined, value: unknown, label: string): unknown {
  if (!def) return value;
  if (def.multiValued) return validateMulti(def, value, label);
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value !== 'string') badValue(def, value, label);
      return value;
    case 'dateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) badValue(def, value, label);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') badValue(def, value, label);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) badValue(def, value, label);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) badValue(def, value, label);
      return value;
    case 'complex': {
      if (!isPlainObject(value)) badValue(def, value, label);
      const o = value as Obj;
      for (const k of Object.keys(o)) {
        const s = subAttribute(def, k);
        if (s && o[k] !== null) validateValue(s, o[k], `${label}.${s.name}`);
      }
      return value;
    }
    default:
      return value;
  }
}

import { InvalidFilterError } from '../errors';
import { type AttrRef, type CompareOperator, type FilterAst, type FilterValue } from './ast';
import { formatFilter, formatValue } from './format';
import { parseAttrRef, parseFilter } from './parser';

/**
 * Safe filter construction. Values are only ever emitted as JSON literals (RFC 7644 §3.4.2.2
 * `compValue`), so no value — quotes, brackets, " or ", backslashes, control characters — can
 * alter the structure of the filter. Attribute paths are validated against the `attrPath`
 * grammar instead of being spliced in.
 */
export type BuilderValue = string | number | boolean | null | Date;

/** Nodes produced by the builder functions; only these may be interpolated as sub-filters. */
const trusted = new WeakSet<object>();

function mark<T extends FilterAst>(node: T): T {
  trusted.add(node);
  return node;
}

function toValue(v: BuilderValue): FilterValue {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new InvalidFilterError('invalid Date used as filter value');
    return v.toISOString();
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new InvalidFilterError(`${v} cannot be a filter value`);
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new InvalidFilterError(`unsupported filter value of type ${typeof v}`);
}

function ref(attr: string): AttrRef {
  if (typeof attr !== 'string' || attr.length === 0)
    throw new InvalidFilterError('attribute path must be a non-empty string', 0);
  return parseAttrRef(attr, 0);
}

function compare(op: CompareOperator) {
  return (attr: string, value: BuilderValue): FilterAst => mark({ op, attr: ref(attr), value: toValue(value) });
}

export const eq = compare('eq');
export const ne = compare('ne');
export const co = compare('co');
export const sw = compare('sw');
export const ew = compare('ew');
export const gt = compare('gt');
export const ge = compare('ge');
export const lt = compare('lt');
export const le = compare('le');

export function pr(attr: string): FilterAst {
  return mark({ op: 'pr', attr: ref(attr) });
}

function fold(op: 'and' | 'or', parts: FilterAst[]): FilterAst {
  if (parts.length === 0) throw new InvalidFilterError(`${op}() needs at least one operand`);
  let acc = parts[0] as FilterAst;
  for (let i = 1; i < parts.length; i++) acc = { op, left: acc, right: parts[i] as FilterAst };
  return mark(acc);
}

export function and(...parts: FilterAst[]): FilterAst {
  return fold('and', parts);
}
export function or(...parts: FilterAst[]): FilterAst {
  return fold('or', parts);
}
export function not(f: FilterAst): FilterAst {
  return mark({ op: 'not', filter: f });
}
/** `attr[filter]`, e.g. `valuePath('emails', and(eq('type', 'work'), co('value', '@example.com')))`. */
export function valuePath(attr: string, f: FilterAst): FilterAst {
  const a = ref(attr);
  if (a.sub !== undefined)
    throw new InvalidFilterError('value filter must follow an attribute, not a sub-attribute', 0);
  return mark({ op: 'valuePath', attr: a, filter: f });
}

/**
 * Tagged template: ``filter`userName eq ${name} and active eq ${true}` ``. Each interpolation becomes
 * a JSON literal, or — for a node built by the functions above — a parenthesised sub-filter. The
 * result is validated and returned in canonical form, so a malformed template fails here rather
 * than at the server.
 */
export function filter(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      if (!trusted.has(v))
        throw new InvalidFilterError('only builder-made filters and JSON scalars may be interpolated');
      text += `(${formatFilter(v as FilterAst)})`;
    } else {
      text += formatValue(toValue(v as BuilderValue));
    }
    text += strings[i + 1] ?? '';
  }
  return formatFilter(parseFilter(text));
}

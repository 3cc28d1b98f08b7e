// The attribute-mapping template language (docs/configuration.md#attribute-mapping).
//
//   "{{email | localPart | slug}}"      "{{givenName}} {{familyName}}"      "{{title | default('Staff')}}"
//
// Literal text with `{{ field | filter | filter(arg) }}` placeholders. Fields are Employee fields; filters
// are a fixed, side-effect-free set. Templates are compiled (and so validated) when the config is loaded,
// and rendered when the worker plans: this module is pure (no Node built-ins, no I/O, no clock, no randomness).
import { EmployeeSchema, type Employee } from '../shared/hr-event';

export type EmployeeField = keyof Employee;

/** Every Employee field, in schema order. */
export const EMPLOYEE_FIELDS: readonly EmployeeField[] = Object.keys(EmployeeSchema.shape) as EmployeeField[];
const FIELD_SET: ReadonlySet<string> = new Set(EMPLOYEE_FIELDS);

export function isEmployeeField(name: string): name is EmployeeField {
  return FIELD_SET.has(name);
}

export const FILTER_NAMES = ['lower', 'upper', 'trim', 'localPart', 'domain', 'slug', 'default'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export type FilterArg = { kind: 'literal'; value: string } | { kind: 'field'; field: EmployeeField };

export interface Filter {
  name: FilterName;
  arg?: FilterArg;
}

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; field: EmployeeField; filters: Filter[] };

export interface CompiledTemplate {
  source: string;
  parts: TemplatePart[];
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const IDENT = /^[A-Za-z][A-Za-z0-9]*$/;

function parseArg(raw: string, source: string): FilterArg {
  const s = raw.trim();
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(s) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(s);
  if (quoted) return { kind: 'literal', value: (quoted[1] ?? '').replace(/\\(.)/g, '$1') };
  if (isEmployeeField(s)) return { kind: 'field', field: s };
  throw new TemplateError(
    `in "${source}": default(${s}) needs a quoted string ('text') or an employee field (${EMPLOYEE_FIELDS.join(', ')})`,
  );
}

function parseFilter(raw: string, source: string): Filter {
  const s = raw.trim();
  const m = /^([A-Za-z]+)\s*(?:\((.*)\))?$/s.exec(s);
  if (!m) throw new TemplateError(`in "${source}": cannot read filter "${s}"`);
  const name = m[1] ?? '';
  const argText = m[2];
  if (!(FILTER_NAMES as readonly string[]).includes(name)) {
    throw new TemplateError(`in "${source}": unknown filter "${name}" (known: ${FILTER_NAMES.join(', ')})`);
  }
  const filterName = name as FilterName;
  if (filterName === 'default') {
    if (argText === undefined || argText.trim() === '')
      throw new TemplateError(`in "${source}": default needs an argument, e.g. default('n/a')`);
    return { name: filterName, arg: parseArg(argText, source) };
  }
  if (argText !== undefined) throw new TemplateError(`in "${source}": filter "${name}" takes no argument`);
  return { name: filterName };
}

/** Splits `a | b('x|y') | c` on pipes that are not inside quotes. */
function splitPipes(expr: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i] as string;
    if (quote) {
      cur += ch;
      if (ch === '\\' && i + 1 < expr.length) {
        cur += expr[++i];
      } else if (ch === quote) {
        quote = undefined;
      }
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (ch === '|') {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

/** Compiles a template; throws TemplateError naming the problem. */
export function compileTemplate(source: string): CompiledTemplate {
  const parts: TemplatePart[] = [];
  let rest = source;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    const strayClose = rest.indexOf('}}');
    if (strayClose !== -1 && (open === -1 || strayClose < open))
      throw new TemplateError(`in "${source}": "}}" without a matching "{{"`);
    if (open === -1) {
      parts.push({ kind: 'text', text: rest });
      break;
    }
    if (open > 0) parts.push({ kind: 'text', text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError(`in "${source}": "{{" without a matching "}}"`);
    const inner = rest.slice(open + 2, close);
    if (inner.includes('{{')) throw new TemplateError(`in "${source}": nested "{{"`);
    const [head, ...filterTexts] = splitPipes(inner);
    const field = (head ?? '').trim();
    if (!IDENT.test(field) || !isEmployeeField(field)) {
      throw new TemplateError(
        field === ''
          ? `in "${source}": empty placeholder`
          : `in "${source}": unknown employee field "${field}" (known: ${EMPLOYEE_FIELDS.join(', ')})`,
      );
    }
    parts.push({ kind: 'expr', field, filters: filterTexts.map((f) => parseFilter(f, source)) });
    rest = rest.slice(close + 2);
  }
  return { source, parts };
}

/** Letters and digits only (accents folded: "José" → "Jose"). JumpCloud forbids special characters in usernames. */
export function slug(value: string): string {
  return value.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '');
}

function applyFilter(value: string, filter: Filter, employee: Employee): string {
  switch (filter.name) {
    case 'lower':
      return value.toLowerCase();
    case 'upper':
      return value.toUpperCase();
    case 'trim':
      return value.trim();
    case 'localPart': {
      const at = value.lastIndexOf('@');
      return at === -1 ? value : value.slice(0, at);
    }
    case 'domain': {
      const at = value.lastIndexOf('@');
      return at === -1 ? '' : value.slice(at + 1);
    }
    case 'slug':
      return slug(value);
    case 'default': {
      if (value.trim() !== '') return value;
      const arg = filter.arg;
      if (!arg) return value;
      return arg.kind === 'literal' ? arg.value : (employee[arg.field] ?? '');
    }
  }
}

/** Renders a compiled template. Missing optional fields render as ''. */
export function renderTemplate(template: CompiledTemplate, employee: Employee): string {
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    let value = employee[part.field] ?? '';
    for (const filter of part.filters) value = applyFilter(value, filter, employee);
    out += value;
  }
  return out;
}

/**
 * True when every rendering of the template holds only `characters` (the body of a regular-expression
 * character class that includes letters and digits), whatever the employee: literal text is within
 * them and each placeholder ends with `slug` (letters and digits) followed only by `lower`/`upper`/`trim`.
 */
export function templateYieldsOnly(template: CompiledTemplate, characters: string): boolean {
  const literal = new RegExp(`^[${characters}]*$`);
  return template.parts.every((part) => {
    if (part.kind === 'text') return literal.test(part.text);
    let lastSlug = -1;
    part.filters.forEach((f, i) => {
      if (f.name === 'slug') lastSlug = i;
    });
    if (lastSlug === -1) return false;
    return part.filters.slice(lastSlug + 1).every((f) => f.name === 'lower' || f.name === 'upper' || f.name === 'trim');
  });
}

/** True when every rendering of the template is letters and digits only (see templateYieldsOnly). */
export function isAlphanumericTemplate(template: CompiledTemplate): boolean {
  return templateYieldsOnly(template, 'A-Za-z0-9');
}

// Filter evaluation for the sandbox apps. Full RFC 7644 §3.4.2.2 filters come from the SCIM
// core (src/scim); the restricted apps additionally refuse anything but one `eq` on an
// allowed attribute, as their vendors document.
import { fail } from './result';

export interface FilterLimits {
  /** undefined = the full filter grammar; otherwise only `<attr> eq "<value>"` on these attributes. */
  eqOnly?: readonly string[];
}

export type Predicate = (resource: Record<string, unknown>) => boolean;

// RFC 7643 §4.1.1 / §2.2: caseExact=false for userName, displayName, emails; ids are caseExact.
const CASE_EXACT = new Set(['id', 'externalid']);

interface Comparison {
  attr: string;
  op: string;
  value: string | number | boolean | null | undefined;
}

const SIMPLE = /^\s*([A-Za-z][\w.:$-]*)\s+(eq|ne|co|sw|ew|gt|ge|lt|le|pr)(?:\s+("(?:[^"\\]|\\.)*"|true|false|null|-?\d+(?:\.\d+)?))?\s*$/i;

function parseSimple(text: string): Comparison | undefined {
  const m = SIMPLE.exec(text);
  if (!m) return undefined;
  const op = m[2]!.toLowerCase();
  const rawValue = m[3];
  if (op === 'pr' ? rawValue !== undefined : rawValue === undefined) return undefined;
  const value = rawValue === undefined ? undefined : (JSON.parse(rawValue) as Comparison['value']);
  return { attr: m[1]!, op, value };
}

export function compileResourceFilter(text: string, limits: FilterLimits): Predicate {
  const cmp = parseSimple(text);
  if (limits.eqOnly) {
    if (!cmp || cmp.op !== 'eq') fail(400, `Unsupported filter: only "<attribute> eq <value>" is supported`, 'invalidFilter');
    const allowed = limits.eqOnly.find((a) => a.toLowerCase() === cmp.attr.toLowerCase());
    if (!allowed) fail(400, `Filtering on "${cmp.attr}" is not supported (supported: ${limits.eqOnly.join(', ')})`, 'invalidFilter');
  }
  if (!cmp) fail(400, `Invalid filter: ${text}`, 'invalidFilter');
  return compileComparison(cmp);
}

function compileComparison(cmp: Comparison): Predicate {
  const path = cmp.attr.split('.');
  const exact = CASE_EXACT.has(cmp.attr.toLowerCase());
  const norm = (v: unknown): unknown => (typeof v === 'string' && !exact ? v.toLowerCase() : v);
  const want = norm(cmp.value);
  return (resource) => {
    const values = valuesAt(resource, path);
    if (cmp.op === 'pr') return values.some((v) => v !== null && v !== undefined && v !== '');
    return values.some((raw) => {
      const v = norm(raw);
      switch (cmp.op) {
        case 'eq':
          return v === want;
        case 'ne':
          return v !== want;
        case 'co':
          return typeof v === 'string' && typeof want === 'string' && v.includes(want);
        case 'sw':
          return typeof v === 'string' && typeof want === 'string' && v.startsWith(want);
        case 'ew':
          return typeof v === 'string' && typeof want === 'string' && v.endsWith(want);
        case 'gt':
          return (v as number) > (want as number);
        case 'ge':
          return (v as number) >= (want as number);
        case 'lt':
          return (v as number) < (want as number);
        case 'le':
          return (v as number) <= (want as number);
        default:
          return false;
      }
    });
  };
}

/** Values at a dotted path; multi-valued attributes fan out (`emails.value` → every email). */
function valuesAt(resource: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [resource];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const c of current) {
      if (Array.isArray(c)) {
        for (const item of c) pushKey(item, seg, next);
      } else pushKey(c, seg, next);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function pushKey(obj: unknown, key: string, out: unknown[]): void {
  if (typeof obj !== 'object' || obj === null) return;
  const lower = key.toLowerCase();
  // RFC 7643 §2.1: attribute names are case-insensitive.
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) out.push(v);
}

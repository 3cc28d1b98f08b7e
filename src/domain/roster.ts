// The HR roster: a full snapshot of employees, diffed against the people scimflow knows into
// ordinary HR events (hire / update / terminate). Pure: no I/O, no clock; the hash is passed in
// (the edges use SHA-256), so the same roster against the same known records always gives the same
// events with the same ids — re-importing a file has no effect (the controller dedupes by event id,
// and once the first import has landed the diff is empty anyway).
//
// What a roster manages: the columns it carries. A mapped column present in the file is the truth
// (an empty cell clears the field); a field whose column the file does not carry is kept as the
// person's current record has it. People missing from the roster are terminated (the leaver path,
// with the mass-change guard); a leaver who is listed again is not rehired (a stale export must not
// bring people back: rehires come from HR events).
import { EmployeeSchema, type Employee, type HrEvent } from '../shared/hr-event';
import { normalizeIdentityKey, ownerKeyOf } from './ownership';
import type { EmploymentStatus } from './person';
import { attributesDiffer, type AppDesire } from './planner';

export const EMPLOYEE_FIELDS = [
  'employeeId',
  'email',
  'givenName',
  'familyName',
  'userName',
  'displayName',
  'title',
  'department',
  'managerId',
  'location',
  'costCenter',
  'employeeType',
] as const;
export type EmployeeField = (typeof EMPLOYEE_FIELDS)[number];
/** Roster fields: the employee record, plus the start date of a hire. */
export const ROSTER_FIELDS = [...EMPLOYEE_FIELDS, 'startDate'] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];
export const REQUIRED_FIELDS: readonly RosterField[] = ['employeeId', 'email', 'givenName', 'familyName'];
export const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** Field → the column (CSV header, or JSON key) it is read from. */
export interface RosterMapping {
  columns: Record<RosterField, string>;
  dateFormat: DateFormat;
}

/** Unmapped fields are read from a column of their own name. */
export function resolveMapping(
  columns: Partial<Record<RosterField, string>> = {},
  dateFormat: DateFormat = 'YYYY-MM-DD',
): RosterMapping {
  const out = {} as Record<RosterField, string>;
  for (const f of ROSTER_FIELDS) out[f] = columns[f] ?? f;
  return { columns: out, dateFormat };
}

export interface RosterIssue {
  /** `rows[<n>].<column>` (n: 1-based data row), or `columns.<column>` for the file's header. */
  field: string;
  message: string;
}

/** One validated roster row. */
export interface RosterEntry {
  /** 1-based data row (CSV: the header is not a row). */
  row: number;
  /** The fields the file carries for this row, validated and normalised like any HR event. */
  employee: Employee;
  /** Employee fields whose column the row carries (the rest are kept from the current record). */
  managed: EmployeeField[];
  /** YYYY-MM-DD, when the roster carries a start date. */
  startDate?: string;
}

/** Columns of a CSV header that the mapping needs and the file lacks (the required ones). */
export function missingColumns(header: readonly string[], mapping: RosterMapping): RosterIssue[] {
  const have = new Set(header.map((h) => h.trim()));
  return REQUIRED_FIELDS.filter((f) => !have.has(mapping.columns[f])).map((f) => ({
    field: `columns.${mapping.columns[f]}`,
    message: `the roster has no "${mapping.columns[f]}" column (mapped to ${f}; roster.columns.${f} names it)`,
  }));
}

function parseDate(value: string, format: DateFormat): string | undefined {
  const m =
    format === 'YYYY-MM-DD' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : /^(\d{2})[/.](\d{2})[/.](\d{4})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] =
    format === 'YYYY-MM-DD' ? [m[1], m[2], m[3]] : format === 'MM/DD/YYYY' ? [m[3], m[1], m[2]] : [m[3], m[2], m[1]];
  if (format === 'DD.MM.YYYY' && !value.includes('.')) return undefined;
  if ((format === 'DD/MM/YYYY' || format === 'MM/DD/YYYY') && !value.includes('/')) return undefined;
  const iso = `${y}-${mo}-${d}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(iso) ? iso : undefined;
}

/**
 * One raw row (column → cell) → a validated entry, or the issues naming the row and column.
 * `present(column)`: whether the file carries that column for this row.
 */
export function readRow(
  raw: Record<string, unknown>,
  row: number,
  mapping: RosterMapping,
): { entry: RosterEntry } | { issues: RosterIssue[] } {
  const issues: RosterIssue[] = [];
  const candidate: Record<string, string> = {};
  const managed: EmployeeField[] = [];
  const at = (f: RosterField) => `rows[${row}].${mapping.columns[f]}`;
  const cell = (f: RosterField): { present: boolean; value?: string } => {
    const col = mapping.columns[f];
    if (!Object.prototype.hasOwnProperty.call(raw, col)) return { present: false };
    const v = raw[col];
    if (v === null || v === undefined || v === '') return { present: true };
    if (typeof v === 'number' && Number.isFinite(v)) return { present: true, value: String(v) };
    if (typeof v !== 'string') {
      issues.push({ field: at(f), message: `must be text (${f})` });
      return { present: true };
    }
    return { present: true, value: v };
  };
  for (const f of EMPLOYEE_FIELDS) {
    const c = cell(f);
    if (!c.present) {
      if (REQUIRED_FIELDS.includes(f)) issues.push({ field: at(f), message: `is missing (${f} is required)` });
      continue;
    }
    managed.push(f);
    if (c.value !== undefined && c.value.trim() !== '') candidate[f] = c.value;
    else if (REQUIRED_FIELDS.includes(f))
      issues.push({ field: at(f), message: `must not be empty (${f} is required)` });
  }
  let startDate: string | undefined;
  const sd = cell('startDate');
  if (sd.value !== undefined && sd.value.trim() !== '') {
    startDate = parseDate(sd.value.trim(), mapping.dateFormat);
    if (!startDate)
      issues.push({
        field: at('startDate'),
        message: `must be a date in the form ${mapping.dateFormat} (roster.dateFormat)`,
      });
  }
  if (issues.length === 0) {
    const parsed = EmployeeSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const f = String(i.path[0] ?? '') as RosterField;
        issues.push({
          field: (ROSTER_FIELDS as readonly string[]).includes(f) ? at(f) : `rows[${row}]`,
          message: `${i.message} (${f || 'row'})`,
        });
      }
    } else {
      return { entry: { row, employee: parsed.data, managed, ...(startDate ? { startDate } : {}) } };
    }
  }
  const id = typeof candidate.employeeId === 'string' ? ` — employee ${candidate.employeeId.slice(0, 128)}` : '';
  return { issues: issues.map((i) => ({ ...i, message: `${i.message}${id}` })) };
}

/** The same employee (or work email) twice in one roster: each later row is an issue naming the first. */
export class DuplicateCheck {
  private readonly ids = new Map<string, number>();
  private readonly emails = new Map<string, number>();
  constructor(private readonly mapping: RosterMapping) {}
  check(e: RosterEntry): RosterIssue[] {
    const out: RosterIssue[] = [];
    const firstId = this.ids.get(e.employee.employeeId);
    if (firstId !== undefined)
      out.push({
        field: `rows[${e.row}].${this.mapping.columns.employeeId}`,
        message: `employee ${e.employee.employeeId} is also on row ${firstId}`,
      });
    else this.ids.set(e.employee.employeeId, e.row);
    const firstMail = this.emails.get(e.employee.email);
    if (firstMail !== undefined)
      out.push({
        field: `rows[${e.row}].${this.mapping.columns.email}`,
        message: `${e.employee.email} is also on row ${firstMail}`,
      });
    else this.emails.set(e.employee.email, e.row);
    return out;
  }
}

/** What the diff needs to know of a person: their controller's record in force. */
export interface KnownRecord {
  employeeId: string;
  status: EmploymentStatus;
  employee?: Employee;
  /** The employment version (changes with every record in force): part of each event id, so A→B→A→B gives four distinct ids. */
  version: string;
  /** `employed`: a termination already pending; `left`: the one in force. */
  terminationId?: string;
}

export type RosterChange = 'hire' | 'update' | 'terminate';

export interface RosterItem {
  change: RosterChange;
  employeeId: string;
  /** The roster row (hire, update). */
  row?: number;
  /** update: the fields that change. */
  fields?: EmployeeField[];
  event: HrEvent;
}

export interface RosterPlan {
  /** Sorted by employee id: the same for every row order. */
  items: RosterItem[];
  counts: { hire: number; update: number; terminate: number; unchanged: number; kept: number };
  /** Listed or missing people the roster does not act on, and why. */
  kept: { employeeId: string; reason: string }[];
}

export interface DiffOptions {
  /** A stable digest (hex) of a string: SHA-256 at the edges. */
  hash: (s: string) => string;
}

/** JSON with sorted keys and no undefined values: equal records give equal text. */
export function canonical(e: Employee): string {
  const rec = e as unknown as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(rec)
        .filter((k) => rec[k] !== undefined)
        .sort()
        .map((k) => [k, rec[k]]),
    ),
  );
}

const MAX_ID = 128;
function eventId(change: RosterChange, employeeId: string, digest: string, hash: (s: string) => string): string {
  const id = `roster:${change}:${employeeId}:${digest.slice(0, 20)}`;
  return id.length <= MAX_ID ? id : `roster:${change}:${hash(`${employeeId}\n${digest}`).slice(0, 64)}`;
}

/** The record the roster asks for: its managed fields over the current record's others. */
export function mergedRecord(entry: RosterEntry, current: Employee | undefined): Employee {
  if (!current) return entry.employee;
  const out: Record<string, unknown> = {};
  for (const f of EMPLOYEE_FIELDS) {
    const v = entry.managed.includes(f) ? entry.employee[f] : current[f];
    if (v !== undefined) out[f] = v;
  }
  return out as Employee;
}

function changedFields(a: Employee, b: Employee): EmployeeField[] {
  return EMPLOYEE_FIELDS.filter((f) => a[f] !== b[f]);
}

const byEmployee = (a: RosterItem, b: RosterItem) =>
  a.employeeId < b.employeeId ? -1 : a.employeeId > b.employeeId ? 1 : 0;

/**
 * The roster against the known records → events. Entries must be free of duplicates (DuplicateCheck).
 * - not known (or no hire known): hire (effective on the start date when there is one);
 * - known, employed or pre-hire, record differs: update; the same: nothing;
 * - known and left: kept (only HR rehires);
 * - employed, not in the roster, no termination pending: terminate; pre-hire and missing: kept.
 */
export function diffRoster(
  entries: Iterable<RosterEntry>,
  known: Iterable<KnownRecord>,
  opts: DiffOptions,
): RosterPlan {
  const people = new Map<string, KnownRecord>();
  for (const k of known) people.set(k.employeeId, k);
  const listed = new Set<string>();
  const items: RosterItem[] = [];
  const kept: RosterPlan['kept'] = [];
  let unchanged = 0;
  const base = { source: 'roster' as const };
  for (const entry of entries) {
    const id = entry.employee.employeeId;
    listed.add(id);
    const k = people.get(id);
    const hired = k && (k.status === 'employed' || k.status === 'pre-hire');
    if (k?.status === 'left') {
      kept.push({
        employeeId: id,
        reason: `listed, but terminated (${k.terminationId ?? 'left'}): only an HR rehire brings a leaver back`,
      });
      continue;
    }
    const record = mergedRecord(entry, hired ? k.employee : undefined);
    if (!hired) {
      const digest = opts.hash(`${k?.version ?? 'none'}\n${canonical(record)}\n${entry.startDate ?? ''}`);
      const event: HrEvent = {
        id: eventId('hire', id, digest, opts.hash),
        type: 'hire',
        employee: record,
        ...base,
        ...(entry.startDate ? { effectiveAt: `${entry.startDate}T00:00:00Z` } : {}),
      };
      items.push({ change: 'hire', employeeId: id, row: entry.row, event });
      continue;
    }
    if (k.employee && canonical(k.employee) === canonical(record)) {
      unchanged++;
      continue;
    }
    const digest = opts.hash(`${k.version}\n${canonical(record)}`);
    items.push({
      change: 'update',
      employeeId: id,
      row: entry.row,
      fields: k.employee ? changedFields(k.employee, record) : [...EMPLOYEE_FIELDS],
      event: { id: eventId('update', id, digest, opts.hash), type: 'update', employee: record, ...base },
    });
  }
  for (const k of people.values()) {
    if (listed.has(k.employeeId)) continue;
    if (k.status === 'pre-hire') {
      kept.push({ employeeId: k.employeeId, reason: 'not in the roster, but a future hire: left as it is' });
      continue;
    }
    if (k.status !== 'employed' || !k.employee) continue;
    if (k.terminationId) {
      kept.push({
        employeeId: k.employeeId,
        reason: `not in the roster; termination ${k.terminationId} is already pending`,
      });
      continue;
    }
    const digest = opts.hash(`${k.version}\nterminate`);
    items.push({
      change: 'terminate',
      employeeId: k.employeeId,
      event: {
        id: eventId('terminate', k.employeeId, digest, opts.hash),
        type: 'terminate',
        employee: k.employee,
        ...base,
      },
    });
  }
  items.sort(byEmployee);
  kept.sort((a, b) => (a.employeeId < b.employeeId ? -1 : a.employeeId > b.employeeId ? 1 : 0));
  const count = (c: RosterChange) => items.filter((i) => i.change === c).length;
  return {
    items,
    counts: {
      hire: count('hire'),
      update: count('update'),
      terminate: count('terminate'),
      unchanged,
      kept: kept.length,
    },
    kept,
  };
}

/** The known record a controller's state shows (PersonView's `employment` + id). */
export function knownFromView(v: {
  employeeId: string;
  employment: { status: EmploymentStatus; employee?: Employee; version: string; terminationId?: string };
}): KnownRecord {
  const e = v.employment;
  return {
    employeeId: v.employeeId,
    status: e.status,
    version: e.version,
    ...(e.employee ? { employee: e.employee } : {}),
    ...(e.terminationId ? { terminationId: e.terminationId } : {}),
  };
}

// ---- dispatch order (bulk onboarding) ----

/**
 * The writes a person's lane will make in one app, as the scan saw it: none for an account that is
 * theirs (owner key), active and in sync; one for a create, an adopt, a reactivation or a drift.
 * Several accounts under one key are a conflict the lane must sort out: counted as work too. An
 * estimate for ordering only; the lane plans for itself.
 */
export function writesExpected(d: AppDesire, resources: readonly Record<string, unknown>[]): number {
  if (resources.length !== 1) return 1;
  const r = resources[0]!;
  const key = d.owner.by === 'userName' ? d.user.userName : ownerKeyOf(d.user, d.owner);
  const owned =
    d.owner.by === 'userName'
      ? typeof r.userName === 'string' && normalizeIdentityKey(r.userName) === normalizeIdentityKey(d.user.userName)
      : key !== undefined && ownerKeyOf(r, d.owner) === key;
  if (!owned || r.active === false) return 1;
  return attributesDiffer(r, d.user, d.managedAttributes) ? 1 : 0;
}

/**
 * The dispatch order: people whose lanes will spend requests first (a person without a hint looks
 * up for itself: work too), those already in sync after. The rate limit is the bound of a bulk
 * import; sending the people it does not apply to first would leave it idle while they settle.
 * Stable within each group, so the roster's order is kept otherwise.
 */
export function workFirst(items: readonly RosterItem[], writes: ReadonlyMap<string, number>): RosterItem[] {
  const busy = (i: RosterItem) => i.change === 'terminate' || (writes.get(i.employeeId) ?? 1) > 0;
  return [...items.filter(busy), ...items.filter((i) => !busy(i))];
}

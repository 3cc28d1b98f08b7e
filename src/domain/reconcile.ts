// Reconciliation: one app's accounts (all of them, streamed) against the people scimflow knows →
// one class per account. Pure: no I/O, no clock (time comes in as `now`). The scan feeds it page by
// page and keeps only counts and a bounded sample, so memory is bounded by the number of people,
// never by the number of accounts.
//
// The classes follow the controller's own ownership rule (`decideOwnership`): an account is a
// person's by owner key, or, where it carries none, by link or by normalised userName.
import { attributesDiffer, type AppDesire } from './planner';
import { normalizeIdentityKey, ownerKeyOf, type ObservedAccount, type OwnerRule } from './ownership';
import {
  appendString,
  getKey,
  keyIndex,
  numberAt,
  numberColumn,
  setKey,
  setNumber,
  stringAt,
  stringColumn,
  stringEquals,
  type KeyIndex,
  type NumberColumn,
  type StringColumn,
} from './packed-strings';
import type { EmploymentStatus } from './person';

export const RECONCILE_CLASSES = ['in-sync', 'drifted', 'orphan', 'unlinked-owner', 'conflict'] as const;
export type ReconcileClass = (typeof RECONCILE_CLASSES)[number];

/** What reconciliation knows of one person, for one app. */
export interface KnownPerson {
  employeeId: string;
  status: EmploymentStatus;
  /** `left`: when the termination took effect; `employed`: the period's start (ms). */
  since?: number;
  /** What the rules want this person to hold in the app (from `desireAll` with the record in force); undefined when no record is known. */
  desire?: Pick<
    AppDesire,
    'user' | 'granted' | 'groups' | 'managedGroups' | 'managedAttributes' | 'groupsSupported' | 'leaver'
  >;
  /** The account the person's controller has linked in this app, if any. */
  linkedId?: string;
}

/**
 * The people of one app, indexed by every key an account can be theirs by. Built once per scan.
 *
 * Kept as columns (one slot per person, by number) rather than one object per person, and with no
 * heap string per person either: 90k people are ~13 MB of typed arrays, nothing the GC copies or
 * traces. The key indexes map packed strings to small integers (./packed-strings.ts); status, since
 * and the desire's shape sit in typed arrays; the desired user is kept as the JSON of its values
 * only (its layout — keys and nesting — interned, as most people share one), parsed back only for
 * the account that turns out to be theirs and linked (the one case that compares attributes).
 */
export interface PeopleIndex {
  owner: OwnerRule;
  /** Normalised key → a person's number, or `-1 - i` for the i-th list of `multi` (several people share the key). */
  byOwnerKey: KeyIndex;
  byUserName: KeyIndex;
  byLinkedId: KeyIndex;
  multi: number[][];
  employeeId: StringColumn;
  linkedId: StringColumn;
  status: NumberColumn<Uint8Array>;
  /** NaN: none. */
  since: NumberColumn<Float64Array>;
  /** Into `shapes` and `layouts`; -1: no desire. */
  shape: NumberColumn<Int32Array>;
  layout: NumberColumn<Int32Array>;
  /** The user's leaf values as JSON, joined by \u0001 (which JSON text never holds unescaped). */
  values: StringColumn;
  /** Interned desire shapes (everything but the user) and their ids by JSON. */
  shapes: Omit<NonNullable<KnownPerson['desire']>, 'user'>[];
  shapeIds: Map<string, number>;
  /** Interned user layouts: the user's JSON text split where its leaf values go. */
  layouts: string[][];
  layoutIds: Map<string, number>;
  size: number;
}

const STATUSES: readonly EmploymentStatus[] = ['unknown', 'pre-hire', 'employed', 'left'];
const SEP = '\u0001';

const push = (idx: PeopleIndex, m: KeyIndex, k: string, p: number) => {
  const slot = getKey(m, k);
  if (slot === undefined) setKey(m, k, p);
  else if (slot < 0) {
    const list = idx.multi[-1 - slot]!;
    if (!list.includes(p)) list.push(p);
  } else if (slot !== p) {
    idx.multi.push([slot, p]);
    setKey(m, k, -idx.multi.length);
  }
};
const NOBODY: readonly number[] = [];
const lookup = (idx: PeopleIndex, m: KeyIndex, k: string): readonly number[] => {
  const slot = getKey(m, k);
  return slot === undefined ? NOBODY : slot < 0 ? idx.multi[-1 - slot]! : [slot];
};

export function emptyIndex(owner: OwnerRule): PeopleIndex {
  return {
    owner,
    byOwnerKey: keyIndex(),
    byUserName: keyIndex(),
    byLinkedId: keyIndex(),
    multi: [],
    employeeId: stringColumn(),
    linkedId: stringColumn(),
    status: numberColumn((n) => new Uint8Array(n)),
    since: numberColumn((n) => new Float64Array(n)),
    shape: numberColumn((n) => new Int32Array(n)),
    layout: numberColumn((n) => new Int32Array(n)),
    values: stringColumn(),
    shapes: [],
    shapeIds: new Map(),
    layouts: [],
    layoutIds: new Map(),
    size: 0,
  };
}

/**
 * The user's JSON text as a layout (the text with every leaf value cut out) and the leaf values'
 * JSON. Joining them back gives the same text, so parsing it gives what JSON.parse(JSON.stringify(user)) would.
 */
function splitUser(user: unknown): { layout: string[]; values: string } {
  const leaves: string[] = [];
  // Every primitive leaf becomes 0 in the layout text (numbers included), so outside strings a 0 is always a cut.
  let root = true;
  const text = JSON.stringify(user, (_key: string, v: unknown) => {
    if (root) return ((root = false), v);
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      leaves.push(JSON.stringify(v));
      return 0;
    }
    return v;
  });
  const layout: string[] = [];
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \\ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 48 /* 0 */) {
      layout.push(text.slice(from, i));
      from = i + 1;
    }
  }
  layout.push(text.slice(from));
  return { layout, values: leaves.join(SEP) };
}

function joinUser(layout: readonly string[], values: string): string {
  const v = values.split(SEP);
  let out = layout[0]!;
  for (let i = 1; i < layout.length; i++) out += v[i - 1]! + layout[i]!;
  return out;
}

/** Adds one person (the caller need not keep them: reconcile streams people in from their controllers). */
export function addPerson(idx: PeopleIndex, p: KnownPerson): void {
  const i = idx.size++;
  appendString(idx.employeeId, p.employeeId);
  appendString(idx.linkedId, p.linkedId);
  setNumber(idx.status, i, Math.max(0, STATUSES.indexOf(p.status)));
  setNumber(idx.since, i, p.since ?? Number.NaN);
  if (p.desire) {
    const { user: u, ...rest } = p.desire;
    const shapeKey = JSON.stringify(rest);
    let s = idx.shapeIds.get(shapeKey);
    if (s === undefined) idx.shapeIds.set(shapeKey, (s = idx.shapes.push(rest) - 1));
    const { layout, values } = splitUser(u);
    const layoutKey = layout.join(SEP);
    let l = idx.layoutIds.get(layoutKey);
    if (l === undefined) idx.layoutIds.set(layoutKey, (l = idx.layouts.push(layout) - 1));
    setNumber(idx.shape, i, s);
    setNumber(idx.layout, i, l);
    appendString(idx.values, values);
  } else {
    setNumber(idx.shape, i, -1);
    setNumber(idx.layout, i, -1);
    appendString(idx.values, undefined);
  }
  if (p.linkedId !== undefined) push(idx, idx.byLinkedId, p.linkedId, i);
  if (!p.desire) return;
  const key = idx.owner.by === 'userName' ? undefined : ownerKeyOf(p.desire.user, idx.owner);
  if (key !== undefined) push(idx, idx.byOwnerKey, key, i);
  push(idx, idx.byUserName, normalizeIdentityKey(p.desire.user.userName), i);
}

/** Whether `p` is a built index (rather than a stream of people to index). */
export function isPeopleIndex(p: unknown): p is PeopleIndex {
  const idx = p as Partial<PeopleIndex> | undefined;
  return Array.isArray(idx?.status?.chunks) && idx.employeeId?.aside instanceof Map;
}

export function indexPeople(people: Iterable<KnownPerson>, owner: OwnerRule): PeopleIndex {
  const idx = emptyIndex(owner);
  for (const p of people) addPerson(idx, p);
  return idx;
}

/** Person `i` of the index as classification reports them (the desired user parsed back). */
export function knownPerson(idx: PeopleIndex, i: number): KnownPerson {
  const since = numberAt(idx.since, i);
  const linkedId = stringAt(idx.linkedId, i);
  const s = numberAt(idx.shape, i);
  const values = stringAt(idx.values, i);
  return {
    employeeId: stringAt(idx.employeeId, i)!,
    status: STATUSES[numberAt(idx.status, i)]!,
    ...(!Number.isNaN(since) ? { since } : {}),
    ...(linkedId !== undefined ? { linkedId } : {}),
    ...(s >= 0 && values !== undefined
      ? {
          // Object.assign, not a leading spread: V8 (11.x) allocates `{ ...o, k }` clones so that they
          // survive the young generation, i.e. old-space garbage for every account of a scan.
          desire: Object.assign({}, idx.shapes[s]!, {
            user: JSON.parse(joinUser(idx.layouts[numberAt(idx.layout, i)]!, values)) as NonNullable<
              KnownPerson['desire']
            >['user'],
          }),
        }
      : {}),
  };
}

export interface Classified {
  class: ReconcileClass;
  reason: string;
  /** The person the account is (or would be) theirs: set for every class but `orphan` without owner and `conflict`. */
  owner?: KnownPerson;
  /** Everyone with a claim on a `conflict`. */
  claimants?: string[];
  /** `orphan`: the owner is known and left (their controller should end it). */
  ownerLeft?: boolean;
}

/** People by number, one per employee id (a person indexed twice counts once). */
function distinct(idx: PeopleIndex, list: readonly number[]): readonly number[] {
  if (list.length < 2) return list;
  const seen = new Set<string>();
  return list.filter((p) => {
    const id = stringAt(idx.employeeId, p)!;
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

function heldManaged(account: ObservedAccount, managed: readonly string[]): string[] | undefined {
  if (!account.groups) return undefined;
  const lower = new Set(managed.map((g) => g.toLowerCase()));
  return [...new Set(account.groups.filter((g) => lower.has(g.toLowerCase())).map((g) => g.toLowerCase()))].sort();
}

/** Why the account differs from what the owner's record wants, or undefined when it does not. */
export function driftOf(account: ObservedAccount, p: KnownPerson): string | undefined {
  const d = p.desire;
  if (!d) return undefined;
  const wantsActive =
    p.status === 'employed' ? d.granted : p.status === 'left' ? !d.leaver.deactivate && account.active : account.active;
  if (p.status === 'pre-hire') return undefined;
  const reasons: string[] = [];
  if (account.active !== wantsActive) reasons.push(`active is ${account.active}, the record wants ${wantsActive}`);
  const keepsUpToDate = (p.status === 'employed' && d.granted) || (p.status === 'unknown' && account.active);
  if (keepsUpToDate && attributesDiffer(account.resource, d.user, d.managedAttributes))
    reasons.push('attributes differ');
  if (d.groupsSupported && p.status === 'employed') {
    const held = heldManaged(account, d.managedGroups);
    const want = d.granted
      ? [...new Set(d.groups.map((g) => g.toLowerCase()))].sort()
      : held && !d.leaver.removeGroups
        ? held
        : [];
    if (held && held.join('\n') !== want.join('\n'))
      reasons.push(`memberships ${held.join(',') || '(none)'}, the record wants ${want.join(',') || '(none)'}`);
  }
  return reasons.length ? reasons.join('; ') : undefined;
}

/** A class as the scan needs it: the owner by number (built as a KnownPerson only where attributes are compared). */
interface Found extends Omit<Classified, 'owner'> {
  person?: number;
  /** Set when it was built anyway (to compare attributes). */
  owner?: KnownPerson;
}

/** One account's class. */
export function classifyAccount(account: ObservedAccount, idx: PeopleIndex): Classified {
  const { person, owner, ...c } = classify(account, idx);
  return person === undefined ? c : { ...c, owner: owner ?? knownPerson(idx, person) };
}

function classify(account: ObservedAccount, idx: PeopleIndex): Found {
  const byKey = idx.owner.by !== 'userName';
  const nameKey = normalizeIdentityKey(account.userName);
  const byName = distinct(idx, lookup(idx, idx.byUserName, nameKey));
  const linkers = distinct(idx, lookup(idx, idx.byLinkedId, account.id));
  let found: number | undefined;
  const who = (p: number) => stringAt(idx.employeeId, p)!;

  if (byKey && account.ownerKey !== undefined) {
    const keyed = distinct(idx, lookup(idx, idx.byOwnerKey, account.ownerKey));
    if (keyed.length > 1)
      return {
        class: 'conflict',
        reason: `${keyed.length} people carry owner key ${account.ownerKey}`,
        claimants: keyed.map(who),
      };
    // Someone else's userName on it (with their own owner key): their controller sees a conflict.
    const others =
      byName.length + linkers.length === 0
        ? NOBODY
        : distinct(
            idx,
            [...byName, ...linkers].filter((p) => !keyed.includes(p)),
          );
    if (keyed[0] !== undefined && others.length > 0) {
      return {
        class: 'conflict',
        reason: `owner key ${account.ownerKey} is ${who(keyed[0])}'s, the userName ${account.userName} is ${others.map(who).join(', ')}'s`,
        claimants: [who(keyed[0]), ...others.map(who)],
      };
    }
    if (keyed[0] === undefined) {
      if (others.length > 0) {
        return {
          class: 'conflict',
          reason: `the account carries owner key ${account.ownerKey}, which is nobody's, and the userName of ${others.map(who).join(', ')}`,
          claimants: others.map(who),
        };
      }
      return { class: 'orphan', reason: `owner key ${account.ownerKey} belongs to no known person` };
    }
    found = keyed[0];
  } else {
    // No owner key (or the app keeps none): by link, else by userName — both must agree.
    const claim =
      linkers.length === 0 ? byName : byName.length === 0 ? linkers : distinct(idx, [...linkers, ...byName]);
    if (claim.length > 1)
      return {
        class: 'conflict',
        reason: `${claim.map(who).join(', ')} could all own ${account.userName}`,
        claimants: claim.map(who),
      };
    if (claim[0] === undefined)
      return {
        class: 'orphan',
        reason: `no known person has userName ${account.userName}${byKey ? ' and the account carries no owner key' : ''}`,
      };
    found = claim[0];
  }

  // Decided from the index's columns: the person is parsed back only when attributes are compared.
  const employeeId = who(found);
  const s = numberAt(idx.shape, found);
  const shape = s >= 0 ? idx.shapes[s] : undefined;
  if (STATUSES[numberAt(idx.status, found)] === 'left' && account.active && (shape?.leaver.deactivate ?? true)) {
    return {
      class: 'orphan',
      reason: `${employeeId} has left but the account is still active`,
      person: found,
      ownerLeft: true,
    };
  }
  if (!stringEquals(idx.linkedId, found, account.id)) {
    const how = byKey && account.ownerKey !== undefined ? 'by owner key' : 'by userName';
    const linkedId = stringAt(idx.linkedId, found);
    return {
      class: 'unlinked-owner',
      reason: `${employeeId}'s ${how}, not linked by their controller${linkedId ? ` (linked: ${linkedId})` : ''}`,
      person: found,
    };
  }
  const owner = knownPerson(idx, found);
  const drift = driftOf(account, owner);
  if (drift) return { class: 'drifted', reason: drift, person: found, owner };
  return { class: 'in-sync', reason: '', person: found, owner };
}

/** One row of the report (every class but `in-sync` is kept, up to the sample bound). */
export interface ReconcileRow {
  app: string;
  id: string;
  userName: string;
  ownerKey?: string;
  active: boolean;
  class: ReconcileClass;
  reason: string;
  employeeId?: string;
  claimants?: string[];
  ownerLeft?: boolean;
  /** The account holds a paid seat (active, in a seat-consuming app) that nobody employed uses. */
  paidSeat?: boolean;
  /** Since when the seat is held for nothing (ISO): the owner's termination, else the account's meta.lastModified. */
  idleSince?: string;
  idleDays?: number;
}

export interface ScanSummary {
  app: string;
  total: number;
  counts: Record<ReconcileClass, number>;
  /** Rows that are not in sync, at most `sampleLimit` of them. */
  rows: ReconcileRow[];
  /** Rows left out of `rows` by the bound. */
  omitted: number;
  /** Paid seats: every one held (active accounts, in a seat-consuming app), and those held by orphans and by people who left. */
  seats: { held: number; orphans: number; leavers: number; rows: ReconcileRow[] };
  people: number;
  startedAt: string;
  finishedAt?: string;
}

export interface ScanOptions {
  app: string;
  /** The app consumes paid seats (config `seatConsuming` or `approval.required`). */
  paidSeats: boolean;
  now: number;
  sampleLimit?: number;
}

export function emptySummary(opts: ScanOptions, people: number): ScanSummary {
  return {
    app: opts.app,
    total: 0,
    counts: { 'in-sync': 0, drifted: 0, orphan: 0, 'unlinked-owner': 0, conflict: 0 },
    rows: [],
    omitted: 0,
    seats: { held: 0, orphans: 0, leavers: 0, rows: [] },
    people,
    startedAt: new Date(opts.now).toISOString(),
  };
}

const DAY = 86_400_000;

/** Folds one account into the summary (mutates it: the scan's accumulator). Returns the row. */
export function accumulate(
  summary: ScanSummary,
  account: ObservedAccount,
  idx: PeopleIndex,
  opts: ScanOptions,
  lastModified?: string,
): ReconcileRow {
  const c = classify(account, idx);
  const employeeId = c.person !== undefined ? stringAt(idx.employeeId, c.person) : undefined;
  summary.total++;
  summary.counts[c.class]++;
  const row: ReconcileRow = {
    app: opts.app,
    id: account.id,
    userName: account.userName,
    ...(account.ownerKey !== undefined ? { ownerKey: account.ownerKey } : {}),
    active: account.active,
    class: c.class,
    reason: c.reason,
    ...(employeeId !== undefined ? { employeeId } : {}),
    ...(c.claimants ? { claimants: c.claimants } : {}),
    ...(c.ownerLeft ? { ownerLeft: true } : {}),
  };
  if (opts.paidSeats && account.active) summary.seats.held++;
  if (opts.paidSeats && account.active && c.class === 'orphan') {
    const ownerSince = c.person !== undefined ? numberAt(idx.since, c.person) : Number.NaN;
    const sinceMs =
      c.ownerLeft && !Number.isNaN(ownerSince)
        ? ownerSince
        : lastModified !== undefined
          ? Date.parse(lastModified)
          : undefined;
    row.paidSeat = true;
    if (sinceMs !== undefined && Number.isFinite(sinceMs)) {
      row.idleSince = new Date(sinceMs).toISOString();
      row.idleDays = Math.max(0, Math.floor((opts.now - sinceMs) / DAY));
    }
    if (c.ownerLeft) summary.seats.leavers++;
    else summary.seats.orphans++;
    if (summary.seats.rows.length < (opts.sampleLimit ?? 1000)) summary.seats.rows.push(row);
  }
  if (c.class !== 'in-sync') {
    if (summary.rows.length < (opts.sampleLimit ?? 1000)) summary.rows.push(row);
    else summary.omitted++;
  }
  return row;
}

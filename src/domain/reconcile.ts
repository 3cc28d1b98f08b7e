// Reconciliation: one app's accounts (all of them, streamed) against the people scimflow knows →
// one class per account. Pure: no I/O, no clock (time comes in as `now`). The scan feeds it page by
// page and keeps only counts and a bounded sample, so memory is bounded by the number of people,
// never by the number of accounts.
//
// The classes follow the controller's own ownership rule (`decideOwnership`): an account is a
// person's by owner key, or, where it carries none, by link or by normalised userName.
import { attributesDiffer, type AppDesire } from './planner';
import { normalizeIdentityKey, ownerKeyOf, type ObservedAccount, type OwnerRule } from './ownership';
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
 * Kept as columns (one slot per person, by number) rather than one object per person, so 100k
 * people cost a few tens of MB: the maps hold small integers, not objects; status, since and the
 * desire's shape sit in typed arrays; the desired user is kept as the JSON of its values only (its
 * layout — keys and nesting — interned, as most people share one), parsed back only for the
 * account that turns out to be theirs.
 */
export interface PeopleIndex {
  owner: OwnerRule;
  /** Normalised key → a person's number, or `-1 - i` for the i-th list of `multi` (several people share the key). */
  byOwnerKey: Map<string, number>;
  byUserName: Map<string, number>;
  byLinkedId: Map<string, number>;
  multi: number[][];
  employeeId: string[];
  linkedId: (string | undefined)[];
  status: Uint8Array;
  /** NaN: none. */
  since: Float64Array;
  /** Into `shapes` and `layouts`; -1: no desire. */
  shape: Int32Array;
  layout: Int32Array;
  /** The user's leaf values as JSON, joined by \u0001 (which JSON text never holds unescaped). */
  values: (string | undefined)[];
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

function grown<T extends Uint8Array | Float64Array | Int32Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

const push = (idx: PeopleIndex, m: Map<string, number>, k: string, p: number) => {
  const slot = m.get(k);
  if (slot === undefined) m.set(k, p);
  else if (slot < 0) {
    const list = idx.multi[-1 - slot]!;
    if (!list.includes(p)) list.push(p);
  } else if (slot !== p) {
    idx.multi.push([slot, p]);
    m.set(k, -idx.multi.length);
  }
};
const lookup = (idx: PeopleIndex, m: Map<string, number>, k: string): readonly number[] => {
  const slot = m.get(k);
  return slot === undefined ? [] : slot < 0 ? idx.multi[-1 - slot]! : [slot];
};

export function emptyIndex(owner: OwnerRule): PeopleIndex {
  return {
    owner,
    byOwnerKey: new Map(),
    byUserName: new Map(),
    byLinkedId: new Map(),
    multi: [],
    employeeId: [],
    linkedId: [],
    status: new Uint8Array(1024),
    since: new Float64Array(1024),
    shape: new Int32Array(1024),
    layout: new Int32Array(1024),
    values: [],
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
  idx.status = grown(idx.status, idx.size, (n) => new Uint8Array(n));
  idx.since = grown(idx.since, idx.size, (n) => new Float64Array(n));
  idx.shape = grown(idx.shape, idx.size, (n) => new Int32Array(n));
  idx.layout = grown(idx.layout, idx.size, (n) => new Int32Array(n));
  idx.employeeId.push(p.employeeId);
  idx.linkedId.push(p.linkedId);
  idx.status[i] = Math.max(0, STATUSES.indexOf(p.status));
  idx.since[i] = p.since ?? Number.NaN;
  idx.shape[i] = -1;
  idx.layout[i] = -1;
  if (p.desire) {
    const { user: u, ...rest } = p.desire;
    const shapeKey = JSON.stringify(rest);
    let s = idx.shapeIds.get(shapeKey);
    if (s === undefined) idx.shapeIds.set(shapeKey, (s = idx.shapes.push(rest) - 1));
    const { layout, values } = splitUser(u);
    const layoutKey = layout.join(SEP);
    let l = idx.layoutIds.get(layoutKey);
    if (l === undefined) idx.layoutIds.set(layoutKey, (l = idx.layouts.push(layout) - 1));
    idx.shape[i] = s;
    idx.layout[i] = l;
    idx.values.push(values);
  } else idx.values.push(undefined);
  if (p.linkedId !== undefined) push(idx, idx.byLinkedId, p.linkedId, i);
  if (!p.desire) return;
  const key = idx.owner.by === 'userName' ? undefined : ownerKeyOf(p.desire.user, idx.owner);
  if (key !== undefined) push(idx, idx.byOwnerKey, key, i);
  push(idx, idx.byUserName, normalizeIdentityKey(p.desire.user.userName), i);
}

export function indexPeople(people: Iterable<KnownPerson>, owner: OwnerRule): PeopleIndex {
  const idx = emptyIndex(owner);
  for (const p of people) addPerson(idx, p);
  return idx;
}

/** Person `i` of the index as classification reports them (the desired user parsed back). */
export function knownPerson(idx: PeopleIndex, i: number): KnownPerson {
  const since = idx.since[i]!;
  const linkedId = idx.linkedId[i];
  const s = idx.shape[i]!;
  const values = idx.values[i];
  return {
    employeeId: idx.employeeId[i]!,
    status: STATUSES[idx.status[i]!]!,
    ...(!Number.isNaN(since) ? { since } : {}),
    ...(linkedId !== undefined ? { linkedId } : {}),
    ...(s >= 0 && values !== undefined
      ? {
          desire: {
            ...idx.shapes[s]!,
            user: JSON.parse(joinUser(idx.layouts[idx.layout[i]!]!, values)) as NonNullable<
              KnownPerson['desire']
            >['user'],
          },
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
function distinct(idx: PeopleIndex, list: readonly number[]): number[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const id = idx.employeeId[p]!;
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

/** One account's class. */
export function classifyAccount(account: ObservedAccount, idx: PeopleIndex): Classified {
  const byKey = idx.owner.by !== 'userName';
  const nameKey = normalizeIdentityKey(account.userName);
  const byName = distinct(idx, lookup(idx, idx.byUserName, nameKey));
  const linkers = distinct(idx, lookup(idx, idx.byLinkedId, account.id));
  let found: number | undefined;
  const who = (p: number) => idx.employeeId[p]!;

  if (byKey && account.ownerKey !== undefined) {
    const keyed = distinct(idx, lookup(idx, idx.byOwnerKey, account.ownerKey));
    if (keyed.length > 1)
      return {
        class: 'conflict',
        reason: `${keyed.length} people carry owner key ${account.ownerKey}`,
        claimants: keyed.map(who),
      };
    // Someone else's userName on it (with their own owner key): their controller sees a conflict.
    const others = distinct(
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
    const claim = distinct(idx, [...linkers, ...byName]);
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

  const owner = knownPerson(idx, found);
  if (owner.status === 'left' && account.active && (owner.desire?.leaver.deactivate ?? true)) {
    return {
      class: 'orphan',
      reason: `${owner.employeeId} has left but the account is still active`,
      owner,
      ownerLeft: true,
    };
  }
  if (owner.linkedId !== account.id) {
    const how = byKey && account.ownerKey !== undefined ? 'by owner key' : 'by userName';
    return {
      class: 'unlinked-owner',
      reason: `${owner.employeeId}'s ${how}, not linked by their controller${owner.linkedId ? ` (linked: ${owner.linkedId})` : ''}`,
      owner,
    };
  }
  const drift = driftOf(account, owner);
  if (drift) return { class: 'drifted', reason: drift, owner };
  return { class: 'in-sync', reason: '', owner };
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
  const c = classifyAccount(account, idx);
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
    ...(c.owner ? { employeeId: c.owner.employeeId } : {}),
    ...(c.claimants ? { claimants: c.claimants } : {}),
    ...(c.ownerLeft ? { ownerLeft: true } : {}),
  };
  if (opts.paidSeats && account.active) summary.seats.held++;
  if (opts.paidSeats && account.active && c.class === 'orphan') {
    const sinceMs =
      c.ownerLeft && c.owner?.since !== undefined
        ? c.owner.since
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

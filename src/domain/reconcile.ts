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
  desire?: Pick<AppDesire, 'user' | 'granted' | 'groups' | 'managedGroups' | 'managedAttributes' | 'groupsSupported' | 'leaver'>;
  /** The account the person's controller has linked in this app, if any. */
  linkedId?: string;
}

/**
 * One known person as the index keeps them: the desired user as its JSON text (parsed again only
 * for the account that turns out to be theirs) and the rest of the desire interned, so 100k people
 * cost a few tens of MB, not the size of their objects.
 */
export interface IndexedPerson {
  employeeId: string;
  status: EmploymentStatus;
  since: number | undefined;
  linkedId: string | undefined;
  user: string | undefined;
  shape: Omit<NonNullable<KnownPerson['desire']>, 'user'> | undefined;
}

type Slot = IndexedPerson | IndexedPerson[];

/** The people of one app, indexed by every key an account can be theirs by. Built once per scan. */
export interface PeopleIndex {
  owner: OwnerRule;
  byOwnerKey: Map<string, Slot>;
  byUserName: Map<string, Slot>;
  byLinkedId: Map<string, Slot>;
  /** Interned desire shapes (everything but the user), by their JSON. */
  shapes: Map<string, IndexedPerson['shape']>;
  size: number;
}

const push = (m: Map<string, Slot>, k: string, p: IndexedPerson) => {
  const slot = m.get(k);
  if (slot === undefined) m.set(k, p);
  else if (Array.isArray(slot)) {
    if (!slot.includes(p)) slot.push(p);
  } else if (slot !== p) m.set(k, [slot, p]);
};
const lookup = (m: Map<string, Slot>, k: string): readonly IndexedPerson[] => {
  const slot = m.get(k);
  return slot === undefined ? [] : Array.isArray(slot) ? slot : [slot];
};

export function emptyIndex(owner: OwnerRule): PeopleIndex {
  return { owner, byOwnerKey: new Map(), byUserName: new Map(), byLinkedId: new Map(), shapes: new Map(), size: 0 };
}

/** Adds one person (the caller need not keep them: reconcile streams people in from their controllers). */
export function addPerson(idx: PeopleIndex, p: KnownPerson): void {
  idx.size++;
  let user: string | undefined;
  let shape: IndexedPerson['shape'];
  if (p.desire) {
    const { user: u, ...rest } = p.desire;
    const key = JSON.stringify(rest);
    shape = idx.shapes.get(key);
    if (!shape) idx.shapes.set(key, (shape = rest));
    user = JSON.stringify(u);
  }
  // One fixed shape for every entry (a literal built from spreads would give V8 many, some in dictionary mode).
  const e: IndexedPerson = { employeeId: p.employeeId, status: p.status, since: p.since, linkedId: p.linkedId, user, shape };
  if (e.linkedId !== undefined) push(idx.byLinkedId, e.linkedId, e);
  if (!p.desire) return;
  const key = idx.owner.by === 'userName' ? undefined : ownerKeyOf(p.desire.user, idx.owner);
  if (key !== undefined) push(idx.byOwnerKey, key, e);
  push(idx.byUserName, normalizeIdentityKey(p.desire.user.userName), e);
}

export function indexPeople(people: Iterable<KnownPerson>, owner: OwnerRule): PeopleIndex {
  const idx = emptyIndex(owner);
  for (const p of people) addPerson(idx, p);
  return idx;
}

/** The person as classification reports them (the desired user parsed back). */
export function knownPerson(e: IndexedPerson): KnownPerson {
  return {
    employeeId: e.employeeId,
    status: e.status,
    ...(e.since !== undefined ? { since: e.since } : {}),
    ...(e.linkedId !== undefined ? { linkedId: e.linkedId } : {}),
    ...(e.user !== undefined && e.shape ? { desire: { ...e.shape, user: JSON.parse(e.user) as NonNullable<KnownPerson['desire']>['user'] } } : {}),
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

function distinct<T extends { employeeId: string }>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((p) => (seen.has(p.employeeId) ? false : (seen.add(p.employeeId), true)));
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
  const wantsActive = p.status === 'employed' ? d.granted : p.status === 'left' ? !d.leaver.deactivate && account.active : account.active;
  if (p.status === 'pre-hire') return undefined;
  const reasons: string[] = [];
  if (account.active !== wantsActive) reasons.push(`active is ${account.active}, the record wants ${wantsActive}`);
  const keepsUpToDate = (p.status === 'employed' && d.granted) || (p.status === 'unknown' && account.active);
  if (keepsUpToDate && attributesDiffer(account.resource, d.user, d.managedAttributes)) reasons.push('attributes differ');
  if (d.groupsSupported && p.status === 'employed') {
    const held = heldManaged(account, d.managedGroups);
    const want = d.granted ? [...new Set(d.groups.map((g) => g.toLowerCase()))].sort() : held && !d.leaver.removeGroups ? held : [];
    if (held && held.join('\n') !== want.join('\n')) reasons.push(`memberships ${held.join(',') || '(none)'}, the record wants ${want.join(',') || '(none)'}`);
  }
  return reasons.length ? reasons.join('; ') : undefined;
}

/** One account's class. */
export function classifyAccount(account: ObservedAccount, idx: PeopleIndex): Classified {
  const byKey = idx.owner.by !== 'userName';
  const nameKey = normalizeIdentityKey(account.userName);
  const byName = distinct(lookup(idx.byUserName, nameKey));
  const linkers = distinct(lookup(idx.byLinkedId, account.id));
  let found: IndexedPerson | undefined;

  if (byKey && account.ownerKey !== undefined) {
    const keyed = distinct(lookup(idx.byOwnerKey, account.ownerKey));
    if (keyed.length > 1) return { class: 'conflict', reason: `${keyed.length} people carry owner key ${account.ownerKey}`, claimants: keyed.map((p) => p.employeeId) };
    // Someone else's userName on it (with their own owner key): their controller sees a conflict.
    const others = distinct([...byName, ...linkers].filter((p) => !keyed.includes(p)));
    if (keyed[0] && others.length > 0) {
      return {
        class: 'conflict',
        reason: `owner key ${account.ownerKey} is ${keyed[0].employeeId}'s, the userName ${account.userName} is ${others.map((p) => p.employeeId).join(', ')}'s`,
        claimants: [keyed[0].employeeId, ...others.map((p) => p.employeeId)],
      };
    }
    if (!keyed[0]) {
      if (others.length > 0) {
        return { class: 'conflict', reason: `the account carries owner key ${account.ownerKey}, which is nobody's, and the userName of ${others.map((p) => p.employeeId).join(', ')}`, claimants: others.map((p) => p.employeeId) };
      }
      return { class: 'orphan', reason: `owner key ${account.ownerKey} belongs to no known person` };
    }
    found = keyed[0];
  } else {
    // No owner key (or the app keeps none): by link, else by userName — both must agree.
    const claim = distinct([...linkers, ...byName]);
    if (claim.length > 1) return { class: 'conflict', reason: `${claim.map((p) => p.employeeId).join(', ')} could all own ${account.userName}`, claimants: claim.map((p) => p.employeeId) };
    if (!claim[0]) return { class: 'orphan', reason: `no known person has userName ${account.userName}${byKey ? ' and the account carries no owner key' : ''}` };
    found = claim[0];
  }

  const owner = knownPerson(found);
  if (owner.status === 'left' && account.active && (owner.desire?.leaver.deactivate ?? true)) {
    return { class: 'orphan', reason: `${owner.employeeId} has left but the account is still active`, owner, ownerLeft: true };
  }
  if (owner.linkedId !== account.id) {
    const how = byKey && account.ownerKey !== undefined ? 'by owner key' : 'by userName';
    return { class: 'unlinked-owner', reason: `${owner.employeeId}'s ${how}, not linked by their controller${owner.linkedId ? ` (linked: ${owner.linkedId})` : ''}`, owner };
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
export function accumulate(summary: ScanSummary, account: ObservedAccount, idx: PeopleIndex, opts: ScanOptions, lastModified?: string): ReconcileRow {
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
    const sinceMs = c.ownerLeft && c.owner?.since !== undefined ? c.owner.since : lastModified !== undefined ? Date.parse(lastModified) : undefined;
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

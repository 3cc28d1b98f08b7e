// The person model: HR events folded into one timeline by effective date. Pure (no I/O, no
// Temporal), so it runs inside the controller workflow and in fast property tests alike.
//
// The promise this module keeps: for a fixed set of events (each with its effective time and the
// time HR recorded it), the employment at any instant T is the same whatever order the events were
// delivered in and however often each was delivered.
import type { Employee, HrEventType } from '../shared/hr-event';

export interface PersonEvent {
  id: string;
  type: HrEventType;
  /** When the event takes effect (ms since epoch): its effectiveAt, else its recordedAt. */
  at: number;
  /** When HR recorded the decision (its `recordedAt`), else when scimflow first received it. Orders decisions. */
  recordedAt: number;
  employee: Employee;
  /** cancel only: the event it withdraws; without it, the terminations pending when the cancel was recorded. */
  cancels?: string;
  /** `roster`: derived from a roster import (a termination because the person was missing from it). */
  source?: 'roster';
}

export type EmploymentStatus =
  /** No hire, rehire or termination known: accounts that exist are kept up to date, nothing is created or ended. */
  | 'unknown'
  /** A hire is known but its start date is still ahead. */
  | 'pre-hire'
  | 'employed'
  | 'left';

export interface Employment {
  status: EmploymentStatus;
  /** The HR record in force (for `left`, the last one). */
  employee?: Employee;
  /** The hire/rehire that opened the current (or last) employment period. */
  periodId?: string;
  /** `employed`: the period's start; `left`: the termination's effective time; `pre-hire`: the start date ahead. */
  since?: number;
  /** The termination in force (`left`) or the one pending in this period. */
  terminationId?: string;
  /** Changes whenever the record in force or the status changes: decisions (rejections, compensation) are tied to it. */
  version: string;
}

export type EventFate =
  | { kind: 'pending'; at: number }
  | { kind: 'applied' }
  | { kind: 'superseded'; by: string; reason: string }
  | { kind: 'withdrawn'; by: string }
  | { kind: 'ignored'; reason: string };

export interface Timeline {
  employment: Employment;
  fates: Record<string, EventFate>;
  /** The next instant after `now` at which the employment may change; undefined when nothing is queued. */
  nextChangeAt?: number;
}

const RANK: Record<HrEventType, number> = { hire: 0, rehire: 0, update: 1, terminate: 2, cancel: 3 };

/** Total order of effective events: by date; on the same instant a termination comes last (it wins). */
export function compareEvents(a: PersonEvent, b: PersonEvent): number {
  return (
    a.at - b.at ||
    RANK[a.type] - RANK[b.type] ||
    a.recordedAt - b.recordedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** One event per id: the earliest recorded copy (deterministic whatever the delivery order). */
export function uniqueEvents(events: readonly PersonEvent[]): PersonEvent[] {
  const byId = new Map<string, PersonEvent>();
  for (const e of events) {
    const had = byId.get(e.id);
    if (
      !had ||
      e.recordedAt < had.recordedAt ||
      (e.recordedAt === had.recordedAt && JSON.stringify(e) < JSON.stringify(had))
    )
      byId.set(e.id, e);
  }
  return [...byId.values()];
}

/** Which events each cancel withdraws (id → cancel id). */
function withdrawals(events: readonly PersonEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  const byId = new Map(events.map((e) => [e.id, e]));
  const cancels = events.filter((e) => e.type === 'cancel').sort(compareEvents);
  for (const c of cancels) {
    if (c.cancels !== undefined) {
      const target = byId.get(c.cancels);
      if (target && target.type !== 'cancel' && !out.has(target.id)) out.set(target.id, c.id);
      continue;
    }
    // "Cancel the pending termination": every termination HR had recorded by then that was still ahead.
    for (const t of events) {
      if (t.type === 'terminate' && t.recordedAt <= c.recordedAt && t.at > c.at && !out.has(t.id)) out.set(t.id, c.id);
    }
  }
  return out;
}

/**
 * A termination recorded while an older one was still pending replaces it (the leave date moved),
 * unless a rehire lies between their dates (they end different employments).
 */
function replacedTerminations(
  terminations: readonly PersonEvent[],
  rehires: readonly PersonEvent[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of terminations) {
    let by: PersonEvent | undefined;
    for (const b of terminations) {
      if (b === a || b.recordedAt <= a.recordedAt || a.at <= b.recordedAt) continue;
      const lo = Math.min(a.at, b.at);
      const hi = Math.max(a.at, b.at);
      if (rehires.some((r) => r.at > lo && r.at <= hi)) continue;
      if (!by || b.recordedAt > by.recordedAt || (b.recordedAt === by.recordedAt && b.id > by.id)) by = b;
    }
    if (by) out.set(a.id, by.id);
  }
  return out;
}

/** The person's timeline at `now`. */
export function timeline(all: readonly PersonEvent[], now: number): Timeline {
  const events = uniqueEvents(all);
  const fates: Record<string, EventFate> = {};
  const withdrawn = withdrawals(events);
  const live = events.filter((e) => e.type !== 'cancel' && !withdrawn.has(e.id));
  const replaced = replacedTerminations(
    live.filter((e) => e.type === 'terminate'),
    live.filter((e) => e.type === 'rehire'),
  );
  for (const e of events) {
    if (e.type === 'cancel') {
      const did = [...withdrawn.values()].includes(e.id);
      fates[e.id] = did
        ? { kind: 'applied' }
        : {
            kind: 'ignored',
            reason: e.cancels ? `${e.cancels} is not known (yet)` : 'no pending termination to withdraw',
          };
    } else if (withdrawn.has(e.id)) fates[e.id] = { kind: 'withdrawn', by: withdrawn.get(e.id)! };
    else if (replaced.has(e.id))
      fates[e.id] = { kind: 'superseded', by: replaced.get(e.id)!, reason: 'a later termination replaced it' };
  }
  const ordered = live.filter((e) => !replaced.has(e.id)).sort(compareEvents);

  let status: EmploymentStatus = 'unknown';
  let employee: Employee | undefined;
  let periodId: string | undefined;
  let since: number | undefined;
  let terminationId: string | undefined;
  let version = 'none';
  let nextChangeAt: number | undefined;

  for (const e of ordered) {
    if (e.at > now) {
      fates[e.id] ??= { kind: 'pending', at: e.at };
      nextChangeAt ??= e.at;
      continue;
    }
    const setRecord = () => {
      employee = e.employee;
      version = e.id;
    };
    switch (e.type) {
      case 'hire':
      case 'rehire':
        if (status === 'left' && e.type === 'hire') {
          fates[e.id] = {
            kind: 'superseded',
            by: terminationId!,
            reason: 'the person has left: only a rehire opens a new employment',
          };
          continue;
        }
        if (status !== 'employed') {
          status = 'employed';
          periodId = e.id;
          since = e.at;
          terminationId = undefined;
        }
        setRecord();
        break;
      case 'update':
        if (status === 'left') {
          fates[e.id] = { kind: 'superseded', by: terminationId!, reason: 'the person has left' };
          continue;
        }
        setRecord();
        break;
      case 'terminate':
        if (status === 'left') {
          fates[e.id] = { kind: 'superseded', by: terminationId!, reason: 'already terminated' };
          continue;
        }
        status = 'left';
        since = e.at;
        terminationId = e.id;
        setRecord();
        break;
      case 'cancel':
        break;
    }
    fates[e.id] = { kind: 'applied' };
  }

  // A record older than one already in force, recorded after it, never determined anything.
  const applied = ordered.filter((e) => e.at <= now && fates[e.id]?.kind === 'applied' && e.type === 'update');
  for (const e of applied) {
    const newer = ordered.find(
      (o) =>
        o !== e &&
        o.at <= now &&
        fates[o.id]?.kind === 'applied' &&
        compareEvents(o, e) > 0 &&
        o.recordedAt < e.recordedAt,
    );
    if (newer) fates[e.id] = { kind: 'superseded', by: newer.id, reason: 'older than the record already in force' };
  }

  if (status === 'unknown') {
    const hire = ordered.find((e) => e.at > now && (e.type === 'hire' || e.type === 'rehire'));
    if (hire) {
      status = 'pre-hire';
      since = hire.at;
      employee ??= hire.employee;
    }
  }
  if (status === 'employed') terminationId = ordered.find((e) => e.at > now && e.type === 'terminate')?.id;
  return {
    employment: {
      status,
      ...(employee ? { employee } : {}),
      ...(periodId ? { periodId } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(terminationId ? { terminationId } : {}),
      version: `${status}:${version}`,
    },
    fates,
    ...(nextChangeAt !== undefined ? { nextChangeAt } : {}),
  };
}

/**
 * The events worth keeping after `now`: everything still ahead, every cancel (a late target must
 * still be withdrawn), and the past events that decide the employment from here on (the period's
 * opening, the terminations after it, the record in force). Everything else only fills history.
 */
export function compact(all: readonly PersonEvent[], now: number, retainCancelsMs = 400 * 86_400_000): PersonEvent[] {
  const events = uniqueEvents(all);
  const t = timeline(events, now);
  const keep = new Set<string>();
  for (const e of events) {
    if (e.at > now || (e.type === 'cancel' && e.recordedAt >= now - retainCancelsMs)) keep.add(e.id);
  }
  const ordered = events.filter((e) => e.type !== 'cancel' && e.at <= now).sort(compareEvents);
  const openIdx = ordered.findIndex((e) => e.id === t.employment.periodId);
  for (let i = Math.max(0, openIdx); i < ordered.length; i++) {
    const e = ordered[i]!;
    if (e.type !== 'update') keep.add(e.id);
  }
  const record = t.employment.version.slice(t.employment.status.length + 1);
  if (record !== 'none') keep.add(record);
  return events.filter((e) => keep.has(e.id));
}

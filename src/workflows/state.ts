// The controller's continue-as-new state, versioned. A workflow lives for years: whatever shape an
// older run carried, the new run migrates it here with tested pure functions, or starts afresh
// from the apps (observation rebuilds links) when nothing usable came.
//
// Adding a version (docs/versioning.md, "Versioned state"):
//  1. write the old shape down below as `ControllerStateV<n>` (never edit a written-down shape);
//  2. bump STATE_SCHEMA_VERSION in definitions.ts and change `ControllerState`;
//  3. add `MIGRATIONS[n]`: a pure function from shape n to shape n + 1 (no clock, no randomness:
//     it runs inside the workflow, and replay must compute it again identically);
//  4. add a test (test/workflows/state.test.ts) with a literal shape-n input;
//  5. record the corpus again (`npm run record:histories`): the continue-as-new history then
//     carries the new shape, and the old one stays committed so its replay keeps being checked.
// A migration is never removed: a controller idle for years may continue-as-new from any shape.
import type { ApprovalRequest } from '../domain/approvals';
import { auditFromLog, normalizeAudit } from '../domain/audit';
import type { PersonEvent } from '../domain/person';
import { STATE_SCHEMA_VERSION, type AppView, type ControllerState, type LogEntry } from './definitions';

/**
 * Version 0 (before `schemaVersion` existed): `seen` was the list of event ids, without their
 * receipt times, and an operator could not yet skip an app (no `skipped`).
 */
export interface ControllerStateV0 {
  schemaVersion?: 0;
  employeeId: string;
  events: PersonEvent[];
  seen: string[];
  apps: Record<string, AppView>;
  approvals: ApprovalRequest[];
  joinedPeriod?: string;
  compensation?: ControllerState['compensation'];
  log: LogEntry[];
}

/** Version 1: no audit trail (decisions and operator commands were only lines of `log`). */
export interface ControllerStateV1 {
  schemaVersion: 1;
  employeeId: string;
  events: PersonEvent[];
  seen: Record<string, number>;
  apps: Record<string, AppView>;
  approvals: ApprovalRequest[];
  joinedPeriod?: string;
  compensation?: ControllerState['compensation'];
  skipped: Record<string, string>;
  log: LogEntry[];
}

type Migration = (s: Record<string, unknown>) => Record<string, unknown>;

/** `MIGRATIONS[n]` turns shape n into shape n + 1. */
export const MIGRATIONS: Record<number, Migration> = {
  0: (raw) => {
    const s = raw as Partial<ControllerStateV0>;
    const events = Array.isArray(s.events) ? s.events : [];
    // Receipt times were not kept: an id's own event tells when it came; one compacted away counts
    // as received with the newest event, so it is remembered (and a redelivery ignored) for the
    // full retention from there rather than forgotten at once.
    const newest = events.reduce((m, e) => Math.max(m, typeof e.recordedAt === 'number' ? e.recordedAt : 0), 0);
    const seen: Record<string, number> = {};
    for (const id of Array.isArray(s.seen) ? s.seen : []) {
      if (typeof id !== 'string') continue;
      seen[id] = events.find((e) => e.id === id)?.recordedAt ?? newest;
    }
    const { seen: _old, ...rest } = s;
    return { ...rest, schemaVersion: 1, events, seen, skipped: {} };
  },
  // The trail starts from what the log still holds of decisions and operator commands.
  1: (raw) => {
    const s = raw as Partial<ControllerStateV1>;
    return { ...s, schemaVersion: 2, audit: auditFromLog(Array.isArray(s.log) ? s.log : []) };
  },
};

export function emptyState(employeeId: string): ControllerState {
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    employeeId,
    events: [],
    seen: {},
    apps: {},
    approvals: [],
    skipped: {},
    log: [],
    audit: [],
  };
}

/** The shape version of carried state: a number, or 0 for the shape from before `schemaVersion`. */
function versionOf(s: Record<string, unknown>): number | undefined {
  if (s.schemaVersion === undefined) return Array.isArray(s.seen) ? 0 : undefined;
  return typeof s.schemaVersion === 'number' && Number.isInteger(s.schemaVersion) ? s.schemaVersion : undefined;
}

/** Any carried state → the current shape. Unknown or damaged input never throws: it starts empty. */
export function migrateState(input: unknown, employeeId: string): ControllerState {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return emptyState(employeeId);
  let s = input as Record<string, unknown>;
  let version = versionOf(s);
  // A shape from a newer release (a rollback): nothing here can read it; the apps are the truth.
  if (version === undefined || version > STATE_SCHEMA_VERSION) return emptyState(employeeId);
  try {
    while (version < STATE_SCHEMA_VERSION) {
      const step = MIGRATIONS[version];
      if (!step) return emptyState(employeeId);
      s = step(s);
      version += 1;
    }
  } catch {
    return emptyState(employeeId);
  }
  return normalize(s as Partial<ControllerState>, employeeId);
}

/** The current shape, each field checked: one damaged field is replaced, not the whole state. */
function normalize(s: Partial<ControllerState>, employeeId: string): ControllerState {
  return {
    ...emptyState(employeeId),
    ...s,
    schemaVersion: STATE_SCHEMA_VERSION,
    employeeId,
    events: Array.isArray(s.events) ? s.events : [],
    seen: s.seen && typeof s.seen === 'object' && !Array.isArray(s.seen) ? s.seen : {},
    apps: s.apps && typeof s.apps === 'object' ? s.apps : {},
    approvals: Array.isArray(s.approvals) ? s.approvals : [],
    skipped: s.skipped && typeof s.skipped === 'object' ? s.skipped : {},
    log: Array.isArray(s.log) ? s.log : [],
    audit: normalizeAudit(s.audit),
  };
}

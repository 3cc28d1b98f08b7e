// The controller's continue-as-new state, versioned. A workflow lives for years: whatever shape an
// older run carried, the new run migrates it here with tested pure functions, or starts afresh
// from the apps (observation rebuilds links) when nothing usable came.
import { STATE_SCHEMA_VERSION, type ControllerState } from './definitions';

export function emptyState(employeeId: string): ControllerState {
  return { schemaVersion: STATE_SCHEMA_VERSION, employeeId, events: [], seen: {}, apps: {}, approvals: [], skipped: {}, log: [] };
}

/** Any carried state → the current shape. Unknown or damaged input never throws: it starts empty. */
export function migrateState(input: unknown, employeeId: string): ControllerState {
  if (!input || typeof input !== 'object') return emptyState(employeeId);
  const s = input as Partial<ControllerState> & { schemaVersion?: unknown };
  if (s.schemaVersion !== STATE_SCHEMA_VERSION) return emptyState(employeeId);
  return {
    ...emptyState(employeeId),
    ...s,
    schemaVersion: STATE_SCHEMA_VERSION,
    employeeId,
    events: Array.isArray(s.events) ? s.events : [],
    seen: s.seen && typeof s.seen === 'object' ? s.seen : {},
    apps: s.apps && typeof s.apps === 'object' ? s.apps : {},
    approvals: Array.isArray(s.approvals) ? s.approvals : [],
    skipped: s.skipped && typeof s.skipped === 'object' ? s.skipped : {},
    log: Array.isArray(s.log) ? s.log : [],
  };
}

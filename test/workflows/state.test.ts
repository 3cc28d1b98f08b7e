// The controller's carried state: pure migrations from every older shape (src/workflows/state.ts).
import { STATE_SCHEMA_VERSION, type ControllerState } from '../../src/workflows/definitions';
import {
  MIGRATIONS,
  emptyState,
  migrateState,
  type ControllerStateV0,
  type ControllerStateV1,
} from '../../src/workflows/state';
import { appendAudit, type AuditEntry } from '../../src/domain/audit';

const employee = { employeeId: 'E1', email: 'e1@example.com', givenName: 'Ada', familyName: 'Lovelace' };
const hire = { id: 'evt-hire', type: 'hire' as const, at: 1_700_000_000_000, recordedAt: 1_700_000_000_000, employee };
const update = {
  id: 'evt-update',
  type: 'update' as const,
  at: 1_700_000_500_000,
  recordedAt: 1_700_000_600_000,
  employee: { ...employee, givenName: 'Augusta' },
};
const app = {
  app: 'generic',
  state: 'in-sync' as const,
  link: { scimId: 'u-1', groups: ['all-staff'] },
  granted: true,
  plannedFor: 'v1',
};

/** A state as version 0 wrote it: no schemaVersion, `seen` a list of ids, no `skipped`. */
const v0: ControllerStateV0 = {
  employeeId: 'E1',
  events: [hire, update],
  seen: ['evt-hire', 'evt-update', 'evt-compacted-long-ago'],
  apps: { generic: app },
  approvals: [],
  joinedPeriod: 'p-1',
  log: [{ at: '2023-11-14T22:13:20.000Z', kind: 'event', detail: 'hire evt-hire: applied' }],
};

describe('migrateState', () => {
  it('is at version 2, with one migration per older version', () => {
    expect(STATE_SCHEMA_VERSION).toBe(2);
    for (let v = 0; v < STATE_SCHEMA_VERSION; v++) expect(typeof MIGRATIONS[v]).toBe('function');
  });

  it('migrates a version-0 state: seen ids get their events’ receipt times, skipped starts empty, the rest is kept', () => {
    const s = migrateState(structuredClone(v0), 'E1');
    expect(s).toEqual<ControllerState>({
      schemaVersion: 2,
      employeeId: 'E1',
      events: [hire, update],
      // An id whose event was compacted away counts as received with the newest event.
      seen: {
        'evt-hire': hire.recordedAt,
        'evt-update': update.recordedAt,
        'evt-compacted-long-ago': update.recordedAt,
      },
      apps: { generic: app },
      approvals: [],
      joinedPeriod: 'p-1',
      skipped: {},
      log: v0.log,
      audit: [],
    });
  });

  it('migrates a version-1 state: the audit trail starts from the decisions and operator commands its log holds', () => {
    const v1: ControllerStateV1 = {
      schemaVersion: 1,
      employeeId: 'E1',
      events: [hire],
      seen: { 'evt-hire': hire.recordedAt },
      apps: { generic: app },
      approvals: [],
      skipped: { jumpcloud: 'v1' },
      log: [
        { at: '2024-01-01T00:00:00.000Z', kind: 'event', detail: 'hire evt-hire: applied' },
        {
          at: '2024-01-01T00:00:01.000Z',
          kind: 'decision',
          detail: 'approve jasper-lq0 (jasper) via update: budget ok',
          by: 'lead@example.com',
        },
        {
          at: '2024-01-01T00:00:02.000Z',
          kind: 'decision',
          detail: 'reject jasper-lq1 (jasper) via signal',
          by: 'lead@example.com',
        },
        {
          at: '2024-01-01T00:00:03.000Z',
          kind: 'refused-decision',
          detail: '{}: app: app is required',
          by: 'x@example.com',
        },
        {
          at: '2024-01-01T00:00:04.000Z',
          kind: 'operator',
          detail: 'retry generic, jumpcloud: token rotated',
          by: 'ops',
        },
        { at: '2024-01-01T00:00:05.000Z', kind: 'operator', detail: 'skip (nothing to act on)' },
        { at: '2024-01-01T00:00:06.000Z', kind: 'operator', detail: 'refresh and continue-as-new: reconcile generic' },
        {
          at: '2024-01-01T00:00:07.000Z',
          kind: 'operator',
          detail: 'upgrade: continuing as new onto the current workflow code',
        },
      ],
    };
    const s = migrateState(structuredClone(v1), 'E1');
    expect(s.schemaVersion).toBe(2);
    expect(s.log).toEqual(v1.log);
    expect(s.skipped).toEqual({ jumpcloud: 'v1' });
    expect(s.audit).toEqual<AuditEntry[]>([
      {
        seq: 1,
        at: '2024-01-01T00:00:01.000Z',
        action: 'approve',
        outcome: 'applied',
        by: 'lead@example.com',
        via: 'unknown',
        requestId: 'jasper-lq0',
        app: 'jasper',
        reason: 'budget ok',
      },
      {
        seq: 2,
        at: '2024-01-01T00:00:02.000Z',
        action: 'reject',
        outcome: 'applied',
        by: 'lead@example.com',
        via: 'signal',
        requestId: 'jasper-lq1',
        app: 'jasper',
      },
      {
        seq: 3,
        at: '2024-01-01T00:00:03.000Z',
        action: 'decision',
        outcome: 'refused',
        by: 'x@example.com',
        via: 'signal',
        refusal: '{}: app: app is required',
      },
      {
        seq: 4,
        at: '2024-01-01T00:00:04.000Z',
        action: 'retry',
        outcome: 'applied',
        by: 'ops',
        via: 'unknown',
        reason: 'token rotated',
        app: 'generic',
      },
      {
        seq: 5,
        at: '2024-01-01T00:00:04.000Z',
        action: 'retry',
        outcome: 'applied',
        by: 'ops',
        via: 'unknown',
        reason: 'token rotated',
        app: 'jumpcloud',
      },
      { seq: 6, at: '2024-01-01T00:00:05.000Z', action: 'skip', outcome: 'no-op', by: 'unknown', via: 'unknown' },
      {
        seq: 7,
        at: '2024-01-01T00:00:06.000Z',
        action: 'refresh',
        outcome: 'applied',
        by: 'unknown',
        via: 'unknown',
        reason: 'reconcile generic',
      },
    ]);
    // Carried again (continue-as-new of the same release): the trail is kept as it is.
    expect(migrateState(structuredClone(s), 'E1')).toEqual(s);
  });

  it('a current-version trail survives continue-as-new; a damaged entry is dropped, not the trail', () => {
    let audit: AuditEntry[] = [];
    for (let i = 0; i < 3; i++)
      audit = appendAudit(audit, {
        at: `2024-02-0${i + 1}T00:00:00.000Z`,
        action: 'retry',
        outcome: 'applied',
        by: 'ops',
        via: 'cli',
        app: 'generic',
      });
    const carried = { ...emptyState('E1'), audit: [...audit, { seq: 'x', at: 'never' }] };
    expect(migrateState(structuredClone(carried), 'E1').audit).toEqual(audit);
    expect(migrateState({ ...emptyState('E1'), audit: 'nope' }, 'E1').audit).toEqual([]);
  });

  it('is pure: the input is not changed, and the same input gives the same state', () => {
    const input = structuredClone(v0);
    const a = migrateState(input, 'E1');
    expect(input).toEqual(v0);
    expect(migrateState(structuredClone(v0), 'E1')).toEqual(a);
  });

  it('keeps a current-version state as it is (continue-as-new of the same release)', () => {
    const current: ControllerState = {
      ...emptyState('E1'),
      events: [hire],
      seen: { 'evt-hire': 1 },
      apps: { generic: app },
      skipped: { generic: 'v1' },
    };
    expect(migrateState(structuredClone(current), 'E1')).toEqual(current);
  });

  it('a version-0 state with damaged fields keeps what can be read', () => {
    const s = migrateState({ employeeId: 'E1', events: 'nope', seen: ['evt-a', 7], apps: { generic: app } }, 'E1');
    expect(s.events).toEqual([]);
    expect(s.seen).toEqual({ 'evt-a': 0 });
    expect(s.apps).toEqual({ generic: app });
    expect(s.skipped).toEqual({});
  });

  it.each([
    ['nothing', undefined],
    ['a string', 'state'],
    ['an array', []],
    ['a shape with no version and no seen list', { employeeId: 'E1', events: [] }],
    [
      'a version from a newer release (after a rollback)',
      { ...emptyState('E1'), schemaVersion: STATE_SCHEMA_VERSION + 1 },
    ],
    ['a non-integer version', { ...emptyState('E1'), schemaVersion: '1' }],
  ])('%s starts empty (the apps are the truth)', (_what, input) => {
    expect(migrateState(input, 'E1')).toEqual(emptyState('E1'));
  });

  it('the employee id is the workflow’s, whatever the state says', () => {
    expect(migrateState({ ...v0, employeeId: 'SOMEONE-ELSE' }, 'E1').employeeId).toBe('E1');
  });
});

// The roster diff: properties over random rosters and known records (re-import is idempotent, row
// order does not matter, missing people are terminated, ids are deterministic), and the row reader.
import fc from 'fast-check';
import { Readable } from 'node:stream';
import {
  diffRoster,
  readRow,
  resolveMapping,
  workFirst,
  writesExpected,
  type KnownRecord,
  type RosterEntry,
  type RosterItem,
} from '../../src/domain/roster';
import type { AppDesire } from '../../src/domain/planner';
import { timeline, type PersonEvent } from '../../src/domain/person';
import { readRoster } from '../../src/roster/parse';
import { rosterHash } from '../../src/roster/settings';
import { HrEventSchema, type Employee } from '../../src/shared/hr-event';

const hash = rosterHash;
const mapping = resolveMapping(
  {
    employeeId: 'Employee ID',
    email: 'Work Email',
    givenName: 'First Name',
    familyName: 'Last Name',
    title: 'Job Title',
    startDate: 'Start Date',
  },
  'DD/MM/YYYY',
);

const employeeArb = (id: string) =>
  fc
    .record({
      title: fc.constantFrom('Engineer', 'Manager', 'Sales'),
      department: fc.option(fc.constantFrom('Eng', 'Ops'), { nil: undefined }),
    })
    .map((r): Employee => ({
      employeeId: id,
      email: `${id.toLowerCase()}@example.com`,
      givenName: 'Given',
      familyName: id,
      title: r.title,
      ...(r.department ? { department: r.department } : {}),
    }));
const entry = (e: Employee, row: number): RosterEntry => ({
  row,
  employee: e,
  managed: ['employeeId', 'email', 'givenName', 'familyName', 'title', 'department'],
});

/** A roster of distinct ids E0..E9 (some), and known people (some), some of whom match. */
const scenario = fc
  .tuple(
    fc.subarray(['E0', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7']),
    fc.subarray(['E0', 'E1', 'E2', 'E3', 'E4', 'E5', 'E8', 'E9']),
  )
  .chain(([inRoster, knownIds]) =>
    fc.record({
      roster: fc.tuple(...inRoster.map((id) => employeeArb(id))),
      known: fc.tuple(
        ...knownIds.map((id) =>
          fc.tuple(employeeArb(id), fc.constantFrom<KnownRecord['status']>('employed', 'employed', 'left', 'pre-hire')),
        ),
      ),
    }),
  )
  .map(({ roster, known }) => ({
    entries: roster.map((e, i) => entry(e, i + 1)),
    known: known.map(([e, status]): KnownRecord => ({
      employeeId: e.employeeId,
      status,
      employee: e,
      version: `${status}:evt-${e.employeeId}`,
    })),
  }));

/** What each controller's record is once the plan's events are applied (the person model itself decides). */
function applyPlan(known: KnownRecord[], events: ReturnType<typeof diffRoster>['items']): KnownRecord[] {
  const byId = new Map(known.map((k) => [k.employeeId, k]));
  for (const item of events) {
    const k = byId.get(item.employeeId);
    const past: PersonEvent[] = k?.employee
      ? [
          {
            id: k.version.split(':')[1]!,
            type: k.status === 'left' ? 'terminate' : k.status === 'pre-hire' ? 'hire' : 'hire',
            at: k.status === 'pre-hire' ? 2e12 : 1,
            recordedAt: 1,
            employee: k.employee,
          },
        ]
      : [];
    const ev: PersonEvent = {
      id: item.event.id,
      type: item.event.type,
      at: item.event.effectiveAt ? Date.parse(item.event.effectiveAt) : 1000,
      recordedAt: 1000,
      employee: item.event.employee,
    };
    const t = timeline([...past, ev], 5000).employment;
    byId.set(item.employeeId, {
      employeeId: item.employeeId,
      status: t.status,
      version: t.version,
      ...(t.employee ? { employee: t.employee } : {}),
      ...(t.terminationId ? { terminationId: t.terminationId } : {}),
    });
  }
  return [...byId.values()];
}

describe('diffRoster', () => {
  it('re-importing the same roster after the first import landed gives no events', () => {
    fc.assert(
      fc.property(scenario, ({ entries, known }) => {
        const first = diffRoster(entries, known, { hash });
        const after = applyPlan(known, first.items);
        expect(diffRoster(entries, after, { hash }).items).toEqual([]);
      }),
    );
  });

  it('is the same for every row order (and every order of the known people), ids included', () => {
    fc.assert(
      fc.property(scenario, fc.infiniteStream(fc.double()), ({ entries, known }, keys) => {
        const shuffle = <T>(xs: T[]) =>
          xs
            .map((x) => [keys.next().value as number, x] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, x]) => x);
        const a = diffRoster(entries, known, { hash });
        const b = diffRoster(shuffle(entries), shuffle(known), { hash });
        expect(b.items.map((i) => ({ ...i, row: undefined }))).toEqual(a.items.map((i) => ({ ...i, row: undefined })));
        expect(b.counts).toEqual(a.counts);
      }),
    );
  });

  it('terminates exactly the employed people missing from the roster; every event is a valid, roster-marked HR event', () => {
    fc.assert(
      fc.property(scenario, ({ entries, known }) => {
        const plan = diffRoster(entries, known, { hash });
        const listed = new Set(entries.map((e) => e.employee.employeeId));
        const expected = known
          .filter((k) => k.status === 'employed' && !listed.has(k.employeeId))
          .map((k) => k.employeeId)
          .sort();
        expect(plan.items.filter((i) => i.change === 'terminate').map((i) => i.employeeId)).toEqual(expected);
        for (const i of plan.items) {
          expect(HrEventSchema.safeParse(i.event).success).toBe(true);
          expect(i.event.source).toBe('roster');
        }
        // Leavers listed again are kept, never rehired; people not known are hired.
        for (const k of known.filter((k) => k.status === 'left' && listed.has(k.employeeId)))
          expect(plan.items.some((i) => i.employeeId === k.employeeId)).toBe(false);
        const knownIds = new Set(known.map((k) => k.employeeId));
        expect(
          plan.items
            .filter((i) => i.change === 'hire')
            .map((i) => i.employeeId)
            .sort(),
        ).toEqual([...listed].filter((id) => !knownIds.has(id)).sort());
      }),
    );
  });

  it('one edited row is one update naming the field; A→B→A→B gives distinct ids', () => {
    const a: Employee = { employeeId: 'E1', email: 'e1@example.com', givenName: 'A', familyName: 'B', title: 'One' };
    const b = { ...a, title: 'Two' };
    let known: KnownRecord[] = [{ employeeId: 'E1', status: 'employed', employee: a, version: 'employed:h' }];
    const ids: string[] = [];
    for (const next of [b, a, b]) {
      const plan = diffRoster([entry(next, 1)], known, { hash });
      expect(plan.items).toHaveLength(1);
      expect(plan.items[0]).toMatchObject({ change: 'update', fields: ['title'] });
      ids.push(plan.items[0]!.event.id);
      known = [
        { employeeId: 'E1', status: 'employed', employee: next, version: `employed:${plan.items[0]!.event.id}` },
      ];
    }
    expect(new Set(ids).size).toBe(3);
  });

  it('keeps the fields the roster does not carry', () => {
    const current: Employee = {
      employeeId: 'E1',
      email: 'e1@example.com',
      givenName: 'A',
      familyName: 'B',
      costCenter: 'CC-1',
      title: 'One',
    };
    const e: RosterEntry = {
      row: 1,
      employee: { employeeId: 'E1', email: 'e1@example.com', givenName: 'A', familyName: 'B', title: 'Two' },
      managed: ['employeeId', 'email', 'givenName', 'familyName', 'title'],
    };
    const plan = diffRoster([e], [{ employeeId: 'E1', status: 'employed', employee: current, version: 'employed:h' }], {
      hash,
    });
    expect(plan.items[0]!.event.employee).toEqual({ ...current, title: 'Two' });
  });

  it('leaves a pending termination and a future hire alone', () => {
    const e: Employee = { employeeId: 'E1', email: 'e1@example.com', givenName: 'A', familyName: 'B' };
    const plan = diffRoster(
      [],
      [
        { employeeId: 'E1', status: 'employed', employee: e, version: 'employed:h', terminationId: 't' },
        {
          employeeId: 'E2',
          status: 'pre-hire',
          employee: { ...e, employeeId: 'E2', email: 'e2@example.com' },
          version: 'pre-hire:none',
        },
      ],
      { hash },
    );
    expect(plan.items).toEqual([]);
    expect(plan.counts.kept).toBe(2);
  });
});

describe('dispatch order for a bulk onboarding', () => {
  const desire = (owner: AppDesire['owner'] = { by: 'externalId' }): AppDesire => ({
    app: 'generic',
    granted: true,
    user: { userName: 'ada@example.com', externalId: 'E1', name: { givenName: 'Ada', familyName: 'L' }, title: 'Eng' },
    groups: [],
    managedGroups: [],
    managedAttributes: ['userName', 'externalId', 'name', 'title'],
    owner,
    seatGate: false,
    allOrNothing: false,
    groupsSupported: false,
    leaver: { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: null },
  });
  const account = (over: Record<string, unknown> = {}) => ({ id: 'a1', ...desire().user, active: true, ...over });

  it('expects no write for an owned, active account in sync, and one for each kind of work', () => {
    expect(writesExpected(desire(), [account()])).toBe(0);
    expect(writesExpected(desire(), [])).toBe(1); // create
    expect(writesExpected(desire(), [account({ externalId: undefined })])).toBe(1); // adopt
    expect(writesExpected(desire(), [account({ externalId: 'E2' })])).toBe(1); // someone else's: the lane decides
    expect(writesExpected(desire(), [account({ title: 'Stale' })])).toBe(1); // drift
    expect(writesExpected(desire(), [account({ active: false })])).toBe(1); // reactivation
    expect(writesExpected(desire(), [account(), account({ id: 'a2' })])).toBe(1); // a conflict to sort out
    // An app whose owner is the userName alone: the userName is the key.
    expect(writesExpected(desire({ by: 'userName' }), [account()])).toBe(0);
    expect(writesExpected(desire({ by: 'userName' }), [account({ userName: 'bob@example.com' })])).toBe(1);
  });

  it('sends the people who spend requests first, keeping the roster order within each group', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0, 1, undefined), fc.boolean()), { maxLength: 40 }), (spec) => {
        const items = spec.map(
          ([, leaver], i) => ({ employeeId: `E${i}`, change: leaver ? 'terminate' : 'hire' }) as RosterItem,
        );
        const writes = new Map<string, number>();
        spec.forEach(([w], i) => w !== undefined && writes.set(`E${i}`, w));
        const order = workFirst(items, writes).map((i) => i.employeeId);
        const busy = (id: string) => {
          const i = Number(id.slice(1));
          return spec[i]![1] || spec[i]![0] !== 0; // a leaver, a write, or no hint (it looks up for itself)
        };
        expect([...order].sort()).toEqual(items.map((i) => i.employeeId).sort());
        const firstIdle = order.findIndex((id) => !busy(id));
        if (firstIdle >= 0) expect(order.slice(firstIdle).every((id) => !busy(id))).toBe(true);
        const rank = (id: string) => Number(id.slice(1));
        for (const group of [order.filter(busy), order.filter((id) => !busy(id))])
          expect(group).toEqual([...group].sort((a, b) => rank(a) - rank(b)));
      }),
    );
  });
});

describe('reading a roster', () => {
  const csv = (text: string) => readRoster(Readable.from([Buffer.from(text)]), 'csv', { mapping, maxRows: 100 });

  it('maps the configured columns, ignores others, parses the date format', async () => {
    const r = await csv(
      'Employee ID,Work Email,First Name,Last Name,Job Title,Start Date,Salary\nE1, Ada@Example.com ,Ada,Lovelace,Engineer,01/12/2026,100\nE2,grace@example.com,Grace,Hopper,,,\n',
    );
    expect(r.issues).toEqual([]);
    expect(r.entries.map((e) => [e.employee.email, e.employee.title, e.startDate ?? null])).toEqual([
      ['ada@example.com', 'Engineer', '2026-12-01'],
      ['grace@example.com', undefined, null],
    ]);
    expect(r.entries[1]!.managed).toContain('title');
    expect(r.entries[1]!.managed).not.toContain('department');
  });

  it('names the row and column of every bad cell, and a missing column', async () => {
    const r = await csv(
      'Employee ID,Work Email,First Name,Last Name,Start Date\nE1,not-an-email,Ada,L,\nE2,b@example.com,,H,31/02/2026\nE3,c@example.com,C,D,\nE3,d@example.com,C,D,\n',
    );
    expect(r.entries).toEqual([]);
    expect(r.issues.map((i) => i.field)).toEqual([
      'rows[1].Work Email',
      'rows[2].First Name',
      'rows[2].Start Date',
      'rows[4].Employee ID',
    ]);
    const m = await csv('Employee ID,Email,First Name,Last Name\nE1,a@example.com,A,B\n');
    expect(m.issues).toEqual([expect.objectContaining({ field: 'columns.Work Email' })]);
  });

  it('reads a JSON array object by object, across chunk boundaries and escapes', async () => {
    const text = JSON.stringify([
      { 'Employee ID': 'E1', 'Work Email': 'a@example.com', 'First Name': 'A "}{', 'Last Name': 'Ü' },
      { 'Employee ID': 7, 'Work Email': 'b@example.com', 'First Name': 'B', 'Last Name': 'C' },
    ]);
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const r = await readRoster(Readable.from(chunks), 'json', { mapping, maxRows: 10 });
    expect(r.issues).toEqual([]);
    expect(r.entries.map((e) => [e.employee.employeeId, e.employee.givenName, e.employee.familyName])).toEqual([
      ['E1', 'A "}{', 'Ü'],
      ['7', 'B', 'C'],
    ]);
    const bad = await readRoster(Readable.from([Buffer.from('{"not":"an array"}')]), 'json', { mapping, maxRows: 10 });
    expect(bad.issues[0]!.message).toMatch(/array/);
  });

  it('refuses more rows than maxRows', async () => {
    const r = await readRoster(
      Readable.from([
        Buffer.from('Employee ID,Work Email,First Name,Last Name\nE1,a@example.com,A,B\nE2,b@example.com,A,B\n'),
      ]),
      'csv',
      { mapping, maxRows: 1 },
    );
    expect(r.issues[0]!.message).toMatch(/more than 1 rows/);
  });

  it('readRow: a numeric employee id is text; an object cell is refused', () => {
    expect(
      readRow({ 'Employee ID': 12, 'Work Email': 'a@example.com', 'First Name': 'A', 'Last Name': 'B' }, 1, mapping),
    ).toHaveProperty('entry.employee.employeeId', '12');
    expect(
      readRow(
        { 'Employee ID': 'E1', 'Work Email': 'a@example.com', 'First Name': { x: 1 }, 'Last Name': 'B' },
        1,
        mapping,
      ),
    ).toHaveProperty('issues');
  });
});

// The person model: one timeline whatever the delivery order, duplicates and dates.
import fc from 'fast-check';
import { compact, timeline, type PersonEvent } from '../../src/domain/person';
import type { Employee } from '../../src/shared/hr-event';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T09:00:00Z');
const emp = (title: string): Employee => ({
  employeeId: 'E1',
  email: 'ada@example.com',
  givenName: 'Ada',
  familyName: 'Lovelace',
  title,
});
let n = 0;
const ev = (
  type: PersonEvent['type'],
  at: number,
  recordedAt: number,
  extra: Partial<PersonEvent> = {},
): PersonEvent => ({
  id: `e${++n}`,
  type,
  at,
  recordedAt,
  employee: emp(extra.employee?.title ?? `t${n}`),
  ...extra,
});

describe('ordering and dates (issue "Why" bullets)', () => {
  it('a hire delivered after the termination, dated earlier, does not re-employ the person', () => {
    const term = ev('terminate', T0, T0);
    const hire = ev('hire', T0 - DAY, T0 + 1000); // arrives later, effective earlier
    expect(timeline([term, hire], T0 + 2000).employment.status).toBe('left');
    expect(timeline([hire, term], T0 + 2000).employment.status).toBe('left');
  });

  it('a hire and a termination in the same instant: the termination wins', () => {
    const hire = ev('hire', T0, T0 + 5);
    const term = ev('terminate', T0, T0);
    expect(timeline([term, hire], T0 + 10).employment.status).toBe('left');
    expect(timeline([hire, term], T0 + 10).employment.status).toBe('left');
  });

  it('a hire received after the termination (no dates) is superseded: only a rehire reopens', () => {
    const hire1 = ev('hire', T0, T0);
    const term = ev('terminate', T0 + 1000, T0 + 1000);
    const hire2 = ev('hire', T0 + 2000, T0 + 2000);
    const t = timeline([hire1, term, hire2], T0 + 3000);
    expect(t.employment.status).toBe('left');
    expect(t.fates[hire2.id]).toMatchObject({ kind: 'superseded', by: term.id });
    const rehire = ev('rehire', T0 + 4000, T0 + 4000);
    expect(timeline([hire1, term, hire2, rehire], T0 + 5000).employment).toMatchObject({
      status: 'employed',
      periodId: rehire.id,
    });
  });

  it('a rescinded offer: a future-dated hire, then a terminate effective now, never provisions', () => {
    const hire = ev('hire', T0 + 10 * DAY, T0);
    const term = ev('terminate', T0 + DAY, T0 + DAY);
    for (const now of [T0 + 2 * DAY, T0 + 10 * DAY, T0 + 30 * DAY]) {
      const t = timeline([hire, term], now);
      expect(t.employment.status).not.toBe('employed');
      expect(t.fates[hire.id]?.kind).toBe(now >= T0 + 10 * DAY ? 'superseded' : 'pending');
    }
  });

  it('a termination re-sent with a later date fires at the new date, not the old one', () => {
    const hire = ev('hire', T0 - 100 * DAY, T0 - 100 * DAY);
    const t1 = ev('terminate', T0 + 5 * DAY, T0);
    const t2 = ev('terminate', T0 + 10 * DAY, T0 + DAY); // recorded while t1 was still pending
    expect(timeline([hire, t1, t2], T0 + 6 * DAY).employment.status).toBe('employed');
    expect(timeline([hire, t2, t1], T0 + 11 * DAY).employment).toMatchObject({ status: 'left', terminationId: t2.id });
    expect(timeline([hire, t1, t2], T0 + 6 * DAY).fates[t1.id]).toMatchObject({ kind: 'superseded', by: t2.id });
  });

  it('an update that arrives late with an older effectiveAt does not overwrite the newer one', () => {
    const hire = ev('hire', T0 - 10 * DAY, T0 - 10 * DAY);
    const newer = ev('update', T0, T0, { employee: emp('Newer') });
    const older = ev('update', T0 - DAY, T0 + 1000, { employee: emp('Older') });
    const t = timeline([hire, newer, older], T0 + 2000);
    expect(t.employment.employee?.title).toBe('Newer');
    expect(t.fates[older.id]).toMatchObject({ kind: 'superseded', by: newer.id });
  });

  it('an update before a future-dated hire does not employ the person before the start date', () => {
    const hire = ev('hire', T0 + 5 * DAY, T0);
    const update = ev('update', T0 + DAY, T0 + DAY);
    expect(timeline([hire, update], T0 + 2 * DAY).employment.status).toBe('pre-hire');
    expect(timeline([update, hire], T0 + 5 * DAY).employment.status).toBe('employed');
  });

  it('cancel withdraws the event it names, or the pending termination', () => {
    const hire = ev('hire', T0 - DAY, T0 - DAY);
    const term = ev('terminate', T0 + 5 * DAY, T0);
    const cancel = ev('cancel', T0 + DAY, T0 + DAY);
    expect(timeline([hire, term, cancel], T0 + 6 * DAY).employment.status).toBe('employed');
    const named = ev('cancel', T0 + DAY, T0 + DAY, { cancels: term.id });
    // the cancel may arrive before the event it names
    expect(timeline([named, hire, term], T0 + 6 * DAY).employment.status).toBe('employed');
    expect(timeline([hire, term, named], T0 + 6 * DAY).fates[term.id]).toMatchObject({
      kind: 'withdrawn',
      by: named.id,
    });
    // a termination decided after the cancel is not withdrawn by it
    const later = ev('terminate', T0 + 7 * DAY, T0 + 2 * DAY);
    expect(timeline([hire, term, cancel, later], T0 + 8 * DAY).employment.status).toBe('left');
  });

  it('an update for someone never hired, with no termination, is "unknown" (nothing is created or ended)', () => {
    expect(timeline([ev('update', T0, T0)], T0 + 1).employment.status).toBe('unknown');
  });
});

// ---- properties ----

const kinds: PersonEvent['type'][] = ['hire', 'update', 'terminate', 'rehire', 'cancel'];
const arbEvents = fc
  .array(
    fc.record({
      type: fc.constantFrom(...kinds),
      at: fc.integer({ min: 0, max: 40 }),
      rec: fc.integer({ min: 0, max: 40 }),
      title: fc.constantFrom('A', 'B', 'C'),
      cancelsIdx: fc.option(fc.nat(12), { nil: undefined }),
    }),
    { maxLength: 12 },
  )
  .map((rows) =>
    rows.map((r, i): PersonEvent => ({
      id: `ev${i}`,
      type: r.type,
      at: T0 + r.at * DAY,
      recordedAt: T0 + r.rec * DAY,
      employee: emp(r.title),
      ...(r.type === 'cancel' && r.cancelsIdx !== undefined && r.cancelsIdx < rows.length
        ? { cancels: `ev${r.cancelsIdx}` }
        : {}),
    })),
  );

describe('properties', () => {
  it('any permutation of the same events, with duplicates, gives the same timeline at every instant', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: -1, max: 45 }), fc.infiniteStream(fc.nat()), (events, day, rnd) => {
        const now = T0 + day * DAY;
        const base = timeline(events, now);
        const shuffled = [...events, ...events.filter((_, i) => i % 2 === 0)];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rnd.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(timeline(shuffled, now)).toEqual(base);
      }),
      { numRuns: 1500 },
    );
  });

  it('compaction keeps the employment at every later instant', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 10 }), (events, day, later) => {
        const now = T0 + day * DAY;
        const kept = compact(events, now);
        expect(kept.length).toBeLessThanOrEqual(events.length);
        const at = now + later * DAY;
        const full = timeline(events, at).employment;
        const small = timeline(kept, at).employment;
        expect({ status: small.status, employee: small.employee, periodId: small.periodId }).toEqual({
          status: full.status,
          employee: full.employee,
          periodId: full.periodId,
        });
      }),
      { numRuns: 1500 },
    );
  });
});

// The mass-change guard's allowance: pure, checked by properties.
import fc from 'fast-check';
import {
  allowance,
  DEFAULT_GUARD_MIN_COUNT,
  decideHeld,
  emptyGuard,
  reportSize,
  requestPermit,
  type GuardPolicy,
  type GuardState,
} from '../../src/domain/guard';

const policyArb = fc.record({
  windowMs: fc.integer({ min: 1_000, max: 100_000 }),
  maxFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
  maxCount: fc.integer({ min: 1, max: 60 }),
  minCount: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
});
const stepArb = fc.oneof(
  fc.record({
    t: fc.constant('ask' as const),
    id: fc.integer({ min: 0, max: 40 }),
    dt: fc.integer({ min: 0, max: 20_000 }),
  }),
  fc.record({
    t: fc.constantFrom('release' as const, 'reject' as const),
    id: fc.constant(0),
    dt: fc.integer({ min: 0, max: 20_000 }),
  }),
);

describe('mass-change guard', () => {
  it('grants at most the allowance within any window (outside releases); repeats have one effect; held ones wait', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 0, max: 500 }),
        fc.array(stepArb, { maxLength: 80 }),
        (policy: GuardPolicy, size, steps) => {
          let s: GuardState = reportSize(emptyGuard('app'), size);
          let now = 1_000_000;
          const grants: { id: string; at: number; released: boolean }[] = [];
          for (const step of steps) {
            now += step.dt;
            if (step.t === 'ask') {
              const id = `r${step.id}`;
              const before = s.decided[id]?.status ?? (s.held.some((h) => h.id === id) ? 'held' : undefined);
              const res = requestPermit(s, { id, kind: 'deactivate', at: now }, now, policy);
              if (before === 'granted' || before === 'rejected') expect(res.status).toBe(before);
              if (before === 'held') expect(res.status).toBe('held');
              if (res.status === 'granted' && before === undefined) grants.push({ id, at: now, released: false });
              s = res.state;
              expect(new Set(s.held.map((h) => h.id)).size).toBe(s.held.length);
            } else {
              const held = s.held.map((h) => h.id);
              const res = decideHeld(s, step.t, now, 'ops', policy);
              expect(res.decided.map((d) => d.id)).toEqual(held);
              expect(res.state.held).toEqual([]);
              for (const id of held)
                expect(res.state.decided[id]!.status).toBe(step.t === 'release' ? 'granted' : 'rejected');
              if (step.t === 'release') for (const id of held) grants.push({ id, at: now, released: true });
              s = res.state;
            }
            // Automatic grants in the trailing window never exceed the allowance.
            const auto = grants.filter((g) => !g.released && g.at > now - policy.windowMs);
            expect(auto.length).toBeLessThanOrEqual(allowance(policy, size));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a 60 % burst: the allowance goes through, the rest is held until one release', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 600 }), (size) => {
        const policy = { windowMs: 3_600_000, maxFraction: 0.1, maxCount: 50, minCount: DEFAULT_GUARD_MIN_COUNT };
        let s = reportSize(emptyGuard('app'), size);
        const burst = Math.floor(size * 0.6);
        let granted = 0;
        for (let i = 0; i < burst; i++) {
          const r = requestPermit(s, { id: `t${i}`, kind: 'deactivate', at: 1 }, 1, policy);
          s = r.state;
          if (r.status === 'granted') granted++;
        }
        const allow = Math.max(DEFAULT_GUARD_MIN_COUNT, Math.min(50, Math.floor(size * 0.1)));
        expect(granted).toBe(allow);
        expect(s.held).toHaveLength(burst - allow);
        const rel = decideHeld(s, 'release', 2, 'ops', policy);
        expect(rel.decided).toHaveLength(burst - allow);
      }),
      { numRuns: 60 },
    );
  });

  it('minCount is the floor: a small app allows it, a large one the fraction up to maxCount', () => {
    const p = { windowMs: 1, maxFraction: 0.1, maxCount: 50, minCount: 5 };
    expect(allowance(p, 15)).toBe(5); // 10 % of 15 would be one leaver per window
    expect(allowance(p, 3)).toBe(5);
    expect(allowance(p, 70)).toBe(7);
    expect(allowance(p, 100_000)).toBe(50);
    expect(allowance(p, 0)).toBe(50);
    expect(allowance({ ...p, maxCount: 3 }, 1000)).toBe(5); // max(minCount, min(fraction, maxCount))
    expect(allowance({ ...p, maxCount: 3 }, 0)).toBe(5);
    // 15 accounts, 8 leavers at once: 5 go through, 3 wait.
    let s = reportSize(emptyGuard('small'), 15);
    const statuses = Array.from({ length: 8 }, (_, i) => {
      const r = requestPermit(s, { id: `l${i}`, kind: 'deactivate', at: 1 }, 1, p);
      s = r.state;
      return r.status;
    });
    expect(statuses.filter((x) => x === 'granted')).toHaveLength(5);
    expect(s.held).toHaveLength(3);
  });

  it('a policy without minCount (recorded before it existed) keeps the floor of one', () => {
    expect(allowance({ windowMs: 1, maxFraction: 0.1, maxCount: 50 }, 0)).toBe(50);
    expect(allowance({ windowMs: 1, maxFraction: 0.1, maxCount: 50 }, 3)).toBe(1);
    expect(allowance({ windowMs: 1, maxFraction: 0.1, maxCount: 50 }, 100_000)).toBe(50);
  });
});

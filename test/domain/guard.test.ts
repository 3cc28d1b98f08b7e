// The mass-change guard's allowance: pure, checked by properties.
import fc from 'fast-check';
import { allowance, decideHeld, emptyGuard, reportSize, requestPermit, type GuardPolicy, type GuardState } from '../../src/domain/guard';

const policyArb = fc.record({ windowMs: fc.integer({ min: 1_000, max: 100_000 }), maxFraction: fc.double({ min: 0.01, max: 1, noNaN: true }), maxCount: fc.integer({ min: 1, max: 60 }) });
const stepArb = fc.oneof(
  fc.record({ t: fc.constant('ask' as const), id: fc.integer({ min: 0, max: 40 }), dt: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ t: fc.constantFrom('release' as const, 'reject' as const), id: fc.constant(0), dt: fc.integer({ min: 0, max: 20_000 }) }),
);

describe('mass-change guard', () => {
  it('grants at most the allowance within any window (outside releases); repeats have one effect; held ones wait', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 500 }), fc.array(stepArb, { maxLength: 80 }), (policy: GuardPolicy, size, steps) => {
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
            for (const id of held) expect(res.state.decided[id]!.status).toBe(step.t === 'release' ? 'granted' : 'rejected');
            if (step.t === 'release') for (const id of held) grants.push({ id, at: now, released: true });
            s = res.state;
          }
          // Automatic grants in the trailing window never exceed the allowance.
          const auto = grants.filter((g) => !g.released && g.at > now - policy.windowMs);
          expect(auto.length).toBeLessThanOrEqual(allowance(policy, size));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a 60 % burst: the allowance goes through, the rest is held until one release', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 600 }), (size) => {
        const policy = { windowMs: 3_600_000, maxFraction: 0.1, maxCount: 50 };
        let s = reportSize(emptyGuard('app'), size);
        const burst = Math.floor(size * 0.6);
        let granted = 0;
        for (let i = 0; i < burst; i++) {
          const r = requestPermit(s, { id: `t${i}`, kind: 'deactivate', at: 1 }, 1, policy);
          s = r.state;
          if (r.status === 'granted') granted++;
        }
        const allow = Math.max(1, Math.min(50, Math.floor(size * 0.1)));
        expect(granted).toBe(allow);
        expect(s.held).toHaveLength(burst - allow);
        const rel = decideHeld(s, 'release', 2, 'ops', policy);
        expect(rel.decided).toHaveLength(burst - allow);
      }),
      { numRuns: 60 },
    );
  });

  it('an unknown size allows maxCount; a tiny app still allows one', () => {
    expect(allowance({ windowMs: 1, maxFraction: 0.1, maxCount: 50 }, 0)).toBe(50);
    expect(allowance({ windowMs: 1, maxFraction: 0.1, maxCount: 50 }, 3)).toBe(1);
    expect(allowance({ windowMs: 1, maxFraction: 0.1, maxCount: 50 }, 100_000)).toBe(50);
  });
});

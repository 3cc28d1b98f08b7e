// A worker process's share of an app's rate limit: the shares of the processes polling the app's
// queue add up to the limit exactly, whichever process computes them.
import { RequestPacer } from '../../src/connectors/rate-limiter';
import { fleetShare } from '../../src/worker/fleet-share';

describe('fleetShare', () => {
  it('splits an integer limit into integer shares that add up to it, one more for the first in identity order', () => {
    const ids = ['3@b', '1@a', '2@a'];
    const shares = ids.map((self) => fleetShare(20, ids, self));
    expect(shares.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Object.fromEntries(ids.map((id, i) => [id, shares[i]]))).toEqual({ '1@a': 7, '2@a': 7, '3@b': 6 });
    for (const w of [1, 2, 4, 5, 7, 20]) {
      const fleet = Array.from({ length: w }, (_, i) => `${i}@host`);
      expect([w, fleet.reduce((sum, self) => sum + fleetShare(20, fleet, self), 0)]).toEqual([w, 20]);
    }
  });

  it('counts itself even before its own pollers show, and only once', () => {
    expect(fleetShare(20, [], 'me')).toBe(20);
    expect(fleetShare(20, ['other'], 'me')).toBe(10);
    expect(fleetShare(20, ['me', 'other', 'me'], 'me')).toBe(10);
  });

  it('below one request per second per process, an even fractional share', () => {
    const fleet = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(fleetShare(5, fleet, 'a')).toBeCloseTo(5 / 6);
  });
});

describe('RequestPacer.setRate', () => {
  it('a lowered rate applies to the next grants', async () => {
    const pacer = new RequestPacer(10);
    pacer.setRate(2);
    expect(pacer.requestsPerSecond).toBe(2);
    const t0 = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, () =>
        pacer.take().then((release) => {
          times.push(performance.now() - t0);
          release();
        }),
      ),
    );
    // 2 per (margined) second: the third waits a window after the first finished.
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1000);
    expect(times[1]! - times[0]!).toBeLessThan(100);
  });

  it('below 1/s, one request per 1/rate seconds', async () => {
    const pacer = new RequestPacer(1);
    pacer.setRate(0.5);
    const t0 = performance.now();
    const r1 = await pacer.take();
    r1();
    const r2 = await pacer.take();
    r2();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2000);
  });
});

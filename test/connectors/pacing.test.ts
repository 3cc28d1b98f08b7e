// Client-side pacing against a sandbox app that enforces a fixed-window rate limit over HTTP:
// paced to the app's limit, a burst of concurrent creates draws no 429 at all.
import type { SandboxHandle } from '../../src/sandbox';
import { PACING_MARGIN, RequestPacer } from '../../src/connectors/rate-limiter';
import { connect, startTestSandbox } from './harness';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());

describe('RequestPacer', () => {
  it('never grants more than N in any one-second window, and serves callers in order', async () => {
    const pacer = new RequestPacer(10);
    const t0 = performance.now();
    const order: number[] = [];
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        pacer.take().then((release) => {
          order.push(i);
          times.push(performance.now() - t0);
          setTimeout(release, 5); // a 5 ms request
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // grant i starts a (margined) second after grant i-10 finished
    for (let i = 10; i < times.length; i++)
      expect(times[i]! - times[i - 10]!).toBeGreaterThanOrEqual(1000 * PACING_MARGIN + 5 - 2);
    // and no slower than the limit needs: 30 grants at 10/s take about 2 windows
    expect(times.at(-1)!).toBeLessThan(2 * 1000 * PACING_MARGIN + 500);
  }, 10_000);
});

describe('a paced connector', () => {
  it('stays under a fixed-window limit: 20 concurrent creates at 20 req/s, zero 429s', async () => {
    const app = sb.app('generic');
    app.setKnobs({ rateLimit: { limit: 20, windowMs: 1000 } });
    const responses: number[] = [];
    const c = connect(sb, 'generic', { requestsPerSecond: 20, onResponse: (e) => responses.push(e.status ?? 0) });
    try {
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          c.createUser({ userName: `paced${i}@example.com`, name: { givenName: 'P', familyName: String(i) } }),
        ),
      );
      const elapsed = Date.now() - t0;
      expect(responses.length).toBeGreaterThanOrEqual(40);
      expect(responses.filter((s) => s === 429)).toEqual([]);
      expect(app.requests().filter((r) => r.status === 429)).toEqual([]);
      // at most 20 in any second: R requests need at least ceil(R / 20) - 1 whole seconds
      expect(elapsed).toBeGreaterThanOrEqual((Math.ceil(responses.length / 20) - 1) * 1000);
    } finally {
      app.setKnobs({ rateLimit: null });
      await c.close();
    }
  });

  it('without pacing the same burst is throttled (so the test above is meaningful)', async () => {
    const app = sb.app('jasper');
    app.setKnobs({ rateLimit: { limit: 20, windowMs: 1000 } });
    const c = connect(sb, 'jasper');
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => c.findUser({ userName: `nobody${i}@example.com` })),
      );
      expect(
        results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'RATE_LIMITED')
          .length,
      ).toBeGreaterThan(0);
    } finally {
      app.setKnobs({ rateLimit: null });
      await c.close();
    }
  });
});

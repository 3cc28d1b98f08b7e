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
  it('spaces reservations 1/N s apart, in arrival order', async () => {
    const pacer = new RequestPacer(50);
    const t0 = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => pacer.take().then(() => (times[i] = performance.now() - t0))));
    // No caller goes before its slot (i × 20.4 ms); timers may fire late under load, never early
    // by more than their 1 ms rounding.
    times.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(i * 20 * PACING_MARGIN - 2));
  });
});

describe('a paced connector', () => {
  it('stays under a fixed-window limit: 20 concurrent creates at 20 req/s, zero 429s', async () => {
    const app = sb.app('generic');
    app.setKnobs({ rateLimit: { limit: 20, windowMs: 1000 } });
    const responses: number[] = [];
    const c = connect(sb, 'generic', { requestsPerSecond: 20, onResponse: (e) => responses.push(e.status ?? 0) });
    try {
      const t0 = Date.now();
      await Promise.all(Array.from({ length: 20 }, (_, i) => c.createUser({ userName: `paced${i}@example.com`, name: { givenName: 'P', familyName: String(i) } })));
      const elapsed = Date.now() - t0;
      expect(responses.length).toBeGreaterThanOrEqual(40);
      expect(responses.filter((s) => s === 429)).toEqual([]);
      expect(app.requests().filter((r) => r.status === 429)).toEqual([]);
      // the bound: requests / 20 per second
      expect(elapsed).toBeGreaterThanOrEqual(((responses.length - 1) / 20) * 1000 - 50);
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
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => c.findUser({ userName: `nobody${i}@example.com` })));
      expect(results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    } finally {
      app.setKnobs({ rateLimit: null });
      await c.close();
    }
  });
});

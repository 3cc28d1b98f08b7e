// Client-side pacing for one app: at most `requestsPerSecond`, evenly spaced.
//
// Why spacing rather than a token bucket with a burst: downstream limits are often fixed windows
// (N per wall-clock second). A bucket's burst can land N at the end of one window and N more at
// the start of the next, which such a server answers with 429s. Spacing requests 1/N s apart
// never puts more than N in any one-second window, and costs nothing when traffic is below N.
//
// The 1 % margin absorbs jitter between our clock and the server's (a request that leaves exactly
// 1/N s after another may still be counted in the earlier window); it costs 1 % of throughput.
export const PACING_MARGIN = 1.01;

export class RequestPacer {
  private next = 0;
  private readonly intervalMs: number;

  constructor(requestsPerSecond: number) {
    if (!(requestsPerSecond > 0)) throw new Error('requestsPerSecond must be positive');
    this.intervalMs = (1000 / requestsPerSecond) * PACING_MARGIN;
  }

  /** Resolves when the caller may send; reserves its slot first, so concurrent callers queue in order. */
  async take(now = performance.now()): Promise<void> {
    // Slots follow a fixed schedule: a timer that fires a little late does not push every later
    // slot back (that drift alone costs several percent). Only after an idle gap does the
    // schedule restart from now.
    const slot = this.next < now - this.intervalMs ? now : this.next;
    this.next = slot + this.intervalMs;
    const wait = slot - now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

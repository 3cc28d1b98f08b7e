// Client-side rate limiting for one app: at most N requests in any one-second window, as the app
// counts them.
//
// Downstream limits are usually fixed windows (N per second) counted when requests *arrive*. A
// schedule planned ahead (token bucket, evenly spaced slots) breaks under load: a timer that fires
// late, or a request held up on a new connection, arrives closer to the next one than planned and a
// window holds N+1. So each request is anchored on the *completion* of the request N places before
// it: that one had certainly arrived by then, so starting a window later guarantees its arrival and
// ours are a full window apart, whatever the timers, the pool or the network did.
//
// Callers are served in arrival order (one promise chain), so no request starves.
// The 1 % margin covers the difference between our clock's rate and the server's; it and the
// anchoring on completion cost about 1-2 % of throughput at saturation.
export const PACING_MARGIN = 1.01;

/** Grants remembered for anchoring, at least (a rate raised later finds its anchor). */
const MAX_REMEMBERED = 1000;

interface Grant {
  /** When the request finished (response or failure); undefined while in flight. */
  doneAt?: number;
  done: Promise<void>;
}

export class RequestPacer {
  private readonly recent: Grant[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  /** Requests per window, and the window: N per second, or one per 1/rate seconds below 1/s. */
  private n = 1;
  private windowMs = 1000 * PACING_MARGIN;
  private rate: number;

  constructor(
    requestsPerSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.rate = requestsPerSecond;
    this.setRate(requestsPerSecond);
  }

  /** The rate this pacer holds now (requests per second). */
  get requestsPerSecond(): number {
    return this.rate;
  }

  /**
   * Changes the rate, effective for the next grant: this process's share of the app's limit when
   * several worker processes serve it (src/worker/fleet-share.ts). At or above 1/s, N = floor(rate)
   * requests per (margined) second; below, one request per (margined) 1/rate seconds.
   */
  setRate(requestsPerSecond: number): void {
    if (!(requestsPerSecond > 0)) throw new Error('requestsPerSecond must be positive');
    this.rate = requestsPerSecond;
    this.n = Math.max(1, Math.floor(requestsPerSecond));
    this.windowMs = (requestsPerSecond >= 1 ? 1000 : 1000 / requestsPerSecond) * PACING_MARGIN;
  }

  /** Resolves when the caller may send, with the function to call once the request has finished. */
  take(): Promise<() => void> {
    const turn = this.chain.then(() => this.waitForRoom());
    this.chain = turn;
    return turn;
  }

  private async waitForRoom(): Promise<() => void> {
    const n = this.n;
    if (this.recent.length >= n) {
      const anchor = this.recent[this.recent.length - n]!;
      await anchor.done;
      for (;;) {
        // Read each time: a rate lowered while waiting applies at once.
        const wait = anchor.doneAt! + this.windowMs - this.clock();
        if (wait <= 0) break;
        // Timers may fire up to 1 ms early: loop until the window has really passed.
        await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(wait))));
      }
    }
    let finish!: () => void;
    const grant: Grant = { done: new Promise<void>((r) => (finish = r)) };
    this.recent.push(grant);
    // Kept for the largest N this pacer may be given (its configured rate): a rate raised again
    // still finds the request N places back.
    while (this.recent.length > Math.max(n, MAX_REMEMBERED)) this.recent.shift();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      grant.doneAt = this.clock();
      finish();
    };
  }
}

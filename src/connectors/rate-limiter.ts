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

interface Grant {
  /** When the request finished (response or failure); undefined while in flight. */
  doneAt?: number;
  done: Promise<void>;
}

export class RequestPacer {
  private readonly recent: Grant[] = [];
  private readonly windowMs = 1000 * PACING_MARGIN;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly requestsPerSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(requestsPerSecond > 0)) throw new Error('requestsPerSecond must be positive');
  }

  /** Resolves when the caller may send, with the function to call once the request has finished. */
  take(): Promise<() => void> {
    const turn = this.chain.then(() => this.waitForRoom());
    this.chain = turn;
    return turn;
  }

  private async waitForRoom(): Promise<() => void> {
    const n = Math.max(1, Math.floor(this.requestsPerSecond));
    if (this.recent.length >= n) {
      const anchor = this.recent[this.recent.length - n]!;
      await anchor.done;
      for (;;) {
        const wait = anchor.doneAt! + this.windowMs - this.clock();
        if (wait <= 0) break;
        // Timers may fire up to 1 ms early: loop until the window has really passed.
        await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(wait))));
      }
    }
    let finish!: () => void;
    const grant: Grant = { done: new Promise<void>((r) => (finish = r)) };
    this.recent.push(grant);
    if (this.recent.length > n) this.recent.shift();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      grant.doneAt = this.clock();
      finish();
    };
  }
}

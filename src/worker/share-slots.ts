// Activity slots that follow this process's share of an app's rate limit (src/worker/fleet-share.ts).
//
// The server hands a queue's activity tasks to whichever worker polls, up to each worker's free
// slots. With slots sized to the whole app's limit, a worker slowed down (a busy core, a GC pause)
// could hold tasks it would take seconds to pace through at its share, while another worker, with
// its own share idle, polled an empty queue. Sized to the share, a worker holds about a second of
// its own work; the rest stays on the queue for whoever is free. One slot above the share keeps the
// pacer fed while a finished activity's slot is handed back.
import type { ActivitySlotInfo, CustomSlotSupplier, SlotPermit } from '@temporalio/worker';

/** The slots for a share of `requestsPerSecond`: ceil(share) + 1, and never fewer than 2. */
export function slotsForShare(requestsPerSecond: number): number {
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) return 2;
  return Math.max(2, Math.ceil(requestsPerSecond) + 1);
}

interface Waiter {
  grant(): void;
}

/** A slot supplier whose size is read from `share()` at every reservation and release. */
export class ShareSlotSupplier implements CustomSlotSupplier<ActivitySlotInfo> {
  readonly type = 'custom' as const;
  private held = 0;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly share: () => number) {}

  /** Slots reserved now. */
  get reserved(): number {
    return this.held;
  }

  get limit(): number {
    return slotsForShare(this.share());
  }

  reserveSlot(_ctx: unknown, abortSignal: AbortSignal): Promise<SlotPermit> {
    if (this.waiters.length === 0 && this.held < this.limit) {
      this.held++;
      return Promise.resolve({});
    }
    return new Promise<SlotPermit>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        // The SDK accepts only an AbortError from a reservation it gave up on.
        reject(new DOMException('slot reservation aborted', 'AbortError'));
      };
      const waiter: Waiter = {
        grant: () => {
          abortSignal.removeEventListener('abort', onAbort);
          this.held++;
          resolve({});
        },
      };
      if (abortSignal.aborted) return onAbort();
      abortSignal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  tryReserveSlot(): SlotPermit | null {
    if (this.waiters.length > 0 || this.held >= this.limit) return null;
    this.held++;
    return {};
  }

  markSlotUsed(): void {}

  releaseSlot(): void {
    this.held = Math.max(0, this.held - 1);
    // A share that grew is taken up here: while anyone waits, someone holds a slot to release.
    while (this.waiters.length > 0 && this.held < this.limit) this.waiters.shift()!.grant();
  }
}

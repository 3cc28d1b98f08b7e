// This worker process's share of each app's rate limit, when several processes serve the app.
//
// The Temporal server limits how fast tasks leave an app's queue (maxTaskQueueActivitiesPerSecond,
// workers.ts): that holds the fleet's *average* at the app's rate. But the server's limiter is a
// token bucket holding one second of tokens: after a lull it hands out a second's worth at once and
// then refills, so an app that counts requests per fixed second can see up to twice its limit in one
// window. Each process's pacer (src/connectors/rate-limiter.ts) is exact for what that process
// sends; given a *share* of the limit, the shares adding up to the limit, the fleet is exact too.
//
// Every few seconds each process reads the pollers of `scim-<app>` (DescribeTaskQueue: every
// process polls its apps' queues, identity `<pid>@<host>`), counts the live ones — seen within the
// last `liveWithinMs`, plus itself — and takes floor(R / W) requests per second, one more for the
// first R mod W processes in identity order: the shares add up to R exactly. A process that dies
// stays counted until it has not polled for `liveWithinMs` (the others hold back meanwhile: safe);
// one that joins is counted by the others at their next refresh. Below one request per second per
// process (R < W) each takes R / W, spaced — exact on average, no longer per window.
import type { Client } from '@temporalio/client';
import type { RequestPacer } from '../connectors/rate-limiter';
import { appTaskQueue } from '../workflows/definitions';

/** This process's share of `requestsPerSecond` among `identities` (which include `self`). */
export function fleetShare(requestsPerSecond: number, identities: Iterable<string>, self: string): number {
  const all = [...new Set([...identities, self])].sort();
  const w = all.length;
  const whole = Math.floor(requestsPerSecond);
  if (whole < w) return requestsPerSecond / w;
  const base = Math.floor(whole / w);
  const rank = all.indexOf(self);
  return base + (rank < whole - base * w ? 1 : 0) + (requestsPerSecond - whole) / w;
}

/** How often each process re-reads the pollers. */
export const FLEET_SHARE_INTERVAL_MS = 3000;

export interface FleetShareApp {
  name: string;
  requestsPerSecond: number;
  pacer: RequestPacer;
}

export interface FleetShareOptions {
  client: Client;
  namespace: string;
  /** This process's worker identity (workers.ts sets it on every Worker it creates). */
  identity: string;
  apps: FleetShareApp[];
  intervalMs?: number;
  liveWithinMs?: number;
  onChange?: (app: string, share: number, workers: number) => void;
  onError?: (app: string, err: unknown) => void;
}

export interface FleetShare {
  /** Reads the pollers once and sets every app's pacer. */
  refresh(): Promise<void>;
  stop(): void;
}

export function startFleetShare(opts: FleetShareOptions): FleetShare {
  const liveWithinMs = opts.liveWithinMs ?? 90_000;
  let stopped = false;
  const refreshApp = async (app: FleetShareApp) => {
    try {
      const res = await opts.client.workflowService.describeTaskQueue({
        namespace: opts.namespace,
        taskQueue: { name: appTaskQueue(app.name), kind: 1 /* NORMAL */ },
        taskQueueType: 2 /* ACTIVITY */,
      });
      const now = Date.now();
      const live = (res.pollers ?? [])
        .filter((p) => {
          const t = p.lastAccessTime;
          const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
          return p.identity && now - ms <= liveWithinMs;
        })
        .map((p) => p.identity!);
      const share = fleetShare(app.requestsPerSecond, live, opts.identity);
      if (share !== app.pacer.requestsPerSecond) {
        app.pacer.setRate(share);
        opts.onChange?.(app.name, share, new Set([...live, opts.identity]).size);
      }
    } catch (err) {
      // Keep the last share: a Temporal outage must not widen it.
      opts.onError?.(app.name, err);
    }
  };
  const refresh = async () => {
    await Promise.all(opts.apps.map(refreshApp));
  };
  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, opts.intervalMs ?? FLEET_SHARE_INTERVAL_MS);
  timer.unref();
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

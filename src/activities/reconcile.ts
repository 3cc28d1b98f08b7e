// The scheduled reconcile's one activity: one app's accounts, streamed, against the people the
// controllers know (read through the worker's own Temporal client). Runs on the app's task queue,
// where its connector lives. Returns counts and a short sample, never the whole report (history
// stays small; `scimflow reconcile` prints every row).
import { Context } from '@temporalio/activity';
import { RECONCILE_CLASSES, type ReconcileClass, type ReconcileRow } from '../domain/reconcile';
import { indexControllers } from '../reconcile/controllers';
import { scanApp } from '../reconcile/scan';
import type { ActivityDeps } from './index';
import { toFailure } from './errors';

export interface ReconcileRunSummary {
  app: string;
  total: number;
  counts: Record<ReconcileClass, number>;
  seats: { orphans: number; leavers: number };
  people: number;
  /** Controllers whose state could not be read (their accounts may show as orphans). */
  unreadable: number;
  /** Up to SAMPLE rows that are not in sync. */
  sample: ReconcileRow[];
  startedAt: string;
  finishedAt: string;
}

const SAMPLE = 20;

export function createReconcileActivities(deps: ActivityDeps) {
  return {
    async reconcileScan(input: { app: string }): Promise<ReconcileRunSummary> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 10_000);
      try {
        const connector = deps.connector(input.app);
        const { indexes, people, failed } = await indexControllers(
          ctx.client,
          (e) => deps.desire(e),
          new Map([[input.app, connector.profile.owner]]),
        );
        const s = await scanApp(connector, indexes.get(input.app)!, {
          app: input.app,
          paidSeats: deps.paidSeats?.(input.app) ?? false,
          sampleLimit: SAMPLE,
        });
        return {
          app: s.app,
          total: s.total,
          counts: Object.fromEntries(RECONCILE_CLASSES.map((c) => [c, s.counts[c]])) as Record<ReconcileClass, number>,
          seats: { orphans: s.seats.orphans, leavers: s.seats.leavers },
          people,
          unreadable: failed.length,
          sample: s.rows,
          startedAt: s.startedAt,
          finishedAt: s.finishedAt ?? new Date().toISOString(),
        };
      } catch (err) {
        throw toFailure(err, `reconcileScan(${input.app})`, ctx.info.attempt);
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;

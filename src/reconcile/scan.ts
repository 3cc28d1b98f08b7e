// Reconciliation's scan: one app's accounts, streamed page by page from `Connector.listUsers` into
// the pure classifier (src/domain/reconcile.ts). Memory is bounded by the number of people and the
// sample, never by the number of accounts. It needs nothing of Temporal (the controllers' side is
// ./controllers.ts), so a process that only scans loads only the connector and the domain.
import type { Connector, ScimUser } from '../connectors/types';
import { observedAccount } from '../domain/ownership';
import {
  accumulate,
  emptySummary,
  indexPeople,
  isPeopleIndex,
  type KnownPerson,
  type PeopleIndex,
  type ReconcileRow,
  type ScanSummary,
} from '../domain/reconcile';

export interface ScanAppOptions {
  app: string;
  paidSeats: boolean;
  now?: number;
  sampleLimit?: number;
  pageSize?: number;
  /** Every row that is not in sync, as it is found (e.g. written to a stream); the summary keeps a sample. */
  onRow?: (row: ReconcileRow) => void;
}

/** One app, every account, streamed; `people` may be a stream (indexed as it comes) or a built index. */
export async function scanApp(
  connector: Connector,
  people: Iterable<KnownPerson> | PeopleIndex,
  opts: ScanAppOptions,
): Promise<ScanSummary> {
  const now = opts.now ?? Date.now();
  const so = {
    app: opts.app,
    paidSeats: opts.paidSeats,
    now,
    ...(opts.sampleLimit !== undefined ? { sampleLimit: opts.sampleLimit } : {}),
  };
  const idx = isPeopleIndex(people) ? people : indexPeople(people, connector.profile.owner);
  const summary = emptySummary(so, idx.size);
  for await (const u of connector.listUsers(opts.pageSize ? { pageSize: opts.pageSize } : {})) {
    if (typeof u?.id !== 'string') continue;
    const account = observedAccount(u as Record<string, unknown>, connector.profile.owner);
    const row = accumulate(summary, account, idx, so, (u as ScimUser).meta?.lastModified);
    if (row.class !== 'in-sync') opts.onRow?.(row);
  }
  summary.finishedAt = new Date().toISOString();
  return summary;
}

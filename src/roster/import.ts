// `scimflow import`: a roster file → the diff against the known people → (unless a dry run) each
// event to its controller, with observation hints from one scan per app, then progress until the
// controllers have settled.
//
// Bulk onboarding: on day one the apps already hold accounts for most employees. A lookup per
// person and app would cost one request each before any adopt; instead each app is listed once
// (a page holds ~100 accounts: ~0.01 request per account), the accounts of the imported people are
// picked out of the listing, and each controller gets them as a hint (the account as observed, and
// when). A lane uses a fresh hint instead of its lookup (src/workflows/hints.ts), so an account
// already in sync costs nothing, an adopt or a drifted account one PATCH, a missing one one POST.
import type { Client } from '@temporalio/client';
import type { Connector } from '../connectors/types';
import { normalizeIdentityKey } from '../domain/ownership';
import type { AppDesire } from '../domain/planner';
import {
  diffRoster,
  workFirst,
  writesExpected,
  type KnownRecord,
  type RosterEntry,
  type RosterItem,
  type RosterPlan,
} from '../domain/roster';
import type { DesireResult } from '../rules/desire';
import type { Employee } from '../shared/hr-event';
import { STAGE } from '../workflows/search-attributes';
import type { ObservationHints } from '../workflows/hints';
import { rosterHash } from './settings';
import { dispatchItems, knownRecords, type DispatchReport } from './temporal';

export type HintMode = 'auto' | 'always' | 'never';
/** `auto`: an app is scanned when at least this many imported people need looking up in it. */
export const AUTO_SCAN_MIN_PEOPLE = 20;

export interface ScanStats {
  app: string;
  accounts: number;
  /** People given a hint for this app (found or, as observed, absent). */
  hinted: number;
  found: number;
}

/**
 * One listing per app → for every imported person the app's accounts with their userName (or
 * externalId, where the app's owner key is externalId), exactly what their lane's lookup would find.
 */
export async function buildHints(
  items: readonly RosterItem[],
  opts: {
    connectors: Map<string, Connector>;
    desire: (e: Employee) => DesireResult[];
    mode: HintMode;
    now?: () => number;
    pageSize?: number;
  },
): Promise<{ hints: Map<string, ObservationHints>; scans: ScanStats[]; writes: Map<string, number> }> {
  const hints = new Map<string, ObservationHints>();
  const scans: ScanStats[] = [];
  const writes = new Map<string, number>();
  if (opts.mode === 'never') return { hints, scans, writes };
  // app → the people it must be looked up for, by key.
  type Want = {
    employeeId: string;
    userName: string;
    externalId?: string;
    desire: AppDesire;
    resources: Record<string, unknown>[];
  };
  const perApp = new Map<string, Want[]>();
  for (const item of items) {
    if (item.change === 'terminate') continue; // the leaver path observes for itself
    for (const d of opts.desire(item.event.employee)) {
      if (!d.granted || d.problem || !opts.connectors.has(d.app)) continue;
      const list = perApp.get(d.app) ?? [];
      list.push({
        employeeId: item.employeeId,
        userName: d.user.userName,
        ...(d.user.externalId ? { externalId: d.user.externalId } : {}),
        desire: d,
        resources: [],
      });
      perApp.set(d.app, list);
    }
  }
  const now = opts.now ?? Date.now;
  for (const [app, wants] of [...perApp.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (opts.mode === 'auto' && wants.length < AUTO_SCAN_MIN_PEOPLE) {
      // Not scanned: each of these lanes spends a lookup of its own, so its person is work to send early.
      for (const w of wants) writes.set(w.employeeId, (writes.get(w.employeeId) ?? 0) + 1);
      continue;
    }
    const connector = opts.connectors.get(app)!;
    const byExternal = connector.profile.owner.by === 'externalId';
    const byName = new Map<string, Want[]>();
    const byId = new Map<string, Want[]>();
    const add = (m: Map<string, Want[]>, k: string, w: Want) => m.set(k, [...(m.get(k) ?? []), w]);
    for (const w of wants) {
      add(byName, normalizeIdentityKey(w.userName), w);
      if (byExternal && w.externalId) add(byId, w.externalId, w);
    }
    // The time of the observation is when the listing began: a hint is never younger than what it saw.
    const observedAt = new Date(now()).toISOString();
    let accounts = 0;
    for await (const u of connector.listUsers(opts.pageSize ? { pageSize: opts.pageSize } : {})) {
      if (typeof u?.id !== 'string') continue;
      accounts++;
      const matched = new Set<Want>([
        ...(typeof u.userName === 'string' ? (byName.get(normalizeIdentityKey(u.userName)) ?? []) : []),
        ...(typeof u.externalId === 'string' ? (byId.get(u.externalId) ?? []) : []),
      ]);
      if (matched.size === 0) continue;
      // Hints carry no secrets: a password is never part of one (SCIM never returns it; be sure).
      const { password: _password, ...resource } = u as Record<string, unknown>;
      for (const w of matched) if (w.resources.length < 20) w.resources.push(resource);
    }
    let found = 0;
    for (const w of wants) {
      if (w.resources.length) found++;
      writes.set(w.employeeId, (writes.get(w.employeeId) ?? 0) + writesExpected(w.desire, w.resources));
      const h = hints.get(w.employeeId) ?? { hints: [] };
      h.hints.push({
        app,
        userName: w.userName,
        ...(w.externalId ? { externalId: w.externalId } : {}),
        observedAt,
        resources: w.resources,
      });
      hints.set(w.employeeId, h);
    }
    scans.push({ app, accounts, hinted: wants.length, found });
  }
  return { hints, scans, writes };
}

export interface ImportProgress {
  done: number;
  total: number;
  /** Settled per second since dispatch began. */
  rate: number;
  /** Seconds until done at that rate; undefined before the first person settles. */
  etaSeconds?: number;
  elapsedSeconds: number;
}

/**
 * Until every imported person's controller shows the stage the change leads to (hire/update:
 * active or compensated; terminate: left), read from visibility by workflow id, 100 ids per List.
 * Stops when nothing settled for `stallMs` (a seat waiting for approval keeps a join open).
 */
export async function waitForSettled(
  client: Client,
  items: readonly RosterItem[],
  opts: { onProgress?: (p: ImportProgress) => void; pollMs?: number; stallMs?: number; startedAt?: number } = {},
): Promise<{ settled: number; unsettled: string[] }> {
  const want = new Map(
    items.map((i) => [`identity-${i.employeeId}`, i.change === 'terminate' ? ['left'] : ['active', 'compensated']]),
  );
  const done = new Set<string>();
  const started = opts.startedAt ?? Date.now();
  let lastChange = Date.now();
  const ids = [...want.keys()];
  // Only the settled come back: a poll of a thousand people still joining returns no rows.
  const stages = [...new Set([...want.values()].flat())].map((s) => `'${s}'`).join(', ');
  for (;;) {
    const pending = ids.filter((id) => !done.has(id));
    for (let i = 0; i < pending.length; i += 100) {
      const chunk = pending.slice(i, i + 100);
      const query = `WorkflowId IN (${chunk.map((id) => `'${id.replace(/'/g, "\\'")}'`).join(', ')}) AND ExecutionStatus = 'Running' AND ${STAGE.name} IN (${stages})`;
      for await (const wf of client.workflow.list({ query })) {
        const stage = wf.typedSearchAttributes.get(STAGE);
        if (stage && want.get(wf.workflowId)?.includes(stage) && !done.has(wf.workflowId)) {
          done.add(wf.workflowId);
          lastChange = Date.now();
        }
      }
    }
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? done.size / elapsed : 0;
    opts.onProgress?.({
      done: done.size,
      total: ids.length,
      rate,
      elapsedSeconds: elapsed,
      ...(rate > 0 ? { etaSeconds: (ids.length - done.size) / rate } : {}),
    });
    if (done.size === ids.length) return { settled: done.size, unsettled: [] };
    if (Date.now() - lastChange > (opts.stallMs ?? 120_000))
      return { settled: done.size, unsettled: ids.filter((id) => !done.has(id)) };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1_000));
  }
}

export interface ImportInput {
  client: Client;
  entries: RosterEntry[];
  dryRun: boolean;
  hints: HintMode;
  connectors: Map<string, Connector>;
  desire: (e: Employee) => DesireResult[];
  taskQueue?: string;
  /** Known records instead of asking the controllers (tests). */
  known?: KnownRecord[];
}

export interface ImportResult {
  plan: RosterPlan;
  scans: ScanStats[];
  dispatch?: DispatchReport;
  /** When the dispatch began (ms), for progress. */
  dispatchedAt?: number;
  /** How long each step took (ms): reading the known people, the scans, sending the events. */
  phases: { knownMs: number; scanMs: number; dispatchMs: number };
}

export class ImportRefused extends Error {}

/** Diff, hints, dispatch (not the wait: see waitForSettled). */
export async function runImport(input: ImportInput): Promise<ImportResult> {
  const t0 = Date.now();
  let records = input.known;
  if (!records) {
    const known = await knownRecords(input.client, { employeeIds: input.entries.map((e) => e.employee.employeeId) });
    if (known.unreadable.length)
      throw new ImportRefused(
        `${known.unreadable.length} controller(s) did not answer their state query (e.g. ${known.unreadable.slice(0, 3).join(', ')}); nothing was sent — try again`,
      );
    records = known.records;
  }
  const plan = diffRoster(input.entries, records, { hash: rosterHash });
  const knownMs = Date.now() - t0;
  if (input.dryRun || plan.items.length === 0)
    return { plan, scans: [], phases: { knownMs, scanMs: 0, dispatchMs: 0 } };
  const { hints, scans, writes } = await buildHints(plan.items, {
    connectors: input.connectors,
    desire: input.desire,
    mode: input.hints,
  });
  const dispatchedAt = Date.now();
  const dispatch = await dispatchItems(input.client, workFirst(plan.items, writes), {
    hints,
    ...(input.taskQueue ? { taskQueue: input.taskQueue } : {}),
  });
  const phases = { knownMs, scanMs: dispatchedAt - t0 - knownMs, dispatchMs: Date.now() - dispatchedAt };
  return { plan, scans, dispatch, dispatchedAt, phases };
}

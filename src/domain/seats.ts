// `scimflow seats`: per app, the paid seats held, waiting for approval, held by people who left and
// scheduled for deletion. Pure. The held seats are the app's own answer — reconciliation's scan of
// every account (ScanSummary.seats, src/domain/reconcile.ts) — and only when the app cannot be read
// does the report fall back on what the controllers last observed (and says so).
import type { KnownPerson, ScanSummary } from './reconcile';

/** A person as the seat report sees them in one app: reconciliation's view plus what their controller observed. */
export interface SeatPerson extends KnownPerson {
  /** The controller's last observation: the account it links is active. */
  observedActive?: boolean;
  /** Seat requests of this person for the app that wait for a decision. */
  pendingApprovals?: number;
}

export interface LeaverSeat {
  employeeId?: string;
  accountId: string;
  userName?: string;
  /** Since when the seat is held for nobody (the termination, ISO). */
  since?: string;
  days?: number;
}

export interface ScheduledDeletion {
  employeeId: string;
  accountId: string;
  dueAt: string;
  /** Whole days from now; negative: overdue (the controller deletes it on its next pass). */
  inDays: number;
}

export interface SeatReport {
  app: string;
  /** The app consumes paid seats (config `seatConsuming` or `approval.required`). */
  paidSeats: boolean;
  /** Where `held` and `heldByLeavers` come from: the app's own accounts, or the controllers' observations when the app could not be read. */
  source: 'app' | 'controllers';
  error?: string;
  held: number;
  pendingApproval: number;
  heldByLeavers: { count: number; seats: LeaverSeat[] };
  /** Active accounts in the app that nobody scimflow knows owns (app source only). */
  heldByOrphans?: number;
  scheduledForDeletion: { count: number; accounts: ScheduledDeletion[] };
}

const DAY = 86_400_000;
const days = (ms: number) => Math.floor(ms / DAY);

export interface SeatReportInput {
  app: string;
  paidSeats: boolean;
  people: readonly SeatPerson[];
  /** The scan of the app's accounts; absent when it could not be read (`scanError` says why). */
  scan?: ScanSummary;
  scanError?: string;
  now: number;
}

export function seatReport(input: SeatReportInput): SeatReport {
  const { people, now } = input;
  const pendingApproval = people.reduce((n, p) => n + (p.pendingApprovals ?? 0), 0);
  // Deletion is the leaver policy's (hardDelete after N) and the controller carries it out: due at termination + N.
  const deletions: ScheduledDeletion[] = people
    .filter(
      (p) =>
        p.status === 'left' &&
        p.linkedId !== undefined &&
        p.since !== undefined &&
        p.desire &&
        p.desire.leaver.hardDeleteAfterMs !== null,
    )
    .map((p) => {
      const due = p.since! + p.desire!.leaver.hardDeleteAfterMs!;
      return {
        employeeId: p.employeeId,
        accountId: p.linkedId!,
        dueAt: new Date(due).toISOString(),
        inDays: days(due - now),
      };
    })
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const base = {
    app: input.app,
    paidSeats: input.paidSeats,
    pendingApproval,
    scheduledForDeletion: { count: deletions.length, accounts: deletions },
  };

  if (input.scan) {
    const s = input.scan.seats;
    const leavers = s.rows
      .filter((r) => r.ownerLeft)
      .map((r) => ({
        ...(r.employeeId ? { employeeId: r.employeeId } : {}),
        accountId: r.id,
        userName: r.userName,
        ...(r.idleSince ? { since: r.idleSince } : {}),
        ...(r.idleDays !== undefined ? { days: r.idleDays } : {}),
      }));
    return {
      ...base,
      source: 'app',
      held: s.held,
      heldByLeavers: { count: s.leavers, seats: leavers },
      heldByOrphans: s.orphans,
    };
  }
  const active = input.paidSeats ? people.filter((p) => p.observedActive) : [];
  const leavers = active
    .filter((p) => p.status === 'left')
    .map((p) => ({
      employeeId: p.employeeId,
      accountId: p.linkedId ?? '',
      ...(p.since !== undefined
        ? { since: new Date(p.since).toISOString(), days: Math.max(0, days(now - p.since)) }
        : {}),
    }));
  return {
    ...base,
    source: 'controllers',
    ...(input.scanError ? { error: input.scanError } : {}),
    held: active.length,
    heldByLeavers: { count: leavers.length, seats: leavers },
  };
}

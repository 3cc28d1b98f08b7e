// The audit trail as data: every decision (approve/reject), retry, skip, refresh and conflict
// resolution a person's controller was asked for — who asked, when, how it reached the controller,
// and why — including the ones it refused. Pure: the controller appends, continue-as-new carries the
// list, the CLI merges the lists of many people. Bounded per person (the newest entries are kept).
import * as z from 'zod/mini';
import { lazySchema } from '../shared/lazy-schema';

/** How a command reached the controller. `unknown`: an entry migrated from before the trail existed. */
export const AUDIT_VIA = ['verified-link', 'ui-update', 'cli', 'signal'] as const;
export type AuditVia = (typeof AUDIT_VIA)[number] | 'unknown';

export const AUDIT_ACTIONS = ['approve', 'reject', 'decision', 'retry', 'skip', 'refresh', 'resolve-conflict'] as const;
/** `decision`: a refused decision whose payload did not even say approve or reject. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** Per person, strictly increasing: the order things happened in, even within one millisecond. */
  seq: number;
  /** Workflow time (ISO). */
  at: string;
  action: AuditAction;
  /** `refused`: the payload or the request was not acceptable (see `refusal`); nothing changed. `no-op`: nothing to act on. */
  outcome: 'applied' | 'refused' | 'no-op';
  /** Who: the approver, or the operator (`--as`); `unknown` when the sender did not say. */
  by: string;
  via: AuditVia;
  /** As the sender claimed it (the approvals' `verified` field). */
  verified?: boolean;
  reason?: string;
  app?: string;
  requestId?: string;
  /** What the command acted on in the app (e.g. `conflict`, `needs-attention`). */
  problem?: string;
  refusal?: string;
}

/** Entries kept per person. A person gets a handful of decisions a year: this is years of them. */
export const MAX_AUDIT = 500;

const MAX_TEXT = 1000;
const clip = (s: string | undefined, n = MAX_TEXT) => (s === undefined ? undefined : s.length > n ? s.slice(0, n) : s);

export type NewAuditEntry = Omit<AuditEntry, 'seq'>;

/** Appends one entry (numbered after the last), keeping at most `max`: the oldest go first. */
export function appendAudit(trail: readonly AuditEntry[], entry: NewAuditEntry, max = MAX_AUDIT): AuditEntry[] {
  const seq = (trail.length ? trail[trail.length - 1]!.seq : 0) + 1;
  const clean: AuditEntry = { seq, ...entry, by: clip(entry.by, 256) || 'unknown' };
  if (clean.reason !== undefined) clean.reason = clip(clean.reason);
  if (clean.refusal !== undefined) clean.refusal = clip(clean.refusal);
  const out = [...trail, clean];
  return out.length > max ? out.slice(out.length - max) : out;
}

// Built on first use (src/shared/lazy-schema.ts): only a run carrying a trail over continue-as-new reads one.
const AuditEntrySchema = lazySchema(() =>
  z.object({
    seq: z.int().check(z.minimum(0)),
    at: z.string().check(z.refine((s) => Number.isFinite(Date.parse(s)), 'not a date')),
    action: z.enum(AUDIT_ACTIONS),
    outcome: z.enum(['applied', 'refused', 'no-op']),
    by: z.string(),
    via: z.enum([...AUDIT_VIA, 'unknown']),
    verified: z.optional(z.boolean()),
    reason: z.optional(z.string()),
    app: z.optional(z.string()),
    requestId: z.optional(z.string()),
    problem: z.optional(z.string()),
    refusal: z.optional(z.string()),
  }),
);

/** A carried trail, checked entry by entry: a damaged entry is dropped, never the trail; ordered by seq and bounded. */
export function normalizeAudit(raw: unknown, max = MAX_AUDIT): AuditEntry[] {
  if (!Array.isArray(raw)) return [];
  const ok: AuditEntry[] = [];
  for (const e of raw) {
    const p = AuditEntrySchema.safeParse(e);
    if (p.success) ok.push(stripUndefined(p.data) as AuditEntry);
  }
  ok.sort((a, b) => a.seq - b.seq);
  const unique = ok.filter((e, i) => i === 0 || e.seq !== ok[i - 1]!.seq);
  return unique.length > max ? unique.slice(unique.length - max) : unique;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The shape of the controller's older log lines (only what the migration reads). */
export interface LegacyLogLine {
  at: string;
  kind: string;
  detail: string;
  by?: string;
}

/**
 * The trail of a controller from before the trail existed, from its log: decisions (`approve
 * jasper-x (jasper) via update: comment`), refused decisions, and operator commands (`retry generic:
 * reason`, `skip …`, `refresh…`). How a decision came is known only for the signal (the Update was
 * taken by the UI and the CLI alike): otherwise `unknown`.
 */
export function auditFromLog(log: readonly LegacyLogLine[]): AuditEntry[] {
  let trail: AuditEntry[] = [];
  for (const l of Array.isArray(log) ? log : []) {
    if (!l || typeof l.detail !== 'string' || typeof l.at !== 'string') continue;
    const by = typeof l.by === 'string' ? l.by : 'unknown';
    if (l.kind === 'decision') {
      const m = /^(approve|reject) (\S+) \(([^)]*)\) via (\w+)(?:: ([\s\S]*))?$/.exec(l.detail);
      if (!m) continue;
      trail = appendAudit(trail, {
        at: l.at,
        action: m[1] as 'approve' | 'reject',
        outcome: 'applied',
        by,
        via: m[4] === 'signal' ? 'signal' : 'unknown',
        requestId: m[2]!,
        app: m[3]!,
        ...(m[5] ? { reason: m[5] } : {}),
      });
    } else if (l.kind === 'refused-decision') {
      trail = appendAudit(trail, {
        at: l.at,
        action: 'decision',
        outcome: 'refused',
        by,
        via: 'signal',
        refusal: l.detail,
      });
    } else if (l.kind === 'operator') {
      const m = /^(retry|skip) ([^:]*?)(?:: ([\s\S]*))?$/.exec(l.detail);
      if (m) {
        const apps = m[2] === '(nothing to act on)' ? [] : m[2]!.split(', ').filter(Boolean);
        const base = {
          at: l.at,
          action: m[1] as 'retry' | 'skip',
          by,
          via: 'unknown' as const,
          ...(m[3] ? { reason: m[3] } : {}),
        };
        if (apps.length === 0) trail = appendAudit(trail, { ...base, outcome: 'no-op' });
        for (const app of apps) trail = appendAudit(trail, { ...base, outcome: 'applied', app });
        continue;
      }
      const r = /^refresh(?: and continue-as-new)?(?:: ([\s\S]*))?$/.exec(l.detail);
      if (r)
        trail = appendAudit(trail, {
          at: l.at,
          action: 'refresh',
          outcome: 'applied',
          by,
          via: 'unknown',
          ...(r[1] ? { reason: r[1] } : {}),
        });
    }
  }
  return trail;
}

/** One person's entry, as the CLI lists them across people. */
export type PersonAuditEntry = AuditEntry & { employeeId: string };

export interface AuditFilter {
  /** Only entries at or after this time (ms). */
  sinceMs?: number;
  employeeId?: string;
  app?: string;
}

/** Many people's trails → one list, filtered, in time order (ties: by person, then by each person's own order). */
export function mergeAudit(
  trails: readonly { employeeId: string; entries: readonly AuditEntry[] }[],
  filter: AuditFilter = {},
): PersonAuditEntry[] {
  const out: PersonAuditEntry[] = [];
  for (const t of trails) {
    if (filter.employeeId !== undefined && t.employeeId !== filter.employeeId) continue;
    for (const e of t.entries) {
      if (filter.app !== undefined && e.app !== filter.app) continue;
      if (filter.sinceMs !== undefined && Date.parse(e.at) < filter.sinceMs) continue;
      out.push({ employeeId: t.employeeId, ...e });
    }
  }
  return out.sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || a.employeeId.localeCompare(b.employeeId) || a.seq - b.seq,
  );
}

/** How a decision came: what the sender said, else what the path implies (the Update is the UI's unless told otherwise). */
export function decisionVia(said: AuditVia | undefined, path: 'update' | 'signal'): AuditVia {
  return said ?? (path === 'update' ? 'ui-update' : 'signal');
}

/** The fields an audit entry takes from a payload that may be anything (a refused one included). */
export function claimedFields(raw: unknown): {
  by?: string;
  app?: string;
  reason?: string;
  requestId?: string;
  action?: 'approve' | 'reject';
  via?: AuditVia;
  verified?: boolean;
} {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const str = (v: unknown, n: number) => (typeof v === 'string' ? v.slice(0, n) : undefined);
  const by = str(r.approver, 256) ?? str(r.by, 256);
  const app = str(r.app, 128);
  const reason = str(r.comment, MAX_TEXT) ?? str(r.reason, MAX_TEXT);
  const requestId = str(r.requestId, 200);
  const action = r.decision === 'approve' || r.decision === 'reject' ? r.decision : undefined;
  const via = (AUDIT_VIA as readonly unknown[]).includes(r.via) ? (r.via as AuditVia) : undefined;
  const verified = typeof r.verified === 'boolean' ? r.verified : undefined;
  return {
    ...(by !== undefined ? { by } : {}),
    ...(app !== undefined ? { app } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(action ? { action } : {}),
    ...(via ? { via } : {}),
    ...(verified !== undefined ? { verified } : {}),
  };
}

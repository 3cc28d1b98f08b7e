// The mass-change guard: how many deactivations and deletions one app may take within a window
// before the excess waits for a person, like a seat. Pure: the per-app guard workflow
// (`scimflow-guard:<app>`, the single writer of this state) runs it, and properties check it.
//
// The allowance in a window is the smaller of `maxFraction` of the app's accounts and `maxCount`,
// but never less than `minCount`: in a small app a fraction is one leaver an hour, which would hold
// ordinary departures. Each request has an id, so asking twice for the same change has one effect.

export interface GuardPolicy {
  windowMs: number;
  maxFraction: number;
  maxCount: number;
  /**
   * The floor of the allowance. Absent: one, the floor before this option existed — a guard run
   * whose policy was recorded then replays as it ran (the worker's configuration always sets it).
   */
  minCount?: number;
}

/** `guard.minCount` when the configuration names none. */
export const DEFAULT_GUARD_MIN_COUNT = 5;

export const DEFAULT_GUARD_POLICY: GuardPolicy = { windowMs: 3_600_000, maxFraction: 0.1, maxCount: 50 };

export type PermitKind = 'deactivate' | 'delete';
export type PermitStatus = 'granted' | 'held' | 'rejected';

export interface PermitRequest {
  /** Deterministic per change (e.g. `<workflowId>:<accountId>:<record version>`): a repeat is the same request. */
  id: string;
  kind: PermitKind;
  accountId?: string;
  /** Workflow to tell the verdict (a controller waiting for it); none for the CLI, which reads the query. */
  requester?: string;
  /** The guard makes the change itself once granted (reconcile orphans: nobody else owns them). */
  execute?: boolean;
  reason?: string;
  at: number;
}

export interface GuardState {
  app: string;
  /** The app's size as the app last reported it (the guard's own count, or a reconcile scan); 0 = unknown (the allowance is then maxCount). */
  accounts: number;
  /** When `accounts` was last counted (ms). */
  countedAt?: number;
  /** Grants counted against the window: id and when. */
  window: { id: string; at: number }[];
  held: PermitRequest[];
  /** Final verdicts by request id (idempotency), kept for a day past the window. */
  decided: Record<string, { status: PermitStatus; at: number; by?: string }>;
}

export function emptyGuard(app: string): GuardState {
  return { app, accounts: 0, window: [], held: [], decided: {} };
}

export function allowance(policy: GuardPolicy, accounts: number): number {
  const byFraction = accounts > 0 ? Math.floor(policy.maxFraction * accounts) : Number.POSITIVE_INFINITY;
  return Math.max(policy.minCount ?? 1, 1, Math.min(policy.maxCount, byFraction));
}

function prune(s: GuardState, now: number, policy: GuardPolicy): GuardState {
  const keepDecided = policy.windowMs + 86_400_000;
  return {
    ...s,
    window: s.window.filter((g) => g.at > now - policy.windowMs),
    decided: Object.fromEntries(Object.entries(s.decided).filter(([, d]) => d.at > now - keepDecided)),
  };
}

/** A request for one deactivation or deletion: granted within the allowance, else held. */
export function requestPermit(
  state: GuardState,
  req: PermitRequest,
  now: number,
  policy: GuardPolicy,
): { state: GuardState; status: PermitStatus } {
  const s = prune(state, now, policy);
  const known = s.decided[req.id];
  if (known) return { state: s, status: known.status };
  if (s.held.some((h) => h.id === req.id)) return { state: s, status: 'held' };
  if (s.window.length < allowance(policy, s.accounts)) {
    return {
      state: {
        ...s,
        window: [...s.window, { id: req.id, at: now }],
        decided: { ...s.decided, [req.id]: { status: 'granted', at: now } },
      },
      status: 'granted',
    };
  }
  return { state: { ...s, held: [...s.held, { ...req, at: req.at || now }] }, status: 'held' };
}

/** `scimflow guard release|reject <app>`: every held request at once. */
export function decideHeld(
  state: GuardState,
  decision: 'release' | 'reject',
  now: number,
  by: string,
  policy: GuardPolicy,
): { state: GuardState; decided: PermitRequest[] } {
  const s = prune(state, now, policy);
  const status: PermitStatus = decision === 'release' ? 'granted' : 'rejected';
  const decided = { ...s.decided };
  for (const h of s.held) decided[h.id] = { status, at: now, by };
  // Released changes are counted in the window too: the next burst is held again.
  const window = decision === 'release' ? [...s.window, ...s.held.map((h) => ({ id: h.id, at: now }))] : s.window;
  return { state: { ...s, held: [], decided, window }, decided: s.held };
}

export function reportSize(state: GuardState, accounts: number, at?: number): GuardState {
  return Number.isInteger(accounts) && accounts >= 0
    ? { ...state, accounts, ...(at !== undefined ? { countedAt: at } : {}) }
    : state;
}

/** A held request its requester no longer wants (the person was rehired, the plan changed): it leaves the queue undecided. */
export function withdrawHeld(state: GuardState, id: string): { state: GuardState; withdrawn: boolean } {
  const held = state.held.filter((h) => h.id !== id);
  return held.length === state.held.length
    ? { state, withdrawn: false }
    : { state: { ...state, held }, withdrawn: true };
}

// Observation hints: what a recent scan of an app saw for one person (a roster import's bulk
// onboarding, docs/operations.md), so the lane can plan on it instead of spending a lookup request.
// A hint is untrusted input like any signal: parsed with zod, refused if it carries a password, used
// at most once, only while fresh, only for exactly the keys the lane would look up, and never after
// a failure or a `refresh` (the lane then observes as usual). Ownership is recomputed here from the
// resources with the app's owner rule; nothing the sender says about owners is taken.
import { patched } from '@temporalio/workflow';
import { normalizeIdentityKey, observedAccount, type ObservedAccount, type OwnerRule } from '../domain/ownership';
import { ObservationHintsSchema, type ObservationHints } from './message-schemas';
import { PATCHES } from './patches';

/** A hint older than this (by workflow time) is ignored: the lane looks the person up itself. */
export const HINT_MAX_AGE_MS = 10 * 60_000;
/** Clock skew allowed for a hint dated in the future. */
const HINT_SKEW_MS = 60_000;

export { ObservationHintsSchema, type ObservationHints };
type Hint = ObservationHints['hints'][number];

/** The hints a controller holds (in memory: a hint is worth nothing after a continue-as-new). */
export class HintBox {
  private readonly byApp = new Map<string, Hint>();

  /** Stores the hints; returns why they were refused, if they were. */
  accept(raw: unknown): string | undefined {
    const parsed = ObservationHintsSchema.safeParse(raw);
    if (!parsed.success)
      return parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')
        .slice(0, 500);
    for (const h of parsed.data.hints) this.byApp.set(h.app, h);
    return undefined;
  }

  has(app: string): boolean {
    return this.byApp.has(app);
  }

  /**
   * The accounts a lookup for these keys would have returned at the hint's time, if the hint is
   * fresh and for exactly these keys. Consumed either way.
   */
  take(
    app: string,
    key: { userName: string; externalId?: string; owner: OwnerRule },
    now: number,
  ): { accounts: ObservedAccount[]; observedAt: string } | undefined {
    const h = this.byApp.get(app);
    if (!h) return undefined;
    this.byApp.delete(app);
    const at = Date.parse(h.observedAt);
    if (!(now - at <= HINT_MAX_AGE_MS && at - now <= HINT_SKEW_MS)) return undefined;
    if (h.userName !== key.userName || h.externalId !== key.externalId) return undefined;
    const name = normalizeIdentityKey(key.userName);
    const accounts = h.resources
      .filter(
        (r) =>
          normalizeIdentityKey(String(r.userName)) === name ||
          (key.owner.by === 'externalId' && key.externalId !== undefined && r.externalId === key.externalId),
      )
      .map((r) => observedAccount(r, key.owner))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { accounts, observedAt: new Date(at).toISOString() };
  }
}

/**
 * The observation a lane may plan on instead of its lookup: a fresh hint for exactly its keys, never
 * after a failure or a refresh (`mayUse` false). The patch is asked only when there is a hint to use,
 * so a history without hints never meets it; a history recorded before the patch replays its lookup.
 * `patchedSince` answers for a later patch that includes this one (PATCHES.oneUpsertPerTask): a run
 * that has it asks no second marker.
 */
export function hintedObservation(
  box: HintBox,
  app: string,
  key: { userName: string; externalId?: string; owner: OwnerRule },
  now: number,
  mayUse: boolean,
  patchedSince: () => boolean = () => false,
): { accounts: ObservedAccount[]; observedAt: string } | undefined {
  if (!mayUse || !box.has(app)) return undefined;
  const hint = box.take(app, key, now);
  return hint && (patchedSince() || patched(PATCHES.observationHint)) ? hint : undefined;
}

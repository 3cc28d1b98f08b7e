// Every patch id the workflows use, in one place (docs/versioning.md, "Patch discipline").
//
// A change that alters the commands a workflow issues — a timer, an activity, a child, a marker, a
// search-attribute upsert, their order or arguments — goes behind `patched(PATCHES.<name>)`, the
// old code in the `else` branch. Three steps, each in its own release:
//   1. `if (patched(PATCHES.x)) { new } else { old }`: ship; running workflows keep the old branch
//      for what they already did, and take the new one from here on.
//   2. `deprecatePatch(PATCHES.x); new`: only once no open history can take the old branch — every
//      run that began on a build before step 1 has closed or continued-as-new (`scimflow upgrade`
//      lists them, and wakes the idle ones so they continue-as-new).
//   3. remove the call; move the id to RETIRED: only once no open history was started by a build
//      before step 2 (again: `scimflow upgrade --dry-run` shows none left).
// test/workflows/patches.test.ts (and lint: no literal id in a `patched()` call) holds this list
// to the code: ids unique, each used, none reused after retirement.
export const PATCHES = {
  /**
   * 0.2.0: the `upgrade` signal (src/workflows/upgrade.ts) makes the controller continue-as-new at
   * its next quiet moment. Before it, the signal was not handled: a history that received it
   * replays as if it had not (it changed nothing then).
   */
  upgradeSignal: 'identity-upgrade-signal',
  /**
   * 0.3.0: the controller fires a `notify` activity (on its own task queue) for the events the
   * worker's configuration routes (src/workflows/notify.ts), and arms "about to time out" timers.
   * Before it, none were fired.
   */
  notifications: 'identity-notifications',
  /**
   * 0.3.0: a `decide` Update through a signed approval link has the worker check the link
   * (`verifyApprovalLink` activity) before it is applied. Before it, no such decision existed.
   */
  verifiedLinks: 'identity-verified-links',
  /**
   * 0.3.0: a lane plans on a fresh observation hint (src/workflows/hints.ts, from a roster import's
   * scan) instead of calling `observe`. Asked only when a hint is there to use: a history without
   * hints never reaches the call.
   */
  observationHint: 'identity-observation-hint',
  /**
   * 0.3.0: the controller asks the app's mass-change guard for a permit before it deactivates or
   * deletes an account (src/workflows/leaver-guard.ts). Before it, access ended without asking.
   */
  leaverGuard: 'identity-leaver-guard',
  /**
   * 0.3.0: the guard counts the app's accounts itself (start, and when older than 15 min) and tells
   * a requester its change is held. Before it, the size came only from reconcile --fix.
   */
  guardWired: 'guard-counts-app-tells-held',
  /**
   * 0.4.0: the controller's search-attribute upserts of one workflow task leave as one command
   * (src/workflows/upsert-coalescing.ts). Asked once per run, at its first upsert or its first
   * hint, whichever comes first. A run with it also plans on observation hints without asking
   * `observationHint`: one marker serves both, so a bulk-onboarded person costs no extra event.
   * Before it, one upsert per step.
   */
  oneUpsertPerTask: 'identity-one-upsert-per-task',
} as const satisfies Record<string, string>;

export type PatchId = (typeof PATCHES)[keyof typeof PATCHES];

/** Ids whose patch has been removed (step 3): never to be used again, or an old history would take a branch it never knew. */
export const RETIRED_PATCHES: readonly string[] = [];

// The planner: desired state (the person's employment × the rules) against observed state (what
// the app really holds for this person) → the ordered actions for one app. Pure: no I/O, no
// Temporal, no clock (time comes in as `now`). The controller workflow runs it, `scimflow plan`
// prints it, and property tests check it: plan → apply → plan is empty; nothing is ever written to
// an account owned by someone else; access-ending actions never wait on anything.
import type { LeaverPolicy } from '../config/types';
import { generatePatch } from '../scim';
import type { EmploymentStatus } from './person';
import { decideOwnership, ownerKeyOf, type ObservedAccount, type OwnerRule, type Ownership } from './ownership';

/** The app's leaver policy, as configured (one type: src/config/types.ts; its default: DEFAULT_LEAVER_POLICY). */
export type LeaverRules = LeaverPolicy;

/** What the worker's configuration says about one app, for this person. */
export interface AppDesire {
  app: string;
  /** Do the rules grant the app to this person's record? */
  granted: boolean;
  /** The account as it should be (exactly what the connector sends), without `active`. */
  user: Record<string, unknown> & { userName: string; externalId?: string };
  /** Groups the rules grant (display names, sorted). */
  groups: string[];
  /** Every group any rule can grant in this app: the only memberships scimflow adds or removes. */
  managedGroups: string[];
  /** Attributes the mapping manages: one the record leaves empty is removed downstream. */
  managedAttributes: string[];
  owner: OwnerRule;
  /** A create or reactivation takes a paid seat and needs an approval. */
  seatGate: boolean;
  allOrNothing: boolean;
  groupsSupported: boolean;
  /** Atlassian with JSM configured: the email under which the person is a JSM customer. */
  jsmEmail?: string;
  leaver: LeaverRules;
}

/** What scimflow remembers about the person's account in one app: a cache, never the truth. */
export interface AppLink {
  scimId?: string;
  /** How the account came to this join attempt: compensation puts back exactly this. */
  origin?: { created: true } | { created: false; wasActive: boolean; groups: string[] };
  /** Memberships this join attempt added (compensation removes them). */
  addedGroups?: string[];
  /** Managed memberships last seen or written (used when the app does not return User.groups). */
  groups?: string[];
  /** The JSM customer removal is done for this termination. */
  jsmRemovedFor?: string;
}

export type ApprovalGate = 'none' | 'pending' | 'approved' | 'refused';

export interface PlanContext {
  status: EmploymentStatus;
  /// `left`: when the termination took effect (hard-delete clock).
  leftAt?: number;
  terminationId?: string;
  now: number;
  /** This app's all-or-nothing join attempt is being undone. */
  compensating: boolean;
  /** The employment's join has not completed: what it changes is remembered, so compensation can put it back. */
  joining?: boolean;
  /** An operator skipped this app for the current record. */
  skipped: boolean;
  /** The approval for a seat in this app (create or reactivation), as decided so far for this record. */
  approval: ApprovalGate;
}

export type Action =
  | { kind: 'create'; user: Record<string, unknown> }
  | { kind: 'adopt'; accountId: string; wasActive: boolean; groups: string[] }
  | { kind: 'update'; accountId: string }
  | {
      kind: 'setActive';
      accountId: string;
      active: boolean;
      why: 'leaver' | 'not-granted' | 'reactivate' | 'compensate';
    }
  | { kind: 'addGroup'; accountId: string; group: string }
  | { kind: 'removeGroup'; accountId: string; group: string; why: 'leaver' | 'not-granted' | 'compensate' }
  | { kind: 'removeJsmCustomer'; email: string; terminationId: string }
  | { kind: 'delete'; accountId: string }
  | { kind: 'forget' };

export type AppState =
  | 'absent'
  | 'in-sync'
  | 'converging'
  | 'awaiting-approval'
  | 'refused'
  | 'conflict'
  | 'deactivated'
  | 'compensated'
  | 'skipped'
  | 'untouched';

export interface AppPlan {
  state: AppState;
  actions: Action[];
  /** A seat is wanted and must be approved first (create or reactivation). */
  approvalFor?: 'create' | 'reactivate';
  conflict?: Extract<Ownership, { kind: 'conflict' }>;
  /** The account the plan is about (ours or adoptable). */
  account?: ObservedAccount;
  /** When this app's plan changes by itself (a hard delete falls due). */
  wakeAt?: number;
}

const NOT_DIFFED = new Set(['id', 'meta', 'groups', 'active', 'schemas', 'password']);

function diffable(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!NOT_DIFFED.has(k) && v !== undefined) out[k] = v;
  return out;
}

/** Does the account differ from the desired user on the attributes scimflow manages? */
export function attributesDiffer(
  current: Record<string, unknown>,
  desired: Record<string, unknown>,
  managed: readonly string[],
): boolean {
  try {
    return (
      generatePatch(diffable(current), diffable(desired), { managed: managed.filter((m) => !NOT_DIFFED.has(m)) })
        .Operations.length > 0
    );
  } catch {
    return true;
  }
}

function heldGroups(account: ObservedAccount, link: AppLink | undefined, managed: readonly string[]): string[] {
  const lower = new Map(managed.map((g) => [g.toLowerCase(), g]));
  const source = account.groups ?? link?.groups ?? [];
  const out: string[] = [];
  for (const g of source) {
    const m = lower.get(g.toLowerCase());
    if (m !== undefined && !out.includes(m)) out.push(m);
  }
  return out.sort();
}

const has = (list: readonly string[], g: string) => list.some((x) => x.toLowerCase() === g.toLowerCase());

/** The plan for one app. `accounts` are what a lookup by this person's identity keys found. */
export function planApp(
  desire: AppDesire,
  accounts: readonly ObservedAccount[],
  link: AppLink | undefined,
  ctx: PlanContext,
): AppPlan {
  const ownership = decideOwnership({
    accounts,
    ownerKey: ownerKeyOf(desire.user, desire.owner),
    userName: desire.user.userName,
    ...(link?.scimId ? { linkedId: link.scimId } : {}),
    owner: desire.owner,
  });
  if (ownership.kind === 'conflict') return { state: 'conflict', actions: [], conflict: ownership };

  const ours = ownership.kind === 'ours' ? ownership.account : undefined;
  const forget: Action[] = !ours && link?.scimId ? [{ kind: 'forget' }] : [];

  if (ctx.skipped) return { state: 'skipped', actions: [] };

  // ---- compensation: put back what this join attempt changed ----
  if (ctx.compensating) {
    const origin = link?.origin;
    if (!ours || !origin) return { state: 'compensated', actions: forget };
    const actions: Action[] = [];
    const wantActive = origin.created ? false : origin.wasActive;
    if (ours.active !== wantActive)
      actions.push({ kind: 'setActive', accountId: ours.id, active: wantActive, why: 'compensate' });
    const held = heldGroups(ours, link, desire.managedGroups);
    const before = origin.created ? [] : origin.groups;
    for (const g of link?.addedGroups ?? []) {
      if (has(held, g) && !has(before, g))
        actions.push({ kind: 'removeGroup', accountId: ours.id, group: g, why: 'compensate' });
    }
    return { state: actions.length ? 'converging' : 'compensated', actions, account: ours };
  }

  // ---- access ends: the person left, or the rules no longer grant the app ----
  const ending = ctx.status === 'left' || (ctx.status === 'employed' && !desire.granted);
  if (ending) {
    if (!ours) return { state: 'absent', actions: forget };
    const why = ctx.status === 'left' ? 'leaver' : 'not-granted';
    const actions: Action[] = [];
    // Deactivation first and on its own: it never waits for memberships or anything else.
    if (ours.active && desire.leaver.deactivate)
      actions.push({ kind: 'setActive', accountId: ours.id, active: false, why });
    if (desire.leaver.removeGroups && desire.groupsSupported) {
      for (const g of heldGroups(ours, link, desire.managedGroups))
        actions.push({ kind: 'removeGroup', accountId: ours.id, group: g, why });
    }
    let wakeAt: number | undefined;
    if (ctx.status === 'left') {
      if (
        desire.leaver.jsmCustomerRemoval &&
        desire.jsmEmail &&
        ctx.terminationId &&
        link?.jsmRemovedFor !== ctx.terminationId
      ) {
        actions.push({ kind: 'removeJsmCustomer', email: desire.jsmEmail, terminationId: ctx.terminationId });
      }
      const after = desire.leaver.hardDeleteAfterMs;
      if (after !== null && ctx.leftAt !== undefined) {
        const due = ctx.leftAt + after;
        if (ctx.now >= due) actions.push({ kind: 'delete', accountId: ours.id });
        else wakeAt = due;
      }
    }
    const state: AppState = actions.length ? 'converging' : ours.active ? 'untouched' : 'deactivated';
    return { state, actions, account: ours, ...(wakeAt !== undefined ? { wakeAt } : {}) };
  }

  // ---- no decision about access: keep what exists up to date, create and end nothing ----
  if (ctx.status === 'unknown' || ctx.status === 'pre-hire') {
    if (
      ours &&
      ctx.status === 'unknown' &&
      ours.active &&
      attributesDiffer(ours.resource, desire.user, desire.managedAttributes)
    ) {
      return { state: 'converging', actions: [{ kind: 'update', accountId: ours.id }], account: ours };
    }
    return { state: ours ? 'untouched' : 'absent', actions: forget, ...(ours ? { account: ours } : {}) };
  }

  // ---- employed and granted: the account exists, is active, up to date, in its groups ----
  if (ownership.kind === 'none') {
    if (desire.seatGate && ctx.approval !== 'approved') {
      return {
        state: ctx.approval === 'refused' ? 'refused' : 'awaiting-approval',
        actions: forget,
        approvalFor: 'create',
      };
    }
    return { state: 'converging', actions: [...forget, { kind: 'create', user: desire.user }] };
  }
  const account = ownership.account;
  const actions: Action[] = [];
  if (ownership.kind === 'adoptable' || (ctx.joining && !link?.origin)) {
    // Remember how the join found the account (bookkeeping only; no request).
    actions.push({
      kind: 'adopt',
      accountId: account.id,
      wasActive: account.active,
      groups: heldGroups(account, link, desire.managedGroups),
    });
  }
  // Adopting stamps the externalId and brings the account up to date at once.
  if (ownership.kind === 'adoptable' || attributesDiffer(account.resource, desire.user, desire.managedAttributes)) {
    actions.push({ kind: 'update', accountId: account.id });
  }
  let approvalFor: AppPlan['approvalFor'];
  let waiting = false;
  if (!account.active) {
    if (desire.seatGate && ctx.approval !== 'approved') {
      approvalFor = 'reactivate';
      waiting = true;
    } else actions.push({ kind: 'setActive', accountId: account.id, active: true, why: 'reactivate' });
  }
  if (desire.groupsSupported && !waiting) {
    const held = heldGroups(account, link, desire.managedGroups);
    for (const g of desire.groups)
      if (!has(held, g)) actions.push({ kind: 'addGroup', accountId: account.id, group: g });
    for (const g of held)
      if (!has(desire.groups, g))
        actions.push({ kind: 'removeGroup', accountId: account.id, group: g, why: 'not-granted' });
  }
  const state: AppState = waiting
    ? ctx.approval === 'refused'
      ? 'refused'
      : 'awaiting-approval'
    : actions.length
      ? 'converging'
      : 'in-sync';
  return { state, actions, account, ...(approvalFor ? { approvalFor } : {}) };
}

/**
 * The effect an action has on what the app holds, as the planner expects it: how the controller
 * updates its observation after a successful action without reading the app again, and how
 * property tests check that a plan, once applied, leaves nothing to do.
 */
export function applyAction(
  accounts: readonly ObservedAccount[],
  link: AppLink | undefined,
  action: Action,
  desire: AppDesire,
  result?: { id?: string },
): { accounts: ObservedAccount[]; link: AppLink | undefined } {
  const list = accounts.map((a) => ({ ...a, ...(a.groups ? { groups: [...a.groups] } : {}) }));
  const l: AppLink = { ...(link ?? {}) };
  const find = (id: string) => list.find((a) => a.id === id);
  switch (action.kind) {
    case 'create': {
      const id = result?.id ?? `new-${desire.app}`;
      const resource = { ...action.user, id, active: true };
      const ownerKey = ownerKeyOf(desire.user, desire.owner);
      list.push({
        id,
        userName: desire.user.userName,
        ...(desire.user.externalId !== undefined ? { externalId: desire.user.externalId } : {}),
        ...(ownerKey !== undefined ? { ownerKey } : {}),
        active: true,
        groups: [],
        resource,
      });
      return { accounts: list, link: { scimId: id, origin: { created: true }, addedGroups: [], groups: [] } };
    }
    case 'adopt':
      return {
        accounts: list,
        link: {
          ...l,
          scimId: action.accountId,
          origin: { created: false, wasActive: action.wasActive, groups: action.groups },
          addedGroups: [],
        },
      };
    case 'update': {
      const a = find(action.accountId);
      if (a) {
        a.resource = { ...desire.user, id: a.id, active: a.active };
        if (desire.user.externalId !== undefined) a.externalId = desire.user.externalId;
        const ownerKey = ownerKeyOf(desire.user, desire.owner);
        if (ownerKey !== undefined) a.ownerKey = ownerKey;
        a.userName = desire.user.userName;
      }
      return { accounts: list, link: l };
    }
    case 'setActive': {
      const a = find(action.accountId);
      if (a) {
        a.active = action.active;
        a.resource = { ...a.resource, active: action.active };
      }
      return { accounts: list, link: l };
    }
    case 'addGroup': {
      const a = find(action.accountId);
      if (a)
        a.groups = [
          ...(a.groups ?? l.groups ?? []).filter((g) => g.toLowerCase() !== action.group.toLowerCase()),
          action.group,
        ];
      l.groups = [
        ...(l.groups ?? []).filter((g) => g.toLowerCase() !== action.group.toLowerCase()),
        action.group,
      ].sort();
      if (l.origin) l.addedGroups = [...new Set([...(l.addedGroups ?? []), action.group])].sort();
      return { accounts: list, link: l };
    }
    case 'removeGroup': {
      const a = find(action.accountId);
      if (a) a.groups = (a.groups ?? l.groups ?? []).filter((g) => g.toLowerCase() !== action.group.toLowerCase());
      l.groups = (l.groups ?? []).filter((g) => g.toLowerCase() !== action.group.toLowerCase());
      return { accounts: list, link: l };
    }
    case 'removeJsmCustomer':
      return { accounts: list, link: { ...l, jsmRemovedFor: action.terminationId } };
    case 'delete':
      return { accounts: list.filter((a) => a.id !== action.accountId), link: {} };
    case 'forget':
      return { accounts: list, link: {} };
  }
}

/** Actions that end access: they run first and are never held back by approvals or other steps. */
export function endsAccess(action: Action): boolean {
  return (
    (action.kind === 'setActive' && !action.active) ||
    action.kind === 'removeGroup' ||
    action.kind === 'removeJsmCustomer' ||
    action.kind === 'delete'
  );
}

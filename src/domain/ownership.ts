// Whose account is it? The rule that keeps scimflow off other people's accounts. Pure.
//
// An account is this person's only if its externalId is the person's, or it has none and no other
// person links it (scimflow stamps the externalId when it adopts, so a linked account carries its
// owner's). Anything else that shares the person's identity key is an identity conflict: nothing
// is written and a person decides. Where an app cannot keep externalId, its profile says the
// userName identifies the owner.

/** NFKC, trimmed, case-folded: how identity keys compare (userName is caseExact=false, RFC 7643 §4.1.1). */
export function normalizeIdentityKey(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

export interface ObservedAccount {
  id: string;
  userName: string;
  externalId?: string;
  /** The value of the app's owner attribute (externalId, or what the profile names); undefined when empty. */
  ownerKey?: string;
  active: boolean;
  /** Group display names the account is a member of; undefined when the app does not say. */
  groups?: string[];
  /** The resource as the app returned it (the base of a generated PATCH). */
  resource: Record<string, unknown>;
}

/**
 * What identifies an account's owner in an app: its externalId (RFC 7643 §3.1) where the app keeps
 * it; another attribute the app keeps and scimflow writes (e.g. the enterprise employeeNumber);
 * or, where the app keeps nothing of the kind, the userName alone.
 */
export type OwnerRule = { by: 'externalId' } | { by: 'attribute'; path: string } | { by: 'userName' };

/** The owner key a resource carries under `rule` (a string, or undefined when absent or empty). */
export function ownerKeyOf(resource: Record<string, unknown>, rule: OwnerRule): string | undefined {
  let v: unknown;
  if (rule.by === 'externalId') v = resource.externalId;
  else if (rule.by === 'attribute') {
    const colon = rule.path.lastIndexOf(':');
    const [urn, attr] = colon > 0 ? [rule.path.slice(0, colon), rule.path.slice(colon + 1)] : [undefined, rule.path];
    const holder = urn ? resource[urn] : resource;
    v = holder && typeof holder === 'object' ? (holder as Record<string, unknown>)[attr] : undefined;
  }
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A SCIM User resource as the planner sees it (the activities' observe, and observation hints, both go through this). */
export function observedAccount(u: Record<string, unknown>, owner: OwnerRule): ObservedAccount {
  const ownerKey = ownerKeyOf(u, owner);
  const list = Array.isArray(u.groups) ? (u.groups as { display?: unknown }[]) : undefined;
  const groups = list?.map((g) => g?.display).filter((d): d is string => typeof d === 'string');
  return {
    id: String(u.id),
    userName: String(u.userName ?? ''),
    ...(typeof u.externalId === 'string' && u.externalId !== '' ? { externalId: u.externalId } : {}),
    ...(ownerKey !== undefined ? { ownerKey } : {}),
    active: u.active !== false,
    // User.groups is readOnly and optional (RFC 7643 §4.1.2): an app that returns it with displays tells us the memberships.
    ...(groups && groups.length === (list?.length ?? 0) ? { groups } : {}),
    resource: u,
  };
}

export type Ownership =
  | { kind: 'none' }
  | { kind: 'ours'; account: ObservedAccount }
  /** Same identity key, no externalId, not linked to anyone: this person's to adopt. */
  | { kind: 'adoptable'; account: ObservedAccount }
  | { kind: 'conflict'; reason: string; accounts: { id: string; userName: string; externalId?: string }[] };

export interface OwnershipInput {
  accounts: readonly ObservedAccount[];
  /** The owner key scimflow writes for this person (normally the employeeId); undefined under a userName rule. */
  ownerKey: string | undefined;
  /** The userName this person's account has in this app. */
  userName: string;
  /** The account scimflow linked earlier, if any. */
  linkedId?: string;
  owner: OwnerRule;
}

const brief = (a: ObservedAccount) => ({
  id: a.id,
  userName: a.userName,
  ...(a.ownerKey !== undefined ? { externalId: a.ownerKey } : {}),
});

export function decideOwnership(input: OwnershipInput): Ownership {
  const key = normalizeIdentityKey(input.userName);
  const byKey = input.owner.by !== 'userName' && input.ownerKey !== undefined;
  const mine = byKey ? input.accounts.filter((a) => a.ownerKey === input.ownerKey) : [];
  if (mine.length > 1) {
    return {
      kind: 'conflict',
      reason: `${mine.length} accounts carry this person's owner key ${input.ownerKey}`,
      accounts: mine.map(brief),
    };
  }
  if (mine[0]) return { kind: 'ours', account: mine[0] };

  const linked = input.linkedId !== undefined ? input.accounts.find((a) => a.id === input.linkedId) : undefined;
  if (linked && (!byKey || linked.ownerKey === undefined)) return { kind: 'ours', account: linked };
  if (linked) {
    return {
      kind: 'conflict',
      reason: `the linked account ${linked.id} now belongs to ${linked.ownerKey}, not ${input.ownerKey}`,
      accounts: [brief(linked)],
    };
  }

  const sameKey = input.accounts.filter((a) => normalizeIdentityKey(a.userName) === key);
  const others = byKey ? sameKey.filter((a) => a.ownerKey !== undefined) : [];
  if (others.length > 0) {
    return {
      kind: 'conflict',
      reason: `userName ${input.userName} is held by ${others.map((a) => `${a.userName} (owner ${a.ownerKey})`).join(', ')}`,
      accounts: others.map(brief),
    };
  }
  const free = sameKey.filter((a) => !byKey || a.ownerKey === undefined);
  if (free.length > 1)
    return {
      kind: 'conflict',
      reason: `${free.length} accounts share userName ${input.userName}`,
      accounts: free.map(brief),
    };
  if (free[0]) return byKey ? { kind: 'adoptable', account: free[0] } : { kind: 'ours', account: free[0] };
  return { kind: 'none' };
}

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
  active: boolean;
  /** Group display names the account is a member of; undefined when the app does not say. */
  groups?: string[];
  /** The resource as the app returned it (the base of a generated PATCH). */
  resource: Record<string, unknown>;
}

export type OwnerRule = 'externalId' | 'userName';

export type Ownership =
  | { kind: 'none' }
  | { kind: 'ours'; account: ObservedAccount }
  /** Same identity key, no externalId, not linked to anyone: this person's to adopt. */
  | { kind: 'adoptable'; account: ObservedAccount }
  | { kind: 'conflict'; reason: string; accounts: { id: string; userName: string; externalId?: string }[] };

export interface OwnershipInput {
  accounts: readonly ObservedAccount[];
  /** The externalId scimflow writes for this person (normally the employeeId). */
  externalId: string;
  /** The userName this person's account has in this app. */
  userName: string;
  /** The account scimflow linked earlier, if any. */
  linkedId?: string;
  owner: OwnerRule;
}

const brief = (a: ObservedAccount) => ({ id: a.id, userName: a.userName, ...(a.externalId !== undefined ? { externalId: a.externalId } : {}) });

export function decideOwnership(input: OwnershipInput): Ownership {
  const key = normalizeIdentityKey(input.userName);
  const mine = input.accounts.filter((a) => a.externalId === input.externalId);
  if (mine.length > 1) {
    return { kind: 'conflict', reason: `${mine.length} accounts carry externalId ${input.externalId}`, accounts: mine.map(brief) };
  }
  if (mine[0]) return { kind: 'ours', account: mine[0] };

  const linked = input.linkedId !== undefined ? input.accounts.find((a) => a.id === input.linkedId) : undefined;
  if (linked && (linked.externalId === undefined || linked.externalId === '')) return { kind: 'ours', account: linked };
  if (linked) {
    return {
      kind: 'conflict',
      reason: `the linked account ${linked.id} now carries externalId ${linked.externalId}, not ${input.externalId}`,
      accounts: [brief(linked)],
    };
  }

  const sameKey = input.accounts.filter((a) => normalizeIdentityKey(a.userName) === key);
  const others = sameKey.filter((a) => a.externalId !== undefined && a.externalId !== '');
  if (others.length > 0 && input.owner === 'externalId') {
    return {
      kind: 'conflict',
      reason: `userName ${input.userName} is held by ${others.map((a) => `${a.userName} (externalId ${a.externalId})`).join(', ')}`,
      accounts: others.map(brief),
    };
  }
  const free = sameKey.filter((a) => a.externalId === undefined || a.externalId === '' || input.owner === 'userName');
  if (free.length > 1) return { kind: 'conflict', reason: `${free.length} accounts share userName ${input.userName}`, accounts: free.map(brief) };
  if (free[0]) return input.owner === 'userName' ? { kind: 'ours', account: free[0] } : { kind: 'adoptable', account: free[0] };
  return { kind: 'none' };
}

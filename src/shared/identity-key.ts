// Identity-key normalisation: the one comparison of userNames (and group displayNames) that the
// connectors and the lifecycle planner share. Pure (no I/O, no Node built-ins): workflows may import it.
//
// userName is caseExact=false (RFC 7643 §4.1.1), and so is Group.displayName (§4.2): two spellings
// that differ only in case, Unicode compatibility form (full-width letters, ligatures, composed vs
// decomposed accents) or surrounding white space name the same account. externalId is caseExact=true
// (RFC 7643 §3.1) and is compared exactly, never through this function.

/**
 * NFKC, trimmed, case-folded. Case folding is approximated with toLowerCase → toUpperCase →
 * toLowerCase, which folds like Unicode full case folding for the cases that matter in account
 * names (ß/ẞ/SS → ss, final sigma ς → σ, ſ → s); NFKC runs again because case mapping can leave a
 * string unnormalised (İ → i + U+0307).
 */
export function normalizeIdentityKey(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

/** Whether two identity keys (userNames, group displayNames) name the same thing. */
export function sameIdentityKey(a: string, b: string): boolean {
  return a === b || normalizeIdentityKey(a) === normalizeIdentityKey(b);
}

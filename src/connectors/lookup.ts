// The request plan of an identity lookup (Connector.lookupUsers): which filtered GETs it sends.
// Pure and profile-derived, so its cost is known before any request (lookupCost).
import { canFilter, eqAnyFilter, eqFilter } from './filters';
import type { Capabilities } from './types';

/**
 * The `filter` of each GET /Users a lookup sends, in order: one `userName eq … or externalId eq …`
 * where the profile evaluates `or` on both (RFC 7644 §3.4.2.2); otherwise one `eq` per attribute
 * the app filters, userName first. externalId joins only where the app keeps it (`owner` by
 * externalId) and filters on it. Never an unfiltered listing: an empty result means no request.
 */
export function lookupFilters(
  profile: Capabilities,
  q: { userName?: string | undefined; externalId?: string | undefined },
): string[] {
  const f = profile.filter;
  const terms: [string, string][] = [];
  if (q.userName !== undefined && canFilter(f.userAttributes, f.operators, 'userName'))
    terms.push(['userName', q.userName]);
  if (
    q.externalId !== undefined &&
    profile.owner.by === 'externalId' &&
    canFilter(f.userAttributes, f.operators, 'externalId')
  ) {
    terms.push(['externalId', q.externalId]);
  }
  if (terms.length > 1 && !f.singleTerm && f.operators.includes('or')) return [eqAnyFilter(terms)];
  return terms.map(([a, v]) => eqFilter(a, v));
}

/**
 * Requests one `lookupUsers` costs on this profile (each filtered GET is one request: a userName or
 * externalId match never fills a page). `externalId: false` = a lookup without an externalId.
 * 0 = the profile cannot filter on userName, and lookupUsers refuses (UNSUPPORTED) rather than list everyone.
 */
export function lookupCost(profile: Capabilities, keys: { externalId?: boolean } = {}): number {
  if (!canFilter(profile.filter.userAttributes, profile.filter.operators, 'userName')) return 0;
  return lookupFilters(profile, { userName: 'u', ...(keys.externalId === false ? {} : { externalId: 'x' }) }).length;
}

// Outgoing filter expressions, built with the SCIM core's safe builder: values are always JSON
// literals (RFC 7644 §3.4.2.2 compValue), so a userName can never break out of its quotes.
import { eq, formatFilter, or } from '../scim';

export function eqFilter(attribute: string, value: string): string {
  return formatFilter(eq(attribute, value));
}

/** Whether the profile lets us ask the server to filter on `attribute` with `eq`. */
export function canFilter(attributes: readonly string[], operators: readonly string[], attribute: string): boolean {
  if (!operators.includes('eq')) return false;
  const lower = attribute.toLowerCase();
  return attributes.some((a) => a === '*' || a.toLowerCase() === lower);
}

/** `a eq "x" or b eq "y"`: one request instead of one per attribute, where the app evaluates `or`. */
export function eqAnyFilter(terms: readonly (readonly [string, string])[]): string {
  const nodes = terms.map(([a, v]) => eq(a, v));
  return formatFilter(nodes.length === 1 ? nodes[0]! : or(...nodes));
}

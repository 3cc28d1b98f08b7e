// Outgoing filter expressions. Values are JSON-encoded (RFC 7644 §3.4.2.2: compValue is a JSON
// string literal), so a userName can never break out of its quotes.

export function eqFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}

/** Whether the profile lets us ask the server to filter on `attribute` with `eq`. */
export function canFilter(attributes: readonly string[], operators: readonly string[], attribute: string): boolean {
  if (!operators.includes('eq')) return false;
  const lower = attribute.toLowerCase();
  return attributes.some((a) => a === '*' || a.toLowerCase() === lower);
}

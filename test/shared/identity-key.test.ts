import { normalizeIdentityKey, sameIdentityKey } from '../../src/shared/identity-key';

test.each([
  ['Alice@Example.COM', 'alice@example.com'],
  ['  alice@example.com\t', 'alice@example.com'],
  ['ａｌｉｃｅ@example.com', 'alice@example.com'], // full-width (NFKC)
  ['ﬁona@example.com', 'fiona@example.com'], // ligature (NFKC)
  ['Jose\u0301@example.com', 'jos\u00e9@example.com'], // decomposed vs composed accent
  ['STRASSE', 'straße'],
  ['straẞe', 'strasse'],
  ['ΟΔΟΣ', 'οδοσ'],
])('%s ≡ %s', (a, b) => {
  expect(normalizeIdentityKey(a)).toBe(normalizeIdentityKey(b));
  expect(sameIdentityKey(a, b)).toBe(true);
});

test.each([
  ['alice@example.com', 'alice2@example.com'],
  ['alice@example.com', 'alice.@example.com'],
  ['a b', 'ab'],
])('%s ≢ %s', (a, b) => {
  expect(sameIdentityKey(a, b)).toBe(false);
});

test('idempotent', () => {
  for (const s of ['İstanbul', 'ΟΔΟΣ', 'ﬁ', ' Mixed Case ']) {
    const once = normalizeIdentityKey(s);
    expect(normalizeIdentityKey(once)).toBe(once);
  }
});

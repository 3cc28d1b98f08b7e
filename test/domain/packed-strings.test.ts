// The people index's packed strings: every string comes back exactly (Latin-1, wider characters,
// lone surrogates, empty, undefined, longer than a decode chunk), and the key index answers as a Map would.
import fc from 'fast-check';
import {
  appendString,
  getKey,
  keyIndex,
  setKey,
  stringAt,
  stringColumn,
  stringEquals,
} from '../../src/domain/packed-strings';

const anyString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('a', 'é', 'ÿ', '\u0100', '€', '\ud800', '\udfff', '😀', '\u0000') }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
);

describe('StringColumn', () => {
  it('gives every string back, and compares without building it', () => {
    fc.assert(
      fc.property(fc.array(fc.option(anyString, { nil: undefined }), { maxLength: 300 }), (values) => {
        const c = stringColumn();
        values.forEach((v, i) => expect(appendString(c, v)).toBe(i));
        values.forEach((v, i) => {
          expect(stringAt(c, i)).toBe(v);
          for (const other of [v, ...values.slice(0, 3)])
            if (other !== undefined) expect(stringEquals(c, i, other)).toBe(v === other);
        });
      }),
    );
  });

  it('keeps strings longer than a decode chunk, and wide ones among Latin-1 ones', () => {
    const c = stringColumn();
    const long = 'x'.repeat(20_000) + 'é'.repeat(5_000);
    const wide = 'Łukasz 山田';
    for (const s of ['ann', long, wide, '', 'bob']) appendString(c, s);
    expect([0, 1, 2, 3, 4].map((i) => stringAt(c, i))).toEqual(['ann', long, wide, '', 'bob']);
    expect(c.wide.size).toBe(1);
    expect(c.used).toBe(3 + long.length + 3);
  });
});

describe('KeyIndex', () => {
  it('answers as a Map would, through growth and overwrites', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyString, fc.integer({ min: -5, max: 1_000 })), { maxLength: 2_000 }), (ops) => {
        const ix = keyIndex();
        const m = new Map<string, number>();
        for (const [k, v] of ops) {
          setKey(ix, k, v);
          m.set(k, v);
        }
        expect(ix.size).toBe(m.size);
        for (const [k, v] of m) expect(getKey(ix, k)).toBe(v);
        for (const [k] of ops) expect(getKey(ix, `${k}\u0001`)).toBe(m.get(`${k}\u0001`));
      }),
      { numRuns: 60 },
    );
  });

  it('holds 100k keys (ids and e-mail addresses) and finds each', () => {
    const ix = keyIndex();
    for (let i = 0; i < 100_000; i++) setKey(ix, `user${i}@example.com`, i);
    expect(ix.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(getKey(ix, `user${i}@example.com`)).toBe(i);
    expect(getKey(ix, 'user100000@example.com')).toBeUndefined();
    expect(ix.slots.length).toBeGreaterThanOrEqual(200_000);
  });
});

// The people index's columns: every string comes back exactly (Latin-1, wider characters, lone
// surrogates, empty, undefined, across and beyond chunks), numbers past the first chunks, and the key
// index answers as a Map would.
import fc from 'fast-check';
import {
  appendString,
  getKey,
  keyIndex,
  numberAt,
  numberColumn,
  setKey,
  setNumber,
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

  it('keeps strings across chunk boundaries, longer than a chunk, and wide ones among Latin-1 ones', () => {
    const c = stringColumn();
    const long = 'x'.repeat(20_000) + 'é'.repeat(5_000);
    const huge = 'y'.repeat(70_000);
    const wide = 'Łukasz 山田';
    const all: string[] = [];
    // 30 k strings of 1–37 characters (some empty): several chunks, each ending with a string that did not fit.
    for (let i = 0; i < 30_000; i++) all.push(i % 1000 === 0 ? '' : `user${i}@example.com`.slice(0, 1 + (i % 37)));
    all.splice(7, 0, long, wide, huge);
    for (const s of all) appendString(c, s);
    expect(all.map((_, i) => stringAt(c, i))).toEqual(all);
    all.forEach((s, i) => expect(stringEquals(c, i, s)).toBe(true));
    expect([...c.aside.values()]).toEqual([wide, huge]);
    expect(c.bytes.length).toBeGreaterThan(5);
    expect(c.bytes.every((b) => b.length <= 65_536)).toBe(true);
  });
});

describe('NumberColumn', () => {
  it('holds values past its first chunks, in every element type', () => {
    const i32 = numberColumn((n) => new Int32Array(n));
    const f64 = numberColumn((n) => new Float64Array(n));
    const u8 = numberColumn((n) => new Uint8Array(n));
    for (let i = 0; i < 50_000; i++) {
      setNumber(i32, i, 7 - i);
      setNumber(f64, i, i === 3 ? Number.NaN : i * 1e9);
      setNumber(u8, i, i % 4);
    }
    for (let i = 0; i < 50_000; i += 7) {
      expect(numberAt(i32, i)).toBe(7 - i);
      expect(numberAt(f64, i)).toBe(i === 3 ? Number.NaN : i * 1e9);
      expect(numberAt(u8, i)).toBe(i % 4);
    }
    expect(Number.isNaN(numberAt(f64, 3))).toBe(true);
    expect(i32.chunks.length).toBe(4);
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
    expect(ix.slots.length * 3).toBeGreaterThanOrEqual(100_000 * 4);
  });
});

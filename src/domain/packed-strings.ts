// Strings kept as bytes in one growable buffer instead of as heap strings, and a string-keyed hash
// index over such a buffer. The people index of a reconciliation holds a few strings per person
// (ids, keys, the desired user's values) for 100k people: as heap strings (and Map entries) they are
// hundreds of thousands of objects that survive the young generation, make V8 grow it to its
// maximum and stay for the GC to trace; as bytes they are a few typed arrays. Pure: no I/O.
//
// Latin-1 text (every character ≤ U+00FF: ASCII ids, e-mail addresses, most names) is stored one
// byte per character, exactly; a string with any wider character is kept as it is, aside (rare).

export interface StringColumn {
  /** Latin-1 strings, one byte per character, back to back. */
  bytes: Uint8Array;
  used: number;
  /** Where string i ends in `bytes` (it starts where i - 1 ends); `-1 - end` when it is not there (wide or undefined). */
  ends: Int32Array;
  /** The strings with a character above U+00FF, by number; a number that is in neither is undefined. */
  wide: Map<number, string>;
  size: number;
}

export function stringColumn(): StringColumn {
  return { bytes: new Uint8Array(4096), used: 0, ends: new Int32Array(1024), wide: new Map(), size: 0 };
}

export type Column = Uint8Array | Int32Array | Float64Array;

/** `a`, or a copy twice as long when `need` does not fit (amortised appends). */
export function grown<T extends Column>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

const endOf = (e: number): number => (e < 0 ? -1 - e : e);
const startOf = (c: StringColumn, i: number): number => (i === 0 ? 0 : endOf(c.ends[i - 1]!));

/** Appends `s` as string number `size` (returned). */
export function appendString(c: StringColumn, s: string | undefined): number {
  const i = c.size++;
  c.ends = grown(c.ends, c.size);
  if (s !== undefined) {
    c.bytes = grown(c.bytes, c.used + s.length);
    let j = 0;
    for (; j < s.length; j++) {
      const ch = s.charCodeAt(j);
      if (ch > 0xff) break;
      c.bytes[c.used + j] = ch;
    }
    if (j === s.length) {
      c.used += s.length;
      c.ends[i] = c.used;
      return i;
    }
    c.wide.set(i, s);
  }
  c.ends[i] = -1 - c.used;
  return i;
}

const CHUNK = 8192;

export function stringAt(c: StringColumn, i: number): string | undefined {
  const e = c.ends[i]!;
  if (e < 0) return c.wide.get(i);
  const from = startOf(c, i);
  if (e - from <= CHUNK) return String.fromCharCode.apply(null, c.bytes.subarray(from, e) as unknown as number[]);
  let out = '';
  for (let k = from; k < e; k += CHUNK)
    out += String.fromCharCode.apply(null, c.bytes.subarray(k, Math.min(e, k + CHUNK)) as unknown as number[]);
  return out;
}

/** Whether string number `i` is `s` (undefined is never equal), without building it. */
export function stringEquals(c: StringColumn, i: number, s: string): boolean {
  const e = c.ends[i]!;
  if (e < 0) return c.wide.get(i) === s;
  const from = startOf(c, i);
  if (e - from !== s.length) return false;
  for (let j = 0; j < s.length; j++) if (c.bytes[from + j] !== s.charCodeAt(j)) return false;
  return true;
}

/** A string → int32 map whose keys live in a StringColumn (open addressing, linear probing). */
export interface KeyIndex {
  keys: StringColumn;
  hashes: Int32Array;
  values: Int32Array;
  /** Entry number + 1 per slot; 0: empty. Power-of-two length, at most half full. */
  slots: Int32Array;
  size: number;
}

export function keyIndex(): KeyIndex {
  return {
    keys: stringColumn(),
    hashes: new Int32Array(512),
    values: new Int32Array(512),
    slots: new Int32Array(1024),
    size: 0,
  };
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
  return h | 0;
}

/** The slot holding `key`, or the empty slot where it would go. */
function slotOf(ix: KeyIndex, key: string, h: number): number {
  const mask = ix.slots.length - 1;
  for (let s = h & mask; ; s = (s + 1) & mask) {
    const e = ix.slots[s]! - 1;
    if (e < 0 || (ix.hashes[e] === h && stringEquals(ix.keys, e, key))) return s;
  }
}

export function getKey(ix: KeyIndex, key: string): number | undefined {
  const e = ix.slots[slotOf(ix, key, hashOf(key))]! - 1;
  return e < 0 ? undefined : ix.values[e];
}

export function setKey(ix: KeyIndex, key: string, value: number): void {
  const h = hashOf(key);
  const s = slotOf(ix, key, h);
  const found = ix.slots[s]! - 1;
  if (found >= 0) {
    ix.values[found] = value;
    return;
  }
  const e = appendString(ix.keys, key);
  ix.size++;
  ix.hashes = grown(ix.hashes, ix.size);
  ix.values = grown(ix.values, ix.size);
  ix.hashes[e] = h;
  ix.values[e] = value;
  ix.slots[s] = e + 1;
  if (ix.size * 2 > ix.slots.length) rehash(ix, ix.slots.length * 2);
}

function rehash(ix: KeyIndex, capacity: number): void {
  const slots = new Int32Array(capacity);
  const mask = capacity - 1;
  for (let e = 0; e < ix.size; e++) {
    let s = ix.hashes[e]! & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = e + 1;
  }
  ix.slots = slots;
}

// Growable columns for the people index, kept out of the JS heap: numbers in typed-array chunks,
// strings as bytes in one chunked buffer, and a string-keyed hash index over such strings. 100k
// people's ids and keys as heap strings (and Map entries) are hundreds of thousands of objects that
// survive the young generation and stay for the GC to trace; as bytes they are a few typed arrays.
// Chunks are never copied or freed as a column grows (only the first grows, up to one chunk), so
// the slack is at most one chunk per column and the allocator is left with no holes. Pure: no I/O.
//
// Latin-1 text (every character ≤ U+00FF: ASCII ids, e-mail addresses, most names) is stored one
// byte per character, exactly; a string with any wider character, or longer than a chunk, is kept
// as it is, aside (rare).

type Typed = Uint8Array | Int32Array | Float64Array;

const SHIFT = 14;
/** Elements per chunk of a number column. */
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export interface NumberColumn<T extends Typed> {
  chunks: T[];
  make: (n: number) => T;
}

export function numberColumn<T extends Typed>(make: (n: number) => T): NumberColumn<T> {
  return { chunks: [], make };
}

export function numberAt(c: NumberColumn<Typed>, i: number): number {
  return c.chunks[i >>> SHIFT]![i & MASK]!;
}

/** Sets element `i`; columns are filled in order, so `i` is at most one past the last set. */
export function setNumber(c: NumberColumn<Typed>, i: number, v: number): void {
  const k = i >>> SHIFT;
  const at = i & MASK;
  let chunk = c.chunks[k];
  if (chunk === undefined) c.chunks.push((chunk = c.make(k === 0 ? 256 : CHUNK)));
  else if (at >= chunk.length) {
    // Only the first chunk starts small (an index of ten people stays small), and doubles up to CHUNK.
    const bigger = c.make(Math.min(CHUNK, chunk.length * 2));
    bigger.set(chunk);
    c.chunks[k] = chunk = bigger;
  }
  chunk[at] = v;
}

const BYTE_SHIFT = 16;
/** Bytes per chunk of a string column; a string never spans two. */
const BYTE_CHUNK = 1 << BYTE_SHIFT;

export interface StringColumn {
  /** Latin-1 strings, one byte per character, back to back within each chunk. */
  bytes: Uint8Array[];
  used: number;
  /**
   * Where string i ends (an offset over all chunks); it starts where i - 1 ends, or at its chunk's
   * start when it did not fit in the rest of that chunk. `-1 - end` when it is not there (aside or undefined).
   */
  ends: NumberColumn<Int32Array>;
  /** The strings kept as they are (a character above U+00FF, or longer than a chunk), by number; a number in neither is undefined. */
  aside: Map<number, string>;
  size: number;
}

export function stringColumn(): StringColumn {
  return { bytes: [], used: 0, ends: numberColumn((n) => new Int32Array(n)), aside: new Map(), size: 0 };
}

const endOf = (e: number): number => (e < 0 ? -1 - e : e);

/** Where string `i` (stored as bytes, ending at `end`) starts. */
function startOf(c: StringColumn, i: number, end: number): number {
  const prev = i === 0 ? 0 : endOf(numberAt(c.ends, i - 1));
  return end === prev || prev >>> BYTE_SHIFT === (end - 1) >>> BYTE_SHIFT
    ? prev
    : ((end - 1) >>> BYTE_SHIFT) << BYTE_SHIFT;
}

/** Appends `s` as string number `size` (returned). */
export function appendString(c: StringColumn, s: string | undefined): number {
  const i = c.size++;
  if (s !== undefined && s.length <= BYTE_CHUNK && latin1(s)) {
    let from = c.used;
    if ((from & (BYTE_CHUNK - 1)) + s.length > BYTE_CHUNK) from = ((from >>> BYTE_SHIFT) + 1) << BYTE_SHIFT;
    const k = from >>> BYTE_SHIFT;
    const at = from & (BYTE_CHUNK - 1);
    let chunk = c.bytes[k];
    if (chunk === undefined) c.bytes.push((chunk = new Uint8Array(k === 0 ? 4096 : BYTE_CHUNK)));
    if (at + s.length > chunk.length) {
      let n = chunk.length * 2;
      while (n < at + s.length) n *= 2;
      const bigger = new Uint8Array(Math.min(BYTE_CHUNK, n));
      bigger.set(chunk);
      c.bytes[k] = chunk = bigger;
    }
    for (let j = 0; j < s.length; j++) chunk[at + j] = s.charCodeAt(j);
    c.used = from + s.length;
    setNumber(c.ends, i, c.used);
    return i;
  }
  if (s !== undefined) c.aside.set(i, s);
  setNumber(c.ends, i, -1 - c.used);
  return i;
}

function latin1(s: string): boolean {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) > 0xff) return false;
  return true;
}

const DECODE = 8192;

export function stringAt(c: StringColumn, i: number): string | undefined {
  const end = numberAt(c.ends, i);
  if (end < 0) return c.aside.get(i);
  const from = startOf(c, i, end);
  const chunk = c.bytes[from >>> BYTE_SHIFT];
  if (chunk === undefined) return '';
  const at = from & (BYTE_CHUNK - 1);
  let out = '';
  for (let k = at; k < at + end - from; k += DECODE)
    out += String.fromCharCode.apply(
      null,
      chunk.subarray(k, Math.min(at + end - from, k + DECODE)) as unknown as number[],
    );
  return out;
}

/** Whether string number `i` is `s` (undefined is never equal), without building it. */
export function stringEquals(c: StringColumn, i: number, s: string): boolean {
  const end = numberAt(c.ends, i);
  if (end < 0) return c.aside.get(i) === s;
  const from = startOf(c, i, end);
  if (end - from !== s.length) return false;
  const chunk = c.bytes[from >>> BYTE_SHIFT]!;
  const at = from & (BYTE_CHUNK - 1);
  for (let j = 0; j < s.length; j++) if (chunk[at + j] !== s.charCodeAt(j)) return false;
  return true;
}

/** A string → int32 map whose keys live in a StringColumn (open addressing, linear probing). */
export interface KeyIndex {
  keys: StringColumn;
  values: NumberColumn<Int32Array>;
  /** Entry number + 1 per slot; 0: empty. Power-of-two length, at most three quarters full. */
  slots: Int32Array;
  size: number;
}

export function keyIndex(): KeyIndex {
  return { keys: stringColumn(), values: numberColumn((n) => new Int32Array(n)), slots: new Int32Array(256), size: 0 };
}

/** FNV-1a over the UTF-16 code units (a Latin-1 string's bytes are its code units). */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
  return h;
}

/** The slot holding `key`, or the empty slot where it would go. */
function slotOf(ix: KeyIndex, key: string): number {
  const mask = ix.slots.length - 1;
  for (let s = hashOf(key) & mask; ; s = (s + 1) & mask) {
    const e = ix.slots[s]! - 1;
    if (e < 0 || stringEquals(ix.keys, e, key)) return s;
  }
}

export function getKey(ix: KeyIndex, key: string): number | undefined {
  const e = ix.slots[slotOf(ix, key)]! - 1;
  return e < 0 ? undefined : numberAt(ix.values, e);
}

export function setKey(ix: KeyIndex, key: string, value: number): void {
  const s = slotOf(ix, key);
  const found = ix.slots[s]! - 1;
  if (found >= 0) {
    setNumber(ix.values, found, value);
    return;
  }
  const e = appendString(ix.keys, key);
  setNumber(ix.values, e, value);
  ix.slots[s] = e + 1;
  ix.size++;
  if (ix.size * 4 > ix.slots.length * 3) rehash(ix, ix.slots.length * 2);
}

/** hashOf(key number `e`), from its bytes. */
function hashAt(keys: StringColumn, e: number): number {
  const end = numberAt(keys.ends, e);
  if (end < 0) return hashOf(keys.aside.get(e)!);
  const from = startOf(keys, e, end);
  const chunk = keys.bytes[from >>> BYTE_SHIFT]!;
  const at = from & (BYTE_CHUNK - 1);
  let h = 0x811c9dc5;
  for (let j = at; j < at + end - from; j++) h = Math.imul(h ^ chunk[j]!, 0x01000193);
  return h;
}

function rehash(ix: KeyIndex, capacity: number): void {
  const slots = new Int32Array(capacity);
  const mask = capacity - 1;
  for (let e = 0; e < ix.size; e++) {
    let s = hashAt(ix.keys, e) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = e + 1;
  }
  ix.slots = slots;
}

import { InvalidFilterError, InvalidPathError } from '../errors';

export type TokenKind = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Raw text for words; decoded value for strings; numeric value for numbers. */
  text: string;
  num: number;
  pos: number;
}

export type ErrorFactory = (detail: string, position: number) => Error;
export const filterError: ErrorFactory = (d, p) => new InvalidFilterError(d, p);
export const pathError: ErrorFactory = (d, p) => new InvalidPathError(d, p);

// Word characters: ATTRNAME nameChar plus the URI characters that occur in schema URNs
// (":" and "."), and "$" for the `$ref` sub-attribute RFC 7643 §2.4 defines.
function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 /* _ */ ||
    c === 45 /* - */ ||
    c === 46 /* . */ ||
    c === 58 /* : */ ||
    c === 36 /* $ */
  );
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Tokenises filter/path text. RFC 7644 §3.4.2.2 separates tokens with a single SP; any run of
 * whitespace is accepted since clients URL-decode "+" inconsistently.
 */
export function tokenize(text: string, err: ErrorFactory = filterError): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 40 || c === 41 || c === 91 || c === 93) {
      out.push({ kind: text[i] as TokenKind, text: text[i] as string, num: 0, pos: i });
      i++;
      continue;
    }
    if (c === 34 /* " */) {
      const start = i;
      i = scanString(text, i, err);
      let value: string;
      try {
        value = JSON.parse(text.slice(start, i)) as string;
      } catch {
        throw err('invalid string literal', start);
      }
      out.push({ kind: 'string', text: value, num: 0, pos: start });
      continue;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text);
      if (!m) throw err('invalid number literal', i);
      const end = i + m[0].length;
      if (end < n && isWordChar(text.charCodeAt(end))) throw err('invalid number literal', i);
      out.push({ kind: 'number', text: m[0], num: Number(m[0]), pos: i });
      i = end;
      continue;
    }
    if (isWordChar(c)) {
      const start = i;
      while (i < n && isWordChar(text.charCodeAt(i))) i++;
      out.push({ kind: 'word', text: text.slice(start, i), num: 0, pos: start });
      continue;
    }
    throw err(`unexpected character ${JSON.stringify(text[i])}`, i);
  }
  out.push({ kind: 'eof', text: '', num: 0, pos: n });
  return out;
}

/** Returns the index after the closing quote of the JSON string starting at `i`. */
function scanString(text: string, i: number, err: ErrorFactory): number {
  const start = i;
  i++;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c < 32) throw err('control character in string literal', i);
    i++;
  }
  throw err('unterminated string literal', start);
}

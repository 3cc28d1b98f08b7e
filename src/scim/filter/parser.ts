import { type AttrRef, COMPARE_OPERATORS, type CompareOperator, type FilterAst, type FilterValue } from './ast';
import { type ErrorFactory, type Token, filterError, tokenize } from './lexer';

const ATTRNAME_RE = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Splits an attribute path word into URI, name and sub-attribute (RFC 7644 §3.4.2.2 `attrPath`).
 * Schema URNs themselves contain "." (e.g. "enterprise:2.0:User"), so the URN is cut at the last
 * ":" before the dotted part is split.
 */
export function parseAttrRef(word: string, pos: number, err: ErrorFactory = filterError): AttrRef {
  let uri: string | undefined;
  let rest = word;
  let restPos = pos;
  if (/^urn:/i.test(word)) {
    const colon = word.lastIndexOf(':');
    uri = word.slice(0, colon);
    rest = word.slice(colon + 1);
    restPos = pos + colon + 1;
    if (rest === '') throw err('attribute name expected after schema URN', restPos);
  } else if (word.includes(':')) {
    throw err(`invalid attribute path "${word}"`, pos);
  }
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  if (!ATTRNAME_RE.test(name)) throw err(`invalid attribute name "${name}"`, restPos);
  const ref: AttrRef = uri === undefined ? { name } : { uri, name };
  if (dot >= 0) {
    const sub = rest.slice(dot + 1);
    if (!ATTRNAME_RE.test(sub)) throw err(`invalid sub-attribute name "${sub}"`, restPos + dot + 1);
    ref.sub = sub;
  }
  return ref;
}

/** Recursive-descent parser over the RFC 7644 §3.4.2.2 filter grammar. */
export class FilterParser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly err: ErrorFactory = filterError,
  ) {}

  peek(): Token {
    return this.toks[this.i] as Token;
  }
  next(): Token {
    return this.toks[this.i++] as Token;
  }
  expect(kind: Token['kind'], what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw this.err(`expected ${what} but found ${describe(t)}`, t.pos);
    return t;
  }
  fail(t: Token, what: string): never {
    throw this.err(`expected ${what} but found ${describe(t)}`, t.pos);
  }

  /** Precedence per RFC 7644 §3.4.2.2: "and" binds tighter than "or"; both left-associative. */
  parseOr(inValuePath: boolean): FilterAst {
    let left = this.parseAnd(inValuePath);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'word' || t.text.toLowerCase() !== 'or') return left;
      this.i++;
      left = { op: 'or', left, right: this.parseAnd(inValuePath) };
    }
  }

  private parseAnd(inValuePath: boolean): FilterAst {
    let left = this.parseUnary(inValuePath);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'word' || t.text.toLowerCase() !== 'and') return left;
      this.i++;
      left = { op: 'and', left, right: this.parseUnary(inValuePath) };
    }
  }

  private parseUnary(inValuePath: boolean): FilterAst {
    const t = this.peek();
    if (t.kind === '(') {
      this.i++;
      const inner = this.parseOr(inValuePath);
      this.expect(')', '")"');
      return inner;
    }
    if (t.kind === 'word' && t.text.toLowerCase() === 'not' && this.toks[this.i + 1]?.kind === '(') {
      // ABNF: *1"not" "(" FILTER ")" — "not" always takes a parenthesised operand.
      this.i += 2;
      const inner = this.parseOr(inValuePath);
      this.expect(')', '")"');
      return { op: 'not', filter: inner };
    }
    if (t.kind !== 'word') this.fail(t, 'attribute path, "not" or "("');
    this.i++;
    const attr = parseAttrRef(t.text, t.pos, this.err);
    const opTok = this.next();
    if (opTok.kind === '[') {
      // valFilter may not itself contain a valuePath (ABNF `valFilter` has no valuePath branch).
      if (inValuePath) throw this.err('nested value filters are not allowed', opTok.pos);
      if (attr.sub !== undefined)
        throw this.err('value filter must follow an attribute, not a sub-attribute', opTok.pos);
      const filter = this.parseOr(true);
      this.expect(']', '"]"');
      return { op: 'valuePath', attr, filter };
    }
    if (opTok.kind !== 'word') this.fail(opTok, 'comparison operator');
    const op = opTok.text.toLowerCase();
    if (op === 'pr') return { op: 'pr', attr };
    if (!COMPARE_OPERATORS.has(op)) throw this.err(`unknown operator "${opTok.text}"`, opTok.pos);
    return { op: op as CompareOperator, attr, value: this.parseValue() };
  }

  private parseValue(): FilterValue {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return t.text;
      case 'number':
        return t.num;
      case 'word': {
        // RFC 7159 literals are lower-case; accepted case-insensitively like the rest of the grammar.
        const w = t.text.toLowerCase();
        if (w === 'true') return true;
        if (w === 'false') return false;
        if (w === 'null') return null;
        break;
      }
      default:
        break;
    }
    return this.fail(t, 'a JSON value (string, number, true, false or null)');
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string ${JSON.stringify(t.text)}`;
    case 'number':
      return `number ${t.text}`;
    case 'word':
      return `"${t.text}"`;
    default:
      return `"${t.kind}"`;
  }
}

/** Parses a SCIM filter (RFC 7644 §3.4.2.2). Throws InvalidFilterError with the offending position. */
export function parseFilter(text: string): FilterAst {
  if (typeof text !== 'string') throw filterError('filter must be a string', 0);
  const p = new FilterParser(tokenize(text));
  if (p.peek().kind === 'eof') throw filterError('empty filter', 0);
  const ast = p.parseOr(false);
  const t = p.peek();
  if (t.kind !== 'eof') p.fail(t, '"and", "or" or end of filter');
  return ast;
}

import { type AttributeCatalog, DEFAULT_CATALOG } from './attributes';
import { InvalidPathError } from './errors';
import { type FilterAst } from './filter/ast';
import { formatFilter } from './filter/format';
import { tokenize, pathError } from './filter/lexer';
import { FilterParser, parseAttrRef } from './filter/parser';

/**
 * RFC 7644 §3.5.2 PATCH path: `PATH = attrPath / valuePath [subAttr]`.
 * `attr` is absent only when the path names a whole extension (e.g. the enterprise URN), which
 * Entra ID and others send to add/replace the extension object in one operation.
 */
export interface AttributePath {
  uri?: string;
  attr?: string;
  /** Value filter selecting elements of a multi-valued attribute. */
  filter?: FilterAst;
  sub?: string;
}

/** Parses a PATCH path. Throws InvalidPathError with the character position on malformed input. */
export function parsePath(text: string, catalog: AttributeCatalog = DEFAULT_CATALOG): AttributePath {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidPathError('path must be a non-empty string', 0);
  const trimmed = text.trim();
  // A bare schema URN (no attribute) addresses the extension object itself.
  if (catalog.extensions.has(trimmed.toLowerCase()) || catalog.coreUrns.has(trimmed.toLowerCase())) {
    const ext = catalog.extensions.get(trimmed.toLowerCase());
    return { uri: ext?.urn ?? trimmed };
  }
  const toks = tokenize(text, pathError);
  const first = toks[0];
  if (!first || first.kind !== 'word') throw new InvalidPathError('expected attribute path', first?.pos ?? 0);
  const ref = parseAttrRef(first.text, first.pos, pathError);
  const out: AttributePath = {};
  if (ref.uri !== undefined) out.uri = ref.uri;
  out.attr = ref.name;
  if (ref.sub !== undefined) out.sub = ref.sub;
  const second = toks[1];
  if (!second || second.kind === 'eof') return out;
  if (second.kind !== '[') throw new InvalidPathError(`unexpected ${JSON.stringify(second.text)} in path`, second.pos);
  if (ref.sub !== undefined)
    throw new InvalidPathError('value filter must follow an attribute, not a sub-attribute', second.pos);
  const p = new FilterParser(toks.slice(2), pathError);
  out.filter = p.parseOr(true);
  p.expect(']', '"]"');
  const after = p.next();
  if (after.kind === 'word') {
    // `emails[type eq "work"].value`: the lexer reads ".value" as one word.
    if (!after.text.startsWith('.'))
      throw new InvalidPathError(`unexpected "${after.text}" after value filter`, after.pos);
    const sub = parseAttrRef(after.text.slice(1), after.pos + 1, pathError);
    if (sub.sub !== undefined || sub.uri !== undefined)
      throw new InvalidPathError('only one sub-attribute may follow a value filter', after.pos);
    out.sub = sub.name;
    const end = p.next();
    if (end.kind !== 'eof')
      throw new InvalidPathError(`unexpected ${JSON.stringify(end.text)} at end of path`, end.pos);
  } else if (after.kind !== 'eof') {
    throw new InvalidPathError(`unexpected ${JSON.stringify(after.text)} after value filter`, after.pos);
  }
  return out;
}

export function formatPath(p: AttributePath): string {
  let s = p.uri !== undefined ? (p.attr !== undefined ? `${p.uri}:${p.attr}` : p.uri) : (p.attr ?? '');
  if (p.filter) s += `[${formatFilter(p.filter)}]`;
  if (p.sub !== undefined) s += `.${p.sub}`;
  return s;
}

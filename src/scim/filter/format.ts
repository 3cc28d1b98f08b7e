import { type AttrRef, type FilterAst, type FilterValue } from './ast';

export function formatAttrRef(a: AttrRef): string {
  const base = a.uri === undefined ? a.name : `${a.uri}:${a.name}`;
  return a.sub === undefined ? base : `${base}.${a.sub}`;
}

/** JSON text for a compValue (RFC 7644 §3.4.2.2 defers to RFC 7159). */
export function formatValue(v: FilterValue): string {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`filter value ${v} has no JSON representation`);
  return JSON.stringify(v);
}

/**
 * Canonical text of a filter AST. Parentheses are emitted only where precedence requires them, plus
 * around a right operand of the same operator so `parseFilter(formatFilter(ast))` rebuilds the
 * exact tree (the parser is left-associative).
 */
export function formatFilter(ast: FilterAst): string {
  switch (ast.op) {
    case 'pr':
      return `${formatAttrRef(ast.attr)} pr`;
    case 'not':
      return `not (${formatFilter(ast.filter)})`;
    case 'valuePath':
      return `${formatAttrRef(ast.attr)}[${formatFilter(ast.filter)}]`;
    case 'and':
    case 'or': {
      const l = ast.left;
      const r = ast.right;
      const ls = ast.op === 'and' && l.op === 'or' ? `(${formatFilter(l)})` : formatFilter(l);
      const rs = r.op === ast.op || (ast.op === 'and' && r.op === 'or') ? `(${formatFilter(r)})` : formatFilter(r);
      return `${ls} ${ast.op} ${rs}`;
    }
    default:
      return `${formatAttrRef(ast.attr)} ${ast.op} ${formatValue(ast.value)}`;
  }
}

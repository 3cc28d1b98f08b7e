/** RFC 7644 §3.4.2.2 comparison operators (Table 3). */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
/** RFC 7644 §3.4.2.2 ABNF `compValue`: false / null / true / number / string. */
export type FilterValue = string | number | boolean | null;

/** ABNF `attrPath = [URI ":"] ATTRNAME *1subAttr`. Names keep the spelling written. */
export interface AttrRef {
  uri?: string;
  name: string;
  sub?: string;
}

export interface CompareNode {
  op: CompareOperator;
  attr: AttrRef;
  value: FilterValue;
}
export interface PresentNode {
  op: 'pr';
  attr: AttrRef;
}
export interface LogicalNode {
  op: 'and' | 'or';
  left: FilterAst;
  right: FilterAst;
}
export interface NotNode {
  op: 'not';
  filter: FilterAst;
}
/** ABNF `valuePath = attrPath "[" valFilter "]"`; attributes inside `filter` are relative to `attr`. */
export interface ValuePathNode {
  op: 'valuePath';
  attr: AttrRef;
  filter: FilterAst;
}

export type FilterAst = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

export const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);

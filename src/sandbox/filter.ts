// Filter evaluation for the sandbox apps: the SCIM core parses and compiles (RFC 7644 §3.4.2.2);
// the restricted apps additionally refuse anything but one `eq` on an allowed attribute, as their
// vendors document (Jasper guide "List Users", Atlassian guide "Limitations", Jostle page "Get Users").
import { compileFilter, isScimError, parseFilter, type FilterAst } from '../scim';
import { fail } from './result';

export interface FilterLimits {
  /** undefined = the full filter grammar; otherwise only `<attr> eq "<value>"` on these attributes. */
  eqOnly?: readonly string[];
}

export type Predicate = (resource: Record<string, unknown>) => boolean;

export function compileResourceFilter(text: string, limits: FilterLimits): Predicate {
  let ast: FilterAst;
  try {
    ast = parseFilter(text);
  } catch (err) {
    if (isScimError(err)) fail(err.status, err.detail, err.scimType);
    throw err;
  }
  if (limits.eqOnly) {
    if (ast.op !== 'eq') fail(400, 'Unsupported filter: only "<attribute> eq <value>" is supported', 'invalidFilter');
    const name = [ast.attr.uri, ast.attr.name].filter(Boolean).join(':') + (ast.attr.sub ? `.${ast.attr.sub}` : '');
    const allowed = limits.eqOnly.some((a) => a.toLowerCase() === name.toLowerCase());
    if (!allowed)
      fail(
        400,
        `Filtering on "${name}" is not supported (supported: ${limits.eqOnly.join(', ') || 'none'})`,
        'invalidFilter',
      );
  }
  try {
    return compileFilter(ast);
  } catch (err) {
    if (isScimError(err)) fail(err.status, err.detail, err.scimType);
    throw err;
  }
}

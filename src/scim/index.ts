// Public API of the pure SCIM 2.0 core (RFC 7643 / RFC 7644). No I/O, no Node APIs: the controller
// workflow runs it (through src/domain/planner's generatePatch), as do the sandbox server and connectors.
export * from './urns';
export {
  ScimError,
  InvalidFilterError,
  TooManyError,
  UniquenessError,
  MutabilityError,
  InvalidSyntaxError,
  InvalidPathError,
  NoTargetError,
  InvalidValueError,
  InvalidVersError,
  SensitiveError,
  NotFoundError,
  isScimError,
  type ScimType,
  type ScimErrorBody,
} from './errors';
export {
  type AttributeType,
  type Mutability,
  type Returned,
  type Uniqueness,
  type AttributeDefinition,
  type SchemaDefinition,
  type AttributeCatalog,
  COMMON_ATTRIBUTES,
  USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  CORE_SCHEMA_DEFINITIONS,
  DEFAULT_CATALOG,
  buildCatalog,
  lookupAttribute,
} from './attributes';
export type {
  FilterAst,
  FilterValue,
  CompareOperator,
  AttrRef,
  CompareNode,
  PresentNode,
  LogicalNode,
  NotNode,
  ValuePathNode,
} from './filter/ast';
export { parseFilter } from './filter/parser';
export { compileFilter, type CompileOptions, type FilterPredicate } from './filter/compile';
export { formatFilter } from './filter/format';
export {
  filter,
  eq,
  ne,
  co,
  sw,
  ew,
  gt,
  ge,
  lt,
  le,
  pr,
  and,
  or,
  not,
  valuePath,
  type BuilderValue,
} from './filter/builder';
export { parsePath, formatPath, type AttributePath } from './attribute-path';
export type { PatchOp, PatchOperation, PatchOperationName, ScimResource } from './patch/types';
export { applyPatch, type ApplyPatchOptions } from './patch/apply';
export { normalizePatchOp, type NormalizeOptions } from './patch/normalize';
export { scimEquivalent, resourcesEquivalentOn, isUnassigned } from './patch/equivalence';
export { generatePatch, type GeneratePatchOptions } from './patch/generate';
export { primaryEmail, type ScimGroup, type ScimMeta, type ScimUser } from './resources';

// The rules layer: pure functions over Employee + PublicConfig (the worker's planning and `scimflow plan`; no workflow imports it).
export { computeEntitlements, type AppEntitlement, type Entitlements } from './entitlements';
export { evaluateCondition, ruleMatches } from './conditions';
export {
  buildDesiredUser,
  managedAttributes,
  renderMappingValue,
  checkAttributePath,
  BASE_MAPPING,
  KIND_MAPPINGS,
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  type DesiredScimUser,
  type AttributeMapping,
} from './mapping';
export {
  compileTemplate,
  renderTemplate,
  slug,
  isAlphanumericTemplate,
  templateYieldsOnly,
  TemplateError,
  EMPLOYEE_FIELDS,
  FILTER_NAMES,
  type CompiledTemplate,
} from './template';

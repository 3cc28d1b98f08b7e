// Configuration: load/validate (loader), secret resolution (secrets, worker only), the workflow-safe view
// (public). Node-only as a whole; workflows import `type`s from './types' and pure helpers from './duration'.
export * from './types';
export { parseDuration, formatDuration, DurationError } from './duration';
export { ConfigError, formatConfigErrors, type ConfigErrorDetail } from './errors';
export {
  loadConfig,
  checkConfigFile,
  parseConfigText,
  summarizeConfig,
  listSecretRefs,
  configPathFromEnv,
  DEFAULT_CONFIG_PATH,
  CONFIG_ENV_VAR,
  type CheckResult,
  type ConfigSummary,
  type LoadOptions,
  type ParseResult,
} from './loader';
export {
  resolveSecrets,
  resolveAppCredentials,
  resolveIngressSecrets,
  secretProblems,
  authHeaders,
  type AppCredentials,
  type Env,
  type IngressSecrets,
  type ReadSecretFile,
  type ResolvedAuth,
  type ResolvedSecrets,
} from './secrets';
export { toPublicConfig } from './public';
export { toAppConnection } from './connection';
export { parseSecretRef, formatPath, type ConfigIssue } from './schema';

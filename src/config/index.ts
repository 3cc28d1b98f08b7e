// Configuration: load/validate (loader), secret resolution (secrets, worker only), the secret-free view
// (public). Node-only as a whole; nothing in src/workflows imports it at runtime (`import type` from './types' at most).
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
  resolveAppSecrets,
  resolveIngressSecrets,
  resolveNotificationSecrets,
  resolveLinkKeys,
  type NotificationSecrets,
  resolveBambooKeys,
  resolveTemporalSecrets,
  resolveCodecServerSecrets,
  secretProblems,
  FILE_ENV_SUFFIX,
  BAMBOO_KEY_VARS,
  type AppCredentials,
  type Env,
  type IngressSecrets,
  type ReadSecretFile,
  type ResolvedSecrets,
  type TemporalSecrets,
  type CodecServerSecrets,
} from './secrets';
export { MIN_SHARED_SECRET_LENGTH } from './limits';
export { decodePayloadKey, PAYLOAD_KEY_BYTES } from './payload-key';
export { toPublicConfig } from './public';
export { toAppConnection } from './connection';
export { parseSecretRef, formatPath, isLoopbackHost, type ConfigIssue } from './schema';

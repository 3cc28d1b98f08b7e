export { startSandbox, type SandboxOptions, type SandboxHandle, type SandboxApp } from './server';
export { DEV_CREDENTIALS, type SandboxCredentials } from './credentials';
export { DEFAULT_KNOBS, type Knobs, type LoggedRequest, type RequestCounts } from './controls';
export { SANDBOX_APPS, type SandboxAppName } from './apps';
export { LICENSED_GROUP_NAME, SEEDED_SERVICE_DESKS } from './atlassian-rest';

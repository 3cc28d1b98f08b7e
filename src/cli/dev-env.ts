// Development values for the secrets config/scimflow.yaml references: the sandbox apps' fixed
// credentials (docs/sandbox.md) and the documented development webhook secret. `scimflow dev`
// sets each only when the variable is unset.
import { DEV_CREDENTIALS } from '../sandbox/credentials';

export const DEV_WEBHOOK_SECRET = 'scimflow-dev-webhook-secret';

/**
 * DEVELOPMENT ONLY — public, it is in this file. The payload encryption key (key id `dev`) that
 * config/scimflow.yaml's `temporal.encryption` uses under `scimflow dev`, the tests and the CLI with
 * the bundled example. Anyone can decrypt what it encrypts: production sets its own
 * SCIMFLOW_PAYLOAD_KEY (docs/security.md), and the worker and ingress warn when they are given this one.
 */
export const DEV_PAYLOAD_KEY = 'D5wDvhXMBVKnqdTSjICTDZmOa8bEMfliO4psCm1W6AQ=';
/** DEVELOPMENT ONLY: the bearer token the dev codec server accepts (it also serves loopback callers without one). */
export const DEV_CODEC_TOKEN = 'scimflow-dev-codec-token-0123456789';

export const DEV_ENV: Record<string, string> = {
  SCIMFLOW_WEBHOOK_SECRET: DEV_WEBHOOK_SECRET,
  SCIMFLOW_GENERIC_TOKEN: DEV_CREDENTIALS.genericToken,
  SCIMFLOW_JASPER_TOKEN: DEV_CREDENTIALS.jasperToken,
  SCIMFLOW_JUMPCLOUD_TOKEN: DEV_CREDENTIALS.jumpcloudApiKey,
  SCIMFLOW_ATLASSIAN_TOKEN: DEV_CREDENTIALS.atlassianToken,
  SCIMFLOW_ATLASSIAN_JSM_TOKEN: DEV_CREDENTIALS.atlassianRestApiToken,
  SCIMFLOW_JOSTLE_TOKEN: DEV_CREDENTIALS.jostleToken,
};

/**
 * DEVELOPMENT ONLY: what config/scimflow.yaml's temporal.encryption and codecServer reference, set by
 * `scimflow dev` when unset, and used by the CLI for the bundled example (src/cli/main.ts).
 */
export const DEV_TEMPORAL_ENV: Record<string, string> = {
  SCIMFLOW_PAYLOAD_KEY: DEV_PAYLOAD_KEY,
  SCIMFLOW_CODEC_TOKEN: DEV_CODEC_TOKEN,
};

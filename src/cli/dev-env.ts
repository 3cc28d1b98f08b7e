// Development values for the secrets config/scimflow.yaml references: the sandbox apps' fixed
// credentials (docs/sandbox.md) and the documented development webhook secret. `scimflow dev`
// sets each only when the variable is unset.
import { DEV_CREDENTIALS } from '../sandbox/credentials';

export const DEV_WEBHOOK_SECRET = 'scimflow-dev-webhook-secret';

export const DEV_ENV: Record<string, string> = {
  SCIMFLOW_WEBHOOK_SECRET: DEV_WEBHOOK_SECRET,
  SCIMFLOW_GENERIC_TOKEN: DEV_CREDENTIALS.genericToken,
  SCIMFLOW_JASPER_TOKEN: DEV_CREDENTIALS.jasperToken,
  SCIMFLOW_JUMPCLOUD_TOKEN: DEV_CREDENTIALS.jumpcloudApiKey,
  SCIMFLOW_ATLASSIAN_TOKEN: DEV_CREDENTIALS.atlassianToken,
  SCIMFLOW_ATLASSIAN_JSM_TOKEN: DEV_CREDENTIALS.atlassianRestApiToken,
  SCIMFLOW_JOSTLE_TOKEN: DEV_CREDENTIALS.jostleToken,
};

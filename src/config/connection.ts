// AppConfig + resolved credentials → the connector layer's AppConnection (worker only).
import type { AppConnection, Capabilities } from '../connectors/types';
import type { AppCredentials } from './secrets';
import type { AppConfig } from './types';

/** Builds what createConnector() needs. Call in the worker, right after resolveAppCredentials(). */
export function toAppConnection(app: AppConfig, credentials: AppCredentials): AppConnection {
  if (credentials.app !== app.name) throw new Error(`credentials for "${credentials.app}" given for app "${app.name}"`);
  const out: AppConnection = {
    name: app.name,
    kind: app.kind,
    baseUrl: app.baseUrl,
    auth: { ...credentials.auth },
    capabilities: app.capabilities as Partial<Capabilities>,
  };
  if (app.kind === 'atlassian' && app.directoryId) {
    out.atlassian = { directoryId: app.directoryId };
    if (app.jsm && credentials.jsm) {
      out.atlassian.jsmBaseUrl = app.jsm.baseUrl;
      out.atlassian.serviceDeskId = app.jsm.serviceDeskId;
      out.atlassian.restAuth = { ...credentials.jsm };
    }
  }
  return out;
}

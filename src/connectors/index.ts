// Public surface of the connector layer (see docs/connectors.md).
import { ScimConnector } from './scim-connector';
import type { AppConnection, Connector } from './types';

export function createConnector(conn: AppConnection): Connector {
  return new ScimConnector(conn);
}

export * from './types';
export {
  ConnectorError,
  CONNECTOR_ERROR_CODES,
  isConnectorError,
  parseRetryAfter,
  type ConnectorErrorCode,
} from './errors';
export { PROFILES, profileFor, mergeServiceProviderConfig } from './profiles';
export { USER_AGENT } from './http';
export { applyUserNameRule } from './user-rules';
export { lookupCost, lookupFilters } from './lookup';
export { normalizeIdentityKey, sameIdentityKey } from '../shared/identity-key';

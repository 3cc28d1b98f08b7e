// A fully featured RFC 7643/7644 service provider: https://www.rfc-editor.org/rfc/rfc7644.
import { ENTERPRISE_USER_SCHEMA } from '../result';
import { ALL_OPS, type SandboxAppSpec } from './spec';

export const genericApp: SandboxAppSpec = {
  name: 'generic',
  auth: { type: 'bearer' },
  userOps: ALL_OPS,
  groupOps: ALL_OPS,
  pagination: { index: true, cursor: true, withFilter: true, defaultCount: 100, maxCount: 200 },
  sort: true,
  etag: true,
  search: true,
  me: false,
  // generic provider reference "SCIM Service Provider Config / Resource Types / Schemas": "Public endpoint, no authentication required".
  discovery: { serviceProviderConfig: true, resourceTypes: true, schemas: true, public: true },
  responseType: 'negotiate',
  seats: 'none',
  invitations: false,
  userExtensions: [ENTERPRISE_USER_SCHEMA],
  // RFC 7643 §3.1: externalId is a readWrite common attribute, returned by default.
  keepsExternalId: true,
};

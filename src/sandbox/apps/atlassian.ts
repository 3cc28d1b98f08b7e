// Atlassian Guard SCIM directory: shared/reference/002 ("SCIM API status").
import { ALL_OPS, type SandboxAppSpec } from './spec';

export const atlassianApp: SandboxAppSpec = {
  name: 'atlassian',
  auth: { type: 'bearer' },
  userOps: ALL_OPS,
  groupOps: ALL_OPS,
  // 002 "Limitations": "Filtering support is limited" — one eq on userName, displayName for groups.
  userFilterAttrs: ['userName'],
  groupFilterAttrs: ['displayName'],
  pagination: { index: true, cursor: false, withFilter: true, defaultCount: 50, maxCount: 100 },
  sort: false,
  etag: false,
  search: false,
  me: false,
  // 002 "Supported operations": GET /Schemas, GET /ServiceProviderConfig (authenticated).
  discovery: { serviceProviderConfig: true, resourceTypes: false, schemas: true, public: false },
  responseType: 'negotiate',
  // Seats are counted from product-access group membership, not from creates (see atlassian-rest.ts).
  seats: 'none',
  invitations: false,
  userExtensions: [],
  // 002 "Sync users from IdP via SCIM": "Map IdP attributes to SCIM schema fields (userName → email,
  // givenName, familyName, active)." — externalId is not mapped.
  keepsExternalId: false,
};

// Atlassian Guard SCIM directory: https://www.stitchflow.com/user-management/atlassian-jira-service-management/api ("SCIM API status").
import { ALL_OPS, type SandboxAppSpec } from './spec';

export const atlassianApp: SandboxAppSpec = {
  name: 'atlassian',
  auth: { type: 'bearer' },
  userOps: ALL_OPS,
  groupOps: ALL_OPS,
  // Atlassian guide "Limitations": "Filtering support is limited" — one eq on userName, displayName for groups.
  userFilterAttrs: ['userName'],
  groupFilterAttrs: ['displayName'],
  pagination: { index: true, cursor: false, withFilter: true, defaultCount: 50, maxCount: 100 },
  sort: false,
  etag: false,
  search: false,
  me: false,
  // Atlassian guide "Supported operations": GET /Schemas, GET /ServiceProviderConfig (authenticated).
  discovery: { serviceProviderConfig: true, resourceTypes: false, schemas: true, public: false },
  responseType: 'negotiate',
  // Seats are counted from product-access group membership, not from creates (see atlassian-rest.ts).
  seats: 'none',
  invitations: false,
  userExtensions: [],
  // Atlassian guide "Sync users from IdP via SCIM": "Map IdP attributes to SCIM schema fields (userName → email,
  // givenName, familyName, active)." — externalId is not mapped.
  keepsExternalId: false,
};

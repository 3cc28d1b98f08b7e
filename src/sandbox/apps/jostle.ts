// Jostle: https://forum.jostle.us/hc/en-us/articles/360047694954-User-Provisioning-API.
import type { SandboxAppSpec } from './spec';

export const JOSTLE_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';

export const jostleApp: SandboxAppSpec = {
  name: 'jostle',
  auth: { type: 'bearer' },
  userOps: new Set(['list', 'get', 'create', 'replace', 'patch', 'delete']),
  // Jostle page "Get Resource Types": "We only support User and not Group."
  groupOps: undefined,
  // Jostle page "Get Users": "The only filtering we support is on username with equality operation."
  userFilterAttrs: ['userName'],
  // Jostle page "Get Users": "We support paging when filtering is not specified."
  pagination: { index: true, cursor: false, withFilter: false, defaultCount: 100, maxCount: 100 },
  // Jostle page "Get Users": "We don't support sorting."
  sort: false,
  etag: false,
  // Jostle page "Bulk Operation": 50 items, 20MB.
  bulk: { maxOperations: 50, maxPayloadSize: 20 * 1024 * 1024 },
  search: true,
  me: true,
  discovery: { serviceProviderConfig: true, resourceTypes: true, schemas: true, public: false },
  // Jostle page "SCIM API": "Caller should specify in the Accept header that it accepts application/json."
  responseType: 'application/json',
  seats: 'none',
  invitations: false,
  userExtensions: [JOSTLE_USER_EXTENSION],
  // Jostle page "Get Schema for SCIM Core User Type": "We currently support a limited number of fields, as shown
  // below." — the "User Resource" table has no externalId.
  keepsExternalId: false,
};

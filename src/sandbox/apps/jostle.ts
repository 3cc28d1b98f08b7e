// Jostle: shared/reference/003.
import type { SandboxAppSpec } from './spec';

export const JOSTLE_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';

export const jostleApp: SandboxAppSpec = {
  name: 'jostle',
  auth: { type: 'bearer' },
  userOps: new Set(['list', 'get', 'create', 'replace', 'patch', 'delete']),
  // 003 "Get Resource Types": "We only support User and not Group."
  groupOps: undefined,
  // 003 "Get Users": "The only filtering we support is on username with equality operation."
  userFilterAttrs: ['userName'],
  // 003 "Get Users": "We support paging when filtering is not specified."
  pagination: { index: true, cursor: false, withFilter: false, defaultCount: 100, maxCount: 100 },
  // 003 "Get Users": "We don't support sorting."
  sort: false,
  etag: false,
  // 003 "Bulk Operation": 50 items, 20MB.
  bulk: { maxOperations: 50, maxPayloadSize: 20 * 1024 * 1024 },
  search: true,
  me: true,
  discovery: { serviceProviderConfig: true, resourceTypes: true, schemas: true, public: false },
  // 003 "SCIM API": "Caller should specify in the Accept header that it accepts application/json."
  responseType: 'application/json',
  seats: 'none',
  invitations: false,
  userExtensions: [JOSTLE_USER_EXTENSION],
  // 003 "Get Schema for SCIM Core User Type": "We currently support a limited number of fields, as shown
  // below." — the "User Resource" table has no externalId.
  keepsExternalId: false,
};

// Jostle SCIM 2.0 user provisioning. Source: shared/reference/003 (Jostle User Provisioning API).
import type { Capabilities } from '../types';

export const JOSTLE_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';

export const jostleProfile: Capabilities = {
  kind: 'jostle',
  // 003 "API Calls": PATCH with "add", "replace", and "remove".
  patch: true,
  // 003 "Update User with PATCH": add/replace/remove on fields; value paths not documented.
  patchValuePaths: false,
  put: true,
  // 003 "Update User with PUT": "ALL information about the User has to be provided".
  putReplacesWholeResource: true,
  filter: {
    // 003 "Get Users with GET": "The only filtering we support is on username with equality operation."
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: [],
    singleTerm: true,
  },
  // 003 "Get Users": "We support paging when filtering is not specified." Page size not documented.
  pagination: { mode: 'index', maxPageSize: 100, withFilter: false },
  // 003 "Get Users": "We don't support sorting."
  sort: false,
  etag: false,
  // 003 "Bulk Operation": "a limit of 50 items per request and a total request size limit of 20MB".
  bulk: { supported: true, maxOperations: 50, maxPayloadSize: 20 * 1024 * 1024 },
  // 003 "Get Resource Types": "We only support User and not Group."
  groups: { supported: false, create: false, patch: false, put: false, delete: false, maxMembersPerPatch: 0 },
  userName: { rule: 'any' },
  // 003 "User Resource": active ↔ UserStatus Active/Disabled/Suspended.
  deprovision: 'deactivate',
  deleteIsIrreversible: true,
  createConsumesSeat: false,
  // 003 "Get Users with POST": /Users/.search.
  searchEndpoint: true,
  // 003 "Get Service Provider Configuration".
  serviceProviderConfig: true,
  userExtensions: [JOSTLE_USER_EXTENSION],
  // 003 "Get Schema for SCIM Core User Type": "We currently support a limited number of fields, as shown
  // below." — the "User Resource" table has no externalId; "username | Username" names the account.
  owner: { by: 'userName' },
  // 003 "SCIM API": content-type for POST/PUT/PATCH application/scim+json; Accept application/json.
  writeContentType: 'application/scim+json',
  // 003 "SCIM API": "Caller should specify in the Accept header that it accepts application/json."
  accept: 'application/json',
};

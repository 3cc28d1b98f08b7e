// Jostle SCIM 2.0 user provisioning. Quotes are from Jostle's "User Provisioning API",
// https://forum.jostle.us/hc/en-us/articles/360047694954-User-Provisioning-API
import type { Capabilities, ProfileSource } from '../types';

export const jostleSource: ProfileSource = {
  url: 'https://forum.jostle.us/hc/en-us/articles/360047694954-User-Provisioning-API',
  noGroups: 'Jostle documents "We only support User and not Group"',
};

export const JOSTLE_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';

export const jostleProfile: Capabilities = {
  kind: 'jostle',
  // "API Calls": PATCH with "add", "replace", and "remove".
  patch: true,
  // "Update User with PATCH": add/replace/remove on fields; value paths not documented.
  patchValuePaths: false,
  filter: {
    // "Get Users with GET": "The only filtering we support is on username with equality operation."
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: [],
    singleTerm: true,
  },
  // "Get Users": "We support paging when filtering is not specified." Page size not documented.
  pagination: { mode: 'index', maxPageSize: 100, withFilter: false },
  etag: false,
  // "Get Resource Types": "We only support User and not Group."
  groups: { supported: false, create: false, patch: false, maxMembersPerPatch: 0 },
  userName: { rule: 'any' },
  // Leavers: "User Resource": active ↔ UserStatus Active/Disabled/Suspended (the leaver policy's deactivate).
  seatTakenBy: 'none',
  // "Get Service Provider Configuration".
  serviceProviderConfig: true,
  userExtensions: [JOSTLE_USER_EXTENSION],
  // "Get Schema for SCIM Core User Type": "We currently support a limited number of fields, as shown
  // below." — the "User Resource" table has no externalId; "username | Username" names the account.
  owner: { by: 'userName' },
  // "SCIM API": content-type for POST/PUT/PATCH application/scim+json; Accept application/json.
  writeContentType: 'application/scim+json',
  // "SCIM API": "Caller should specify in the Accept header that it accepts application/json."
  accept: 'application/json',
};

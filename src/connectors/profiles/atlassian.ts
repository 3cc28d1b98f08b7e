// Atlassian Guard SCIM at /scim/directory/{directoryId} plus Jira / JSM REST. Quotes ("guide") are from
// the Atlassian Jira Service Management User Management API Guide, https://www.stitchflow.com/user-management/atlassian-jira-service-management/api;
// Atlassian's references: https://developer.atlassian.com/cloud/admin/user-provisioning/rest/intro/ (SCIM),
// https://developer.atlassian.com/cloud/jira/service-desk/rest/ (JSM), https://developer.atlassian.com/cloud/jira/platform/rest/v3/ (Jira).
import type { Capabilities, ProfileSource } from '../types';

export const atlassianSource: ProfileSource = {
  url: 'https://developer.atlassian.com/cloud/admin/user-provisioning/rest/intro/',
};

export const atlassianProfile: Capabilities = {
  kind: 'atlassian',
  // guide "SCIM API status → Supported operations": GET/POST/PUT/PATCH/DELETE on Users and Groups.
  patch: true,
  // The guide documents PATCH for activate/deactivate and group membership only; replace multi-valued attributes whole.
  patchValuePaths: false,
  filter: {
    // guide "SCIM API status → Limitations": "Filtering support is limited; not all SCIM filter
    // operators are supported" — one `eq` on userName (users), displayName (groups). externalId is not
    // offered: the guide never maps it (see `owner`).
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: ['displayName'],
    singleTerm: true,
  },
  // guide "Rate limits, pagination": offset paging; SCIM uses startIndex/count (RFC 7644 §3.4.2.4).
  // Max page size for SCIM is not given; 100 is a conservative choice.
  pagination: { mode: 'index', maxPageSize: 100, withFilter: true },
  etag: false,
  // guide "Supported operations": PATCH /Groups/{groupId} "update group membership".
  groups: { supported: true, create: true, patch: true, maxMembersPerPatch: 100 },
  // guide "Sync users from IdP via SCIM": "Map IdP attributes to SCIM schema fields (userName → email…)".
  userName: { rule: 'email' },
  // Leavers: guide "Find and deactivate a user": "use SCIM PATCH /Users/{userId} with … active: false" (the
  // leaver policy's deactivate); a SCIM DELETE of the account cannot be undone (the policy's hardDelete).
  // guide "Sync users from IdP via SCIM → Watch out for": "SCIM provisions Atlassian accounts at the org
  // level. Product access (JSM agent license) must still be assigned separately via Atlassian Admin
  // group-to-product mappings", and "Limitations": "Group membership changes via SCIM affect Atlassian
  // user groups, which then control product access" — the seat comes with a group, not with the create.
  seatTakenBy: 'groupMembership',
  // guide "Supported operations": GET /ServiceProviderConfig.
  serviceProviderConfig: true,
  userExtensions: [],
  // guide "Sync users from IdP via SCIM": "Map IdP attributes to SCIM schema fields (userName → email,
  // givenName, familyName, active)." — externalId is not mapped anywhere, so only userName can be relied on.
  owner: { by: 'userName' },
  writeContentType: 'application/scim+json',
  // RFC 7644 §3.8: SCIM media type first, plain JSON for servers that send it.
  accept: 'application/scim+json, application/json',
};

// Atlassian Guard SCIM at /scim/directory/{directoryId} plus Jira / JSM REST.
// Source: shared/reference/002 (Atlassian / Jira Service Management documentation).
import type { Capabilities } from '../types';

export const atlassianProfile: Capabilities = {
  kind: 'atlassian',
  // 002 "SCIM API status → Supported operations": GET/POST/PUT/PATCH/DELETE on Users and Groups.
  patch: true,
  // 002 documents PATCH for activate/deactivate and group membership only; replace multi-valued attributes whole.
  patchValuePaths: false,
  put: true,
  // 002 (SCIM PUT "replace user") — PUT clears attributes that are omitted.
  putReplacesWholeResource: true,
  filter: {
    // 002 "SCIM API status → Limitations": "Filtering support is limited; not all SCIM filter
    // operators are supported" — one `eq` on userName (users), displayName (groups). externalId is not
    // offered: 002 never maps it (see `owner`).
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: ['displayName'],
    singleTerm: true,
  },
  // 002 "Rate limits, pagination": offset paging; SCIM uses startIndex/count (RFC 7644 §3.4.2.4).
  // Max page size for SCIM is not given in 002; 100 is a conservative choice.
  pagination: { mode: 'index', maxPageSize: 100, withFilter: true },
  sort: false,
  etag: false,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  // 002 "Supported operations": PATCH /Groups/{groupId} "update group membership".
  groups: { supported: true, create: true, patch: true, put: true, delete: true, maxMembersPerPatch: 100 },
  // 002 "Sync users from IdP via SCIM": "Map IdP attributes to SCIM schema fields (userName → email…)".
  userName: { rule: 'email' },
  // 002 "Find and deactivate a user": "use SCIM PATCH /Users/{userId} with … active: false".
  deprovision: 'deactivate',
  // DELETE of an Atlassian account through SCIM cannot be undone.
  deleteIsIrreversible: true,
  // 002 "Sync users…": "Product access (JSM agent license) must still be assigned separately" —
  // the seat is taken by product-group membership, not by the SCIM create.
  createConsumesSeat: false,
  searchEndpoint: false,
  // 002 "Supported operations": GET /ServiceProviderConfig.
  serviceProviderConfig: true,
  userExtensions: [],
  // 002 "Sync users from IdP via SCIM": "Map IdP attributes to SCIM schema fields (userName → email,
  // givenName, familyName, active)." — externalId is not mapped anywhere in 002, so only userName can be relied on.
  owner: { by: 'userName' },
  writeContentType: 'application/scim+json',
  // RFC 7644 §3.8: SCIM media type first, plain JSON for servers that send it.
  accept: 'application/scim+json, application/json',
};

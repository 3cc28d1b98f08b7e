// Jasper SCIM 2.0 at /scim/v2. Quotes ("guide") are from the Jasper User Management API Guide,
// https://www.stitchflow.com/user-management/jasper/api; Jasper's own page names the same operations:
// https://help.jasper.ai/hc/en-us/articles/36345300953115-SCIM-Integration
import type { Capabilities, ProfileSource } from '../types';

export const jasperSource: ProfileSource = { url: 'https://www.stitchflow.com/user-management/jasper/api' };

export const jasperProfile: Capabilities = {
  kind: 'jasper',
  // guide "SCIM API status → Supported operations": PATCH /Users/{id}; no PUT /Users listed.
  patch: true,
  // The guide documents only `replace active`; value paths are not documented, so multi-valued attributes are replaced whole.
  patchValuePaths: false,
  filter: {
    // guide "List Users → Watch out for": "Filter support may be limited"; the only documented
    // example is `userName eq "…"`, so that is all we send. Everything else is matched locally.
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: [],
    singleTerm: true,
  },
  // guide "Rate limits, pagination, and events": "Pagination method: none".
  pagination: { mode: 'none', maxPageSize: 0, withFilter: false },
  etag: false,
  // guide "Supported operations": GET /Groups, POST /Groups, PATCH /Groups/{id} (no PUT, no DELETE: scimflow sends neither).
  groups: { supported: true, create: true, patch: true, maxMembersPerPatch: 50 },
  // guide "User object": userName "Must be a valid email; maps to Jasper account email".
  userName: { rule: 'email' },
  // Leavers: guide "Deprovision departing employee": IdP sends PATCH active=false (the leaver policy's
  // deactivate); hard DELETE "should be verified with Jasper support" (the policy's hardDelete).
  // guide "Create User → Watch out for": "seat consumption begins immediately" + invitation email.
  seatTakenBy: 'create',
  // The guide does not document /ServiceProviderConfig.
  serviceProviderConfig: false,
  userExtensions: [],
  // guide "User object": "| externalId | string | Identifier from the IdP for correlation | optional |
  // supported | Set by IdP; used to correlate SCIM records |" — stored and returned, but not filterable.
  owner: { by: 'externalId' },
  writeContentType: 'application/scim+json',
  // RFC 7644 §3.8: SCIM media type first, plain JSON for servers that send it.
  accept: 'application/scim+json, application/json',
};

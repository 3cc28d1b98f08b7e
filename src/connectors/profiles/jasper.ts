// Jasper SCIM 2.0 at /scim/v2. Source: shared/reference/000 (Jasper provisioning documentation).
import type { Capabilities } from '../types';

export const jasperProfile: Capabilities = {
  kind: 'jasper',
  // 000 "SCIM API status → Supported operations": PATCH /Users/{id}; no PUT /Users listed.
  patch: true,
  // 000 documents only `replace active`; value paths are not documented, so multi-valued attributes are replaced whole.
  patchValuePaths: false,
  put: false,
  putReplacesWholeResource: true,
  filter: {
    // 000 "List Users → Watch out for": "Filter support may be limited"; the only documented
    // example is `userName eq "…"`, so that is all we send. Everything else is matched locally.
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: [],
    singleTerm: true,
  },
  // 000 "Rate limits, pagination, and events": "Pagination method: none".
  pagination: { mode: 'none', maxPageSize: 0, withFilter: false },
  sort: false,
  etag: false,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  // 000 "Supported operations": GET /Groups, POST /Groups, PATCH /Groups/{id} — no PUT, no DELETE.
  groups: { supported: true, create: true, patch: true, put: false, delete: false, maxMembersPerPatch: 50 },
  // 000 "User object": userName "Must be a valid email; maps to Jasper account email".
  userName: { rule: 'email' },
  // 000 "Deprovision departing employee": IdP sends PATCH active=false; hard DELETE "should be verified with Jasper support".
  deprovision: 'deactivate',
  deleteIsIrreversible: true,
  // 000 "Create User → Watch out for": "seat consumption begins immediately" + invitation email.
  createConsumesSeat: true,
  searchEndpoint: false,
  // 000 does not document /ServiceProviderConfig.
  serviceProviderConfig: false,
  userExtensions: [],
  // 000 "User object": "| externalId | string | Identifier from the IdP for correlation | optional |
  // supported | Set by IdP; used to correlate SCIM records |" — stored and returned, but not filterable.
  owner: { by: 'externalId' },
  writeContentType: 'application/scim+json',
  // RFC 7644 §3.8: SCIM media type first, plain JSON for servers that send it.
  accept: 'application/scim+json, application/json',
};

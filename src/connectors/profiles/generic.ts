// Generic SCIM 2.0 service provider: RFC 7643 (https://www.rfc-editor.org/rfc/rfc7643) and RFC 7644
// (https://www.rfc-editor.org/rfc/rfc7644), as a typical provider's API reference describes them (its
// pages "List SCIM Users", "Patch SCIM Group", "SCIM Service Provider Config", … are quoted below).
import type { Capabilities, ProfileSource } from '../types';

export const genericSource: ProfileSource = { url: 'https://www.rfc-editor.org/rfc/rfc7644' };

export const genericProfile: Capabilities = {
  kind: 'generic',
  // "Patch SCIM User": add/replace/remove; "Replace SCIM User": PUT with If-Match.
  patch: true,
  // "Patch SCIM Group": bracket-filter paths like members[value eq 'id'] are supported.
  patchValuePaths: true,
  filter: {
    // "List SCIM Users": "Supports filter expressions" — the full RFC 7644 §3.4.2.2 grammar.
    operators: ['eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not'],
    userAttributes: ['*'],
    groupAttributes: ['*'],
    singleTerm: false,
  },
  // "List SCIM Users": "startIndex/count or cursor pagination"; we use index paging (RFC 7644 §3.4.2.4),
  // which every RFC server supports; cursor is available through `capabilities` override.
  pagination: { mode: 'index', maxPageSize: 200, withFilter: true },
  // "Replace/Patch SCIM User": "optimistic concurrency via the If-Match ETag header (412 on mismatch)".
  etag: true,
  // "Patch SCIM Group": members incl. Azure AD bracket-filter paths `members[value eq 'id']`.
  groups: { supported: true, create: true, patch: true, maxMembersPerPatch: 100 },
  userName: { rule: 'any' },
  // Leavers: "Delete SCIM User": "Deprovisions a user ... returning 204"; scimflow deactivates (PATCH
  // active=false) and deletes only where the leaver policy says hardDelete.
  seatTakenBy: 'none',
  // "SCIM Service Provider Config": "Public endpoint, no authentication required".
  serviceProviderConfig: true,
  userExtensions: ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  // RFC 7643 §3.1: externalId "is an identifier for the resource as defined by the provisioning client",
  // readWrite, returned by default; "Create SCIM User": "Provisions a new user from a SCIM 2.0
  // (RFC 7644) User resource sent by an identity provider".
  owner: { by: 'externalId' },
  writeContentType: 'application/scim+json',
  // RFC 7644 §3.8: SCIM media type first, plain JSON for servers that send it.
  accept: 'application/scim+json, application/json',
};

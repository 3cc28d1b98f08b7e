// JumpCloud SCIM 2.0 at /scim/v2. Source: shared/reference/001 (JumpCloud SCIM API integration guide).
import type { Capabilities } from '../types';

export const jumpcloudProfile: Capabilities = {
  kind: 'jumpcloud',
  // 001 does not list operations; "automating user creations, updates, and suspensions" — RFC defaults assumed.
  patch: true,
  // 001 documents no PATCH path syntax; replace multi-valued attributes whole.
  patchValuePaths: false,
  put: true,
  putReplacesWholeResource: true,
  filter: {
    // 001 documents no filter support; IdP clients look users up by `userName eq`, so only that.
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: [],
    singleTerm: true,
  },
  pagination: { mode: 'index', maxPageSize: 100, withFilter: true },
  sort: false,
  etag: false,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  // 001 "Considerations": "Real-time Group import isn't currently supported."
  groups: { supported: false, create: false, patch: false, put: false, delete: false, maxMembersPerPatch: 0 },
  userName: {
    // 001 "Connector Attribute Mappings": username "required, no special characters, (max length 1024).
    // note: email may not be used as username. Some integrations leverage the email substring".
    rule: 'notEmail',
    derive: 'emailLocalPart',
    pattern: /^[A-Za-z0-9._-]+$/,
    maxLength: 1024,
  },
  // 001 intro: "user creations, updates, and suspensions" — active=false suspends.
  deprovision: 'deactivate',
  deleteIsIrreversible: true,
  createConsumesSeat: false,
  searchEndpoint: false,
  serviceProviderConfig: false,
  // 001 mapping table: department and employeeNumber come from the enterprise extension.
  userExtensions: ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  // 001 "Connector Attribute Mappings": "The following table lists attributes that the JumpCloud SCIM
  // client will accept from this integration." — externalId is not among them; the account is named by
  // "username Username userName required, no special characters, (max length 1024)".
  // …but the same table maps "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeeNumber",
  // which scimflow writes with the employeeId: it names the owner where externalId cannot. Without it
  // two people whose emails slug to one userName (ann.lee.x@a…, annleex@b…) would be one account.
  owner: { by: 'attribute', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber' },
  writeContentType: 'application/scim+json',
  // RFC 7644 §3.8: SCIM media type first, plain JSON for servers that send it.
  accept: 'application/scim+json, application/json',
};

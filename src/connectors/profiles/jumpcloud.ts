// JumpCloud SCIM 2.0 at /scim/v2. Quotes are from "Integrate with the JumpCloud SCIM API",
// https://jumpcloud.com/support/integrate-with-the-jumpcloud-scim-server
import type { Capabilities, ProfileSource } from '../types';

export const jumpcloudSource: ProfileSource = {
  url: 'https://jumpcloud.com/support/integrate-with-the-jumpcloud-scim-server',
  noGroups: 'JumpCloud documents "Real-time Group import isn’t currently supported"',
};

export const jumpcloudProfile: Capabilities = {
  kind: 'jumpcloud',
  // The page lists no operations; "automating user creations, updates, and suspensions" — RFC defaults assumed.
  patch: true,
  // The page documents no PATCH path syntax; replace multi-valued attributes whole.
  patchValuePaths: false,
  filter: {
    // The page documents no filter support; IdP clients look users up by `userName eq`, so only that.
    operators: ['eq'],
    userAttributes: ['userName'],
    groupAttributes: [],
    singleTerm: true,
  },
  pagination: { mode: 'index', maxPageSize: 100, withFilter: true },
  etag: false,
  // "Considerations": "Real-time Group import isn't currently supported."
  groups: { supported: false, create: false, patch: false, maxMembersPerPatch: 0 },
  userName: {
    // "Connector Attribute Mappings": username "required, no special characters, (max length 1024).
    // note: email may not be used as username. Some integrations leverage the email substring".
    // "Special characters" is not spelt out: letters, digits and the separators an email local part
    // keeps ('.', '_', '-') are taken as accepted (the sandbox's model of the app agrees).
    rule: 'notEmail',
    derive: 'emailLocalPart',
    characters: 'A-Za-z0-9._-',
    maxLength: 1024,
  },
  // Leavers: intro "user creations, updates, and suspensions" — active=false suspends (the leaver policy's deactivate).
  seatTakenBy: 'none',
  serviceProviderConfig: false,
  // "Connector Attribute Mappings": department and employeeNumber come from the enterprise extension.
  userExtensions: ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  // "Connector Attribute Mappings": "The following table lists attributes that the JumpCloud SCIM
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

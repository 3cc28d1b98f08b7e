// JumpCloud: https://jumpcloud.com/support/integrate-with-the-jumpcloud-scim-server.
import { ENTERPRISE_USER_SCHEMA, scimError } from '../result';
import type { SandboxAppSpec } from './spec';

export const jumpcloudApp: SandboxAppSpec = {
  name: 'jumpcloud',
  // JumpCloud page "Prerequisites": "A JumpCloud API key that will be used in the custom x api key header".
  auth: { type: 'apiKey', header: 'x-api-key' },
  userOps: new Set(['list', 'get', 'create', 'replace', 'patch', 'delete']),
  // JumpCloud page "Considerations": "Real-time Group import isn't currently supported."
  groupOps: undefined,
  userFilterAttrs: ['userName'],
  pagination: { index: true, cursor: false, withFilter: true, defaultCount: 100, maxCount: 100 },
  sort: false,
  etag: false,
  search: false,
  me: false,
  discovery: { serviceProviderConfig: false, resourceTypes: false, schemas: false, public: false },
  responseType: 'negotiate',
  seats: 'none',
  invitations: false,
  userExtensions: [ENTERPRISE_USER_SCHEMA],
  // JumpCloud page "Connector Attribute Mappings": "The following table lists attributes that the JumpCloud SCIM
  // client will accept from this integration." — no externalId.
  keepsExternalId: false,
  validateUser(user) {
    // JumpCloud page "Connector Attribute Mappings": username required, no special characters, max length 1024,
    // "email may not be used as username"; email required.
    const userName = user.userName;
    if (typeof userName !== 'string' || userName.length === 0)
      return scimError(400, 'userName is required', 'invalidValue');
    if (userName.includes('@')) return scimError(400, 'userName must not be an email address', 'invalidValue');
    if (!/^[A-Za-z0-9._-]+$/.test(userName))
      return scimError(400, 'userName must not contain special characters', 'invalidValue');
    if (userName.length > 1024) return scimError(400, 'userName exceeds 1024 characters', 'invalidValue');
    const emails = user.emails;
    if (
      !Array.isArray(emails) ||
      !emails.some((e) => typeof e === 'object' && e !== null && typeof (e as { value?: unknown }).value === 'string')
    ) {
      return scimError(400, 'emails: a company email is required', 'invalidValue');
    }
    return undefined;
  },
};

// Jasper: https://www.stitchflow.com/user-management/jasper/api.
import { scimError } from '../result';
import type { SandboxAppSpec } from './spec';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const jasperApp: SandboxAppSpec = {
  name: 'jasper',
  auth: { type: 'bearer' },
  // Jasper guide "Supported operations": GET/POST /Users, GET/PATCH/DELETE /Users/{id}; no PUT.
  userOps: new Set(['list', 'get', 'create', 'patch', 'delete']),
  // Jasper guide "Supported operations": GET /Groups, POST /Groups, PATCH /Groups/{id}.
  groupOps: new Set(['list', 'get', 'create', 'patch']),
  // Jasper guide "List Users": only `userName eq` is shown; anything else is refused.
  userFilterAttrs: ['userName'],
  groupFilterAttrs: [],
  // Jasper guide "Pagination method: none".
  pagination: {
    index: false,
    cursor: false,
    withFilter: false,
    defaultCount: Number.MAX_SAFE_INTEGER,
    maxCount: Number.MAX_SAFE_INTEGER,
  },
  sort: false,
  etag: false,
  search: false,
  me: false,
  discovery: { serviceProviderConfig: false, resourceTypes: false, schemas: false, public: false },
  responseType: 'negotiate',
  // Jasper guide "Create User": "seat consumption begins immediately"; user "receives an invitation email".
  seats: 'create',
  invitations: true,
  userExtensions: [],
  // Jasper guide "User object": "externalId | string | Identifier from the IdP for correlation | optional | supported".
  keepsExternalId: true,
  validateUser(user) {
    // Jasper guide "User object": userName "Must be a valid email".
    if (typeof user.userName !== 'string' || !EMAIL.test(user.userName)) {
      return scimError(400, 'userName must be a valid email address', 'invalidValue');
    }
    return undefined;
  },
};

// Discovery documents (RFC 7643 §5–§7) built from an app spec, so what an app claims is what it does.
import type { SandboxAppSpec } from './apps/spec';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './result';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export function serviceProviderConfig(spec: SandboxAppSpec, base: string): Record<string, unknown> {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: `${base}/docs`,
    patch: { supported: spec.userOps.has('patch') },
    bulk: spec.bulk
      ? { supported: true, maxOperations: spec.bulk.maxOperations, maxPayloadSize: spec.bulk.maxPayloadSize }
      : { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: {
      supported: true,
      maxResults: spec.pagination.maxCount === Number.MAX_SAFE_INTEGER ? 1000 : spec.pagination.maxCount,
    },
    changePassword: { supported: false },
    sort: { supported: spec.sort },
    etag: { supported: spec.etag },
    // RFC 9865 §2.2: advertises cursor paging.
    ...(spec.pagination.cursor
      ? {
          pagination: {
            cursor: true,
            index: spec.pagination.index,
            defaultPaginationMethod: 'index',
            defaultPageSize: spec.pagination.defaultCount,
            maxPageSize: spec.pagination.maxCount,
          },
        }
      : {}),
    authenticationSchemes: [
      spec.auth.type === 'bearer'
        ? {
            type: 'oauthbearertoken',
            name: 'OAuth Bearer Token',
            description: 'Authentication scheme using the OAuth Bearer Token Standard',
            primary: true,
          }
        : {
            type: 'httpbasic',
            name: `API key in the ${spec.auth.header} header`,
            description: `Send the API key in the ${spec.auth.header} header`,
            primary: true,
          },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(spec: SandboxAppSpec, base: string): Record<string, unknown>[] {
  const user = {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: USER_SCHEMA,
    schemaExtensions: spec.userExtensions.map((schema) => ({ schema, required: false })),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
  };
  const group = {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: GROUP_SCHEMA,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
  };
  return spec.groupOps ? [user, group] : [user];
}

function attr(name: string, type: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    type,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...extra,
  };
}

export function schemas(spec: SandboxAppSpec, base: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    {
      schemas: [SCHEMA_SCHEMA],
      id: USER_SCHEMA,
      name: 'User',
      attributes: [
        attr('userName', 'string', { required: true, uniqueness: 'server' }),
        attr('name', 'complex', {
          subAttributes: [attr('givenName', 'string'), attr('familyName', 'string'), attr('formatted', 'string')],
        }),
        attr('displayName', 'string'),
        attr('title', 'string'),
        attr('userType', 'string'),
        attr('locale', 'string'),
        attr('active', 'boolean'),
        attr('emails', 'complex', {
          multiValued: true,
          subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')],
        }),
        attr('groups', 'complex', { multiValued: true, mutability: 'readOnly' }),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${USER_SCHEMA}` },
    },
  ];
  if (spec.groupOps) {
    out.push({
      schemas: [SCHEMA_SCHEMA],
      id: GROUP_SCHEMA,
      name: 'Group',
      attributes: [
        attr('displayName', 'string', { required: true }),
        attr('members', 'complex', {
          multiValued: true,
          subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('display', 'string')],
        }),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${GROUP_SCHEMA}` },
    });
  }
  for (const ext of spec.userExtensions) {
    out.push({
      schemas: [SCHEMA_SCHEMA],
      id: ext,
      name: ext === ENTERPRISE_USER_SCHEMA ? 'EnterpriseUser' : 'JostleUser',
      attributes:
        ext === ENTERPRISE_USER_SCHEMA
          ? [
              attr('employeeNumber', 'string'),
              attr('costCenter', 'string'),
              attr('organization', 'string'),
              attr('department', 'string'),
            ]
          : [
              attr('employeeID', 'string'),
              attr('jobCategory', 'string'),
              attr('joinDate', 'string'),
              attr('loginType', 'string'),
              attr('userState', 'string', { mutability: 'readOnly' }),
            ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${ext}` },
    });
  }
  return out;
}

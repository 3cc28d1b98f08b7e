import { z } from 'zod';
import {
  BULK_REQUEST_SCHEMA,
  BULK_RESPONSE_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  PATCH_OP_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from './urns';

// zod schemas for the RFC 7643 resources and RFC 7644 messages. Resources are "loose": RFC 7643
// §3 lets resources carry extension objects and service-provider attributes we do not model, and
// RFC 7643 §2.5 lets any attribute be null (= unassigned), so every optional attribute is nullish.
// Keys are matched in the casing the RFCs use; attribute names are case-insensitive (RFC 7643
// §2.1), so input from a non-canonical client should go through applyPatch/normalisation first.

const opt = <T extends z.ZodType>(t: T) => t.nullish();
const str = z.string();
/** RFC 7643 §2.3.5: xsd:dateTime. */
export const DateTimeSchema = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an xsd:dateTime' });
const schemasContaining = (urn: string) =>
  z.array(z.string()).refine((a) => a.some((s) => s.toLowerCase() === urn.toLowerCase()), { message: `schemas must contain "${urn}"` });

/** RFC 7643 §3.1 "meta". */
export const MetaSchema = z.looseObject({
  resourceType: opt(str),
  created: opt(DateTimeSchema),
  lastModified: opt(DateTimeSchema),
  location: opt(str),
  version: opt(str),
});

const common = {
  schemas: z.array(z.string()).min(1),
  id: opt(str),
  externalId: opt(str),
  meta: opt(MetaSchema),
};

/** RFC 7643 §2.4 default sub-attributes of multi-valued attributes. */
const multiValue = <T extends z.ZodType>(value: T) =>
  z.looseObject({ value: opt(value), display: opt(str), type: opt(str), primary: opt(z.boolean()), $ref: opt(str) });

export const NameSchema = z.looseObject({
  formatted: opt(str),
  familyName: opt(str),
  givenName: opt(str),
  middleName: opt(str),
  honorificPrefix: opt(str),
  honorificSuffix: opt(str),
});

export const AddressSchema = z.looseObject({
  formatted: opt(str),
  streetAddress: opt(str),
  locality: opt(str),
  region: opt(str),
  postalCode: opt(str),
  country: opt(str),
  type: opt(str),
  primary: opt(z.boolean()),
});

export const MultiValueSchema = multiValue(str);

/** RFC 7643 §4.3 enterprise User extension. */
export const EnterpriseUserSchema = z.looseObject({
  employeeNumber: opt(str),
  costCenter: opt(str),
  organization: opt(str),
  division: opt(str),
  department: opt(str),
  manager: opt(z.looseObject({ value: opt(str), $ref: opt(str), displayName: opt(str) })),
});

/** RFC 7643 §4.1 User (all singular and multi-valued attributes) plus the §4.3 extension. */
export const UserSchema = z.looseObject({
  ...common,
  userName: z.string().min(1),
  name: opt(NameSchema),
  displayName: opt(str),
  nickName: opt(str),
  profileUrl: opt(str),
  title: opt(str),
  userType: opt(str),
  preferredLanguage: opt(str),
  locale: opt(str),
  timezone: opt(str),
  active: opt(z.boolean()),
  password: opt(str),
  emails: opt(z.array(MultiValueSchema)),
  phoneNumbers: opt(z.array(MultiValueSchema)),
  ims: opt(z.array(MultiValueSchema)),
  photos: opt(z.array(MultiValueSchema)),
  addresses: opt(z.array(AddressSchema)),
  groups: opt(z.array(MultiValueSchema)),
  entitlements: opt(z.array(MultiValueSchema)),
  roles: opt(z.array(MultiValueSchema)),
  x509Certificates: opt(z.array(MultiValueSchema)),
  [ENTERPRISE_USER_SCHEMA]: opt(EnterpriseUserSchema),
});

export const GroupMemberSchema = z.looseObject({ value: str, $ref: opt(str), type: opt(str), display: opt(str) });

/** RFC 7643 §4.2 Group. */
export const GroupSchema = z.looseObject({
  ...common,
  displayName: str,
  members: opt(z.array(GroupMemberSchema)),
});

/** RFC 7644 §3.4.2 ListResponse; `Resources` is required when totalResults is non-zero. */
export function listResponseSchema<T extends z.ZodType>(resource: T) {
  return z
    .looseObject({
      schemas: schemasContaining(LIST_RESPONSE_SCHEMA),
      totalResults: z.number().int().nonnegative(),
      startIndex: opt(z.number().int().min(1)),
      itemsPerPage: opt(z.number().int().nonnegative()),
      Resources: opt(z.array(resource)),
    })
    .refine((l) => l.totalResults === 0 || Array.isArray(l.Resources), { message: '"Resources" is required when totalResults is non-zero', path: ['Resources'] });
}
export const ListResponseSchema = listResponseSchema(z.looseObject({}));

/** RFC 7644 §3.4.3 SearchRequest (POST .search). */
export const SearchRequestSchema = z.looseObject({
  schemas: schemasContaining(SEARCH_REQUEST_SCHEMA),
  attributes: opt(z.array(str)),
  excludedAttributes: opt(z.array(str)),
  filter: opt(str),
  sortBy: opt(str),
  sortOrder: opt(z.enum(['ascending', 'descending'])),
  startIndex: opt(z.number().int().min(1)),
  count: opt(z.number().int().nonnegative()),
});

/** RFC 7644 §3.5.2 PatchOp. `add` and `replace` carry a value (§3.5.2.1, §3.5.2.3). */
export const PatchOperationSchema = z
  .object({ op: z.enum(['add', 'remove', 'replace']), path: z.string().optional(), value: z.unknown().optional() })
  .refine((o) => o.op === 'remove' || o.value !== undefined, { message: '"add" and "replace" require a "value"', path: ['value'] });
export const PatchOpSchema = z.object({
  schemas: schemasContaining(PATCH_OP_SCHEMA),
  Operations: z.array(PatchOperationSchema).min(1),
});

/** RFC 7644 §3.12 error body. `status` is a string there; numbers sent by lax servers are accepted. */
export const ErrorSchema = z.looseObject({
  schemas: schemasContaining(ERROR_SCHEMA),
  status: z.union([z.string().regex(/^\d{3}$/), z.number().int().min(100).max(599)]).transform(String),
  scimType: opt(z.enum(['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive'])),
  detail: opt(str),
});

const bulkMethod = z.enum(['POST', 'PUT', 'PATCH', 'DELETE']);
/** RFC 7644 §3.7 BulkRequest; bulkId is required for POST (§3.7.2). */
export const BulkRequestSchema = z.looseObject({
  schemas: schemasContaining(BULK_REQUEST_SCHEMA),
  failOnErrors: opt(z.number().int().min(1)),
  Operations: z.array(
    z
      .looseObject({ method: bulkMethod, bulkId: opt(str), version: opt(str), path: str, data: z.unknown().optional() })
      .refine((o) => o.method !== 'POST' || typeof o.bulkId === 'string', { message: 'POST operations require "bulkId"', path: ['bulkId'] }),
  ),
});
export const BulkResponseSchema = z.looseObject({
  schemas: schemasContaining(BULK_RESPONSE_SCHEMA),
  Operations: z.array(
    z.looseObject({
      method: bulkMethod,
      bulkId: opt(str),
      version: opt(str),
      location: opt(str),
      response: z.unknown().optional(),
      status: z.union([z.string(), z.number()]).transform(String),
    }),
  ),
});

const supported = z.looseObject({ supported: z.boolean() });
/** RFC 7643 §5 ServiceProviderConfig. */
export const ServiceProviderConfigSchema = z.looseObject({
  schemas: schemasContaining(SERVICE_PROVIDER_CONFIG_SCHEMA),
  documentationUri: opt(str),
  patch: supported,
  bulk: z.looseObject({ supported: z.boolean(), maxOperations: z.number().int().nonnegative(), maxPayloadSize: z.number().int().nonnegative() }),
  filter: z.looseObject({ supported: z.boolean(), maxResults: z.number().int().nonnegative() }),
  changePassword: supported,
  sort: supported,
  etag: supported,
  authenticationSchemes: z.array(
    z.looseObject({ type: str, name: str, description: str, specUri: opt(str), documentationUri: opt(str), primary: opt(z.boolean()) }),
  ),
  meta: opt(MetaSchema),
});

/** RFC 7643 §6 ResourceType. */
export const ResourceTypeSchema = z.looseObject({
  schemas: schemasContaining(RESOURCE_TYPE_SCHEMA),
  id: opt(str),
  name: str,
  description: opt(str),
  endpoint: str,
  schema: str,
  schemaExtensions: opt(z.array(z.looseObject({ schema: str, required: z.boolean() }))),
  meta: opt(MetaSchema),
});

/** RFC 7643 §7 attribute definition (recursive through subAttributes). */
export interface AttributeDefinitionInput {
  name: string;
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
  multiValued: boolean;
  description?: string | null | undefined;
  required: boolean;
  caseExact?: boolean | null | undefined;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global' | null | undefined;
  canonicalValues?: unknown[] | null | undefined;
  referenceTypes?: string[] | null | undefined;
  subAttributes?: AttributeDefinitionInput[] | null | undefined;
}
export const AttributeDefinitionSchema: z.ZodType<AttributeDefinitionInput> = z.lazy(() =>
  z.looseObject({
    name: str,
    type: z.enum(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex']),
    multiValued: z.boolean(),
    description: opt(str),
    required: z.boolean(),
    caseExact: opt(z.boolean()),
    mutability: z.enum(['readOnly', 'readWrite', 'immutable', 'writeOnly']),
    returned: z.enum(['always', 'never', 'default', 'request']),
    uniqueness: opt(z.enum(['none', 'server', 'global'])),
    canonicalValues: opt(z.array(z.unknown())),
    referenceTypes: opt(z.array(str)),
    subAttributes: opt(z.array(AttributeDefinitionSchema)),
  }),
);
/** RFC 7643 §7 Schema resource, as served from /Schemas. */
export const SchemaResourceSchema = z.looseObject({
  schemas: opt(schemasContaining(SCHEMA_SCHEMA)),
  id: str,
  name: opt(str),
  description: opt(str),
  attributes: z.array(AttributeDefinitionSchema),
  meta: opt(MetaSchema),
});

export type ScimMeta = z.infer<typeof MetaSchema>;
export type ScimName = z.infer<typeof NameSchema>;
export type ScimAddress = z.infer<typeof AddressSchema>;
export type ScimMultiValue = z.infer<typeof MultiValueSchema>;
export type ScimEnterpriseUser = z.infer<typeof EnterpriseUserSchema>;
export type ScimUser = z.infer<typeof UserSchema>;
export type ScimGroupMember = z.infer<typeof GroupMemberSchema>;
export type ScimGroup = z.infer<typeof GroupSchema>;
export type ScimListResponse<T = Record<string, unknown>> = Omit<z.infer<typeof ListResponseSchema>, 'Resources'> & { Resources?: T[] | null };
export type ScimSearchRequest = z.infer<typeof SearchRequestSchema>;
export type ScimErrorResponse = z.infer<typeof ErrorSchema>;
export type ScimBulkRequest = z.infer<typeof BulkRequestSchema>;
export type ScimBulkResponse = z.infer<typeof BulkResponseSchema>;
export type ScimServiceProviderConfig = z.infer<typeof ServiceProviderConfigSchema>;
export type ScimResourceType = z.infer<typeof ResourceTypeSchema>;
export type ScimSchemaResource = z.infer<typeof SchemaResourceSchema>;

/** RFC 7643 §8.6 resource types for User (with the enterprise extension) and Group. */
export const USER_RESOURCE_TYPE: ScimResourceType = {
  schemas: [RESOURCE_TYPE_SCHEMA],
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
  meta: { location: '/v2/ResourceTypes/User', resourceType: 'ResourceType' },
};
export const GROUP_RESOURCE_TYPE: ScimResourceType = {
  schemas: [RESOURCE_TYPE_SCHEMA],
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA,
  meta: { location: '/v2/ResourceTypes/Group', resourceType: 'ResourceType' },
};

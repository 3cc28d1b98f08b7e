import bulk from './fixtures/rfc7644-3.7-bulk.json';
import errors from './fixtures/rfc7644-3.12-errors.json';
import list from './fixtures/rfc7644-3.4.2-list-response.json';
import spc from './fixtures/rfc7643-8.5-service-provider-config.json';
import userFixture from './fixtures/rfc7644-3.5.2.3-replace-street-address.json';
import groupFixture from './fixtures/rfc7644-3.5.2.3-replace-members.json';
import {
  BulkRequestSchema,
  BulkResponseSchema,
  CORE_SCHEMA_DEFINITIONS,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  ErrorSchema,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA_DEFINITION,
  GroupSchema,
  EnterpriseUserSchema,
  InvalidFilterError,
  ListResponseSchema,
  NotFoundError,
  PatchOpSchema,
  ResourceTypeSchema,
  SchemaResourceSchema,
  SearchRequestSchema,
  ServiceProviderConfigSchema,
  USER_RESOURCE_TYPE,
  USER_SCHEMA_DEFINITION,
  UserSchema,
  generatePatch,
  listResponseSchema,
  lookupAttribute,
  DEFAULT_CATALOG,
} from '../../src/scim';

describe('zod schemas accept the RFC examples', () => {
  test('RFC 7643 §8.2/§8.3 User with enterprise extension', () => {
    const u = UserSchema.parse(userFixture.resource);
    expect(u.userName).toBe('bjensen@example.com');
    expect(u[ENTERPRISE_USER_SCHEMA]?.manager?.displayName).toBe('John Smith');
  });
  test('RFC 7643 §8.4 Group', () => expect(GroupSchema.parse(groupFixture.resource).members).toHaveLength(2));
  test('RFC 7643 §8.5 ServiceProviderConfig', () => expect(ServiceProviderConfigSchema.parse(spc.example).bulk.maxOperations).toBe(1000));
  test('RFC 7643 §8.6 resource types', () => {
    expect(ResourceTypeSchema.parse(USER_RESOURCE_TYPE).schemaExtensions).toEqual([{ schema: ENTERPRISE_USER_SCHEMA, required: false }]);
    expect(ResourceTypeSchema.parse(GROUP_RESOURCE_TYPE).endpoint).toBe('/Groups');
  });
  test('RFC 7643 §8.7.1 schema representations', () => {
    for (const s of CORE_SCHEMA_DEFINITIONS) expect(SchemaResourceSchema.parse(s).id).toBe(s.id);
  });
  test('RFC 7644 §3.4.2 ListResponse', () => {
    expect(listResponseSchema(UserSchema.pick({ id: true, userName: true })).parse(list.example).Resources).toHaveLength(2);
    expect(ListResponseSchema.safeParse({ schemas: list.example.schemas, totalResults: 3 }).success).toBe(false);
    expect(ListResponseSchema.safeParse({ schemas: list.example.schemas, totalResults: 0 }).success).toBe(true);
  });
  test('RFC 7644 §3.7 bulk', () => {
    expect(BulkRequestSchema.parse(bulk.request).Operations).toHaveLength(4);
    expect(BulkResponseSchema.parse(bulk.response).Operations[0]?.status).toBe('201');
    const noBulkId = { ...bulk.request, Operations: [{ method: 'POST', path: '/Users', data: {} }] };
    expect(BulkRequestSchema.safeParse(noBulkId).success).toBe(false);
  });
  test('RFC 7644 §3.12 errors, and ScimError bodies', () => {
    for (const e of errors.examples) expect(ErrorSchema.parse(e).status).toBe(e.status);
    expect(ErrorSchema.parse(new InvalidFilterError('x', 1).toJSON()).scimType).toBe('invalidFilter');
    expect(ErrorSchema.parse(new NotFoundError('gone').toJSON()).status).toBe('404');
    expect(ErrorSchema.parse({ schemas: errors.examples[0]?.schemas, status: 409 }).status).toBe('409');
  });
  test('PatchOp, including generated ones', () => {
    expect(PatchOpSchema.safeParse(bulk.request.Operations[2]?.data).success).toBe(true);
    expect(PatchOpSchema.safeParse({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'x' }] }).success).toBe(false);
    expect(PatchOpSchema.safeParse({ schemas: ['x'], Operations: [{ op: 'remove', path: 'x' }] }).success).toBe(false);
    const p = generatePatch({ userName: 'a', title: 'x' }, { userName: 'b', title: null });
    expect(PatchOpSchema.parse(p).Operations).toHaveLength(2);
  });
  test('SearchRequest (RFC 7644 §3.4.3)', () => {
    const r = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: ['displayName', 'userName'], filter: 'displayName sw "smith"', startIndex: 1, count: 10 };
    expect(SearchRequestSchema.parse(r).count).toBe(10);
    expect(SearchRequestSchema.safeParse({ ...r, sortOrder: 'up' }).success).toBe(false);
  });
  test('rejects wrong types', () => {
    expect(UserSchema.safeParse({ schemas: ['x'], userName: 'a', active: 'True' }).success).toBe(false);
    expect(UserSchema.safeParse({ schemas: ['x'], userName: '' }).success).toBe(false);
    expect(UserSchema.safeParse({ schemas: ['x'], userName: 'a', meta: { lastModified: 'yesterday' } }).success).toBe(false);
    expect(UserSchema.safeParse({ schemas: ['x'], userName: 'a', nickName: null }).success).toBe(true);
  });
});

describe('attribute metadata (RFC 7643 §7, §8.7.1)', () => {
  test('every schema attribute has a zod field', () => {
    for (const a of USER_SCHEMA_DEFINITION.attributes) expect(Object.keys(UserSchema.shape)).toContain(a.name);
    for (const a of GROUP_SCHEMA_DEFINITION.attributes) expect(Object.keys(GroupSchema.shape)).toContain(a.name);
    for (const a of ENTERPRISE_USER_SCHEMA_DEFINITION.attributes) expect(Object.keys(EnterpriseUserSchema.shape)).toContain(a.name);
  });
  test('RFC 7643 §4.1 attributes are all present', () => {
    const names = USER_SCHEMA_DEFINITION.attributes.map((a) => a.name);
    expect(names).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'password',
      'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
    ]);
  });
  test.each([
    ['userName', { type: 'string', caseExact: false, uniqueness: 'server', required: true }],
    ['id', { caseExact: true, mutability: 'readOnly', returned: 'always' }],
    ['externalId', { caseExact: true, mutability: 'readWrite' }],
    ['password', { mutability: 'writeOnly', returned: 'never' }],
    ['groups', { mutability: 'readOnly', multiValued: true }],
    ['x509Certificates', { multiValued: true }],
    ['active', { type: 'boolean' }],
  ])('%s', (name, expected) => expect(lookupAttribute(DEFAULT_CATALOG, undefined, name)).toMatchObject(expected));
  test('sub-attributes', () => {
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'meta', 'lastModified')).toMatchObject({ type: 'dateTime', mutability: 'readOnly' });
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'members', 'value')).toMatchObject({ mutability: 'immutable' });
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'x509Certificates', 'value')).toMatchObject({ type: 'binary' });
    expect(lookupAttribute(DEFAULT_CATALOG, ENTERPRISE_USER_SCHEMA, 'manager', 'displayName')).toMatchObject({ mutability: 'readOnly' });
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'EMAILS', 'TYPE')).toMatchObject({ canonicalValues: ['work', 'home', 'other'] });
  });
});

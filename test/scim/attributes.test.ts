// The attribute catalogue (RFC 7643 §7 attribute metadata, §8.7.1 schema representations): what the
// SCIM core's PATCH, filters and mutability rules are driven by.
import {
  CORE_SCHEMA_DEFINITIONS,
  DEFAULT_CATALOG,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA,
  GROUP_SCHEMA_DEFINITION,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  lookupAttribute,
} from '../../src/scim';

describe('attribute metadata (RFC 7643 §7, §8.7.1)', () => {
  test('the core schemas are the User, Group and enterprise User of RFC 7643 §8.7.1', () => {
    expect(CORE_SCHEMA_DEFINITIONS.map((d) => d.id)).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    expect(GROUP_SCHEMA_DEFINITION.attributes.map((a) => a.name)).toEqual(['displayName', 'members']);
    expect(ENTERPRISE_USER_SCHEMA_DEFINITION.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
  });
  test('RFC 7643 §4.1 attributes are all present', () => {
    const names = USER_SCHEMA_DEFINITION.attributes.map((a) => a.name);
    expect(names).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
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
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'meta', 'lastModified')).toMatchObject({
      type: 'dateTime',
      mutability: 'readOnly',
    });
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'members', 'value')).toMatchObject({ mutability: 'immutable' });
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'x509Certificates', 'value')).toMatchObject({ type: 'binary' });
    expect(lookupAttribute(DEFAULT_CATALOG, ENTERPRISE_USER_SCHEMA, 'manager', 'displayName')).toMatchObject({
      mutability: 'readOnly',
    });
    expect(lookupAttribute(DEFAULT_CATALOG, undefined, 'EMAILS', 'TYPE')).toMatchObject({
      canonicalValues: ['work', 'home', 'other'],
    });
  });
});

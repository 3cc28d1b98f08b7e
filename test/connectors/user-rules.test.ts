// The outgoing shape of a user: server-owned attributes come from the SCIM core's catalogue (readOnly
// mutability), the primary email from the core's resource helpers.
import { PROFILES } from '../../src/connectors';
import { outgoingUser } from '../../src/connectors/user-rules';
import { DEFAULT_CATALOG, ENTERPRISE_USER_SCHEMA, primaryEmail, USER_SCHEMA } from '../../src/scim';

test('the attributes a create or PUT never carries are the catalogue readOnly ones, schemas excepted', () => {
  const readOnly = [...DEFAULT_CATALOG.core.values()].filter((d) => d.mutability === 'readOnly').map((d) => d.name);
  expect(readOnly.sort()).toEqual(['groups', 'id', 'meta', 'schemas']);
  const body = outgoingUser(
    {
      id: 'server-id',
      meta: { version: 'W/"1"' },
      groups: [{ value: 'g1' }],
      schemas: [USER_SCHEMA],
      userName: 'ann@example.com',
      title: 'Engineer',
      [ENTERPRISE_USER_SCHEMA]: { department: 'R&D' },
    },
    PROFILES.generic,
    'generic',
  );
  expect(body).toEqual({
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    userName: 'ann@example.com',
    title: 'Engineer',
    [ENTERPRISE_USER_SCHEMA]: { department: 'R&D' },
  });
});

test('primaryEmail: the primary one, else the first; none without a string value', () => {
  expect(primaryEmail({ emails: [{ value: 'a@x.io' }, { value: 'b@x.io', primary: true }] })).toBe('b@x.io');
  expect(primaryEmail({ emails: [{ value: 'a@x.io' }, { value: 'b@x.io' }] })).toBe('a@x.io');
  expect(primaryEmail({ emails: [{ type: 'work' }] })).toBeUndefined();
  expect(primaryEmail({})).toBeUndefined();
});

test('JumpCloud: the derived userName keeps only the profile characters', () => {
  const body = outgoingUser(
    { userName: 'Ann.O+Lee_x@example.com', emails: [{ value: 'Ann.O+Lee_x@example.com', primary: true }] },
    PROFILES.jumpcloud,
    'jc',
  );
  expect(body.userName).toBe('Ann.OLee_x');
});

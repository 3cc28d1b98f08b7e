import { ENTERPRISE_USER_SCHEMA, InvalidPathError, formatPath, parsePath } from '../../src/scim';

describe('parsePath (RFC 7644 §3.5.2 PATH)', () => {
  test.each([
    ['userName', { attr: 'userName' }],
    ['name.givenName', { attr: 'name', sub: 'givenName' }],
    ['members', { attr: 'members' }],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      { attr: 'members', filter: { op: 'eq', attr: { name: 'value' }, value: '2819c223-7f76-453a-919d-413861904646' } },
    ],
    [
      'emails[type eq "work"].value',
      { attr: 'emails', filter: { op: 'eq', attr: { name: 'type' }, value: 'work' }, sub: 'value' },
    ],
    [
      'addresses[type eq "work"].streetAddress',
      { attr: 'addresses', filter: { op: 'eq', attr: { name: 'type' }, value: 'work' }, sub: 'streetAddress' },
    ],
    [`${ENTERPRISE_USER_SCHEMA}:department`, { uri: ENTERPRISE_USER_SCHEMA, attr: 'department' }],
    [`${ENTERPRISE_USER_SCHEMA}:manager.value`, { uri: ENTERPRISE_USER_SCHEMA, attr: 'manager', sub: 'value' }],
    [ENTERPRISE_USER_SCHEMA, { uri: ENTERPRISE_USER_SCHEMA }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName',
      { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'userName' },
    ],
  ])('%s', (text, expected) => {
    const p = parsePath(text);
    expect(p).toEqual(expected);
    expect(parsePath(formatPath(p))).toEqual(p);
  });

  test.each([
    ['', 0],
    ['   ', 0],
    ['emails[type eq "work"', 21],
    ['emails[type eq "work"]value', 22],
    ['emails[type eq "work"].value.x', 22],
    ['emails[type eq "work"] x', 23],
    ['name.givenName[x eq 1]', 14],
    ['9lives', 0],
    ['user:name', 0],
    ['emails[type ex "work"]', 12],
    ['userName extra', 9],
    ['emails[type eq "work"].', 23],
  ])('rejects %j with invalidPath at %i', (text, position) => {
    let err: unknown;
    try {
      parsePath(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidPathError);
    expect((err as InvalidPathError).scimType).toBe('invalidPath');
    expect((err as InvalidPathError).position).toBe(position);
  });
});

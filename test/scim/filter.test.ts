import examples from './fixtures/rfc7644-3.4.2.2-filter-examples.json';
import {
  type FilterAst,
  InvalidFilterError,
  ScimError,
  and,
  compileFilter,
  eq,
  filter,
  formatFilter,
  not,
  or,
  parseFilter,
  pr,
  valuePath,
  co,
  gt,
  buildCatalog,
  CORE_SCHEMA_DEFINITIONS,
} from '../../src/scim';

type Res = Record<string, unknown>;
const resources = examples.resources as Res[];

describe('RFC 7644 §3.4.2.2 filter examples', () => {
  for (const c of examples.cases) {
    test(c.filter, () => {
      const ast = parseFilter(c.filter);
      if ('ast' in c && c.ast) expect(ast).toEqual(c.ast);
      const pred = compileFilter(c.filter);
      expect(resources.filter(pred).map((r) => r.id)).toEqual(c.matches);
      // Evaluating the canonical form gives the same answer as the original text.
      const again = compileFilter(formatFilter(ast));
      expect(resources.filter(again).map((r) => r.id)).toEqual(c.matches);
    });
  }
});

describe('parseFilter', () => {
  test('"and" binds tighter than "or", both left-associative', () => {
    expect(formatFilter(parseFilter('a pr or b pr and c pr'))).toBe('a pr or b pr and c pr');
    const ast = parseFilter('a pr or b pr and c pr');
    expect(ast).toMatchObject({ op: 'or', right: { op: 'and' } });
    expect(parseFilter('a pr and b pr and c pr')).toMatchObject({ op: 'and', left: { op: 'and' } });
    expect(parseFilter('(a pr or b pr) and c pr')).toMatchObject({ op: 'and', left: { op: 'or' } });
  });

  test('JSON literals', () => {
    expect(parseFilter('active eq true')).toEqual({ op: 'eq', attr: { name: 'active' }, value: true });
    expect(parseFilter('x eq false')).toMatchObject({ value: false });
    expect(parseFilter('x eq null')).toMatchObject({ value: null });
    expect(parseFilter('x gt -1.5e3')).toMatchObject({ value: -1500 });
    expect(parseFilter('x eq "a\\"b\\\\c\\u00e9\\n"')).toMatchObject({ value: 'a"b\\c\u00e9\n' });
  });

  test('extension URN with sub-attribute', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"')).toEqual({
      op: 'eq',
      attr: { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', name: 'manager', sub: 'value' },
      value: 'm1',
    });
  });

  test.each([
    ['', 0],
    ['userName', 8],
    ['userName eq', 11],
    ['userName eq "x', 12],
    ['userName xx "x"', 9],
    ['userName eq "x" and', 19],
    ['(userName eq "x"', 16],
    ['userName eq "x")', 15],
    ['userName eq bjensen', 12],
    ['emails[type eq "work"', 21],
    ['emails[type[value eq "x"]]', 11],
    ['userName eq "x" # 1', 16],
    ['1abc eq "x"', 0],
    ['user:name eq "x"', 0],
    ['userName eq 01', 12],
    ['not userName eq "x"', 4],
    ['emails.value[type eq "x"]', 12],
  ])('rejects %j with invalidFilter at position %i', (text, position) => {
    let err: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidFilterError);
    expect(err).toBeInstanceOf(ScimError);
    const e = err as InvalidFilterError;
    expect(e.scimType).toBe('invalidFilter');
    expect(e.status).toBe(400);
    expect(e.position).toBe(position);
    expect(e.detail).toContain(`position ${position}`);
    expect(e.toJSON()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: e.detail,
    });
  });
});

describe('compileFilter semantics', () => {
  const user: Res = {
    id: 'ABC',
    externalId: 'Ext-1',
    userName: 'BJensen',
    active: true,
    emails: [
      { value: 'b@Example.com', type: 'work', primary: true },
      { value: 'b@home.org', type: 'home' },
    ],
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    x509Certificates: [{ value: 'MIIB' }],
    meta: { lastModified: '2024-01-01T10:00:00.000Z' },
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales', manager: { value: 'M1' } },
    loginCount: 7,
  };
  const m = (f: string): boolean => compileFilter(f)(user);

  test('caseExact per attribute', () => {
    expect(m('userName eq "bjensen"')).toBe(true);
    expect(m('id eq "abc"')).toBe(false);
    expect(m('id eq "ABC"')).toBe(true);
    expect(m('externalId eq "ext-1"')).toBe(false);
    expect(m('unknownAttr eq "x"')).toBe(false);
  });
  test('multi-valued: any value matches; complex without sub-attribute uses value', () => {
    expect(m('emails.type eq "home"')).toBe(true);
    expect(m('emails co "example.COM"')).toBe(true);
    expect(m('emails[type eq "home" and value co "example"]')).toBe(false);
    expect(m('emails[type eq "work" and primary eq true]')).toBe(true);
  });
  test('ne is the negation of eq; unassigned is not equal', () => {
    expect(m('emails.type ne "home"')).toBe(false);
    expect(m('title ne "x"')).toBe(true);
    expect(m('userName ne "BJENSEN"')).toBe(false);
  });
  test('null means unassigned (RFC 7643 §2.5)', () => {
    expect(m('title eq null')).toBe(true);
    expect(m('userName eq null')).toBe(false);
    expect(m('userName ne null')).toBe(true);
  });
  test('numbers, booleans, dateTimes as instants', () => {
    expect(m('loginCount gt 6')).toBe(true);
    expect(m('loginCount ge 7.5')).toBe(false);
    expect(m('loginCount eq "7"')).toBe(false);
    expect(m('active eq true')).toBe(true);
    expect(m('active eq false')).toBe(false);
    expect(m('meta.lastModified eq "2024-01-01T11:00:00+01:00"')).toBe(true);
    expect(m('meta.lastModified gt "2024-01-01T10:59:59+01:00"')).toBe(true);
  });
  test('extension attributes by URN and by unqualified name', () => {
    expect(m('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"')).toBe(true);
    expect(m('department eq "sales"')).toBe(true);
    expect(m('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"')).toBe(true);
  });
  test('ordering on boolean/binary is invalidFilter (RFC 7644 §3.4.2.2)', () => {
    expect(() => compileFilter('active gt true')).toThrow(InvalidFilterError);
    expect(() => compileFilter('x509Certificates.value lt "a"')).toThrow(InvalidFilterError);
    expect(() => compileFilter('meta.lastModified gt "yesterday"')).toThrow(InvalidFilterError);
  });
  test('pr requires a non-empty value', () => {
    expect(compileFilter('title pr')({ title: '' })).toBe(false);
    expect(compileFilter('emails pr')({ emails: [] })).toBe(false);
    expect(compileFilter('name pr')({ name: { givenName: null } })).toBe(false);
    expect(compileFilter('name pr')({ name: { givenName: 'x' } })).toBe(true);
  });
});

describe('builder', () => {
  test('tagged template escapes values', () => {
    const evil = '" or userName pr or userName eq "';
    const f = filter`userName eq ${evil}`;
    expect(parseFilter(f)).toEqual({ op: 'eq', attr: { name: 'userName' }, value: evil });
    expect(filter`active eq ${true} and loginCount gt ${3}`).toBe('active eq true and loginCount gt 3');
    expect(filter`meta.lastModified gt ${new Date(Date.UTC(2020, 0, 1))}`).toBe(
      'meta.lastModified gt "2020-01-01T00:00:00.000Z"',
    );
  });
  test('values cannot take the place of attributes or operators', () => {
    expect(() => filter`${'userName'} eq "x"`).toThrow(InvalidFilterError);
    expect(() => filter`userName ${'eq'} "x"`).toThrow(InvalidFilterError);
  });
  test('only builder nodes may be interpolated as sub-filters', () => {
    const sub = or(eq('userName', 'a'), eq('userName', 'b'));
    expect(filter`active eq ${true} and ${sub}`).toBe('active eq true and (userName eq "a" or userName eq "b")');
    const forged = { op: 'pr', attr: { name: 'x' } } as FilterAst;
    expect(() => filter`${forged}`).toThrow(InvalidFilterError);
  });
  test('functions build ASTs', () => {
    const f = and(
      eq('userType', 'Employee'),
      valuePath('emails', and(eq('type', 'work'), co('value', '@example.com'))),
      not(pr('title')),
      gt('meta.lastModified', '2020-01-01T00:00:00Z'),
    );
    expect(formatFilter(f)).toBe(
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"] and not (title pr) and meta.lastModified gt "2020-01-01T00:00:00Z"',
    );
    expect(() => eq('bad name', 'x')).toThrow(InvalidFilterError);
    expect(() => eq('x', Number.NaN)).toThrow(InvalidFilterError);
  });
});

describe('groups and custom schemas', () => {
  const group = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: 'e9e30dba',
    displayName: 'Tour Guides',
    members: [
      { value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' },
      { value: '902c246b', display: 'Mandy Pepperidge' },
    ],
  };
  test('members value paths and core URN prefix', () => {
    expect(compileFilter('members[value eq "2819C223-7F76-453A-919D-413861904646"]')(group)).toBe(true);
    expect(compileFilter('members.display sw "mandy"')(group)).toBe(true);
    expect(compileFilter('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "tour guides"')(group)).toBe(true);
    expect(compileFilter('members[value eq "nobody"]')(group)).toBe(false);
  });
  test('a custom extension schema drives caseExact and dateTime handling', () => {
    const urn = 'urn:example:params:scim:schemas:extension:hr:2.0:User';
    const catalog = buildCatalog([
      ...CORE_SCHEMA_DEFINITIONS,
      {
        id: urn,
        name: 'HR',
        description: 'HR extension',
        attributes: [
          {
            name: 'badge',
            type: 'string',
            multiValued: false,
            description: '',
            required: false,
            caseExact: true,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
          },
          {
            name: 'startDate',
            type: 'dateTime',
            multiValued: false,
            description: '',
            required: false,
            caseExact: false,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
          },
        ],
      },
    ]);
    const u = { userName: 'x', [urn]: { badge: 'AB-1', startDate: '2024-03-01T09:00:00+01:00' } };
    expect(compileFilter(`${urn}:badge eq "ab-1"`, { catalog })(u)).toBe(false);
    expect(compileFilter(`${urn}:badge eq "AB-1"`, { catalog })(u)).toBe(true);
    expect(compileFilter(`${urn}:startDate eq "2024-03-01T08:00:00Z"`, { catalog })(u)).toBe(true);
    // Without the schema the attribute is unknown: case-insensitive text.
    expect(compileFilter(`${urn}:badge eq "ab-1"`)(u)).toBe(true);
  });
});

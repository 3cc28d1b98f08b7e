import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENTERPRISE_USER_SCHEMA,
  InvalidPathError,
  InvalidSyntaxError,
  InvalidValueError,
  MutabilityError,
  NoTargetError,
  type PatchOp,
  type PatchOperation,
  ScimError,
  applyPatch,
  normalizePatchOp,
  PATCH_OP_SCHEMA,
} from '../../src/scim';

type Res = Record<string, unknown>;
interface PatchFixture {
  source: string;
  resource: Res;
  patch: PatchOp;
  expected?: Res;
  error?: { scimType: string; status: number };
}

const dir = join(__dirname, 'fixtures');
const fixtures = readdirSync(dir)
  .filter((f) => /^rfc764[34]-(3\.5\.2|4\.3)/.test(f))
  .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as PatchFixture] as const);

const ops = (...o: PatchOperation[]): PatchOp => ({ schemas: [PATCH_OP_SCHEMA], Operations: o });

function thrown(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('RFC fixtures', () => {
  test('fixtures are present', () => expect(fixtures.length).toBeGreaterThanOrEqual(18));
  test.each(fixtures)('%s', (_name, fx) => {
    const before = JSON.stringify(fx.resource);
    if (fx.error) {
      const e = thrown(() => applyPatch(fx.resource, fx.patch));
      expect(e.scimType).toBe(fx.error.scimType);
      expect(e.status).toBe(fx.error.status);
    } else {
      expect(applyPatch(fx.resource, fx.patch)).toEqual(fx.expected);
    }
    // The input is never mutated.
    expect(JSON.stringify(fx.resource)).toBe(before);
  });
});

describe('applyPatch', () => {
  const user = (): Res => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: 'u1',
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { value: 'b@example.com', type: 'work', primary: true },
      { value: 'b@home.org', type: 'home' },
    ],
    active: true,
    meta: { resourceType: 'User' },
  });

  test('complex attribute: sub-attributes merged (§3.5.2.3)', () => {
    expect(applyPatch(user(), ops({ op: 'replace', path: 'name', value: { givenName: 'Babs' } })).name).toEqual({
      givenName: 'Babs',
      familyName: 'Jensen',
    });
    expect(applyPatch(user(), ops({ op: 'replace', path: 'name.givenName', value: 'Babs' })).name).toEqual({
      givenName: 'Babs',
      familyName: 'Jensen',
    });
    expect(applyPatch(user(), ops({ op: 'remove', path: 'name.givenName' })).name).toEqual({ familyName: 'Jensen' });
  });

  test('remove of a single-valued attribute and of the last sub-attribute', () => {
    const r = applyPatch(
      user(),
      ops(
        { op: 'remove', path: 'name.givenName' },
        { op: 'remove', path: 'name.familyName' },
        { op: 'remove', path: 'active' },
      ),
    );
    expect(r).not.toHaveProperty('name');
    expect(r).not.toHaveProperty('active');
  });

  test('add to a missing attribute creates it; add of a scalar replaces', () => {
    expect(applyPatch(user(), ops({ op: 'add', path: 'title', value: 'Guide' })).title).toBe('Guide');
    expect(applyPatch(user(), ops({ op: 'add', path: 'userName', value: 'babs' })).userName).toBe('babs');
  });

  test('value path with sub-attribute; add creates the value when no value matches (Entra ID)', () => {
    const r = applyPatch(user(), ops({ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' }));
    expect(r.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555' }]);
    expect(() =>
      applyPatch(user(), ops({ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1' })),
    ).toThrow(NoTargetError);
    const lenient = applyPatch(
      user(),
      ops({ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1' }),
      { idpCompat: true },
    );
    expect(lenient.phoneNumbers).toEqual([{ type: 'mobile', value: '+1' }]);
  });

  test('add with a non-eq filter that matches nothing is noTarget', () => {
    expect(() => applyPatch(user(), ops({ op: 'add', path: 'emails[type co "x"].value', value: 'a' }))).toThrow(
      NoTargetError,
    );
  });

  test('primary rule on add of a new primary value', () => {
    const r = applyPatch(
      user(),
      ops({ op: 'add', path: 'emails', value: [{ value: 'n@x.org', type: 'other', primary: true }] }),
    );
    expect(r.emails).toEqual([
      { value: 'b@example.com', type: 'work', primary: false },
      { value: 'b@home.org', type: 'home' },
      { value: 'n@x.org', type: 'other', primary: true },
    ]);
  });

  test('extension paths create the extension and declare it in schemas', () => {
    const r = applyPatch(
      user(),
      ops(
        { op: 'add', path: `${ENTERPRISE_USER_SCHEMA}:manager.value`, value: 'm1' },
        { op: 'add', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Sales' },
      ),
    );
    expect(r[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'm1' }, department: 'Sales' });
    expect(r.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA]);
    const removed = applyPatch(
      r,
      ops(
        { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:manager` },
        { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:department` },
      ),
    );
    expect(removed).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
    const viaSub = applyPatch(
      r,
      ops(
        { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:department` },
        { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:manager.value` },
      ),
    );
    expect(viaSub).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
    const whole = applyPatch(user(), ops({ op: 'add', path: ENTERPRISE_USER_SCHEMA, value: { costCenter: '4130' } }));
    expect(whole[ENTERPRISE_USER_SCHEMA]).toEqual({ costCenter: '4130' });
  });

  test('mutability: readOnly, immutable, and echoed readOnly values', () => {
    expect(() => applyPatch(user(), ops({ op: 'remove', path: 'meta' }))).toThrow(MutabilityError);
    expect(() => applyPatch(user(), ops({ op: 'replace', value: { id: 'other' } }))).toThrow(MutabilityError);
    expect(applyPatch(user(), ops({ op: 'replace', value: { id: 'u1', active: false } })).active).toBe(false);
    const group = { displayName: 'g', members: [{ value: 'a' }] };
    expect(() => applyPatch(group, ops({ op: 'replace', path: 'members[value eq "a"].value', value: 'b' }))).toThrow(
      MutabilityError,
    );
    expect(() =>
      applyPatch(
        user(),
        ops({
          op: 'replace',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName',
          value: 'x',
        }),
      ),
    ).toThrow(MutabilityError);
  });

  test('invalid values', () => {
    expect(thrown(() => applyPatch(user(), ops({ op: 'replace', path: 'active', value: 'False' }))).scimType).toBe(
      'invalidValue',
    );
    expect(() => applyPatch(user(), ops({ op: 'replace', path: 'userName', value: 42 }))).toThrow(InvalidValueError);
    expect(() => applyPatch(user(), ops({ op: 'remove', path: 'userName' }))).toThrow(InvalidValueError);
    expect(() => applyPatch(user(), ops({ op: 'replace', path: 'name', value: 'x' }))).toThrow(InvalidValueError);
    expect(() => applyPatch(user(), ops({ op: 'add', path: 'emails', value: [{ value: 1 }] }))).toThrow(
      InvalidValueError,
    );
    expect(() => applyPatch(user(), ops({ op: 'add', path: 'title' } as PatchOperation))).toThrow(InvalidValueError);
    expect(() => applyPatch(user(), ops({ op: 'add', value: 'x' }))).toThrow(InvalidValueError);
  });

  test('invalid syntax and paths', () => {
    expect(() => applyPatch(user(), { schemas: [], Operations: [] })).toThrow(InvalidSyntaxError);
    expect(() =>
      applyPatch(user(), ops({ op: 'Replace', path: 'active', value: false } as unknown as PatchOperation)),
    ).toThrow(InvalidSyntaxError);
    const e = thrown(() => applyPatch(user(), ops({ op: 'replace', path: 'emails[type eq "work"', value: 'x' })));
    expect(e).toBeInstanceOf(InvalidPathError);
    expect(e.position).toBe(21);
  });

  test('atomic: a failing operation leaves no partial result and the input untouched', () => {
    const u = user();
    const snapshot = JSON.stringify(u);
    expect(() =>
      applyPatch(u, ops({ op: 'replace', path: 'title', value: 'X' }, { op: 'replace', path: 'id', value: 'y' })),
    ).toThrow(MutabilityError);
    expect(JSON.stringify(u)).toBe(snapshot);
  });
});

describe('normalizePatchOp (Entra ID / Okta dialects)', () => {
  const user = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: 'u1',
    userName: 'bjensen',
    active: true,
    emails: [{ value: 'b@example.com', type: 'work', primary: true }],
  };

  test('capitalised op names and "True"/"False" strings', () => {
    const p = {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' },
      ],
    };
    expect(normalizePatchOp(p).Operations).toEqual([
      { op: 'replace', path: 'active', value: false },
      { op: 'add', path: 'emails[type eq "work"].primary', value: true },
    ]);
    expect(applyPatch(user, p as unknown as PatchOp, { idpCompat: true }).active).toBe(false);
  });

  test('path-less value with dotted and URN-qualified keys', () => {
    const p = {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        {
          op: 'Replace',
          value: {
            'name.givenName': 'Babs',
            displayName: 'Babs J',
            active: 'True',
            [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Sales',
            [`${ENTERPRISE_USER_SCHEMA}:manager`]: 'm-1',
          },
        },
      ],
    };
    expect(normalizePatchOp(p).Operations).toEqual([
      { op: 'replace', value: { displayName: 'Babs J', active: true } },
      { op: 'replace', path: 'name.givenName', value: 'Babs' },
      { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Sales' },
      { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: { value: 'm-1' } },
    ]);
    const r = applyPatch(user, p as unknown as PatchOp, { idpCompat: true });
    expect(r).toMatchObject({
      displayName: 'Babs J',
      active: true,
      name: { givenName: 'Babs' },
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'm-1' } },
    });
  });

  test('member removal as a value list', () => {
    const group = { displayName: 'g', members: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] };
    const p = {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'a' }, { value: 'c' }] }],
    };
    expect(normalizePatchOp(p).Operations).toEqual([
      { op: 'remove', path: 'members[value eq "a"]' },
      { op: 'remove', path: 'members[value eq "c"]' },
    ]);
    expect(applyPatch(group, p as unknown as PatchOp, { idpCompat: true }).members).toEqual([{ value: 'b' }]);
    const filtered = { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: 'members[value eq "b"]' }] };
    expect(applyPatch(group, filtered as PatchOp, { idpCompat: true }).members).toEqual([
      { value: 'a' },
      { value: 'c' },
    ]);
  });

  test('envelope: missing schemas, lower-case operations key', () => {
    expect(normalizePatchOp({ operations: [{ op: 'add', path: 'title', value: 'x' }] })).toEqual({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'add', path: 'title', value: 'x' }],
    });
    expect(() => normalizePatchOp({ schemas: [PATCH_OP_SCHEMA] })).toThrow(InvalidSyntaxError);
    expect(() => normalizePatchOp('x')).toThrow(InvalidSyntaxError);
    expect(() =>
      normalizePatchOp({ Operations: [{ op: 'remove', path: 'members', value: [{ display: 'no id' }] }] }),
    ).toThrow(InvalidSyntaxError);
  });
});

describe('applyPatch result ownership', () => {
  test('the result shares no objects with the input or the PatchOp', () => {
    const value = { givenName: 'B', nested: { deep: ['x'] } };
    const tags = [{ value: 't' }];
    const input = { userName: 'u', x_obj: { a: { b: 1 } }, emails: [{ value: 'a@b', type: 'work' }] };
    const out: Record<string, unknown> = applyPatch(
      input,
      ops(
        { op: 'replace', path: 'name', value },
        { op: 'add', path: 'x_tags', value: tags },
        { op: 'replace', path: 'x_new', value: { k: [1] } },
      ),
    );
    ((out.name as Record<string, unknown>).nested as { deep: string[] }).deep.push('y');
    (out.x_tags as Array<Record<string, unknown>>)[0]!.value = 'changed';
    ((out.x_obj as Record<string, Record<string, number>>).a as Record<string, number>).b = 2;
    ((out.emails as Array<Record<string, unknown>>)[0] as Record<string, unknown>).value = 'z';
    expect(value.nested.deep).toEqual(['x']);
    expect(tags[0]!.value).toBe('t');
    expect(input.x_obj.a.b).toBe(1);
    expect(input.emails[0]!.value).toBe('a@b');
  });
});

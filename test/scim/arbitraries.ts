// fast-check generators shared by the property tests and cross-checks.
import fc from 'fast-check';
import { ENTERPRISE_USER_SCHEMA, type FilterAst, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim';

type Obj = Record<string, unknown>;

/** Strings that exercise escaping and case folding as well as random text. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'a"b',
      'x]y',
      "O'Malley",
      'a\\b',
      ' or userName pr',
      'Work',
      'work',
      'é',
      'ÉCOLE',
      'İ',
      '',
    ),
  },
);

const onePrimary = (list: Obj[]): Obj[] => {
  let seen = false;
  return list.map((el) => {
    if (el.primary !== true) return el;
    if (seen) {
      const { primary: _p, ...rest } = el;
      return rest;
    }
    seen = true;
    return el;
  });
};

// Mostly one value per type, as real directories have; sometimes duplicates, to exercise the
// whole-attribute fallback.
const typed = (types: string[]) => {
  const el = fc.record(
    { value: text, type: fc.constantFrom(...types), primary: fc.boolean(), display: text },
    { requiredKeys: ['value'] },
  );
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.uniqueArray(el, { selector: (e) => String(e.type).toLowerCase(), maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(el, { maxLength: 4 }) },
    )
    .map((l) => onePrimary(l as Obj[]));
};

export const emails = typed(['work', 'home', 'other', 'Work']);
export const phoneNumbers = typed(['work', 'mobile', 'home']);
export const addresses = fc
  .uniqueArray(
    fc.record(
      {
        type: fc.constantFrom('work', 'home', 'other'),
        streetAddress: text,
        locality: text,
        country: text,
        primary: fc.boolean(),
      },
      { requiredKeys: ['type'] },
    ),
    {
      selector: (a) => a.type,
      maxLength: 3,
    },
  )
  .map((l) => onePrimary(l as Obj[]));
const valuedEl = fc.record(
  { value: fc.constantFrom('a', 'b', 'c', 'A', 'd"e', 'f]g'), display: text, type: text },
  { requiredKeys: ['value'] },
);
export const valued = fc.oneof(
  { weight: 3, arbitrary: fc.uniqueArray(valuedEl, { selector: (e) => e.value.toLowerCase(), maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(valuedEl, { maxLength: 4 }) },
);

export const name = fc.record(
  { givenName: text, familyName: text, middleName: text, formatted: text },
  { requiredKeys: [] },
);
export const enterprise = fc.record(
  {
    department: text,
    costCenter: text,
    employeeNumber: text,
    manager: fc.record({ value: text, $ref: text }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** Attributes a client may write on a User (no readOnly ones). */
export const userAttributes = fc.record(
  {
    userName: text,
    displayName: text,
    nickName: text,
    title: text,
    active: fc.boolean(),
    name,
    emails,
    phoneNumbers,
    addresses,
    entitlements: valued,
    roles: valued,
    x_custom: fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 })),
    [ENTERPRISE_USER_SCHEMA]: enterprise,
  },
  { requiredKeys: ['userName'] },
);

export const storedUser = userAttributes.map((a) => ({
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  id: 'id-1',
  meta: { resourceType: 'User', lastModified: '2024-01-01T00:00:00Z' },
  groups: [{ value: 'g1', display: 'G' }],
  ...a,
}));

/**
 * Mixes two attribute sets per attribute: keep a's value, take b's, drop it, or (for lists and
 * objects) combine parts of both, so that pairs share most values as real updates do.
 */
export function mix(a: Obj, b: Obj, choices: number[]): Obj {
  const out: Obj = {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  keys.forEach((k, i) => {
    const c = choices[i % choices.length] ?? 0;
    const av = a[k];
    const bv = b[k];
    if (c === 0) {
      if (av !== undefined) out[k] = structuredClone(av);
    } else if (c === 1) {
      if (bv !== undefined) out[k] = structuredClone(bv);
    } else if (c === 2) {
      // dropped
    } else if (Array.isArray(av) && Array.isArray(bv) && choices[(i + 1) % choices.length]! % 2 === 0) {
      // Same values (same identity), other sub-attributes: what a profile update looks like.
      const idKey = av.some((e) => e && typeof e === 'object' && 'type' in e) ? 'type' : 'value';
      out[k] = structuredClone(
        av.map((e, j) => {
          const o = bv[j];
          if (j % 2 === 1 || !e || typeof e !== 'object' || !o || typeof o !== 'object') return e;
          return { ...(o as Obj), [idKey]: (e as Obj)[idKey] };
        }),
      );
      if (k === 'emails' || k === 'phoneNumbers' || k === 'addresses') out[k] = onePrimary(out[k] as Obj[]);
    } else if (Array.isArray(av) && Array.isArray(bv)) {
      out[k] = structuredClone([...av.filter((_, j) => j % 2 === 0), ...bv.filter((_, j) => j % 2 === 1)]);
      if (k === 'emails' || k === 'phoneNumbers' || k === 'addresses') out[k] = onePrimary(out[k] as Obj[]);
    } else if (
      av &&
      bv &&
      typeof av === 'object' &&
      typeof bv === 'object' &&
      !Array.isArray(av) &&
      !Array.isArray(bv)
    ) {
      out[k] = structuredClone({ ...(av as Obj), ...(bv as Obj) });
    } else if (bv !== undefined) out[k] = structuredClone(bv);
  });
  return out;
}

export const userPair = fc
  .tuple(
    storedUser,
    userAttributes,
    fc.array(fc.nat(3), { minLength: 16, maxLength: 16 }),
    fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
  )
  .map(([current, other, choices, managedMask]) => {
    const { schemas: _s, id: _i, meta: _m, groups: _g, ...writable } = current;
    const desired = mix(writable, other, choices);
    if (desired.userName === undefined) desired.userName = current.userName;
    // Sometimes the client echoes readOnly attributes with other values; they must be ignored.
    if (choices[0] === 3) Object.assign(desired, { id: 'someone-else', groups: [], meta: { resourceType: 'User' } });
    const absent = Object.keys(current).filter(
      (k) => !(k in desired) && !['schemas', 'id', 'meta', 'groups', 'userName'].includes(k),
    );
    const managed = absent.filter((_, i) => managedMask[i]);
    return { current: current as Obj, desired, managed };
  });

export const storedGroup = fc
  .uniqueArray(fc.record({ value: fc.string({ minLength: 1, maxLength: 6 }), display: text }), {
    selector: (m) => m.value.toLowerCase(),
    maxLength: 30,
  })
  .map((members) => ({ schemas: [GROUP_SCHEMA], id: 'g', displayName: 'Group', members }));

// ---- filters ----------------------------------------------------------------------------------

const attrName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/);
const filterValue = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
  fc.constant(null),
);
const cmpOp = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le' as const);
const topRef = fc.record(
  {
    uri: fc.constantFrom(USER_SCHEMA, ENTERPRISE_USER_SCHEMA, 'urn:example:ext:1.0:Thing'),
    name: attrName,
    sub: attrName,
  },
  { requiredKeys: ['name'] },
);
const innerRef = fc.record({ name: attrName });

function filterArb(
  ref: fc.Arbitrary<{ uri?: string; name: string; sub?: string }>,
  allowValuePath: boolean,
): fc.Arbitrary<FilterAst> {
  return fc.letrec<{ f: FilterAst }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ op: cmpOp, attr: ref, value: filterValue }) as fc.Arbitrary<FilterAst>,
      fc.record({ op: fc.constant('pr' as const), attr: ref }) as fc.Arbitrary<FilterAst>,
      fc.record({
        op: fc.constantFrom('and' as const, 'or' as const),
        left: tie('f'),
        right: tie('f'),
      }) as fc.Arbitrary<FilterAst>,
      fc.record({ op: fc.constant('not' as const), filter: tie('f') }) as fc.Arbitrary<FilterAst>,
      ...(allowValuePath
        ? [
            fc.record({
              op: fc.constant('valuePath' as const),
              attr: fc.record({ name: attrName }),
              filter: filterArb(innerRef, false),
            }) as fc.Arbitrary<FilterAst>,
          ]
        : []),
    ),
  })).f;
}

export const filterAst: fc.Arbitrary<FilterAst> = filterArb(topRef, true);

import fc from 'fast-check';
import {
  ENTERPRISE_USER_SCHEMA,
  PATCH_OP_SCHEMA,
  type PatchOp,
  applyPatch,
  generatePatch,
  resourcesEquivalentOn,
} from '../../src/scim';
import { storedGroup, userPair } from './arbitraries';

type Obj = Record<string, unknown>;
const READ_ONLY = ['id', 'meta', 'groups', 'schemas'];

/** The attributes `desired` manages: its own (minus readOnly) plus `managed`, extensions per attribute. */
function managedOf(desired: Obj, managed: string[]): string[] {
  const out: string[] = [];
  for (const k of Object.keys(desired)) {
    if (READ_ONLY.includes(k)) continue;
    if (k === ENTERPRISE_USER_SCHEMA) {
      for (const a of Object.keys(desired[k] as Obj)) out.push(`${k}:${a}`);
    } else out.push(k);
  }
  for (const m of managed)
    if (m === ENTERPRISE_USER_SCHEMA) out.push(m);
    else out.push(m);
  return out;
}

function checkInvariant(current: Obj, desired: Obj, managed: string[], valuePathFilters: boolean): PatchOp {
  const patch = generatePatch(current, desired, { managed, valuePathFilters });
  for (const op of patch.Operations) {
    const head = (op.path ?? '').split(/[[.]/)[0] ?? '';
    expect(READ_ONLY).not.toContain(head);
    if (op.path === undefined) for (const k of Object.keys(op.value as Obj)) expect(READ_ONLY).not.toContain(k);
  }
  const before = JSON.stringify(current);
  const result = applyPatch(current, patch);
  expect(JSON.stringify(current)).toBe(before);
  const attrs = managedOf(desired, managed);
  if (!resourcesEquivalentOn(result, desired, attrs)) {
    throw new Error(
      `invariant broken\ncurrent=${JSON.stringify(current)}\ndesired=${JSON.stringify(desired)}\npatch=${JSON.stringify(patch)}\nresult=${JSON.stringify(result)}`,
    );
  }
  // Unmanaged attributes are left alone.
  for (const k of Object.keys(current)) {
    if (!attrs.includes(k) && k !== ENTERPRISE_USER_SCHEMA && k !== 'schemas') expect(result[k]).toEqual(current[k]);
  }
  // Idempotent: once applied, nothing is left to do.
  expect(generatePatch(result, desired, { managed, valuePathFilters }).Operations).toEqual([]);
  return patch;
}

describe('generatePatch', () => {
  const current: Obj = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
    id: 'u1',
    userName: 'bjensen',
    title: 'Guide',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { value: 'b@example.com', type: 'work', primary: true },
      { value: 'b@home.org', type: 'home' },
    ],
    [ENTERPRISE_USER_SCHEMA]: { department: 'Tours', manager: { value: 'm1', displayName: 'John' } },
    meta: { resourceType: 'User' },
  };

  test('no change gives an empty PatchOp', () => {
    expect(generatePatch(current, { ...current, id: 'other', meta: {} })).toEqual({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [],
    });
  });

  test('scalars, complex sub-attributes, extension paths', () => {
    const p = generatePatch(current, {
      userName: 'bjensen',
      title: 'Lead',
      name: { givenName: 'Babs' },
      [ENTERPRISE_USER_SCHEMA]: { department: 'Rides', manager: { value: 'm2' } },
    });
    expect(p.Operations).toEqual([
      { op: 'remove', path: 'name.familyName' },
      { op: 'replace', path: 'title', value: 'Lead' },
      { op: 'replace', path: 'name.givenName', value: 'Babs' },
      { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Rides' },
      { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager.value`, value: 'm2' },
    ]);
  });

  test('absent attributes are left alone unless managed', () => {
    expect(generatePatch(current, { userName: 'bjensen' }).Operations).toEqual([]);
    expect(
      generatePatch(current, { userName: 'bjensen' }, { managed: ['title', `${ENTERPRISE_USER_SCHEMA}:department`] })
        .Operations,
    ).toEqual([
      { op: 'remove', path: 'title' },
      { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:department` },
    ]);
  });

  test('multi-valued by value path, or whole when valuePathFilters is false', () => {
    const desired = {
      emails: [
        { value: 'babs@example.com', type: 'work', primary: true },
        { value: 'b@other.org', type: 'other' },
      ],
    };
    expect(generatePatch(current, desired).Operations).toEqual([
      { op: 'remove', path: 'emails[type eq "home"]' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@example.com' },
      { op: 'add', path: 'emails', value: [{ value: 'b@other.org', type: 'other' }] },
    ]);
    expect(generatePatch(current, desired, { valuePathFilters: false }).Operations).toEqual([
      { op: 'replace', path: 'emails', value: desired.emails },
    ]);
  });

  test('primary moving to another value needs one operation', () => {
    const desired = {
      emails: [
        { value: 'b@example.com', type: 'work' },
        { value: 'b@home.org', type: 'home', primary: true },
      ],
    };
    const p = generatePatch(current, desired);
    expect(p.Operations).toEqual([{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }]);
    expect(resourcesEquivalentOn(applyPatch(current, p), desired, ['emails'])).toBe(true);
  });

  test('group members: add and remove by value, escaped in filters', () => {
    const group = { displayName: 'g', members: [{ value: 'a"1' }, { value: 'b' }] };
    const p = generatePatch(group, { members: [{ value: 'b' }, { value: 'c' }] });
    expect(p.Operations).toEqual([
      { op: 'remove', path: 'members[value eq "a\\"1"]' },
      { op: 'add', path: 'members', value: [{ value: 'c' }] },
    ]);
    expect(applyPatch(group, p).members).toEqual([{ value: 'b' }, { value: 'c' }]);
    expect(generatePatch(group, { members: [] }).Operations).toEqual([{ op: 'remove', path: 'members' }]);
  });

  test('immutable member sub-attribute change is a remove and re-add', () => {
    const group = { displayName: 'g', members: [{ value: 'a', type: 'User' }] };
    const desired = { members: [{ value: 'a', type: 'Group' }] };
    const p = generatePatch(group, desired);
    expect(p.Operations).toEqual([
      { op: 'remove', path: 'members[value eq "a"]' },
      { op: 'add', path: 'members', value: [{ value: 'a', type: 'Group' }] },
    ]);
    expect(applyPatch(group, p).members).toEqual(desired.members);
  });

  test.each([true, false])(
    'property: applyPatch(current, generatePatch(current, desired)) ≡ desired (valuePathFilters=%s)',
    (valuePathFilters) => {
      fc.assert(
        fc.property(userPair, ({ current, desired, managed }) => {
          checkInvariant(current, desired, managed, valuePathFilters);
        }),
        { numRuns: 2500, seed: valuePathFilters ? 42 : 4242 },
      );
    },
  );

  test('property: group membership diffs', () => {
    fc.assert(
      fc.property(storedGroup, storedGroup, (current, other) => {
        const desired = { members: [...current.members.filter((_, i) => i % 3 !== 0), ...other.members] };
        // Identity is `value` (case-insensitive per RFC 7643 §8.7.1): keep one per value.
        const seen = new Set<string>();
        desired.members = desired.members.filter(
          (m) => !seen.has(m.value.toLowerCase()) && seen.add(m.value.toLowerCase()),
        );
        const patch = checkInvariant(current, desired, [], true);
        expect(resourcesEquivalentOn(applyPatch(current, patch), desired, ['members'])).toBe(true);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});

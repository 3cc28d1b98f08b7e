// planPatch's `managed` beyond top-level attributes: sub-attributes and extension attributes.
import { PROFILES } from '../../src/connectors';
import { planPatch } from '../../src/connectors/patch-plan';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const current = {
  userName: 'a',
  title: 'T',
  name: { givenName: 'A', middleName: 'M', familyName: 'F' },
  [ENT]: { department: 'D', manager: { value: 'm1', displayName: 'Boss' } },
};
const ops = (desired: Record<string, unknown>, managed: string[]) =>
  planPatch(current, desired, managed, PROFILES.generic).Operations;

test('a managed sub-attribute is removed when desired omits its parent altogether', () => {
  expect(ops({ userName: 'a' }, ['name.middleName', 'title', `${ENT}:manager`])).toEqual([
    { op: 'remove', path: 'name.middleName' },
    { op: 'remove', path: 'title' },
    { op: 'remove', path: `${ENT}:manager` },
  ]);
});

test('when desired carries the parent, its missing sub-attributes go whether managed or not', () => {
  expect(ops({ userName: 'a', name: { givenName: 'A', familyName: 'F' } }, [])).toEqual([
    { op: 'remove', path: 'name.middleName' },
  ]);
  expect(ops({ userName: 'a', name: { givenName: 'A', familyName: 'F' } }, ['name.middleName'])).toEqual([
    { op: 'remove', path: 'name.middleName' },
  ]);
});

test('extension sub-attributes, case-insensitive names; nothing to remove → nothing planned; desired is not mutated', () => {
  expect(ops({ userName: 'a' }, [`${ENT}:manager.value`])).toEqual([{ op: 'remove', path: `${ENT}:manager.value` }]);
  expect(ops({ userName: 'a' }, ['NAME.MIDDLENAME'])).toEqual([{ op: 'remove', path: 'name.middleName' }]);
  expect(ops({ userName: 'a' }, ['name.honorificPrefix', `${ENT}:costCenter`])).toEqual([]);
  const desired = { userName: 'a', [ENT]: { department: 'D' } };
  expect(ops(desired, [`${ENT}:manager`, 'name.middleName'])).toEqual([
    { op: 'remove', path: 'name.middleName' },
    { op: 'remove', path: `${ENT}:manager` },
  ]);
  expect(desired).toEqual({ userName: 'a', [ENT]: { department: 'D' } });
});

test('the only sub-attribute cleared: the whole attribute goes', () => {
  expect(
    planPatch({ userName: 'a', name: { middleName: 'M' } }, { userName: 'a' }, ['name.middleName'], PROFILES.generic)
      .Operations,
  ).toEqual([{ op: 'remove', path: 'name' }]);
});

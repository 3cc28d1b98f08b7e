// Entra ID / Okta dialects must mean the same as the strict PatchOp they stand for: rewrite
// generated patches into the dialect and check that applyPatch with idpCompat gives the same
// resource as the strict form.
import fc from 'fast-check';
import {
  ENTERPRISE_USER_SCHEMA,
  PATCH_OP_SCHEMA,
  type PatchOperation,
  applyPatch,
  generatePatch,
} from '../../src/scim';
import { storedGroup, userPair } from './arbitraries';

type Obj = Record<string, unknown>;
const BOOLEAN_PATH = /(^active$|\.primary$)/;

/** What Entra ID sends for the same change (see docs/scim-core.md, "Normalisation"). */
function entraDialect(op: PatchOperation, flip: boolean): Obj {
  const Op = op.op[0]!.toUpperCase() + op.op.slice(1);
  const path = op.path ?? '';
  const value = typeof op.value === 'boolean' && BOOLEAN_PATH.test(path) ? (op.value ? 'True' : 'False') : op.value;
  const member = /^members\[value eq ("(?:[^"\\]|\\.)*")\]$/.exec(path);
  if (op.op === 'remove' && member && flip)
    return { op: Op, path: 'members', value: [{ value: JSON.parse(member[1]!) as string }] };
  const dottedOrUrn =
    /^name\.[A-Za-z]+$/.test(path) || (path.startsWith(`${ENTERPRISE_USER_SCHEMA}:`) && !path.includes('['));
  if (op.op !== 'remove' && dottedOrUrn && flip) return { op: Op, value: { [path]: value } };
  if (
    path === `${ENTERPRISE_USER_SCHEMA}:manager` &&
    flip &&
    value &&
    typeof value === 'object' &&
    'value' in value &&
    Object.keys(value).length === 1
  ) {
    return { op: Op, path, value: (value as Obj).value };
  }
  return op.path === undefined ? { op: Op, value } : { op: Op, path, value };
}

describe('normalizePatchOp preserves meaning', () => {
  test('users: Entra dialect of generated patches applies like the strict form', () => {
    fc.assert(
      fc.property(userPair, fc.boolean(), ({ current, desired, managed }, flip) => {
        const strict = generatePatch(current, desired, { managed });
        const dialect = { schemas: [PATCH_OP_SCHEMA], Operations: strict.Operations.map((o) => entraDialect(o, flip)) };
        const before = JSON.stringify(current);
        expect(applyPatch(current, dialect as never, { idpCompat: true })).toEqual(applyPatch(current, strict));
        expect(JSON.stringify(current)).toBe(before);
      }),
      { numRuns: 1500, seed: 31 },
    );
  });

  test('groups: member removal as a value list', () => {
    fc.assert(
      fc.property(storedGroup, storedGroup, (current, other) => {
        const desired = {
          members: [
            ...current.members.filter((_, i) => i % 2 === 0),
            ...other.members.filter(
              (m) => !current.members.some((c) => c.value.toLowerCase() === m.value.toLowerCase()),
            ),
          ],
        };
        const strict = generatePatch(current, desired);
        const dialect = { schemas: [PATCH_OP_SCHEMA], Operations: strict.Operations.map((o) => entraDialect(o, true)) };
        expect(applyPatch(current, dialect as never, { idpCompat: true })).toEqual(applyPatch(current, strict));
      }),
      { numRuns: 500, seed: 32 },
    );
  });
});

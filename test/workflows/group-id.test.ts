// Group workflow ids come from one function and never collide between different (app, group) pairs.
import fc from 'fast-check';
import { normalizeIdentityKey } from '../../src/domain/ownership';
import { groupWorkflowId } from '../../src/workflows/group';

it('is injective on (app, normalised name)', () => {
  const part = fc.string({ unit: fc.constantFrom('a', 'b', ':', '-', '%', 'K', '\u212A', ' ', '3A'), maxLength: 6 });
  fc.assert(
    fc.property(part, part, part, part, (a1, n1, a2, n2) => {
      const same = a1 === a2 && normalizeIdentityKey(n1) === normalizeIdentityKey(n2);
      expect(groupWorkflowId(a1, n1) === groupWorkflowId(a2, n2)).toBe(same);
    }),
    { numRuns: 5000 },
  );
});

it('names the same group the same way whatever its case or compatibility form', () => {
  expect(groupWorkflowId('generic', ' \u212Aitchen ')).toBe(groupWorkflowId('generic', 'kitchen'));
});

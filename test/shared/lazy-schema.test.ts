// A lazy schema is the schema it wraps, built once, on first use: no workflow run pays for a
// message it never gets (src/shared/lazy-schema.ts).
import { z } from 'zod';
import { lazySchema } from '../../src/shared/lazy-schema';
import { DecisionSchema } from '../../src/domain/approvals';

it('builds on first use, once, and parses as the schema does', () => {
  let builds = 0;
  const s = lazySchema(() => {
    builds++;
    return z.strictObject({ app: z.string().min(1) });
  });
  expect(builds).toBe(0);
  expect(s.safeParse({ app: 'jasper' })).toEqual({ success: true, data: { app: 'jasper' } });
  const refused = s.safeParse({ app: '', extra: 1 });
  expect(refused.success).toBe(false);
  expect(refused.error?.issues.map((i) => i.code).sort()).toEqual(['too_small', 'unrecognized_keys']);
  expect(() => s.parse({})).toThrow(z.ZodError);
  expect(s.schema).toBe(s.schema);
  expect(builds).toBe(1);
});

it('a workflow message schema refuses what it refused when eager (the decision, naming the field)', () => {
  const r = DecisionSchema.safeParse({ app: 'jasper', decision: 'maybe', approver: 'a@example.com' });
  expect(r.success).toBe(false);
  expect(r.error?.issues).toEqual([
    expect.objectContaining({ path: ['decision'], message: 'decision must be "approve" or "reject"' }),
  ]);
});

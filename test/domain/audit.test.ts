// The audit trail's pure functions: bounded, ordered, merged across people, payload fields read
// without trusting them. (Migration from the v1 log and carrying across continue-as-new:
// test/workflows/state.test.ts.)
import fc from 'fast-check';
import {
  MAX_AUDIT,
  appendAudit,
  claimedFields,
  decisionVia,
  mergeAudit,
  normalizeAudit,
  type AuditEntry,
  type NewAuditEntry,
} from '../../src/domain/audit';

const at = (s: number) => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString();
const entry = (s: number, over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  at: at(s),
  action: 'retry',
  outcome: 'applied',
  by: 'ops@example.com',
  via: 'cli',
  app: 'generic',
  ...over,
});

describe('appendAudit', () => {
  it('numbers entries after the last one and keeps the newest `max`', () => {
    let t: AuditEntry[] = [];
    for (let i = 0; i < 7; i++) t = appendAudit(t, entry(i), 5);
    expect(t.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7]);
    expect(t[0]!.at).toBe(at(2));
  });

  it('is bounded at MAX_AUDIT by default, whatever is appended; seq stays strictly increasing (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AUDIT * 2 }), (n) => {
        let t: AuditEntry[] = [];
        for (let i = 0; i < n; i++) t = appendAudit(t, entry(i));
        expect(t.length).toBe(Math.min(n, MAX_AUDIT));
        for (let i = 1; i < t.length; i++) expect(t[i]!.seq).toBe(t[i - 1]!.seq + 1);
        if (n) expect(t[t.length - 1]!.seq).toBe(n);
      }),
      { numRuns: 20 },
    );
  });

  it('clips long text and names an empty sender `unknown`', () => {
    const [e] = appendAudit([], entry(0, { by: '', reason: 'x'.repeat(5000), refusal: 'y'.repeat(5000) }));
    expect(e!.by).toBe('unknown');
    expect(e!.reason).toHaveLength(1000);
    expect(e!.refusal).toHaveLength(1000);
  });

  it('does not change the trail it is given', () => {
    const t = appendAudit([], entry(0));
    const copy = structuredClone(t);
    appendAudit(t, entry(1));
    expect(t).toEqual(copy);
  });
});

describe('normalizeAudit', () => {
  it('drops damaged entries, orders by seq, removes duplicate seqs, bounds', () => {
    const good = appendAudit(appendAudit([], entry(0)), entry(1));
    expect(normalizeAudit([good[1], { seq: 9, at: 'nope' }, 'junk', null, good[0], good[0]])).toEqual(good);
    expect(normalizeAudit({})).toEqual([]);
    expect(normalizeAudit(good, 1)).toEqual([good[1]]);
  });
});

describe('mergeAudit', () => {
  const a = [entry(5, { action: 'approve', app: 'jasper' }), entry(9)].reduce<AuditEntry[]>(
    (t, e) => appendAudit(t, e),
    [],
  );
  const b = [entry(5), entry(5, { action: 'skip' }), entry(7, { app: 'jumpcloud' })].reduce<AuditEntry[]>(
    (t, e) => appendAudit(t, e),
    [],
  );
  const trails = [
    { employeeId: 'E2', entries: b },
    { employeeId: 'E1', entries: a },
  ];

  it('one list in time order; ties by person, then by the person’s own order', () => {
    const m = mergeAudit(trails);
    expect(m.map((e) => `${e.employeeId}#${e.seq}`)).toEqual(['E1#1', 'E2#1', 'E2#2', 'E2#3', 'E1#2']);
  });

  it('filters by time, person and app', () => {
    expect(mergeAudit(trails, { sinceMs: Date.parse(at(7)) }).map((e) => e.at)).toEqual([at(7), at(9)]);
    expect(mergeAudit(trails, { employeeId: 'E1' }).every((e) => e.employeeId === 'E1')).toBe(true);
    expect(mergeAudit(trails, { app: 'jasper' }).map((e) => `${e.employeeId}:${e.action}`)).toEqual(['E1:approve']);
  });

  it('is sorted whatever order the trails come in (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 10 }), { maxLength: 6 }), (lists) => {
        const ts = lists.map((secs, i) => ({
          employeeId: `E${i}`,
          entries: [...secs].sort((x, y) => x - y).reduce<AuditEntry[]>((t, s) => appendAudit(t, entry(s)), []),
        }));
        const m = mergeAudit(ts);
        expect(m).toHaveLength(lists.flat().length);
        for (let i = 1; i < m.length; i++) expect(Date.parse(m[i - 1]!.at)).toBeLessThanOrEqual(Date.parse(m[i]!.at));
      }),
      { numRuns: 50 },
    );
  });
});

describe('payload fields', () => {
  it('decisionVia: what the sender said, else the Update is the UI’s and the signal is the signal', () => {
    expect(decisionVia(undefined, 'update')).toBe('ui-update');
    expect(decisionVia(undefined, 'signal')).toBe('signal');
    expect(decisionVia('cli', 'update')).toBe('cli');
    expect(decisionVia('verified-link', 'signal')).toBe('verified-link');
  });

  it('claimedFields reads only well-typed fields of anything, clipped', () => {
    expect(claimedFields('x')).toEqual({});
    expect(claimedFields(null)).toEqual({});
    expect(claimedFields({ approver: 7, app: ['x'], decision: 'maybe', via: 'email', verified: 'yes' })).toEqual({});
    expect(
      claimedFields({
        approver: 'a'.repeat(400),
        app: 'jasper',
        decision: 'reject',
        comment: 'no',
        via: 'verified-link',
        verified: true,
        requestId: 'jasper-1',
      }),
    ).toEqual({
      by: 'a'.repeat(256),
      app: 'jasper',
      action: 'reject',
      reason: 'no',
      via: 'verified-link',
      verified: true,
      requestId: 'jasper-1',
    });
    expect(claimedFields({ by: 'ops', reason: 'why' })).toEqual({ by: 'ops', reason: 'why' });
  });
});

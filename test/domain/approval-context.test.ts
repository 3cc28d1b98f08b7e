// What an approver is shown, and which notices an approval list's change implies (pure).
import {
  approvalContext,
  approvalDetails,
  approvalRow,
  approvalTimes,
  summarizeRequest,
} from '../../src/domain/approval-context';
import { decide, openRequest, refuseDecision, advanceTime, type ApprovalPolicy } from '../../src/domain/approvals';
import { approvalTransitions, requestEvent, warningAt } from '../../src/domain/notifications';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 9, 0);
const escalate: ApprovalPolicy = {
  approvers: ['it-lead@example.com'],
  timeoutMs: 72 * H,
  onTimeout: 'escalate',
  escalateTo: ['cto@example.com'],
};
const ada = {
  employeeId: 'E1001',
  email: 'ada@example.com',
  givenName: 'Ada',
  familyName: 'Lovelace',
  title: 'Lead Engineer',
  department: 'Engineering',
  managerId: 'E0001',
};
const context = approvalContext(ada, ['engineering']);
const open = (policy = escalate, verifiedOnly = false) =>
  openRequest([], {
    app: 'jasper',
    purpose: 'create',
    periodId: 'p',
    version: 'v',
    policy,
    now: T0,
    context,
    verifiedOnly,
  });

describe('approval context', () => {
  it('names the person, the rule, the approvers and when it escalates and times out', () => {
    const [r] = open();
    expect(context).toEqual({
      displayName: 'Ada Lovelace',
      title: 'Lead Engineer',
      department: 'Engineering',
      managerId: 'E0001',
      rules: ['engineering'],
    });
    expect(approvalTimes(r!, escalate)).toEqual({
      deadline: T0 + 72 * H,
      escalatesAt: T0 + 72 * H,
      expiresAt: T0 + 144 * H,
    });
    expect(summarizeRequest(r!, escalate)).toBe(
      'jasper seat for Ada Lovelace — Engineering, Lead Engineer, reports to E0001; rule `engineering`; approvers it-lead@example.com; escalates 2026-12-04 09:00 UTC, times out 2026-12-07 09:00 UTC',
    );
    expect(approvalRow(r!, escalate)).toMatchObject({
      person: 'Ada Lovelace',
      rule: 'engineering',
      seat: 'jasper (create)',
      deadline: '2026-12-07 09:00 UTC',
      escalates: '2026-12-04 09:00 UTC',
    });
    const rejectPolicy = { ...escalate, onTimeout: 'reject' as const, escalateTo: [] };
    expect(approvalTimes(open(rejectPolicy)[0]!, rejectPolicy)).toEqual({
      deadline: T0 + 72 * H,
      expiresAt: T0 + 72 * H,
    });
  });

  it('the UI details list what is pending, and are empty once it is decided', () => {
    const list = open();
    expect(approvalDetails(list, { jasper: escalate })).toContain('jasper seat for Ada Lovelace');
    const decided = decide(list, { app: 'jasper', decision: 'approve', approver: 'it-lead@example.com' }, T0 + H, {
      via: 'cli',
      verified: false,
    });
    expect(decided[0]).toMatchObject({ status: 'approved', via: 'cli', verified: false });
    expect(approvalDetails(decided, { jasper: escalate })).toBe('');
  });
});

describe('unverified decisions', () => {
  const d = { app: 'jasper', decision: 'approve', approver: 'it-lead@example.com' };
  it('an app that refuses them refuses every decision but a verified link, naming no approver', () => {
    const list = open(escalate, true);
    const refusal = refuseDecision(list, d)!;
    expect(refusal).toMatch(/accepts only decisions through a verified approval link/);
    expect(refusal).not.toContain('it-lead');
    expect(refuseDecision(list, { ...d, via: 'verified-link', proof: 'x.y' })).toBeUndefined();
    expect(refuseDecision(open(), d, { verifiedOnly: () => true })).toMatch(/verified approval link/);
  });
  it('nobody may claim verified: true without the link', () => {
    expect(refuseDecision(open(), { ...d, verified: true })).toMatch(
      /only for decisions through a signed approval link/,
    );
    expect(refuseDecision(open(), { ...d, via: 'verified-link' })).toMatch(/needs the link/);
    expect(refuseDecision(open(), { ...d, via: 'ui-update' })).toBeUndefined();
  });
});

describe('notification events', () => {
  it('escalation and expiry are transitions with one id each', () => {
    const list = open();
    const escalated = advanceTime(list, { jasper: escalate }, T0 + 72 * H);
    expect(approvalTransitions(list, escalated).map((t) => t.kind)).toEqual(['approval-escalated']);
    const expired = advanceTime(escalated, { jasper: escalate }, T0 + 144 * H);
    expect(approvalTransitions(escalated, expired).map((t) => [t.kind, t.request.status])).toEqual([
      ['approval-decided', 'expired'],
    ]);
    expect(approvalTransitions(expired, expired)).toEqual([]);
    const a = requestEvent('approval-escalated', 'E1001', escalated[0]!, escalate, T0);
    expect(a.id).toBe(`E1001/approval-escalated/${list[0]!.id}/r2`);
    expect(requestEvent('approval-escalated', 'E1001', escalated[0]!, escalate, T0 + 5).id).toBe(a.id);
    expect(a.request).toMatchObject({ approvers: ['it-lead@example.com', 'cto@example.com'], expiresAt: T0 + 144 * H });
  });

  it('the "about to time out" notice is due once per round', () => {
    const [r] = open();
    expect(warningAt(r!, 12 * H)).toBe(T0 + 60 * H);
    expect(warningAt({ ...r!, warnedRound: 1 }, 12 * H)).toBeUndefined();
    expect(warningAt(r!, 100 * H)).toBeUndefined(); // longer than the round: the pending notice said when
  });
});

// What an approver is shown about a seat request, wherever they look (the Temporal UI's current
// details, `scimflow approvals`, notifications, the approval-link page): the person, the rule that
// grants the seat, who decides, and when it escalates or times out. Pure: time is an argument.
import type { Employee } from '../shared/hr-event';
import type { ApprovalContext, ApprovalPolicy, ApprovalRequest } from './approvals';

/** The context stored on a request when it is opened. */
export function approvalContext(employee: Employee, rules: readonly string[]): ApprovalContext {
  const displayName = employee.displayName?.trim() || `${employee.givenName} ${employee.familyName}`.trim();
  return {
    displayName,
    ...(employee.title ? { title: employee.title } : {}),
    ...(employee.department ? { department: employee.department } : {}),
    ...(employee.managerId ? { managerId: employee.managerId } : {}),
    rules: [...rules],
  };
}

export interface ApprovalTimes {
  /** When the current round ends. */
  deadline: number;
  /** When the current round hands over to `escalateTo` (only while a first round of an escalating policy runs). */
  escalatesAt?: number;
  /** When the request times out for good, if nobody decides. */
  expiresAt: number;
}

/** The times that matter to an approver, from the request and the policy it runs under. */
export function approvalTimes(
  r: Pick<ApprovalRequest, 'deadline' | 'escalated'>,
  policy?: Pick<ApprovalPolicy, 'onTimeout' | 'timeoutMs'>,
): ApprovalTimes {
  if (policy?.onTimeout === 'escalate' && !r.escalated)
    return { deadline: r.deadline, escalatesAt: r.deadline, expiresAt: r.deadline + policy.timeoutMs };
  return { deadline: r.deadline, expiresAt: r.deadline };
}

/** `2026-12-04 09:00 UTC`: minutes are enough for a person, and UTC is unambiguous. */
export function formatWhen(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "Engineering, Lead Engineer, reports to E0999" (only what the record has). */
export function describePerson(c: ApprovalContext | undefined): string {
  if (!c) return '';
  return [c.department, c.title, c.managerId ? `reports to ${c.managerId}` : undefined].filter(Boolean).join(', ');
}

export interface ApprovalRow {
  person: string;
  title: string;
  department: string;
  manager: string;
  rule: string;
  seat: string;
  approvers: string;
  deadline: string;
  escalates: string;
}

/** One line of `scimflow approvals` (the same columns the UI and the notifications show). */
export function approvalRow(r: ApprovalRequest, policy?: Pick<ApprovalPolicy, 'onTimeout' | 'timeoutMs'>): ApprovalRow {
  const t = approvalTimes(r, policy);
  const c = r.context;
  return {
    person: c?.displayName ?? '',
    title: c?.title ?? '',
    department: c?.department ?? '',
    manager: c?.managerId ?? '',
    rule: c?.rules.join(', ') ?? '',
    seat: `${r.app} (${r.purpose})`,
    approvers: r.approvers.join(', '),
    deadline: formatWhen(t.expiresAt),
    escalates: t.escalatesAt !== undefined ? formatWhen(t.escalatesAt) : '',
  };
}

/**
 * One line per request: "jasper seat for Ada Lovelace — Engineering, Lead Engineer, reports to
 * E0999; rule `engineering`; approvers it-lead@example.com; escalates 2026-12-04 09:00 UTC".
 */
export function summarizeRequest(r: ApprovalRequest, policy?: Pick<ApprovalPolicy, 'onTimeout' | 'timeoutMs'>): string {
  const t = approvalTimes(r, policy);
  const c = r.context;
  const who = c ? ` for ${c.displayName}` : '';
  const about = describePerson(c);
  const rules = c?.rules.length ? `; rule ${c.rules.map((x) => `\`${x}\``).join(', ')}` : '';
  const when =
    t.escalatesAt !== undefined
      ? `escalates ${formatWhen(t.escalatesAt)}, times out ${formatWhen(t.expiresAt)}`
      : `times out ${formatWhen(t.expiresAt)}`;
  const purpose = r.purpose === 'reactivate' ? ' (reactivation)' : '';
  return `${r.app} seat${purpose}${who}${about ? ` — ${about}` : ''}${rules}; approvers ${r.approvers.join(', ')}; ${when}`;
}

/**
 * The workflow's current details in the Temporal UI (markdown): every pending request, and how to
 * decide. Empty when nothing waits, so a decided request leaves nothing behind.
 */
export function approvalDetails(
  requests: readonly ApprovalRequest[],
  policies: Record<string, Pick<ApprovalPolicy, 'onTimeout' | 'timeoutMs'>>,
): string {
  const pending = requests.filter((r) => r.status === 'pending').sort((a, b) => a.deadline - b.deadline);
  if (pending.length === 0) return '';
  const lines = pending.map((r) => `- **${summarizeRequest(r, policies[r.app])}** (request \`${r.id}\`)`);
  return [
    `**Waiting for approval** (${pending.length})`,
    '',
    ...lines,
    '',
    'Decide with **More Actions → Send an Update → `decide`**, data `{"app": "<app>", "decision": "approve" | "reject", "approver": "<you>"}`, or with the link in the approval notification.',
  ].join('\n');
}

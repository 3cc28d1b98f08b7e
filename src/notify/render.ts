// Notification text: one event → a Slack-compatible webhook body and an email. Pure. Every message
// names the person, the app, the rule and (for approvals) the deadline.
import { describePerson, formatWhen } from '../domain/approval-context';
import type { NotificationEvent } from '../domain/notifications';

export interface Links {
  approve: string;
  reject: string;
  expiresAt: number;
}

function person(e: NotificationEvent): string {
  return e.person?.displayName ?? `employee ${e.employeeId}`;
}

function apps(e: NotificationEvent): string {
  return e.app ?? (e.apps ?? []).join(', ');
}

export function headline(e: NotificationEvent): string {
  const seat = `${e.app} seat for ${person(e)}`;
  const r = e.request;
  switch (e.kind) {
    case 'approval-pending':
      return `Approval needed: ${seat}`;
    case 'approval-escalated':
      return `Escalated: ${seat} now waits for ${r?.approvers.join(', ')}`;
    case 'approval-expiring':
      return `${r?.escalatesAt !== undefined ? 'About to escalate' : 'About to time out'}: ${seat}`;
    case 'approval-decided': {
      if (r?.status === 'expired') return `Timed out: ${seat} (nobody decided)`;
      const how = r?.verified ? 'verified link' : r?.via ? `${r.via}, unverified` : 'unverified';
      return `${r?.status === 'approved' ? 'Approved' : 'Rejected'}: ${seat} by ${r?.decidedBy ?? 'someone'} (${how})`;
    }
    case 'leaver-attention':
      return `Leaver needs attention: ${person(e)} in ${apps(e)}`;
    case 'identity-conflict':
      return `Identity conflict: ${person(e)} in ${apps(e)}`;
    case 'join-compensated':
      return `Join undone: ${person(e)} (${apps(e)})`;
  }
}

/** The facts, one line each (label, value). */
export function facts(e: NotificationEvent): [string, string][] {
  const out: [string, string][] = [];
  const about = describePerson(e.person);
  out.push(['Person', `${person(e)}${about ? ` — ${about}` : ''} (employee ${e.employeeId})`]);
  out.push([e.app ? 'App' : 'Apps', apps(e)]);
  out.push(['Rule', e.person?.rules.length ? e.person.rules.join(', ') : '(none)']);
  const r = e.request;
  if (r) {
    out.push(['Seat', `${e.app} (${r.purpose === 'reactivate' ? 'reactivation' : 'new account'})`]);
    out.push(['Approvers', r.approvers.join(', ')]);
    if (r.escalatesAt !== undefined && r.status === 'pending') out.push(['Escalates', formatWhen(r.escalatesAt)]);
    out.push(['Deadline', formatWhen(r.expiresAt)]);
    out.push(['Request', r.id]);
    if (r.comment) out.push(['Comment', r.comment]);
    if (r.reason) out.push(['Reason', r.reason]);
  }
  if (e.detail) out.push(['What happened', e.detail]);
  return out;
}

export function renderWebhook(e: NotificationEvent): { text: string; blocks: unknown[] } {
  const title = headline(e);
  const lines = facts(e).map(([k, v]) => `*${k}:* ${v}`);
  const hint =
    e.request?.status === 'pending' ? '\nDecide with the link in your approval email, or `scimflow approve`.' : '';
  return {
    text: `${title}\n${lines.join('\n').replace(/\*/g, '')}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: `${lines.join('\n')}${hint}` } },
    ],
  };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderEmail(e: NotificationEvent, links?: Links): { subject: string; text: string; html: string } {
  const title = headline(e);
  const f = facts(e);
  const text = [
    title,
    '',
    ...f.map(([k, v]) => `${k}: ${v}`),
    ...(links
      ? [
          '',
          `Approve: ${links.approve}`,
          `Reject:  ${links.reject}`,
          '',
          `These links are yours alone, work once, and expire ${formatWhen(links.expiresAt)}.`,
        ]
      : []),
  ].join('\n');
  const html = [
    `<h2>${esc(title)}</h2>`,
    `<table>${f.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`,
    ...(links
      ? [
          `<p><a href="${esc(links.approve)}">Approve</a> &nbsp; <a href="${esc(links.reject)}">Reject</a></p>`,
          `<p>These links are yours alone, work once, and expire ${esc(formatWhen(links.expiresAt))}.</p>`,
        ]
      : []),
  ].join('\n');
  return { subject: `[scimflow] ${title}`, text, html };
}

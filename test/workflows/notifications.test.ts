// Notifications and verified approvers on a real Temporal server against the sandbox apps: notices
// land in a real SMTP server and a Slack-compatible webhook receiver on loopback; downstream state
// is read over the apps' SCIM APIs.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { decide as cliDecide } from '../../src/cli/ops';
import { signLink, verifyLink } from '../../src/notify/links';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { approvalSignal, decideUpdate } from '../../src/workflows/definitions';
import { knobs, seedUser } from '../helpers/apps';
import { linksIn, startSmtp, startWebhookSink, type SmtpSink, type WebhookSink } from '../helpers/notify-sinks';
import { accountsFor } from '../helpers/oracle';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from './config';

const LINK_KEY = 'test-approval-link-key-0123456789abcdef';
const SMTP_PASSWORD = 'smtp-password-for-the-test';

/** The lifecycle config, plus Jostle (a paid seat that accepts verified decisions only) and notifications. */
function config(smtpPort: number, webhookUrl: string): string {
  return `allowInlineSecrets: true\n${LIFECYCLE_CONFIG}`
    .replace(
      '  jumpcloud:\n    kind: jumpcloud\n',
      '  jostle:\n    kind: jostle\n    baseUrl: "{{SANDBOX}}/jostle/scim/v2"\n    auth: { type: bearer, token: "${SCIMFLOW_JOSTLE_TOKEN}" }\n    rateLimit: { requestsPerSecond: 500 }\n  jumpcloud:\n    kind: jumpcloud\n',
    )
    .replace(
      '    - name: marketing\n',
      '    - name: support\n      when: { department: Support }\n      grant:\n        - app: jostle\n    - name: marketing\n',
    )
    .replace(
      '    approvers: [lead@example.com]\n    timeout: 60s\n    onTimeout: reject\n',
      '    approvers: [lead@example.com]\n    timeout: 8s\n    onTimeout: escalate\n    escalateTo: [cto@example.com]\n  jostle:\n    required: true\n    approvers: [lead@example.com]\n    timeout: 5m\n    unverifiedDecisions: refuse\n',
    ).concat(`notifications:
  expiringBefore: 4s
  links:
    baseUrl: http://127.0.0.1:9
    signingKey: "${LINK_KEY}"
  channels:
    chat:
      webhook: { url: "${webhookUrl}" }
    mail:
      email:
        smtp: { host: 127.0.0.1, port: ${smtpPort}, tls: none, username: scimflow, password: "${SMTP_PASSWORD}" }
        from: scimflow@example.com
        to: [it-ops@example.com]
  routes:
    - events: [approval-pending, approval-escalated, approval-expiring, approval-decided]
      channels: [mail, chat]
    - events: [leaver-attention, identity-conflict, join-compensated]
      channels: [chat]
`);
}

let stack: Stack;
let smtp: SmtpSink;
let hook: WebhookSink;
beforeAll(async () => {
  smtp = await startSmtp();
  hook = await startWebhookSink();
  const yaml = config(smtp.port, hook.url);
  expect(yaml).toContain('unverifiedDecisions: refuse');
  expect(yaml).toContain('escalateTo: [cto@example.com]');
  stack = await startStack(yaml);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await smtp?.close();
  await hook?.close();
});
afterEach(async () => {
  smtp.failing = false;
  hook.failing = false;
  for (const app of ['generic', 'jasper', 'jumpcloud'] as const) await knobs(stack.sandbox.url, app, { failNext: 0 });
});

const mailsAbout = (emp: { employeeId: string }, kind: string) =>
  smtp.mails.filter((m) => m.event.startsWith(`${emp.employeeId}/${kind}/`));
const postsAbout = (name: string, headline: string) =>
  hook.posts.filter((p) => p.text.startsWith(headline) && p.text.includes(name));
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ada = (dept = 'Engineering') =>
  employee({
    department: dept,
    displayName: `Ada Lovelace ${Math.random().toString(36).slice(2, 7)}`,
    title: 'Lead Engineer',
    managerId: 'E0999',
  });

describe('approval notifications', () => {
  it('a pending seat: the approver gets one email with their own signed links, it-ops and the chat the same facts without links; the UI shows the context until it is decided', async () => {
    const emp = ada();
    const name = emp.displayName!;
    await stack.send(event('hire', emp));
    const waiting = await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper'),
      'jasper pending',
    );
    const request = waiting.pendingApprovals[0]!;
    expect(request.context).toEqual({
      displayName: name,
      title: 'Lead Engineer',
      department: 'Engineering',
      managerId: 'E0999',
      rules: ['engineering'],
    });

    const mails = await waitFor(
      () => (mailsAbout(emp, 'approval-pending').length >= 2 ? mailsAbout(emp, 'approval-pending') : undefined),
      { what: 'pending mails' },
    );
    const toLead = mails.filter((m) => m.to === 'lead@example.com');
    expect(toLead).toHaveLength(1);
    const mail = toLead[0]!;
    expect(mail.subject).toBe(`[scimflow] Approval needed: jasper seat for ${name}`);
    for (const fact of [
      name,
      'Engineering, Lead Engineer, reports to E0999',
      'Rule: engineering',
      'Approvers: lead@example.com',
      'Deadline: ',
      `Request: ${request.id}`,
    ])
      expect(mail.text).toContain(fact);
    expect(smtp.logins).toContainEqual({ user: 'scimflow', pass: SMTP_PASSWORD });
    const { approve, reject } = linksIn(mail);
    const token = new URL(approve!).searchParams.get('t')!;
    expect(new URL(reject!).searchParams.get('t')).toBe(token);
    expect(verifyLink(token, [LINK_KEY], Date.now())).toMatchObject({
      ok: true,
      claims: { emp: emp.employeeId, app: 'jasper', req: request.id, apr: 'lead@example.com' },
    });
    const toOps = mails.filter((m) => m.to === 'it-ops@example.com');
    expect(toOps).toHaveLength(1);
    expect(toOps[0]!.text).not.toContain('/approvals/link');
    const chat = await waitFor(() => postsAbout(name, `Approval needed: jasper seat for ${name}`)[0], {
      what: 'chat message',
    });
    expect(chat.text).toContain('Rule: engineering');
    expect(chat.text).toContain('Deadline: ');
    expect(chat.text).not.toContain('/approvals/link');
    expect(chat.blocks).toHaveLength(2);

    // The Temporal UI's current details (workflow user metadata) say what waits, for whom, until when.
    const handle = stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
    const meta = await handle.query(workflowMetadataQuery);
    expect(meta.currentDetails).toContain(
      `jasper seat for ${name} — Engineering, Lead Engineer, reports to E0999; rule \`engineering\`; approvers lead@example.com; escalates `,
    );

    await cliDecide(stack.client, emp.employeeId, 'jasper', 'approve', 'lead@example.com');
    const decided = await waitFor(
      () => postsAbout(name, `Approved: jasper seat for ${name} by lead@example.com (cli, unverified)`)[0],
      { what: 'decided chat message' },
    );
    expect(decided.text).toContain(`Request: ${request.id}`);
    const done = await stack.until(emp.employeeId, (s) => s.apps.jasper?.state === 'in-sync', 'jasper in sync');
    expect(done.approvals.find((r) => r.id === request.id)).toMatchObject({
      status: 'approved',
      via: 'cli',
      verified: false,
    });
    expect((await handle.query(workflowMetadataQuery)).currentDetails).toBe('');
    // Once per event: no second copy arrives, to anyone.
    await quiet(1_500);
    expect(mailsAbout(emp, 'approval-pending').filter((m) => m.to === 'lead@example.com')).toHaveLength(1);
    expect(postsAbout(name, 'Approved: ')).toHaveLength(1);
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(smtp.mails.length);
  }, 60_000);

  it('nobody decides: about to escalate, escalated (the new approver gets links), about to time out, timed out, and the join is undone — each told once', async () => {
    const emp = ada();
    const name = emp.displayName!;
    await stack.send(event('hire', emp));
    await waitFor(() => mailsAbout(emp, 'approval-expiring').find((m) => m.to === 'lead@example.com'), {
      what: 'about to escalate',
      timeoutMs: 15_000,
    });
    expect(mailsAbout(emp, 'approval-expiring')[0]!.subject).toContain(`About to escalate: jasper seat for ${name}`);
    const escalated = await waitFor(
      () => mailsAbout(emp, 'approval-escalated').find((m) => m.to === 'cto@example.com'),
      { what: 'escalated to cto', timeoutMs: 15_000 },
    );
    expect(escalated.subject).toContain(
      `Escalated: jasper seat for ${name} now waits for lead@example.com, cto@example.com`,
    );
    expect(
      verifyLink(new URL(linksIn(escalated).approve!).searchParams.get('t')!, [LINK_KEY], Date.now()),
    ).toMatchObject({ ok: true, claims: { apr: 'cto@example.com' } });
    await waitFor(() => postsAbout(name, `Timed out: jasper seat for ${name}`)[0], {
      what: 'timed out',
      timeoutMs: 20_000,
    });
    const undone = await waitFor(() => postsAbout(name, `Join undone: ${name}`)[0], {
      what: 'join undone',
      timeoutMs: 10_000,
    });
    expect(undone.text).toContain('approval timed out');
    await quiet(1_000);
    for (const kind of ['approval-expiring', 'approval-escalated']) {
      const mine = mailsAbout(emp, kind);
      expect(new Set(mine.map((m) => `${m.event}|${m.to}`)).size).toBe(mine.length);
    }
    expect(
      mailsAbout(emp, 'approval-expiring')
        .map((m) => m.event.split('/').at(-1))
        .sort(),
    ).toEqual(expect.arrayContaining(['r1', 'r2']));
    expect(postsAbout(name, `Timed out: `)).toHaveLength(1);
  }, 60_000);

  it('a failing notifier never stalls a person: the seat is decided and created while mail and chat refuse, and the notices arrive once they recover', async () => {
    smtp.failing = true;
    hook.failing = true;
    const emp = ada();
    const name = emp.displayName!;
    await stack.send(event('hire', emp));
    await stack.until(
      emp.employeeId,
      (s) => s.pendingApprovals.some((p) => p.app === 'jasper') && s.apps.generic?.state === 'in-sync',
      'generic in sync, jasper pending',
    );
    await cliDecide(stack.client, emp.employeeId, 'jasper', 'approve', 'lead@example.com');
    await waitFor(async () => ((await accountsFor(stack.sandbox.url, 'jasper', emp)).length ? true : undefined), {
      what: 'jasper account',
    });
    await stack.until(emp.employeeId, (s) => s.stage === 'active', 'active');
    expect(mailsAbout(emp, 'approval-pending')).toEqual([]);
    smtp.failing = false;
    hook.failing = false;
    await waitFor(() => postsAbout(name, `Approved: jasper seat for ${name}`)[0], {
      what: 'late decided notice',
      timeoutMs: 30_000,
    });
    await waitFor(() => mailsAbout(emp, 'approval-pending').find((m) => m.to === 'lead@example.com'), {
      what: 'late pending mail',
      timeoutMs: 30_000,
    });
  }, 60_000);
});

describe('problem notifications', () => {
  it('an identity conflict and a leaver that needs a person are told to the chat', async () => {
    const emp = ada('Sales');
    const name = emp.displayName!;
    await seedUser(stack.sandbox.url, 'generic', {
      userName: emp.email,
      externalId: `COLLEAGUE-${emp.employeeId}`,
      active: true,
    });
    await stack.send(event('hire', emp));
    const conflict = await waitFor(() => postsAbout(name, `Identity conflict: ${name} in generic`)[0], {
      what: 'conflict notice',
    });
    expect(conflict.text).toContain(`COLLEAGUE-${emp.employeeId}`);
    expect(conflict.text).toContain('Rule: everyone, sales');

    const leaver = ada('Sales');
    await stack.send(event('hire', leaver));
    await stack.until(leaver.employeeId, (s) => s.stage === 'active', 'joined');
    await knobs(stack.sandbox.url, 'jumpcloud', { failNext: 1000, failStatus: 403 });
    await stack.send(event('terminate', leaver));
    const notice = await waitFor(
      () => postsAbout(leaver.displayName!, `Leaver needs attention: ${leaver.displayName} in jumpcloud`)[0],
      { what: 'leaver notice', timeoutMs: 30_000 },
    );
    expect(notice.text).toContain('What happened: ');
  }, 60_000);
});

describe('verified approvers', () => {
  const jostlePending = async () => {
    const emp = ada('Support');
    await stack.send(event('hire', emp));
    const s = await stack.until(
      emp.employeeId,
      (x) => x.pendingApprovals.some((p) => p.app === 'jostle'),
      'jostle pending',
    );
    return { emp, request: s.pendingApprovals.find((p) => p.app === 'jostle')! };
  };
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return (err as WorkflowUpdateFailedError).cause?.message ?? '';
  };

  it('an app that refuses unverified decisions takes none from the UI, the CLI or a signal; a signed link decides once', async () => {
    const { emp, request } = await jostlePending();
    const handle = stack.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
    const base = { app: 'jostle', decision: 'approve' as const, approver: 'lead@example.com' };

    const typed = await refusal(handle.executeUpdate(decideUpdate, { args: [base] }));
    expect(typed).toBe(
      'jostle accepts only decisions through a verified approval link (from the approval notification)',
    );
    expect(typed).not.toContain('lead@');
    await expect(cliDecide(stack.client, emp.employeeId, 'jostle', 'approve', 'lead@example.com')).rejects.toThrow(
      /accepts only decisions through a verified approval link/,
    );
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [{ ...base, verified: true }] }))).toMatch(
      /only for decisions through a signed approval link/,
    );
    await handle.signal(approvalSignal, base);

    // A link whose signature does not hold, or that names someone else, is refused by the worker's check (and recorded).
    const token = signLink(LINK_KEY, {
      emp: emp.employeeId,
      app: 'jostle',
      req: request.id,
      apr: 'lead@example.com',
      exp: Date.now() + 60_000,
    });
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const linked = { ...base, requestId: request.id, via: 'verified-link' as const, verified: true };
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [{ ...linked, proof: altered }] }))).toBe(
      'approval link refused: the link is not valid',
    );
    const foreign = signLink(LINK_KEY, {
      emp: emp.employeeId,
      app: 'jostle',
      req: request.id,
      apr: 'cto@example.com',
      exp: Date.now() + 60_000,
    });
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [{ ...linked, proof: foreign }] }))).toBe(
      'approval link refused: the link is for another decision',
    );
    const expired = signLink(LINK_KEY, {
      emp: emp.employeeId,
      app: 'jostle',
      req: request.id,
      apr: 'lead@example.com',
      exp: Date.now() - 1,
    });
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [{ ...linked, proof: expired }] }))).toBe(
      'approval link refused: the link has expired',
    );
    expect(await accountsFor(stack.sandbox.url, 'jostle', emp)).toEqual([]);

    // The real link decides, and is used up: the controller takes the request's decision once.
    const res = await handle.executeUpdate(decideUpdate, { args: [{ ...linked, proof: token }] });
    expect(res).toMatchObject({ accepted: true, requestId: request.id });
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [{ ...linked, proof: token }] }))).toMatch(
      /already approved/,
    );
    await waitFor(
      async () => ((await accountsFor(stack.sandbox.url, 'jostle', emp)).some((u) => u.active) ? true : undefined),
      { what: 'jostle account' },
    );
    const s = await stack.state(emp.employeeId);
    expect(s.approvals.find((r) => r.id === request.id)).toMatchObject({
      status: 'approved',
      decidedBy: 'lead@example.com',
      via: 'verified-link',
      verified: true,
    });
    const refused = s.log.filter((l) => l.kind === 'refused-decision').map((l) => l.detail);
    expect(refused.some((d) => d.includes('accepts only decisions through a verified approval link'))).toBe(true); // the signal, recorded
    // The three bad links were refused after the worker's check (recorded); the reuse by the validator (before anything is recorded).
    expect(refused.filter((d) => d.includes('via verified-link'))).toHaveLength(3);
    expect(
      s.log.some(
        (l) => l.kind === 'decision' && l.detail.startsWith(`approve ${request.id} (jostle) via verified-link`),
      ),
    ).toBe(true);
  }, 60_000);
});

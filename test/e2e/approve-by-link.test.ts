// An approver decides from the approval email, in a real browser: a hire for Engineering waits for
// jasper's seat; the notice arrives at a local SMTP server with the approver's signed links; Debian's
// Chromium (playwright-core) opens the link on the real ingress, which shows the request, and the
// Approve button sends the decision through the controller's `decide` Update as a verified-link
// decision; the seat is read back over the sandbox's SCIM API. A used, expired or altered link gets
// a refusal page. Screenshots for the docs (docs/img/approval-link-*.png) are written only when
// missing or with UPDATE_SCREENSHOTS=1; everything else goes to test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { request } from 'undici';
import { temporalApprovalDesk } from '../../src/ingress/approval-links';
import { buildIngress } from '../../src/ingress/server';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { signLink } from '../../src/notify/links';
import { freePort } from '../helpers/cli';
import { linksIn, startSmtp, type Mail, type SmtpSink } from '../helpers/notify-sinks';
import { accountsFor } from '../helpers/oracle';
import { TEST_ENV, employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const IMAGES = join(ROOT, 'docs', 'img');
const RESULTS = join(ROOT, 'test-results', 'approve-by-link');
const LINK_KEY = 'e2e-approval-link-key-0123456789abcdef';
const APPROVER = 'lead@example.com';

const config = (smtpPort: number, ingressPort: number) =>
  `allowInlineSecrets: true\n${LIFECYCLE_CONFIG.replace('    timeout: 60s\n', '    timeout: 5m\n')}notifications:
  links:
    baseUrl: http://127.0.0.1:${ingressPort}
    signingKey: "${LINK_KEY}"
  channels:
    mail:
      email:
        smtp: { host: 127.0.0.1, port: ${smtpPort}, tls: none }
        from: scimflow@example.com
  routes:
    - events: [approval-pending]
      channels: [mail]
`;

let stack: Stack | undefined;
let smtp: SmtpSink | undefined;
let ingress: FastifyInstance | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: \`sudo apt-get install chromium\`, or set CHROMIUM_PATH.`);
  mkdirSync(RESULTS, { recursive: true });
  smtp = await startSmtp();
  const port = await freePort();
  stack = await startStack(config(smtp.port, port));
  ingress = buildIngress({
    dispatcher: temporalDispatcher(stack.client),
    secrets: [TEST_ENV.SCIMFLOW_WEBHOOK_SECRET],
    approvalLinks: { keys: [LINK_KEY], desk: temporalApprovalDesk(stack.client) },
  });
  await ingress.listen({ host: '127.0.0.1', port });
  expect((ingress.server.address() as AddressInfo).port).toBe(port);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await ingress?.close();
  await stack?.close();
  await smtp?.close();
}, 60_000);

async function docsImage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS, name), fullPage: true, timeout: 10_000 }).catch(() => undefined);
  const path = join(IMAGES, name);
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(path)) {
    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path });
  }
}

/** A hire that waits for jasper; returns the approver's notice. */
async function waitingHire(): Promise<{ emp: ReturnType<typeof employee>; mail: Mail; requestId: string }> {
  const emp = employee({
    department: 'Engineering',
    displayName: `Ada Lovelace ${Math.random().toString(36).slice(2, 6)}`,
    title: 'Lead Engineer',
    managerId: 'E0999',
  });
  await stack!.send(event('hire', emp));
  const s = await stack!.until(
    emp.employeeId,
    (x) => x.pendingApprovals.some((p) => p.app === 'jasper'),
    'jasper pending',
  );
  const mail = await waitFor(
    () => smtp!.mails.find((m) => m.to === APPROVER && m.event.startsWith(`${emp.employeeId}/approval-pending/`)),
    { what: 'the approval email' },
  );
  return { emp, mail, requestId: s.pendingApprovals[0]!.id };
}

async function withPage<T>(name: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const page = await browser!.newPage({ viewport: { width: 900, height: 700 } });
  page.setDefaultTimeout(15_000);
  try {
    return await fn(page);
  } catch (err) {
    await page.screenshot({ path: join(RESULTS, `failure-${name}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await page.close().catch(() => undefined);
  }
}

describe('deciding from the approval email', () => {
  it('the link shows the request; Approve creates the seat as a verified decision; the used, an expired and an altered link are refused', async () => {
    const { emp, mail, requestId } = await waitingHire();
    const { approve } = linksIn(mail);
    expect(approve).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/approvals\/link\?t=[\w-]+\.[\w-]+&d=approve$/);

    await withPage('approve', async (page) => {
      const shown = await page.goto(approve!);
      expect(shown!.status()).toBe(200);
      await page.getByRole('heading', { name: `jasper seat for ${emp.displayName}` }).waitFor();
      for (const text of ['Engineering, Lead Engineer, reports to E0999', 'engineering', APPROVER])
        await page.getByText(text).first().waitFor();
      await docsImage(page, 'approval-link-page.png');
      // Opening the link decided nothing (mail scanners open links too).
      expect((await stack!.state(emp.employeeId)).pendingApprovals.map((p) => p.id)).toEqual([requestId]);
      await page.getByLabel('Comment (optional)').fill('welcome aboard');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByRole('heading', { name: 'Approved' }).waitFor();
      await docsImage(page, 'approval-link-approved.png');
    });

    const users = await waitFor(
      async () => {
        const found = await accountsFor(stack!.sandbox.url, 'jasper', emp);
        return found.length ? found : undefined;
      },
      { what: 'the jasper seat' },
    );
    expect(users).toEqual([expect.objectContaining({ userName: emp.email, externalId: emp.employeeId, active: true })]);
    const s = await stack!.state(emp.employeeId);
    expect(s.approvals.find((r) => r.id === requestId)).toMatchObject({
      status: 'approved',
      decidedBy: APPROVER,
      via: 'verified-link',
      verified: true,
      comment: 'welcome aboard',
    });

    await withPage('refusals', async (page) => {
      const used = await page.goto(approve!);
      expect(used!.status()).toBe(409);
      await page.getByRole('heading', { name: 'This link has been used' }).waitFor();
      await page.getByText(`already approved by ${APPROVER}`).waitFor();
      await docsImage(page, 'approval-link-used.png');

      const expired = signLink(LINK_KEY, {
        emp: emp.employeeId,
        app: 'jasper',
        req: requestId,
        apr: APPROVER,
        exp: Date.now() - 60_000,
      });
      const gone = await page.goto(approve!.replace(/t=[^&]+/, `t=${expired}`));
      expect(gone!.status()).toBe(410);
      await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
      await docsImage(page, 'approval-link-expired.png');

      const token = new URL(approve!).searchParams.get('t')!;
      const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
      const altered = await page.goto(approve!.replace(token, tampered));
      expect(altered!.status()).toBe(403);
      await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
      await docsImage(page, 'approval-link-altered.png');
    });

    // Posting the used link again (as a replayed form would) is refused too, as HTML.
    const address = ingress!.server.address() as AddressInfo;
    const res = await request(`http://127.0.0.1:${address.port}/approvals/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: new URL(approve!).searchParams.get('t')!, decision: 'reject' }).toString(),
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(await res.body.text()).toContain('This link has been used');
  }, 120_000);

  it('Reject refuses the seat, recorded as verified; no account is created', async () => {
    const { emp, mail, requestId } = await waitingHire();
    await withPage('reject', async (page) => {
      await page.goto(linksIn(mail).reject!);
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.getByRole('heading', { name: 'Rejected' }).waitFor();
    });
    const s = await stack!.until(
      emp.employeeId,
      (x) => x.approvals.some((r) => r.id === requestId && r.status === 'rejected'),
      'rejected',
    );
    expect(s.approvals.find((r) => r.id === requestId)).toMatchObject({
      decidedBy: APPROVER,
      via: 'verified-link',
      verified: true,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await accountsFor(stack!.sandbox.url, 'jasper', emp)).toEqual([]);
  }, 90_000);
});

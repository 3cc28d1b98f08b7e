// An approver decides on a paid seat in the Temporal Web UI (2.42), in a real browser: a hire for
// Engineering waits for jasper's approval on the person's one row, `identity-<employeeId>`;
// Debian's Chromium (driven by playwright-core, no browser download) finds it with the README's
// query, reads the `state` query, and sends the `decide` Update through "More Actions → Send an
// Update": a non-approver is refused inline, the approver's decision creates the account (read
// back over SCIM HTTP). The `approval` signal ("Send a Signal") is the second, shorter path.
//
// Screenshots for the README (docs/images/pending-approvals-in-temporal-ui.png,
// decide-update-in-temporal-ui.png, decide-refused-in-temporal-ui.png, approve-in-temporal-ui.png)
// are written only when missing or
// with UPDATE_SCREENSHOTS=1; everything else goes to test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { identityWorkflowId } from '../../src/shared/hr-event';
import type { PersonView } from '../../src/workflows/definitions';
import { accountsFor } from '../helpers/oracle';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const IMAGES = join(ROOT, 'docs', 'images');
const RESULTS = join(ROOT, 'test-results', 'approve-in-ui');
const APPROVER = 'it-lead@example.com'; // as in config/scimflow.yaml and the README
const DECISION = { app: 'jasper', decision: 'approve', approver: APPROVER };
const NOT_AN_APPROVER = { app: 'jasper', decision: 'approve', approver: 'mallory@example.com' };

// A browser needs longer than the shared config's approval timeout allows; the README's approver.
const CONFIG = LIFECYCLE_CONFIG.replace('    timeout: 60s\n', '    timeout: 5m\n').replace(
  '    approvers: [lead@example.com]\n',
  `    approvers: [${APPROVER}]\n`,
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let stack: Stack | undefined;
let browser: Browser | undefined;
let uiPort = 0;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: this browser test needs Debian's Chromium. \`npm test\` installs it when run as root (scripts/ensure-chromium.mjs); else \`sudo apt-get install chromium\`, or set CHROMIUM_PATH.`,
    );
  }
  expect(CONFIG).toContain('timeout: 5m');
  expect(CONFIG).toContain(`approvers: [${APPROVER}]`);
  mkdirSync(RESULTS, { recursive: true });
  uiPort = await freePort();
  // Clear-text payloads: this UI has no codec endpoint, so the signal it sends is not encrypted and
  // an encrypting worker would refuse it (test/e2e/codec-in-ui.test.ts approves through the codec).
  stack = await startStack(CONFIG, { temporal: { uiPort }, encryption: false });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.close();
}, 60_000);

type Emp = ReturnType<typeof employee>;
const jasperAccounts = (emp: Emp) => accountsFor(stack!.sandbox.url, 'jasper', emp);

/** A README image: written when missing, or refreshed with UPDATE_SCREENSHOTS=1. */
async function docsImage(page: Page, name: string): Promise<void> {
  const path = join(IMAGES, name);
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(path)) {
    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path });
  }
}

/** Whatever the page shows when a step fails, for the CI artifacts. */
async function evidence(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS, name), fullPage: true, timeout: 10_000 }).catch(() => undefined);
}

/** A hire that waits for jasper's approval; returns the pending request. */
async function waitingHire(): Promise<{ emp: Emp; workflowId: string; waiting: PersonView }> {
  const s = stack!;
  const emp = employee({ department: 'Engineering' });
  await s.send(event('hire', emp));
  const waiting = await s.until(
    emp.employeeId,
    (st) => st.pendingApprovals.some((p) => p.app === 'jasper') && st.apps.generic?.state === 'in-sync',
    'jasper approval pending',
  );
  expect(await jasperAccounts(emp)).toEqual([]);
  return { emp, workflowId: identityWorkflowId(emp.employeeId), waiting };
}

async function openWorkflow(page: Page, workflowId: string): Promise<void> {
  await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await page.getByRole('heading', { name: workflowId }).waitFor();
}

/** Types JSON into the dialog's CodeMirror editor (insertText avoids its bracket auto-closing). */
async function typeJson(page: Page, dialog: Locator, value: unknown): Promise<void> {
  const data = dialog.locator('[role="textbox"][contenteditable="true"]');
  await data.click();
  await page.keyboard.insertText(JSON.stringify(value, null, 2));
  expect(JSON.parse(await data.innerText())).toEqual(value);
}

async function openUpdateDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: /more actions/i }).click();
  await page.getByRole('menuitem', { name: /send an update/i }).click();
  const dialog = page.getByRole('dialog', { name: /send an update/i });
  await dialog.waitFor();
  // Name: a select listing the workflow's Updates (from its metadata); "decide" is one.
  await dialog.getByTestId('update-select-button').click();
  await dialog.getByRole('option', { name: 'decide', exact: true }).click();
  expect(await dialog.getByTestId('update-select').inputValue()).toBe('decide');
  return dialog;
}

describe('approving in the Temporal Web UI', () => {
  it('the decide Update: found with the README query, read with the state query, a non-approver refused inline, the approver’s decision creates the account', async () => {
    const s = stack!;
    const { emp, workflowId, waiting } = await waitingHire();
    const request = waiting.pendingApprovals[0]!;

    // The README's way to find it: the Workflows list filtered on the search attribute — one row per person.
    const rows = await waitFor(
      async () => {
        const found: string[] = [];
        for await (const wf of s.client.workflow.list({
          query: 'ScimflowPendingApprovals = "jasper" AND ExecutionStatus = "Running"',
        }))
          found.push(wf.workflowId);
        return found.includes(workflowId) ? found : undefined;
      },
      { timeoutMs: 15_000, what: 'the person in the ScimflowPendingApprovals = "jasper" list' },
    );
    expect(rows.filter((id) => id === workflowId)).toHaveLength(1);
    expect(rows.every((id) => id.startsWith('identity-'))).toBe(true);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    try {
      await page.goto(
        `http://127.0.0.1:${uiPort}/namespaces/default/workflows?query=${encodeURIComponent('ScimflowPendingApprovals = "jasper"')}`,
      );
      const row = page.getByRole('link', { name: workflowId }).first();
      await row.waitFor();
      await page.mouse.move(0, 0);
      await evidence(page, 'pending-approvals-list.png');
      await docsImage(page, 'pending-approvals-in-temporal-ui.png');
      await row.click();
      await page.getByRole('heading', { name: workflowId }).waitFor();

      // Queries → state: the pending request, its approvers and deadline.
      await page
        .getByRole('link', { name: /^queries/i })
        .or(page.getByRole('tab', { name: /queries/i }))
        .first()
        .click();
      // The controller answers more than one query (`audit` too): pick `state`.
      // (The UI's select shows a read-only input inside a button: the button opens the list.)
      await page
        .getByTestId('query-select')
        .locator('xpath=ancestor::button[1]')
        .or(page.getByTestId('query-select').locator('xpath=..'))
        .first()
        .click();
      await page
        .getByRole('option', { name: /^state$/ })
        .first()
        .click();
      await page.getByRole('button', { name: /run query/i }).click();
      await page.getByText('"employeeId"').first().waitFor();
      // The editor renders only the lines in view: unformatted, the whole answer is one line.
      await page
        .getByLabel(/json formatting/i)
        .first()
        .setChecked(false, { force: true });
      const answer = page.getByText(/"pendingApprovals":\[/).first();
      await answer.waitFor();
      const shown = await answer.innerText();
      const pending = shown.slice(shown.indexOf('"pendingApprovals":'));
      for (const text of [
        `"id":"${request.id}"`,
        `"approvers":["${APPROVER}"]`,
        `"deadline":${request.deadline}`,
        '"status":"pending"',
      ])
        expect(pending).toContain(text);
      await evidence(page, 'state-query.png');
      await openWorkflow(page, workflowId); // back to the history view, for plainer screenshots

      // A decision from someone who is not an approver: refused inline, without naming who may decide.
      let dialog = await openUpdateDialog(page);
      await typeJson(page, dialog, NOT_AN_APPROVER);
      await dialog.getByTestId('confirm-modal-button').click();
      const alert = dialog.getByRole('alert');
      await alert.getByText('mallory@example.com is not an approver for jasper').first().waitFor();
      expect(await alert.innerText()).not.toContain(APPROVER);
      expect(await dialog.isVisible()).toBe(true);
      await page.mouse.move(0, 0);
      await evidence(page, 'decide-refused.png');
      await docsImage(page, 'decide-refused-in-temporal-ui.png');
      expect(await jasperAccounts(emp)).toEqual([]);
      expect((await s.state(emp.employeeId)).pendingApprovals.map((p) => [p.id, p.status])).toEqual([
        [request.id, 'pending'],
      ]);
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).last().click();
      await dialog.waitFor({ state: 'hidden' });

      // The approver's decision.
      dialog = await openUpdateDialog(page);
      await typeJson(page, dialog, DECISION);
      const submit = dialog.getByTestId('confirm-modal-button');
      expect(await submit.isEnabled()).toBe(true);
      await page.mouse.move(0, 0); // no hover highlight in the screenshot
      await evidence(page, 'decide-dialog.png');
      await docsImage(page, 'decide-update-in-temporal-ui.png');
      await submit.click();
      await dialog.waitFor({ state: 'hidden' });
      await page
        .getByText(/update successful/i)
        .first()
        .waitFor({ timeout: 10_000 });

      const users = await waitFor(
        async () => {
          const found = await jasperAccounts(emp);
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 20_000, what: 'the jasper account after the UI decision' },
      );
      expect(users).toEqual([
        expect.objectContaining({ userName: emp.email, externalId: emp.employeeId, active: true }),
      ]);
      const done = await s.until(emp.employeeId, (st) => st.apps.jasper?.state === 'in-sync', 'jasper in sync');
      expect(done.pendingApprovals).toEqual([]);
      expect(done.approvals.find((r) => r.id === request.id)).toMatchObject({
        status: 'approved',
        decidedBy: APPROVER,
      });
      expect(
        done.log.some(
          (l) =>
            l.kind === 'decision' &&
            l.by === APPROVER &&
            l.detail.startsWith(`approve ${request.id} (jasper) via update`),
        ),
      ).toBe(true);
      // A validator's refusal leaves nothing in the history or the log.
      expect(done.log.some((l) => l.by === 'mallory@example.com')).toBe(false);
      await evidence(page, 'workflow-after-decision.png');
    } catch (err) {
      await evidence(page, 'failure-update.png');
      throw err;
    } finally {
      await page.close().catch(() => undefined);
    }
  }, 120_000);

  it('the approval signal: "Send a Signal" also creates the account (the UI cannot show a refusal there)', async () => {
    const s = stack!;
    const { emp, workflowId, waiting } = await waitingHire();
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    try {
      await openWorkflow(page, workflowId);
      await page.getByRole('button', { name: /more actions/i }).click();
      await page.getByRole('menuitem', { name: /send a signal/i }).click();
      const dialog = page.getByRole('dialog', { name: /send a signal/i });
      await dialog.waitFor();
      await dialog
        .getByRole('button', { name: /select a signal/i })
        .or(dialog.getByTestId('signal-select-button'))
        .first()
        .click();
      await dialog.getByRole('option', { name: 'approval', exact: true }).click();
      expect(await dialog.getByTestId('signal-select').inputValue()).toBe('approval');
      await typeJson(page, dialog, DECISION);
      await page.mouse.move(0, 0);
      await docsImage(page, 'approve-in-temporal-ui.png');
      await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page
        .getByText(/workflow signaled/i)
        .first()
        .waitFor({ timeout: 10_000 });

      await waitFor(async () => ((await jasperAccounts(emp)).length > 0 ? true : undefined), {
        timeoutMs: 20_000,
        what: 'the jasper account after the UI signal',
      });
      expect(await jasperAccounts(emp)).toEqual([expect.objectContaining({ userName: emp.email, active: true })]);
      const done = await s.until(emp.employeeId, (st) => st.apps.jasper?.state === 'in-sync', 'jasper in sync');
      expect(done.approvals.find((r) => r.id === waiting.pendingApprovals[0]!.id)).toMatchObject({
        status: 'approved',
        decidedBy: APPROVER,
      });
      expect(done.log.some((l) => l.kind === 'decision' && l.detail.includes('via signal'))).toBe(true);
    } catch (err) {
      await evidence(page, 'failure-signal.png');
      throw err;
    } finally {
      await page.close().catch(() => undefined);
    }
  }, 120_000);
});

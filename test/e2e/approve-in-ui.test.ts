// An approver approves a seat-consuming create in the Temporal Web UI, in a real browser: a hire
// for Engineering waits for jasper's approval; Debian's Chromium (driven by playwright-core, no
// browser download) opens the joiner workflow, sends the `approval` signal through
// "More Actions → Send a Signal", and the jasper account appears in the sandbox app.
//
// Screenshots: docs/images/approve-in-temporal-ui.png (the filled-in dialog, for the README) is
// written only when it is missing or UPDATE_SCREENSHOTS=1; everything else goes to test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { lifecycleQuery } from '../../src/workflows/definitions';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const DOCS_IMAGE = join(ROOT, 'docs', 'images', 'approve-in-temporal-ui.png');
const RESULTS = join(ROOT, 'test-results', 'approve-in-ui');
const APPROVER = 'it-lead@example.com'; // as in config/scimflow.yaml and the README
const APPROVAL = { app: 'jasper', decision: 'approve', approver: APPROVER };

// The shared config's 4 s approval timeout is for the timeout tests; a browser needs longer.
const CONFIG = LIFECYCLE_CONFIG.replace(/(approvals:\s*\n\s*jasper:[\s\S]*?timeout:\s*)4s/, (_, head: string) => `${head}5m`).replace(
  /(approvals:\s*\n\s*jasper:[\s\S]*?approvers:\s*)\[lead@example\.com\]/,
  (_, head: string) => `${head}[${APPROVER}]`,
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
    throw new Error(`Chromium not found at ${CHROMIUM}: this browser test needs Debian's Chromium. \`npm test\` installs it when run as root (scripts/ensure-chromium.mjs); else \`sudo apt-get install chromium\`, or set CHROMIUM_PATH.`);
  }
  expect(CONFIG).toMatch(/timeout: 5m/);
  expect(CONFIG).toContain(`approvers: [${APPROVER}]`);
  mkdirSync(RESULTS, { recursive: true });
  uiPort = await freePort();
  // Clear-text payloads: this UI has no codec endpoint, so the signal it sends is not encrypted and
  // an encrypting worker would refuse it (test/e2e/codec-in-ui.test.ts approves through the codec).
  stack = await startStack(CONFIG, { temporal: { uiPort }, encryption: false });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.close();
}, 60_000);

type User = { userName: string; active?: boolean };
const jasperUsers = (userName: string) =>
  (stack!.sandbox.app('jasper').users() as unknown as User[]).filter((u) => u.userName.toLowerCase() === userName.toLowerCase());

/** Whatever the page shows when a step fails, for the CI artifacts. */
async function evidence(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS, name), fullPage: true, timeout: 10_000 }).catch(() => undefined);
}

describe('approving in the Temporal Web UI', () => {
  it('sends the approval signal from the "Send a Signal" dialog and the jasper account appears', async () => {
    const s = stack!;
    const emp = employee({ department: 'Engineering' });
    await s.send(event('hire', emp));
    const waiting = await s.until(emp.employeeId, (st) => st.pendingApprovals.some((p) => p.app === 'jasper'), 'jasper approval pending');
    const joinerId = waiting.pendingApprovals[0]!.workflowId;
    expect(waiting.apps.jasper?.status).toBe('awaiting-approval');
    expect(jasperUsers(emp.email)).toHaveLength(0);

    // The README's way to find it: the Workflows list filtered on the search attribute.
    await waitFor(async () => {
      for await (const wf of s.client.workflow.list({ query: 'ScimflowPendingApprovals = "jasper" AND ExecutionStatus = "Running"' })) {
        if (wf.workflowId === joinerId) return true;
      }
      return undefined;
    }, { timeoutMs: 15_000, what: 'the joiner in the ScimflowPendingApprovals = "jasper" list' });

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(joinerId)}`);
      await page.getByRole('heading', { name: joinerId }).waitFor();

      await page.getByRole('button', { name: /more actions/i }).click();
      await page.getByRole('menuitem', { name: /send a signal/i }).click();
      const dialog = page.getByRole('dialog', { name: /send a signal/i });
      await dialog.waitFor();

      // Signal name: a select listing the workflow's signals (from its metadata); "approval" is one.
      await dialog.getByRole('button', { name: /select a signal/i }).or(dialog.getByTestId('signal-select-button')).first().click();
      await dialog.getByRole('option', { name: 'approval', exact: true }).click();
      expect(await dialog.getByTestId('signal-select').inputValue()).toBe('approval');

      // Data: a CodeMirror JSON editor. insertText avoids the editor's bracket auto-closing.
      const data = dialog.locator('[role="textbox"][contenteditable="true"]');
      await data.click();
      await page.keyboard.insertText(JSON.stringify(APPROVAL, null, 2));
      expect(JSON.parse(await data.innerText())).toEqual(APPROVAL);

      const submit = dialog.getByRole('button', { name: 'Submit', exact: true });
      expect(await submit.isEnabled()).toBe(true);
      await page.mouse.move(0, 0); // no hover highlight in the screenshot
      await page.screenshot({ path: join(RESULTS, 'signal-dialog.png') });
      if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_IMAGE)) {
        mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
        await page.screenshot({ path: DOCS_IMAGE });
      }

      await submit.click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByText(/workflow signaled/i).first().waitFor({ timeout: 10_000 });

      const users = await waitFor(() => {
        const found = jasperUsers(emp.email);
        return found.length > 0 ? found : undefined;
      }, { timeoutMs: 20_000, what: 'the jasper account after the UI approval' });
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({ userName: emp.email });
      const done = await s.until(emp.employeeId, (st) => st.apps.jasper?.status === 'active', 'jasper active');
      expect(done.apps.jasper).toMatchObject({ status: 'active', createdByUs: true });
      expect(done.pendingApprovals).toEqual([]);
      // The decision arrived as the `approval` signal with exactly what was typed in the dialog.
      const view = await s.client.workflow.getHandle(joinerId).query(lifecycleQuery);
      expect(view.decisions).toEqual([expect.objectContaining({ ...APPROVAL, accepted: true })]);

      // The UI follows along: the joiner completes.
      await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 20_000 });
      await evidence(page, 'workflow-after-approval.png');
    } catch (err) {
      await evidence(page, 'failure.png');
      throw err;
    } finally {
      await page.close().catch(() => undefined);
    }
  }, 120_000);
});

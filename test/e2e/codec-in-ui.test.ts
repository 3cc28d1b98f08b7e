// The Temporal Web UI shows the encrypted HR record decoded, through the codec server, in a real
// browser (Debian's Chromium driven by playwright-core, no browser download). Production-shaped:
// the codec server is HTTPS (the UI passes an access token to https:// endpoints only) and demands
// a bearer token; the UI's `passAccessToken` sends the signed-in user's — here a page script
// stands in for the OIDC sign-in. A page without the token sees the payloads still encrypted.
//
// Screenshot: docs/images/codec-decoded-in-temporal-ui.png (written when missing or with
// UPDATE_SCREENSHOTS=1); everything else goes to test-results/codec-in-ui/.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEV_PAYLOAD_KEY } from '../../src/cli/dev-env';
import { buildCodecServer } from '../../src/codec/server';
import { decodePayloadKey } from '../../src/config';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { freePort } from '../helpers/cli';
import { employee, event, startStack, type Stack } from '../helpers/stack';
import { LIFECYCLE_CONFIG } from '../workflows/config';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const DOCS_IMAGE = join(ROOT, 'docs', 'images', 'codec-decoded-in-temporal-ui.png');
const RESULTS = join(ROOT, 'test-results', 'codec-in-ui');
const TOKEN = 'ui-user-access-token-0123456789abcdef';
// Room for a person to approve in a browser.
const CONFIG = LIFECYCLE_CONFIG.replace(
  /(approvals:\s*\n\s*jasper:[\s\S]*?timeout:\s*)\w+/,
  (_, head: string) => `${head}5m`,
);
const APPROVAL = { app: 'jasper', decision: 'approve', approver: 'lead@example.com' };

let stack: Stack | undefined;
let browser: Browser | undefined;
let codec: ReturnType<typeof buildCodecServer> | undefined;
let uiPort = 0;
let codecUrl = '';

function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scimflow-codec-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: this browser test needs Debian's Chromium (scripts/ensure-chromium.mjs), or set CHROMIUM_PATH.`,
    );
  mkdirSync(RESULTS, { recursive: true });
  uiPort = await freePort();
  const codecPort = await freePort();
  codecUrl = `https://127.0.0.1:${codecPort}`;
  const key = decodePayloadKey(DEV_PAYLOAD_KEY);
  if (!key.ok) throw new Error(key.problem);
  codec = buildCodecServer({
    ring: { current: 'dev', keys: new Map([['dev', key.key]]) },
    tokens: [TOKEN],
    corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    namespace: 'default',
    https: selfSignedCertificate(),
  });
  await codec.listen({ host: '127.0.0.1', port: codecPort });
  // The stack encrypts with the development key (stack.ts), which the codec server holds.
  stack = await startStack(CONFIG, { temporal: { uiPort, uiCodecEndpoint: codecUrl } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The codec server's certificate is self-signed for this test.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      '--ignore-certificate-errors',
    ],
    timeout: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.close();
  await codec?.close();
}, 60_000);

/** A page of the UI whose signed-in user has `token` (what `passAccessToken` sends), or none. */
async function uiPage(token: string | undefined): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  await page.addInitScript(
    ({ endpoint, token: t }) => {
      // The UI's own codec settings (its "Codec Server" dialog keeps them in localStorage).
      const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
      storage.setItem('endpoint', JSON.stringify(endpoint));
      storage.setItem('passAccessToken', 'true');
      storage.setItem('overrideRemoteCodecConfiguration', 'true');
      // Stands in for the OIDC sign-in: the UI asks globalThis.AccessToken() for the user's token.
      if (t) (globalThis as { AccessToken?: () => Promise<string> }).AccessToken = async () => t;
    },
    { endpoint: codecUrl, token },
  );
  return page;
}

describe('the Temporal Web UI with the codec server', () => {
  it('shows the HR record decoded to a signed-in user, and encrypted without the token', async () => {
    const s = stack!;
    const emp = employee({ givenName: 'Mary', familyName: 'Jackson', email: 'mary.jackson@example.org' });
    const workflowId = await s.send(event('hire', emp));
    await s.until(emp.employeeId, (st) => st.apps.generic?.account?.userName === emp.email, 'the generic account');
    const url = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;

    // Signed in (the token reaches the codec server): the input and the hrEvent signal, decoded.
    const page = await uiPage(TOKEN);
    try {
      await page.goto(url);
      await page.getByRole('heading', { name: workflowId }).first().waitFor();
      await page.getByText(`"employeeId": "${emp.employeeId}"`).first().waitFor();
      // Newest first: the hrEvent signal is near the end of the list; open it.
      await page.getByText('Workflow Execution Signaled', { exact: true }).first().click();
      await page.getByText(emp.email).first().waitFor();
      expect(await page.getByText(emp.email).count()).toBeGreaterThan(0);
      await page.getByText(emp.email).first().scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(RESULTS, 'decoded.png'), fullPage: true });
      if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_IMAGE))
        await page.screenshot({ path: DOCS_IMAGE });
    } catch (err) {
      await page.screenshot({ path: join(RESULTS, 'failure-decoded.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }

    // No token: the codec server answers 401 and the UI shows what Temporal holds — ciphertext.
    const anonymous = await uiPage(undefined);
    try {
      await anonymous.goto(url);
      await anonymous.getByRole('heading', { name: workflowId }).first().waitFor();
      await anonymous
        .getByText(/YmluYXJ5L2VuY3J5cHRlZA|binary\/encrypted/)
        .first()
        .waitFor();
      await anonymous.getByText('Workflow Execution Signaled', { exact: true }).first().click();
      await anonymous.waitForTimeout(1500);
      await anonymous.screenshot({ path: join(RESULTS, 'encrypted.png'), fullPage: true });
      const text = await anonymous.locator('body').innerText();
      expect(text).not.toContain(emp.email);
      expect(text).not.toContain('Jackson');
      expect(text).not.toContain(`"employeeId": "${emp.employeeId}"`);
    } catch (err) {
      await anonymous
        .screenshot({ path: join(RESULTS, 'failure-encrypted.png'), fullPage: true })
        .catch(() => undefined);
      throw err;
    } finally {
      await anonymous.close();
    }
  }, 120_000);

  it('encrypts what a person types (the approval signal) through the codec server: the worker accepts it', async () => {
    const s = stack!;
    expect(CONFIG).toMatch(/approvers: \[lead@example\.com\]\s*\n\s*timeout: 5m/);
    const emp = employee({ department: 'Engineering' });
    const workflowId = await s.send(event('hire', emp));
    await s.until(
      emp.employeeId,
      (st) => st.pendingApprovals.some((p) => p.app === 'jasper'),
      'jasper approval pending',
    );
    const page = await uiPage(TOKEN);
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
      await page.getByRole('heading', { name: workflowId }).first().waitFor();
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
      await dialog.locator('[role="textbox"][contenteditable="true"]').click();
      // Multi-line, as a person types it (the editor drops a single-line paste's closing brace).
      await page.keyboard.insertText(JSON.stringify(APPROVAL, null, 2));
      expect(JSON.parse(await dialog.locator('[role="textbox"][contenteditable="true"]').innerText())).toEqual(
        APPROVAL,
      );
      await page.mouse.move(0, 0);
      await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      // Accepted: the worker decrypted it (a clear-text signal would have been refused).
      const done = await s.until(
        emp.employeeId,
        (st) => st.apps.jasper?.account !== undefined,
        'the jasper account after the UI approval',
        30_000,
      );
      expect(done.pendingApprovals).toEqual([]);
      const shown = await new Promise<string>((resolve, reject) =>
        execFile(
          findTemporalCli()!,
          ['workflow', 'show', '--workflow-id', workflowId, '--address', s.env.address, '--output', 'json'],
          (err, out) => (err ? reject(err) : resolve(out)),
        ),
      );
      const signal = (
        JSON.parse(shown) as {
          events: {
            eventType: string;
            workflowExecutionSignaledEventAttributes?: {
              signalName: string;
              input: { payloads: { metadata: { encoding: string } }[] };
            };
          }[];
        }
      ).events
        .map((e) => e.workflowExecutionSignaledEventAttributes)
        .find((a) => a?.signalName === 'approval');
      expect(Buffer.from(signal!.input.payloads[0]!.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      expect(shown).not.toContain('lead@example.com');
    } catch (err) {
      await page.screenshot({ path: join(RESULTS, 'failure-signal.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }, 120_000);
});

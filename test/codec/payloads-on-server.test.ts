// On a real Temporal dev server, with the stack encrypting as in production: what the server keeps
// of a person's lifecycle — read with the real `temporal` CLI, as an operator or an attacker with
// database access would — holds no name or email, while the state query through the codec client
// (and the CLI through the codec server, with its token) returns them. The workflow id and the
// search attributes are checked to carry no PII either (docs/security.md, "What Temporal sees").
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { buildCodecServer } from '../../src/codec/server';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { keyRing } from '../../src/temporal/options';
import { PATCHES } from '../../src/workflows/patches';
import { Worker } from '@temporalio/worker';
import { employee, event, startStack, TEST_ENV, type Stack } from '../helpers/stack';
import { workflowBundle } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

const TOKEN = 'codec-test-token-0123456789abcdef';
let stack: Stack;
let codec: ReturnType<typeof buildCodecServer>;
let codecUrl = '';

beforeAll(async () => {
  stack = await startStack(LIFECYCLE_CONFIG);
  codec = buildCodecServer({ ring: keyRing(stack.config, TEST_ENV)!, tokens: [TOKEN], corsOrigins: [] });
  await codec.listen({ host: '127.0.0.1', port: 0 });
  codecUrl = `http://127.0.0.1:${(codec.server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await codec?.close();
  await stack?.close();
});

function temporal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = findTemporalCli();
  if (!cli) throw new Error('Temporal CLI not found');
  return new Promise((resolve) => {
    execFile(
      cli,
      [...args, '--address', stack.env.address, '--namespace', 'default'],
      { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every way the person's name or email could appear: as typed, case-folded, base64 of the JSON. */
function pii(emp: { email: string; givenName: string; familyName: string }): RegExp[] {
  const words = [emp.email, emp.givenName, emp.familyName, emp.email.split('@')[0]!];
  const b64 = words.flatMap((w) =>
    [0, 1, 2].map((shift) =>
      Buffer.from(`${'xx'.slice(0, shift)}${w}`)
        .toString('base64')
        .slice(4, -4),
    ),
  );
  return [
    ...words.map((w) => new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')),
    ...b64.filter((s) => s.length >= 8).map((s) => new RegExp(s.replace(/[+/=]/g, '\\$&'))),
  ];
}

/**
 * The payloads of a `--output json` history: their encodings, and their data as text. Three kinds
 * are not user data and never pass the codec: search attributes (the server indexes them; checked
 * below), the local-activity marker's `details.data`, which the SDK core writes itself (sequence
 * number, attempt, activity type, timestamps — its result is encrypted), and a patch marker's
 * `details.patch-data`, also the core's: exactly `{"id":<one of PATCHES>,"deprecated":…}`.
 */
function isPatchMarker(text: string): boolean {
  const m = JSON.parse(text) as Record<string, unknown>;
  return (
    Object.keys(m).sort().join() === 'deprecated,id' &&
    typeof m.deprecated === 'boolean' &&
    (Object.values(PATCHES) as unknown[]).includes(m.id)
  );
}

function payloadsIn(json: string): { encodings: Set<string>; texts: string[] } {
  const encodings = new Set<string>();
  const texts: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((c) => walk(c, path));
    else if (v && typeof v === 'object') {
      const p = v as { metadata?: { encoding?: string }; data?: string };
      if (typeof p.metadata?.encoding === 'string' && (typeof p.data === 'string' || p.data === undefined)) {
        const encoding = Buffer.from(p.metadata.encoding, 'base64').toString('utf8');
        texts.push(Buffer.from(p.data ?? '', 'base64').toString('utf8'));
        const text = texts.at(-1)!;
        const coreMarker =
          encoding === 'json/plain' &&
          (path.endsWith('markerRecordedEventAttributes.details.data.payloads') ||
            (path.endsWith('markerRecordedEventAttributes.details.patch-data.payloads') && isPatchMarker(text)));
        if (!coreMarker) encodings.add(encoding);
      }
      for (const [k, child] of Object.entries(v)) if (k !== 'searchAttributes') walk(child, `${path}.${k}`);
    }
  };
  walk(JSON.parse(json), '');
  return { encodings, texts };
}

describe('what the Temporal server holds of a person', () => {
  // An email the employee id is no part of (the test helper's default email is derived from the id).
  const emp = employee({ givenName: 'Zenobia', familyName: 'Quartermaine', email: 'zenobia.quartermaine@example.net' });
  const id = `identity-${emp.employeeId}`;

  beforeAll(async () => {
    await stack.send(event('hire', emp));
    await stack.until(emp.employeeId, (s) => s.apps.generic?.account?.userName === emp.email, 'the generic account');
  }, 60_000);

  it('`temporal workflow show --output json`: no name or email anywhere, every payload binary/encrypted', async () => {
    const shown = await temporal(['workflow', 'show', '--workflow-id', id, '--output', 'json']);
    expect(shown.code).toBe(0);
    const { encodings, texts } = payloadsIn(shown.stdout);
    expect(texts.length).toBeGreaterThan(5); // inputs, the hrEvent signal, activity inputs and results, …
    expect([...encodings]).toEqual(['binary/encrypted']);
    for (const re of pii(emp)) {
      expect([re.source, re.test(shown.stdout)]).toEqual([re.source, false]);
      expect([re.source, texts.some((t) => re.test(t))]).toEqual([re.source, false]);
    }
    expect(shown.stdout).toContain('encryption-key-id');
  });

  it('the state query through the codec client returns them', async () => {
    const s = await stack.state(emp.employeeId);
    expect(s.employment).toMatchObject({
      employee: { email: emp.email, givenName: 'Zenobia', familyName: 'Quartermaine' },
    });
  });

  it('the workflow id and search attributes carry no PII: the employee id, stages and app names', async () => {
    const described = await temporal(['workflow', 'describe', '--workflow-id', id, '--output', 'json']);
    expect(described.code).toBe(0);
    for (const re of pii(emp)) expect([re.source, re.test(described.stdout)]).toEqual([re.source, false]);
    const d = await stack.client.workflow.getHandle(id).describe();
    expect(d.workflowId).toBe(`identity-${emp.employeeId}`);
    const attrs = Object.fromEntries(d.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
    expect(attrs).toMatchObject({
      ScimflowStage: expect.any(String),
      ScimflowLinkedApps: expect.arrayContaining(['generic']),
    });
    const appNames = Object.keys(stack.config.apps);
    for (const [name, v] of Object.entries(attrs)) {
      if (!name.startsWith('Scimflow')) continue;
      for (const item of Array.isArray(v) ? v : [v]) {
        if (typeof item === 'boolean') continue;
        // A stage, an app name, or <kind>:<app> (ScimflowProblems).
        expect([name, item]).toEqual([
          name,
          expect.stringMatching(
            new RegExp(
              `^(unknown|pre-hire|joining|active|compensated|leaving|left|((failing|attention|conflict|invalid):)?(${appNames.join('|')})|compensated)$`,
            ),
          ),
        ]);
      }
    }
    expect(d.memo ?? {}).toEqual({});
  });

  it('replays from the encrypted history with the data converter (and not without it)', async () => {
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    const withCodec = await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: stack.dataConverter, replayName: 'with codec' },
      history,
    ).then(
      () => 'ok',
      (e: unknown) => String(e),
    );
    expect(withCodec).toBe('ok');
    const without = await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), replayName: 'without codec' },
      history,
    ).then(
      () => 'ok',
      (e: unknown) => String(e),
    );
    expect(without).not.toBe('ok');
  }, 60_000);

  it('the CLI decodes through the codec server with its token', async () => {
    const decoded = await temporal([
      'workflow',
      'show',
      '--workflow-id',
      id,
      '--output',
      'json',
      '--codec-endpoint',
      codecUrl,
      '--codec-auth',
      `Bearer ${TOKEN}`,
    ]);
    expect(decoded.code).toBe(0);
    const { encodings, texts } = payloadsIn(decoded.stdout);
    expect(encodings.has('binary/encrypted')).toBe(false);
    expect(encodings.has('json/plain')).toBe(true);
    expect(texts.some((t) => t.includes(emp.email) && t.includes('Quartermaine'))).toBe(true);
  });
});

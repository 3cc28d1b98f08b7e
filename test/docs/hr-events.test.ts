// docs/hr-events.md names exactly the error codes the ingress can answer with — no more, no fewer —
// and each documented status/code pair of POST /webhooks/hr is what the ingress really answers.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { buildIngress } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'hr-events.md'), 'utf8');
// Every route's source: the server and the roster route it registers.
const server = ['server.ts', 'roster-route.ts']
  .map((f) => readFileSync(join(root, 'src', 'ingress', f), 'utf8'))
  .join('\n');
const signature = readFileSync(join(root, 'src', 'ingress', 'signature.ts'), 'utf8');

/** Codes named in the doc: `` `401` `signature_missing` `` in prose, `| `401` | `signature_missing` |` in tables, and `"code":"…"` in examples. */
function documentedCodes(): { pairs: [number, string][]; codes: Set<string> } {
  const pairs: [number, string][] = [...doc.matchAll(/`(\d{3})`(?:\s*\|\s*|\s+)`([a-z][a-z_]*)`/g)].map((m) => [
    Number(m[1]),
    m[2]!,
  ]);
  const inExamples = [...doc.matchAll(/"code":"([a-z_]+)"/g)].map((m) => m[1]!);
  return { pairs, codes: new Set([...pairs.map(([, c]) => c), ...inExamples]) };
}

/** Codes the ingress source can emit, read from it (a call may wrap after its parenthesis): literals, plus `signature_${err.code}` over SignatureFailure. */
function emittedCodes(): Set<string> {
  const literal = [
    ...server.matchAll(/errorBody\(\s*'([a-z_]+)'|code: '([a-z_]+)'|refused\(\s*'([a-z_]+)',?\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? m[3]!);
  const templates = [...server.matchAll(/errorBody\(\s*`([^`]*)`/g)].map((m) => m[1]!);
  // The only computed code is the signature failure's; another one must be added here.
  expect(new Set(templates)).toEqual(new Set(['signature_${err.code}']));
  const failures = /export type SignatureFailure = ([^;]+);/
    .exec(signature)![1]!
    .split('|')
    .map((s) => s.trim().replace(/^'|'$/g, ''));
  expect(failures.length).toBeGreaterThanOrEqual(5);
  return new Set([...literal, ...failures.map((f) => `signature_${f}`)]);
}

it('names exactly the codes the ingress source can emit', () => {
  const { codes } = documentedCodes();
  const emitted = emittedCodes();
  expect([...codes].sort()).toEqual([...emitted].sort());
  // The ones this doc once got wrong or left out.
  for (const c of ['invalid_json', 'signature_missing', 'signature_mismatch']) expect(codes).toContain(c);
});

it('the signing example is a different person from the README’s E1001 (sending it renames no one)', () => {
  const body = /body='(\{.*\})'/.exec(doc)![1]!;
  const event = JSON.parse(body) as { employee: { employeeId: string; email: string } };
  const readmeHire = JSON.parse(readFileSync(join(root, 'examples', 'hire.json'), 'utf8')) as {
    employee: { employeeId: string; email: string };
  };
  if (event.employee.employeeId === readmeHire.employee.employeeId)
    expect(event.employee.email).toBe(readmeHire.employee.email);
  expect(event.employee.employeeId).not.toBe(readmeHire.employee.employeeId);
});

describe('each documented answer of POST /webhooks/hr is the real one', () => {
  const secret = 'docs-test-secret-0123456789';
  let dispatchFails = false;
  const app = buildIngress({
    secrets: [secret],
    maxBodyBytes: 1024,
    dispatcher: {
      async dispatch(e) {
        if (dispatchFails) throw new Error('temporal down');
        return { workflowId: `identity-${e.employee.employeeId}` };
      },
    },
  });
  let base = '';
  beforeAll(async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  const now = () => Math.floor(Date.now() / 1000);
  const hire = JSON.stringify({
    id: 'evt-doc-1',
    type: 'hire',
    employee: { employeeId: 'D100', email: 'd100@example.com', givenName: 'D', familyName: 'Oc' },
  });
  const json = { 'content-type': 'application/json' };
  const signed = (body: string, t = now(), s = secret) => ({ ...json, 'x-scimflow-signature': sign(s, body, t) });
  const triggers: Record<string, () => { path?: string; body: string; headers: Record<string, string> }> = {
    invalid_json: () => ({ body: '{nope', headers: signed('{nope') }),
    invalid_event: () => ({ body: '{"id":"x"}', headers: signed('{"id":"x"}') }),
    signature_missing: () => ({ body: hire, headers: json }),
    signature_malformed: () => ({ body: hire, headers: { ...json, 'x-scimflow-signature': 't=1' } }),
    signature_expired: () => ({ body: hire, headers: signed(hire, now() - 3600) }),
    signature_future: () => ({ body: hire, headers: signed(hire, now() + 3600) }),
    signature_mismatch: () => ({ body: hire, headers: signed(hire, now(), 'another-secret-0123456789') }),
    not_found: () => ({ path: '/webhooks/nope', body: hire, headers: json }),
    body_too_large: () => ({ body: 'x'.repeat(4096), headers: json }),
    unsupported_media_type: () => ({ body: hire, headers: { 'content-type': 'text/plain' } }),
    unavailable: () => ({
      body: hire.replace('evt-doc-1', 'evt-doc-2'),
      headers: signed(hire.replace('evt-doc-1', 'evt-doc-2')),
    }),
  };
  // Not reachable with a well-formed client: internal (a bug) and bad_request (fastify's own refusals).
  const untriggerable = new Set(['internal', 'bad_request']);
  // Codes of other routes (BambooHR, batch, roster: test/ingress/roster.test.ts) are not POST /webhooks/hr's.
  const table = documentedCodes().pairs.filter(
    ([, c]) => !['signature_invalid', 'invalid_batch', 'invalid_roster'].includes(c),
  );

  it('covers every row of the table', () => {
    for (const [, code] of table) expect(code in triggers || untriggerable.has(code)).toBe(true);
  });

  it.each(Object.keys(triggers))('%s', async (code) => {
    const row = table.find(([, c]) => c === code);
    expect(row).toBeDefined();
    dispatchFails = code === 'unavailable';
    const t = triggers[code]!();
    const res = await request(`${base}${t.path ?? '/webhooks/hr'}`, {
      method: 'POST',
      body: t.body,
      headers: t.headers,
    });
    const answer = (await res.body.json()) as { error: { code: string } };
    expect([res.statusCode, answer.error.code]).toEqual([row![0], code]);
  });
});

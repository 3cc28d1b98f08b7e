// POST /webhooks/hr/roster on a real ingress, a real Temporal dev server, the worker and the sandbox
// apps: a roster hires people (read back over SCIM), the same roster again sends nothing (no event,
// no request), an edited row is one update, a removed row a termination; a bad row is refused
// naming row and column with nothing sent; size and signature are checked before parsing.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildIngress } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { rosterSettings } from '../../src/roster/settings';
import { knownRecords } from '../../src/roster/temporal';
import { usersOf } from '../helpers/apps';
import { startStack, TEST_ENV, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { sandboxConfig } from '../helpers/sandbox-config';

const CONFIG = sandboxConfig({
  sandbox: '{{SANDBOX}}',
  apps: { generic: 500 },
  extra: `
roster:
  columns: { employeeId: Employee ID, email: Work Email, givenName: First Name, familyName: Last Name, title: Job Title }
  maxBodyBytes: 4096
`,
});
const SECRET = TEST_ENV.SCIMFLOW_WEBHOOK_SECRET;

let stack: Stack;
let ingress: FastifyInstance;
let url: string;
beforeAll(async () => {
  stack = await startStack(CONFIG);
  ingress = buildIngress({
    dispatcher: temporalDispatcher(stack.client),
    secrets: [SECRET],
    roster: {
      ...rosterSettings(stack.config),
      known: (signal, employeeIds) => knownRecords(stack.client, { signal, employeeIds }),
    },
  });
  await ingress.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(ingress.server.address() as AddressInfo).port}/webhooks/hr/roster`;
}, 120_000);
afterAll(async () => {
  await ingress?.close();
  await stack?.close();
});

let lastSigned = 0;
async function post(body: string, opts: { type?: string; secret?: string } = {}) {
  // A new timestamp for every post: the same body signed in the same second is the same signature,
  // which the replay cache answers with the first response.
  lastSigned = Math.max(Math.floor(Date.now() / 1000), lastSigned + 1);
  const res = await request(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': opts.type ?? 'text/csv',
      'x-scimflow-signature': sign(opts.secret ?? SECRET, body, lastSigned),
    },
  });
  return {
    status: res.statusCode,
    body: (await res.body.json()) as Record<string, unknown> & { counts?: Record<string, number> },
  };
}

const HEADER = 'Employee ID,Work Email,First Name,Last Name,Job Title,Notes';
const row = (id: string, title: string) => `${id},${id.toLowerCase()}@example.com,Given,${id},${title},ignored`;
const roster = (rows: string[]) => [HEADER, ...rows].join('\n') + '\n';
const generic = () => usersOf(stack.sandbox.url, 'generic');
const settled = (id: string, extra: (s: Awaited<ReturnType<Stack['state']>>) => boolean = () => true) =>
  stack.until(id, (s) => s.stage === 'active' && s.problems.length === 0 && extra(s), 'settled', 30_000);

it('hires, then a re-import sends nothing, an edited row is one update, a removed row a termination', async () => {
  const ids = ['R1', 'R2', 'R3'];
  const first = roster(ids.map((id) => row(id, 'Engineer')));
  const r1 = await post(first);
  expect(r1.status).toBe(200);
  expect(r1.body.counts).toMatchObject({ hire: 3, update: 0, terminate: 0 });
  for (const id of ids) await settled(id);
  const accounts = await generic();
  for (const id of ids)
    expect(accounts.filter((u) => u.externalId === id)).toEqual([
      expect.objectContaining({ userName: `${id.toLowerCase()}@example.com`, active: true, title: 'Engineer' }),
    ]);
  const state = await stack.state('R1');
  expect(state.events).toEqual([expect.objectContaining({ type: 'hire', source: 'roster' })]);

  // The same roster again (a new signature, so not the replay cache): nothing to send, no request downstream.
  const requestsBefore = stack.sandbox.app('generic').requests().length;
  const r2 = await post(first);
  expect(r2.status).toBe(200);
  expect(r2.body.counts).toEqual({ hire: 0, update: 0, terminate: 0, unchanged: 3, kept: 0 });
  // And the first import's events delivered again are ignored by the controllers (dedupe by event id).
  const ids1 = (r1.body.items as { employeeId: string; id: string }[]).map((i) => i.id);
  const hire = state.events[0]!;
  expect(ids1).toContain(hire.id);
  await stack.send({
    id: hire.id,
    type: 'hire',
    source: 'roster',
    employee: { employeeId: 'R1', email: 'r1@example.com', givenName: 'Given', familyName: 'R1', title: 'Engineer' },
  });
  await new Promise((r) => setTimeout(r, 1500));
  expect((await stack.state('R1')).events).toHaveLength(1);
  expect(stack.sandbox.app('generic').requests().length).toBe(requestsBefore);

  // One edited row: one update, the account follows.
  const r3 = await post(roster([row('R1', 'Engineer'), row('R2', 'Staff Engineer'), row('R3', 'Engineer')]));
  expect(r3.body.counts).toMatchObject({ hire: 0, update: 1, terminate: 0, unchanged: 2 });
  expect(r3.body.items).toEqual([expect.objectContaining({ change: 'update', employeeId: 'R2', fields: ['title'] })]);
  await waitFor(async () => (await generic()).find((u) => u.externalId === 'R2' && u.title === 'Staff Engineer'), {
    timeoutMs: 20_000,
    what: 'R2 updated',
  });

  // R3 left out: terminated through the ordinary leaver path; the event says it came from a roster.
  const r4 = await post(roster([row('R1', 'Engineer'), row('R2', 'Staff Engineer')]));
  expect(r4.body.counts).toMatchObject({ hire: 0, update: 0, terminate: 1, unchanged: 2 });
  await stack.until('R3', (s) => s.stage === 'left', 'left', 30_000);
  expect((await generic()).find((u) => u.externalId === 'R3')?.active).toBe(false);
  expect((await stack.state('R3')).events.map((e) => [e.type, e.source])).toEqual([
    ['hire', 'roster'],
    ['terminate', 'roster'],
  ]);
  expect((await generic()).find((u) => u.externalId === 'R1')?.active).toBe(true);
}, 120_000);

it('refuses a bad row naming row and column, and sends nothing', async () => {
  const body = roster([row('B1', 'Engineer'), 'B2,not-an-email,Given,B2,Engineer,', row('B3', 'Engineer')]);
  const res = await post(body);
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({
    code: 'invalid_roster',
    fields: [expect.objectContaining({ field: 'rows[2].Work Email' })],
  });
  await new Promise((r) => setTimeout(r, 500));
  expect((await knownRecords(stack.client)).records.map((k) => k.employeeId)).not.toContain('B1');
});

it('JSON rosters too; size, signature and media type are checked before anything is parsed', async () => {
  const json = JSON.stringify([
    { 'Employee ID': 'J1', 'Work Email': 'j1@example.com', 'First Name': 'J', 'Last Name': 'One' },
  ]);
  const bad = await post(json, { type: 'application/json', secret: 'another-secret-0123456789abc' });
  expect(bad.status).toBe(401);
  expect(bad.body.error).toMatchObject({ code: 'signature_mismatch' });
  const big = await post(`${HEADER}\n${'x'.repeat(5000)}\n`);
  expect(big.status).toBe(413);
  const text = await post('hello', { type: 'text/plain' });
  expect(text.status).toBe(415);
  const invalid = await post('[{"Employee ID": "J1"}', { type: 'application/json' });
  expect(invalid.status).toBe(400);
  expect(invalid.body.error).toMatchObject({ code: 'invalid_roster' });
  // The same people as CSV left them, plus J1, as JSON: one hire (R3, who left, is not listed: nothing).
  const people = [
    {
      'Employee ID': 'R1',
      'Work Email': 'r1@example.com',
      'First Name': 'Given',
      'Last Name': 'R1',
      'Job Title': 'Engineer',
    },
    {
      'Employee ID': 'R2',
      'Work Email': 'r2@example.com',
      'First Name': 'Given',
      'Last Name': 'R2',
      'Job Title': 'Staff Engineer',
    },
    {
      'Employee ID': 'J1',
      'Work Email': 'j1@example.com',
      'First Name': 'J',
      'Last Name': 'One',
      'Job Title': 'Engineer',
    },
  ];
  const ok = await post(JSON.stringify(people), { type: 'application/json' });
  expect(ok.status).toBe(200);
  expect(ok.body.counts).toEqual({ hire: 1, update: 0, terminate: 0, unchanged: 2, kept: 0 });
  await settled('J1');
});

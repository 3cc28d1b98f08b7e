// The ingress under hostile traffic: thousands of malformed, unsigned, oversized and mis-typed
// requests each get a 4xx and start nothing; a slow client cannot hold it up; batch and BambooHR.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { signBamboo } from '../../src/ingress/bamboohr';
import { buildIngress, type EventDispatcher } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import type { HrEvent } from '../../src/shared/hr-event';

const secret = 'hardening-secret-0123456789';
const bambooKey = 'bamboo-private-key-0123456789';
const dispatched: HrEvent[] = [];
const rejected: string[] = [];
const dispatcher: EventDispatcher = {
  async dispatch(event) {
    dispatched.push(event);
    return { workflowId: `identity-${event.employee.employeeId}` };
  },
};
const app = buildIngress({
  dispatcher,
  secrets: [secret],
  bambooKeys: [bambooKey],
  requestTimeoutMs: 1000,
  onRejected: (r) => rejected.push(r),
});
let port = 0;
let base = '';
beforeAll(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => app.close());
beforeEach(() => {
  dispatched.length = 0;
  rejected.length = 0;
});

const now = () => Math.floor(Date.now() / 1000);
const validEvent = {
  id: 'evt-ok',
  type: 'hire',
  employee: { employeeId: 'E1', email: 'a@example.com', givenName: 'A', familyName: 'B' },
};

describe('hostile traffic', () => {
  it('answers thousands of bad requests with a 4xx and dispatches nothing', async () => {
    const junkJson = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ id: fc.string(), type: fc.string(), employee: fc.object() }).map((v) => JSON.stringify(v)),
      fc.constant(JSON.stringify({ ...validEvent, employee: { ...validEvent.employee, email: 'nope' } })),
      fc.constant(JSON.stringify({ ...validEvent, extra: true })),
    );
    const kind = fc.constantFrom(
      'unsigned',
      'bad-signature',
      'stale',
      'signed-invalid',
      'wrong-type',
      'oversized',
      'garbage-header',
      'batch-invalid',
    );
    let count = 0;
    await fc.assert(
      fc.asyncProperty(kind, junkJson, async (k, body) => {
        count++;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        let payload = body;
        let path = '/webhooks/hr';
        switch (k) {
          case 'unsigned':
            break; // no signature header at all
          case 'bad-signature':
            headers['x-scimflow-signature'] = sign('some-other-secret-xyz', body, now());
            break;
          case 'stale':
            headers['x-scimflow-signature'] = sign(secret, body, now() - 3600);
            break;
          case 'signed-invalid':
            headers['x-scimflow-signature'] = sign(secret, body, now());
            break;
          case 'wrong-type':
            headers['content-type'] = 'text/plain';
            headers['x-scimflow-signature'] = sign(secret, body, now());
            break;
          case 'oversized':
            payload = body + ' '.repeat(256 * 1024);
            headers['x-scimflow-signature'] = sign(secret, payload, now());
            break;
          case 'garbage-header':
            headers['x-scimflow-signature'] = body.slice(0, 200).replace(/[^\x20-\x7e]/g, '') || 'x';
            break;
          case 'batch-invalid':
            path = '/webhooks/hr/batch';
            payload = JSON.stringify({ events: [JSON.parse(JSON.stringify(body))] });
            headers['x-scimflow-signature'] = sign(secret, payload, now());
            break;
        }
        const res = await request(`${base}${path}`, { method: 'POST', body: payload, headers });
        const text = await res.body.text();
        // A batch with a bad event is refused whole, like any other bad request.
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(JSON.parse(text).error.code).toEqual(expect.any(String));
      }),
      { numRuns: 2000 },
    );
    expect(count).toBe(2000);
    expect(dispatched).toHaveLength(0);
    expect(new Set(rejected).size).toBeGreaterThan(4);
  }, 60_000);

  it('keeps answering while a slow client trickles its request, and cuts that client off', async () => {
    const sock = connect({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      'POST /webhooks/hr HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":',
    );
    const closed = new Promise<string>((resolve) => {
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
    });
    const health = await request(`${base}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.text();
    const answer = await closed; // the request timeout ends it
    expect(answer === '' || /^HTTP\/1.1 408/.test(answer)).toBe(true);
    expect(dispatched).toHaveLength(0);
  }, 10_000);
});

describe('batch', () => {
  const good = (i: number) => ({
    ...validEvent,
    id: `evt-b${i}`,
    employee: { ...validEvent.employee, employeeId: `B${i}` },
  });
  const postBatch = (events: unknown[]) => {
    const body = JSON.stringify({ events });
    return request(`${base}/webhooks/hr/batch`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-scimflow-signature': sign(secret, body, now()) },
    });
  };

  it('answers each event on its own line', async () => {
    const res = await postBatch([good(1), good(2), good(3)]);
    expect(res.statusCode).toBe(200);
    const json = (await res.body.json()) as {
      accepted: number;
      rejected: number;
      results: { status: number; workflowId?: string }[];
    };
    expect(json).toMatchObject({ accepted: 3, rejected: 0 });
    expect(json.results.map((r) => [r.status, r.workflowId])).toEqual([
      [202, 'identity-B1'],
      [202, 'identity-B2'],
      [202, 'identity-B3'],
    ]);
    expect(dispatched.map((e) => e.id)).toEqual(['evt-b1', 'evt-b2', 'evt-b3']);
  });

  it('validates every event before sending any: one bad event refuses the batch, naming every bad field', async () => {
    const res = await postBatch([
      good(1),
      { ...good(2), type: 'fire' },
      good(3),
      { ...good(4), employee: { ...good(4).employee, email: 'nope' } },
      'junk',
    ]);
    expect(res.statusCode).toBe(400);
    const json = (await res.body.json()) as { error: { code: string; fields: { field: string }[] } };
    expect(json.error.code).toBe('invalid_event');
    expect(json.error.fields.map((f) => f.field)).toEqual(['events[1].type', 'events[3].employee.email', 'events[4]']);
    expect(dispatched).toHaveLength(0);
  });

  it('refuses a batch over the limit', async () => {
    const body = JSON.stringify({ events: Array.from({ length: 501 }, () => validEvent) });
    const res = await request(`${base}/webhooks/hr/batch`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-scimflow-signature': sign(secret, body, now()) },
    });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { error: { fields: { field: string }[] } }).error.fields[0]!.field).toBe(
      'events',
    );
    expect(dispatched).toHaveLength(0);
  });
});

describe('BambooHR webhooks', () => {
  const payload = {
    employees: [
      {
        id: '123',
        action: 'Created',
        timestamp: '2026-11-24T10:00:00+00:00',
        changedFields: [],
        fields: {
          'First Name': 'Ada',
          'Last Name': 'Lovelace',
          'Work Email': 'ada@example.com',
          'Job Title': 'Engineer',
          Department: 'Engineering',
          Status: 'Active',
        },
      },
      {
        id: '456',
        action: 'Updated',
        timestamp: '2026-11-24T10:00:01+00:00',
        changedFields: ['Status'],
        fields: {
          firstName: 'Bob',
          lastName: 'Jones',
          workEmail: 'bob@example.com',
          status: 'Inactive',
          terminationDate: '2026-11-27',
        },
      },
    ],
  };
  // Fixed timestamps below this, `now()` (never less) everywhere else: no two tests sign alike.
  const T = now();
  const post = (body: string, key = bambooKey, ts = String(now())) =>
    request(`${base}/webhooks/bamboohr`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-bamboohr-timestamp': ts,
        'x-bamboohr-signature': signBamboo(key, body, ts),
      },
    });

  it('turns a signed BambooHR payload into hire and terminate events', async () => {
    const res = await post(JSON.stringify(payload));
    expect(res.statusCode).toBe(202);
    expect(await res.body.json()).toEqual({ workflowIds: ['identity-123', 'identity-456'] });
    expect(dispatched.map((e) => [e.type, e.employee.employeeId, e.employee.email, e.effectiveAt])).toEqual([
      ['hire', '123', 'ada@example.com', undefined],
      ['terminate', '456', 'bob@example.com', '2026-11-27T23:59:59Z'],
    ]);
    expect(dispatched[0]!.employee).toMatchObject({ givenName: 'Ada', title: 'Engineer', department: 'Engineering' });
  });

  it('gives a redelivery (signed anew) the same event ids (so the workflow ignores it)', async () => {
    const body = JSON.stringify(payload);
    // Timestamps no other test uses: the same signed request would be a replay. (`now() - 1` met
    // the first test's `now()` whenever a second ticked between the two tests.)
    await (await post(body, bambooKey, String(T - 10))).body.text();
    await (await post(body, bambooKey, String(T - 11))).body.text();
    expect(dispatched).toHaveLength(4);
    expect(dispatched[0]!.id).toBe(dispatched[2]!.id);
    expect(dispatched[1]!.id).toBe(dispatched[3]!.id);
  });

  it('answers a replay of the same signed request without dispatching again', async () => {
    const body = JSON.stringify(payload);
    const ts = String(T - 20);
    const first = await post(body, bambooKey, ts);
    expect(first.statusCode).toBe(202);
    await first.body.text();
    const again = await request(`${base}/webhooks/bamboohr`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-bamboohr-timestamp': ts,
        'x-bamboohr-signature': signBamboo(bambooKey, body, ts).toUpperCase(),
      },
    });
    expect(again.statusCode).toBe(202);
    expect(await again.body.json()).toEqual({ workflowIds: ['identity-123', 'identity-456'], duplicate: true });
    expect(dispatched).toHaveLength(2);
  });

  it('validates every employee before sending any event', async () => {
    const body = JSON.stringify({
      employees: [
        payload.employees[0],
        { id: '9', action: 'Created', fields: { 'First Name': 'X' } },
        { ...payload.employees[1], id: 'bad id!' },
      ],
    });
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    const fields = ((await res.body.json()) as { error: { fields: { field: string }[] } }).error.fields.map(
      (f) => f.field,
    );
    expect(fields).toEqual([
      'employees[1].fields.email',
      'employees[1].fields.familyName',
      'employees[2].fields.employeeId',
    ]);
    expect(dispatched).toHaveLength(0);
  });

  it('refuses a wrong signature with 401 and a payload missing required fields with 400', async () => {
    expect((await post(JSON.stringify(payload), 'wrong-key-0123456789')).statusCode).toBe(401);
    const res = await post(
      JSON.stringify({ employees: [{ id: '9', action: 'Created', fields: { 'First Name': 'X' } }] }),
    );
    expect(res.statusCode).toBe(400);
    const fields = ((await res.body.json()) as { error: { fields: { field: string }[] } }).error.fields.map(
      (f) => f.field,
    );
    expect(fields).toEqual(['employees[0].fields.email', 'employees[0].fields.familyName']);
    expect(dispatched).toHaveLength(0);
  });
});

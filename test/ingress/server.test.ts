// The ingress over real HTTP on loopback. The dispatcher here records what reached it, so each
// refusal can be shown to dispatch nothing; the Temporal-backed path is in test/e2e.
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { buildIngress, type EventDispatcher } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import type { HrEvent } from '../../src/shared/hr-event';

const secret = 'ingress-test-secret-0123';
const dispatched: HrEvent[] = [];
const dispatcher: EventDispatcher = {
  async dispatch(event) {
    dispatched.push(event);
    return { workflowId: `identity-${event.employee.employeeId}` };
  },
};

const app = buildIngress({ dispatcher, secrets: [secret, 'previous-secret-0123456789'] });
let base = '';
beforeAll(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());
beforeEach(() => {
  dispatched.length = 0;
});

const hire = (id = 'evt-1', employeeId = 'E100') => ({
  id,
  type: 'hire',
  employee: { employeeId, email: 'ada@example.com', givenName: 'Ada', familyName: 'Lovelace' },
});

async function post(body: string | Buffer, headers: Record<string, string> = {}, path = '/webhooks/hr') {
  const res = await request(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}
function signed(body: string, s = secret, t = Math.floor(Date.now() / 1000)) {
  return { 'x-scimflow-signature': sign(s, body, t) };
}

describe('HR webhook ingress', () => {
  it('answers /healthz', async () => {
    const res = await request(`${base}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ status: 'ok' });
  });

  it('accepts a signed event with 202 and the workflow id', async () => {
    const body = JSON.stringify(hire());
    const res = await post(body, signed(body));
    expect(res).toEqual({ status: 202, json: { workflowId: 'identity-E100' } });
    expect(dispatched.map((e) => e.id)).toEqual(['evt-1']);
  });

  it('accepts the previous secret during rotation', async () => {
    const body = JSON.stringify(hire('evt-rot'));
    expect((await post(body, signed(body, 'previous-secret-0123456789'))).status).toBe(202);
  });

  it('answers a replayed request without dispatching it again', async () => {
    const body = JSON.stringify(hire('evt-replay'));
    const headers = signed(body);
    expect((await post(body, headers)).status).toBe(202);
    const again = await post(body, headers);
    expect(again.status).toBe(202);
    expect(again.json.duplicate).toBe(true);
    expect(dispatched.filter((e) => e.id === 'evt-replay')).toHaveLength(1);
  });

  it('refuses unsigned, badly signed and stale requests with 401 and dispatches nothing', async () => {
    const body = JSON.stringify(hire());
    const cases = [
      await post(body),
      await post(body, signed(body, 'wrong-secret-0123456789')),
      await post(body, { 'x-scimflow-signature': 'garbage' }),
      await post(body, signed(body, secret, Math.floor(Date.now() / 1000) - 301)),
    ];
    expect(cases.map((c) => c.status)).toEqual([401, 401, 401, 401]);
    expect(cases.map((c) => c.json.error.code)).toEqual([
      'signature_missing',
      'signature_mismatch',
      'signature_malformed',
      'signature_expired',
    ]);
    expect(dispatched).toHaveLength(0);
  });

  it('names every bad field in a 400', async () => {
    const body = JSON.stringify({
      id: 'evt-2',
      type: 'promote',
      employee: { employeeId: 'E 1', email: 'not-an-email', givenName: 'A', extra: 1 },
    });
    const res = await post(body, signed(body));
    expect(res.status).toBe(400);
    const fields = res.json.error.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['employee', 'employee.email', 'employee.employeeId', 'employee.familyName', 'type']);
    expect(dispatched).toHaveLength(0);
  });

  it('answers malformed JSON with 400', async () => {
    const body = '{"id": "evt-3", ';
    const res = await post(body, signed(body));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_json');
  });

  it('refuses a body over 256 KiB with 413', async () => {
    const big = JSON.stringify({ ...hire(), pad: 'x'.repeat(256 * 1024) });
    const res = await post(big, signed(big));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('body_too_large');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const body = JSON.stringify(hire());
    const res = await post(body, { ...signed(body), 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(dispatched).toHaveLength(0);
  });

  it('answers 503 with Retry-After when the lifecycle engine is down, so the HR system redelivers', async () => {
    const down = buildIngress({
      secrets: [secret],
      dispatcher: { dispatch: async () => Promise.reject(new Error('connection refused')) },
    });
    const body = JSON.stringify(hire('evt-down'));
    await down.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await request(`http://127.0.0.1:${(down.server.address() as AddressInfo).port}/webhooks/hr`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...signed(body) },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect((await res.body.json()) as unknown).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await down.close();
    }
  });
});

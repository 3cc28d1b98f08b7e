// The ingress's limits over real HTTP and raw sockets on loopback: slow clients are cut at the
// configured timeouts (not Node's 60–90 s), the connection cap refuses the next connection, every
// spelling of one signature is one dispatch, a dispatch is bounded by its deadline (503 +
// Retry-After, never an empty reply), and a multi-event request stops at the first failure.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { signBamboo } from '../../src/ingress/bamboohr';
import { buildIngress, type DispatchLimits, type EventDispatcher, type IngressOptions } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import type { HrEvent } from '../../src/shared/hr-event';

const secret = 'limits-test-secret-0123456789';
const bambooKey = 'limits-bamboo-key-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const hire = (id: string, employeeId = 'L1') => ({
  id,
  type: 'hire',
  employee: { employeeId, email: 'l@example.com', givenName: 'L', familyName: 'M' },
});

const servers: FastifyInstance[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function start(
  opts: Partial<IngressOptions> & { dispatcher?: EventDispatcher } = {},
): Promise<{ app: FastifyInstance; port: number; base: string; dispatched: HrEvent[] }> {
  const dispatched: HrEvent[] = [];
  const dispatcher: EventDispatcher = opts.dispatcher ?? {
    async dispatch(event) {
      dispatched.push(event);
      return { workflowId: `identity-${event.employee.employeeId}` };
    },
  };
  const app = buildIngress({ secrets: [secret], ...opts, dispatcher });
  await app.listen({ host: '127.0.0.1', port: 0 });
  servers.push(app);
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, base: `http://127.0.0.1:${port}`, dispatched };
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

/** Resolves when the socket closes, with what the server wrote and how long after `since` it closed. */
function closed(sock: Socket, since: number): Promise<{ data: string; afterMs: number }> {
  return new Promise((resolve) => {
    let data = '';
    sock.on('data', (d) => (data += d.toString()));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve({ data, afterMs: Date.now() - since }));
  });
}

/** Writes `text` one character every `everyMs` (so the socket is never idle) until the socket closes. */
function trickle(sock: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (sock.destroyed) return clearInterval(timer);
    sock.write(text[i % text.length]!);
    i++;
  }, everyMs);
  return () => clearInterval(timer);
}

async function postHr(base: string, body: string, signature: string, path = '/webhooks/hr') {
  const res = await request(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-scimflow-signature': signature },
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

describe('slow clients', () => {
  it('a client sending its headers slowly is cut at the configured headers timeout (1 s → within 1–3 s)', async () => {
    const { port, dispatched } = await start({ headersTimeoutMs: 1000, requestTimeoutMs: 1000 });
    const t0 = Date.now();
    const sock = await openSocket(port);
    const done = closed(sock, t0);
    sock.write('POST /webhooks/hr HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const stop = trickle(sock, 'abcdefgh', 100);
    const { data, afterMs } = await done;
    stop();
    expect(afterMs).toBeGreaterThanOrEqual(950);
    expect(afterMs).toBeLessThan(3000);
    expect(data === '' || /^HTTP\/1\.1 408/.test(data)).toBe(true);
    expect(dispatched).toHaveLength(0);
  }, 10_000);

  it('a client sending its body slowly is cut at the request timeout (headers + body)', async () => {
    const { port, dispatched } = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1500 });
    const t0 = Date.now();
    const sock = await openSocket(port);
    const done = closed(sock, t0);
    sock.write(
      'POST /webhooks/hr HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
    );
    const stop = trickle(sock, ' ', 100);
    const { data, afterMs } = await done;
    stop();
    expect(afterMs).toBeGreaterThanOrEqual(1400);
    expect(afterMs).toBeLessThan(3500);
    expect(data === '' || /^HTTP\/1\.1 408/.test(data)).toBe(true);
    expect(dispatched).toHaveLength(0);
  }, 10_000);

  it('with the defaults, a slow-header client is cut within 10–12 s (not Node’s 60–90 s)', async () => {
    const { port } = await start();
    const t0 = Date.now();
    const sock = await openSocket(port);
    const done = closed(sock, t0);
    sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const stop = trickle(sock, 'z', 500);
    const { afterMs } = await done;
    stop();
    expect(afterMs).toBeGreaterThanOrEqual(9_900);
    expect(afterMs).toBeLessThan(12_000);
  }, 20_000);

  it('handling time does not count against the request timeout: a slow dispatch still gets its answer', async () => {
    const { base } = await start({
      requestTimeoutMs: 500,
      dispatcher: {
        dispatch: async (e) => (
          await new Promise((r) => setTimeout(r, 1200)),
          { workflowId: `identity-${e.employee.employeeId}` }
        ),
      },
    });
    const body = JSON.stringify(hire('evt-slow-dispatch'));
    const res = await postHr(base, body, sign(secret, body, now()));
    expect(res).toMatchObject({ status: 202, json: { workflowId: 'identity-L1' } });
  });
});

describe('connection cap', () => {
  it('refuses the connection after maxConnections, and accepts again once one closes', async () => {
    const { app, port } = await start({ maxConnections: 3, headersTimeoutMs: 8000, requestTimeoutMs: 8000 });
    const held = await Promise.all([openSocket(port), openSocket(port), openSocket(port)]);
    // Wait until the server has accepted all three.
    for (let i = 0; i < 50; i++) {
      const n = await new Promise<number>((r) => app.server.getConnections((_e, c) => r(c)));
      if (n === 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    const extra = await openSocket(port);
    const refused = closed(extra, t0);
    extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const { data, afterMs } = await refused;
    expect(data).toBe('');
    expect(afterMs).toBeLessThan(1000);
    // One of the held connections can still be used.
    const answer = new Promise<string>((resolve) => held[0]!.once('data', (d) => resolve(d.toString())));
    held[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 200/);
    // Free a slot: a new connection is served.
    const gone = closed(held[1]!, Date.now());
    held[1]!.destroy();
    await gone;
    await new Promise((r) => setTimeout(r, 50));
    const again = await openSocket(port);
    const served = new Promise<string>((resolve) => again.once('data', (d) => resolve(d.toString())));
    again.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await served).toMatch(/^HTTP\/1\.1 200/);
    for (const s of [...held, again]) s.destroy();
  });
});

describe('replays', () => {
  function variants(body: string, t: number): string[] {
    const mac = sign(secret, body, t).split('v1=')[1]!;
    const other = 'ab'.repeat(32);
    return [
      `t=${t},v1=${mac}`,
      `t=0${t},v1=${mac}`,
      `t=${t},v1=${mac},v0=x`,
      `v1=${mac},t=${t}`,
      `t=${t},v1=${mac.toUpperCase()}`,
      `t=${t}, v1=${mac}`,
      `t=${t},v1=${other},v1=${mac}`,
    ];
  }

  it('seven spellings of one signature header are one dispatch', async () => {
    const { base, dispatched } = await start();
    const body = JSON.stringify(hire('evt-replay-7'));
    const t = now();
    const results = [];
    for (const header of variants(body, t)) results.push(await postHr(base, body, header));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202, 202]);
    expect(results.slice(1).every((r) => r.json.duplicate === true)).toBe(true);
    expect(dispatched.map((e) => e.id)).toEqual(['evt-replay-7']);
  });

  it('also when the seven arrive at once, while the first is still being dispatched', async () => {
    const dispatched: string[] = [];
    const { base } = await start({
      dispatcher: {
        async dispatch(e) {
          dispatched.push(e.id);
          await new Promise((r) => setTimeout(r, 200));
          return { workflowId: `identity-${e.employee.employeeId}` };
        },
      },
    });
    const body = JSON.stringify(hire('evt-replay-concurrent'));
    const results = await Promise.all(variants(body, now()).map((h) => postHr(base, body, h)));
    expect(results.map((r) => r.status)).toEqual(Array(7).fill(202));
    expect(dispatched).toEqual(['evt-replay-concurrent']);
  });

  it('a request answered 503 is not cached: its redelivery is dispatched', async () => {
    let fail = true;
    const dispatched: string[] = [];
    const { base } = await start({
      dispatcher: {
        async dispatch(e) {
          dispatched.push(e.id);
          if (fail) throw new Error('down');
          return { workflowId: 'identity-L1' };
        },
      },
    });
    const body = JSON.stringify(hire('evt-503-then-ok'));
    const header = sign(secret, body, now());
    expect((await postHr(base, body, header)).status).toBe(503);
    fail = false;
    expect((await postHr(base, body, header)).status).toBe(202);
    expect(dispatched).toEqual(['evt-503-then-ok', 'evt-503-then-ok']);
  });

  it('a batch replay is answered from the cache', async () => {
    const { base, dispatched } = await start();
    const body = JSON.stringify({ events: [hire('evt-bat-1', 'B1'), hire('evt-bat-2', 'B2')] });
    const t = now();
    const first = await postHr(base, body, sign(secret, body, t), '/webhooks/hr/batch');
    const again = await postHr(
      base,
      body,
      `t=0${t},v1=${sign(secret, body, t).split('v1=')[1]!.toUpperCase()}`,
      '/webhooks/hr/batch',
    );
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, json: { accepted: 2, duplicate: true } });
    expect(dispatched).toHaveLength(2);
  });
});

describe('dispatch deadline', () => {
  it('a dispatch that hangs is abandoned at its deadline: 503 + Retry-After, not an empty reply', async () => {
    const seen: DispatchLimits[] = [];
    const { base } = await start({
      dispatchTimeoutMs: 500,
      dispatcher: {
        dispatch: (_e, limits) =>
          new Promise((_, reject) => {
            seen.push(limits!);
            limits!.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      },
    });
    const body = JSON.stringify(hire('evt-hang'));
    const t0 = Date.now();
    const res = await postHr(base, body, sign(secret, body, now()));
    const took = Date.now() - t0;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json.error.code).toBe('unavailable');
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(2000);
    expect(seen[0]!.deadline - t0).toBeLessThanOrEqual(600);
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it('a dispatcher that ignores its deadline is still answered 503 shortly after it', async () => {
    const { base } = await start({
      dispatchTimeoutMs: 300,
      dispatcher: { dispatch: () => new Promise(() => undefined) },
    });
    const body = JSON.stringify(hire('evt-ignore'));
    const t0 = Date.now();
    const res = await postHr(base, body, sign(secret, body, now()));
    expect(res.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('closing the server abandons dispatches under way (503), it does not wait for them', async () => {
    const { app, base } = await start({
      dispatchTimeoutMs: 20_000,
      dispatcher: {
        dispatch: (_e, limits) =>
          new Promise((_, reject) => limits!.signal.addEventListener('abort', () => reject(new Error('aborted')))),
      },
    });
    const body = JSON.stringify(hire('evt-closing'));
    const pending = postHr(base, body, sign(secret, body, now()));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await app.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await pending).status).toBe(503);
  });
});

describe('multi-event requests stop at the first dispatch failure', () => {
  const failingFor = (employeeId: string) => {
    const attempted: string[] = [];
    const dispatcher: EventDispatcher = {
      async dispatch(e) {
        attempted.push(e.employee.employeeId);
        if (e.employee.employeeId === employeeId) throw new Error('unavailable');
        return { workflowId: `identity-${e.employee.employeeId}` };
      },
    };
    return { attempted, dispatcher };
  };

  it('batch: the events after a failed one are not sent, and say so', async () => {
    const { attempted, dispatcher } = failingFor('B2');
    const { base } = await start({ dispatcher });
    const body = JSON.stringify({ events: [hire('e1', 'B1'), hire('e2', 'B2'), hire('e3', 'B3')] });
    const res = await postHr(base, body, sign(secret, body, now()), '/webhooks/hr/batch');
    expect(res.status).toBe(200);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json).toMatchObject({ accepted: 1, rejected: 2 });
    expect(res.json.results.map((r: { status: number }) => r.status)).toEqual([202, 503, 503]);
    expect(res.json.results[2].error.message).toMatch(/not sent/);
    expect(attempted).toEqual(['B1', 'B2']);
  });

  it('BambooHR: 503 for the request, and nothing after the failure is sent', async () => {
    const { attempted, dispatcher } = failingFor('1');
    const { base } = await start({ dispatcher, bambooKeys: [bambooKey] });
    const emp = (id: string) => ({
      id,
      action: 'Created',
      fields: { 'First Name': 'A', 'Last Name': 'B', 'Work Email': `e${id}@example.com` },
    });
    const body = JSON.stringify({ employees: [emp('0'), emp('1'), emp('2')] });
    const ts = String(now());
    const res = await request(`${base}/webhooks/bamboohr`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-bamboohr-timestamp': ts,
        'x-bamboohr-signature': signBamboo(bambooKey, body, ts),
      },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    await res.body.text();
    expect(attempted).toEqual(['0', '1']);
  });
});

describe('construction', () => {
  it('refuses short secrets and inconsistent timeouts', () => {
    const dispatcher: EventDispatcher = { dispatch: async () => ({ workflowId: 'x' }) };
    expect(() => buildIngress({ dispatcher, secrets: ['short-secret'] })).toThrow(/24 or more characters/);
    expect(() => buildIngress({ dispatcher, secrets: [secret], bambooKeys: ['short'] })).toThrow(
      /24 or more characters/,
    );
    expect(() =>
      buildIngress({ dispatcher, secrets: [secret], headersTimeoutMs: 5000, requestTimeoutMs: 1000 }),
    ).toThrow(/must not exceed/);
  });
});

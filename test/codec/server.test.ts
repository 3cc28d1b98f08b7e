// The codec server's HTTP contract (Temporal's codec-server protocol), its token and its CORS.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildCodecServer, payloadsFromJson, payloadsToJson } from '../../src/codec/server';
import { EncryptionCodec } from '../../src/codec/encryption';
import { parseConfigText } from '../../src/config';

const ring = { current: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
const TOKEN = 'codec-token-0123456789abcdefgh';
const UI = 'http://localhost:8233';
const app = buildCodecServer({
  ring,
  tokens: ['other-token-0123456789abcdefg', TOKEN],
  corsOrigins: [UI],
  namespace: 'default',
});
let base = '';
beforeAll(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

/** A real HTTP request (fastify's inject needs an ES module jest cannot load). */
async function call(
  server: FastifyInstance | string,
  o: { method: 'POST' | 'OPTIONS'; url: string; payload?: object; headers?: Record<string, string> },
) {
  const root = typeof server === 'string' ? server : base;
  const res = await request(`${root}${o.url}`, {
    method: o.method,
    headers: o.headers ?? {},
    ...(o.payload ? { body: JSON.stringify(o.payload) } : {}),
  });
  const text = await res.body.text();
  return { statusCode: res.statusCode, headers: res.headers, body: text, json: () => JSON.parse(text) as unknown };
}

const record = { email: 'ada@example.com', givenName: 'Ada' };
const body = (v: unknown) => payloadsToJson([defaultPayloadConverter.toPayload(v)]);
const post = (path: string, payload: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  call(app, {
    method: 'POST',
    url: path,
    payload: payload as object,
    headers: { 'content-type': 'application/json', ...headers },
  });

it('encodes and decodes per the protocol: {payloads: [{metadata: {k: base64}, data: base64}]}, any path prefix', async () => {
  const enc = await post('/encode', body(record));
  expect(enc.statusCode).toBe(200);
  const encoded = enc.json() as unknown as ReturnType<typeof payloadsToJson>;
  expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
  expect(enc.body).not.toContain(Buffer.from(JSON.stringify(record)).toString('base64').slice(0, 12));
  const dec = await post('/some/prefix/default/decode', encoded, {
    authorization: `Bearer ${TOKEN}`,
    'x-namespace': 'default',
  });
  expect(dec.statusCode).toBe(200);
  expect(defaultPayloadConverter.fromPayload(payloadsFromJson(dec.json())[0]!)).toEqual(record);
  // What the worker encrypts, the server decodes (and a clear-text payload is shown as it is).
  const fromWorker = payloadsToJson(await new EncryptionCodec(ring).encode([defaultPayloadConverter.toPayload('x')]));
  const both = { payloads: [...fromWorker.payloads, ...body('clear').payloads] };
  expect(
    payloadsFromJson((await post('/decode', both)).json()).map((p) => defaultPayloadConverter.fromPayload(p)),
  ).toEqual(['x', 'clear']);
});

it('requires an accepted bearer token', async () => {
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Bearer nope-nope-nope-nope-nope' },
    { authorization: `Basic ${TOKEN}` },
    { authorization: `Bearer ${TOKEN}x` },
  ]) {
    const res = await post('/decode', body(record), headers);
    expect([JSON.stringify(headers), res.statusCode]).toEqual([JSON.stringify(headers), 401]);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  }
  expect(
    (await post('/encode', body(record), { authorization: 'Bearer other-token-0123456789abcdefg' })).statusCode,
  ).toBe(200);
});

it('answers the UI origin with CORS (preflight included: X-Namespace, Authorization) and refuses other origins', async () => {
  const pre = await call(app, {
    method: 'OPTIONS',
    url: '/decode',
    headers: {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-namespace,authorization',
    },
  });
  expect(pre.statusCode).toBe(204);
  expect(pre.headers['access-control-allow-origin']).toBe(UI);
  expect(pre.headers['access-control-allow-credentials']).toBe('true');
  expect(String(pre.headers['access-control-allow-headers'])).toMatch(/X-Namespace.*Authorization/);
  expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
  const ok = await post('/decode', body(record), { authorization: `Bearer ${TOKEN}`, origin: UI });
  expect(ok.headers['access-control-allow-origin']).toBe(UI);
  for (const origin of ['https://evil.example', 'http://localhost:8234', 'null']) {
    const bad = await call(app, {
      method: 'OPTIONS',
      url: '/decode',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect([origin, bad.statusCode, bad.headers['access-control-allow-origin']]).toEqual([origin, 403, undefined]);
    const badPost = await post('/decode', body(record), { authorization: `Bearer ${TOKEN}`, origin });
    expect([origin, badPost.statusCode]).toEqual([origin, 403]);
  }
});

it('refuses another namespace, malformed bodies and other paths', async () => {
  expect(
    (await post('/decode', body(record), { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'payroll' })).statusCode,
  ).toBe(403);
  expect((await post('/decode', { nope: 1 })).statusCode).toBe(400);
  expect((await post('/decode', { payloads: [{ metadata: { encoding: '%%%' } }] })).json()).toEqual({
    error: 'payloads[0].metadata.encoding: expected a base64 string',
  });
  expect((await post('/other', body(record))).statusCode).toBe(404);
});

it('serves without a token only when allowed, and the configuration allows that only on loopback', async () => {
  const open = buildCodecServer({ ring, tokens: [], allowUnauthenticated: true, corsOrigins: [UI] });
  await open.listen({ host: '127.0.0.1', port: 0 });
  const openUrl = `http://127.0.0.1:${(open.server.address() as AddressInfo).port}`;
  expect(
    (
      await call(openUrl, {
        method: 'POST',
        url: '/encode',
        payload: body(record),
        headers: { 'content-type': 'application/json' },
      })
    ).statusCode,
  ).toBe(200);
  await open.close();
  expect(() => buildCodecServer({ ring, tokens: [], corsOrigins: [UI] })).toThrow(/at least one accepted token/);
  const cfg = (codec: string) =>
    parseConfigText(`ingress: { webhookSecret: "\${W}" }\napps: {}\ncodecServer:\n${codec}`, '/virtual/c.yaml');
  const remote = cfg('  host: 0.0.0.0\n  allowUnauthenticated: true\n');
  expect(remote.ok ? [] : remote.errors.map((e) => e.path)).toEqual(['codecServer.allowUnauthenticated']);
  const none = cfg('  host: 127.0.0.1\n');
  expect(none.ok ? [] : none.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
    expect.stringMatching(/^codecServer\.tokens: at least one/),
  ]);
  const origin = cfg('  tokens: ["${T}"]\n  corsOrigins: [http://localhost:8233/]\n');
  expect(origin.ok ? [] : origin.errors.map((e) => e.path)).toEqual(['codecServer.corsOrigins[0]']);
});

// The error taxonomy over real HTTP against a scripted raw server: every failure is a typed
// ConnectorError with a stable code, never a crash, and never carries credentials.
import { createConnector, ConnectorError, parseRetryAfter, USER_AGENT, type Connector } from '../../src/connectors';
import { rejection } from './harness';
import { scimJson, startRawServer, type RawServer } from './raw-server';

const TOKEN = 'super-secret-token-123456';
let raw: RawServer;
let conn: Connector;

beforeAll(async () => {
  raw = await startRawServer();
});
afterAll(async () => {
  await raw.close();
});
beforeEach(() => {
  raw.seen.length = 0;
  conn = createConnector({
    name: 'raw-app',
    kind: 'generic',
    baseUrl: `${raw.url}/scim/v2`,
    auth: { type: 'bearer', token: TOKEN },
    timeouts: { connectMs: 1000, headersMs: 300, bodyMs: 300 },
    maxResponseBytes: 64 * 1024,
  });
});
afterEach(async () => {
  await conn.close();
});

async function failure(fn: () => Promise<unknown>): Promise<ConnectorError> {
  const err = await rejection(fn);
  expect(err).toBeInstanceOf(ConnectorError);
  const ce = err as ConnectorError;
  expect(ce.name).toBe('ConnectorError');
  expect(ce.message).not.toContain(TOKEN);
  expect(JSON.stringify(ce.toJSON())).not.toContain(TOKEN);
  return ce;
}

const scimErr = (status: number, detail: string, scimType?: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  status: String(status),
  detail,
  ...(scimType ? { scimType } : {}),
});

describe('request shape', () => {
  test('sends User-Agent, Accept, scim+json on writes, and the bearer token', async () => {
    raw.handle((_req, res) => scimJson(res, 201, { id: 'u1', userName: 'a@example.com', schemas: [] }));
    raw.handle((req, res) => {
      if (req.method === 'GET') scimJson(res, 200, { totalResults: 0, Resources: [] });
      else scimJson(res, 201, { id: 'u1', userName: 'a@example.com' });
    });
    await conn.createUser({ userName: 'a@example.com' });
    const post = raw.seen.find((s) => s.method === 'POST')!;
    expect(post.headers['user-agent']).toBe(USER_AGENT);
    expect(post.headers.accept).toBe('application/scim+json, application/json');
    expect(post.headers['content-type']).toBe('application/scim+json');
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(post.body)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'a@example.com',
    });
    const get = raw.seen.find((s) => s.method === 'GET')!;
    expect(get.url).toBe('/scim/v2/Users?filter=userName%20eq%20%22a%40example.com%22&startIndex=1&count=200');
  });
});

describe('status → code', () => {
  const cases: [number, string, unknown, Record<string, string>][] = [
    [400, 'INVALID', scimErr(400, 'bad value', 'invalidValue'), {}],
    [400, 'CONFLICT', scimErr(400, 'taken', 'uniqueness'), {}],
    [401, 'AUTH_FAILED', scimErr(401, 'no'), {}],
    [403, 'AUTH_FAILED', scimErr(403, 'no'), {}],
    [404, 'NOT_FOUND', scimErr(404, 'gone'), {}],
    [409, 'CONFLICT', scimErr(409, 'exists', 'uniqueness'), {}],
    [412, 'PRECONDITION_FAILED', scimErr(412, 'stale'), {}],
    [500, 'UNAVAILABLE', scimErr(500, 'boom'), {}],
    [502, 'UNAVAILABLE', '<html>bad gateway</html>', { 'content-type': 'text/html' }],
    [503, 'UNAVAILABLE', scimErr(503, 'later'), {}],
    [501, 'UNSUPPORTED', scimErr(501, 'no PUT'), {}],
  ];
  test.each(cases)('HTTP %d → %s', async (status, code, body, headers) => {
    raw.handle((_req, res) => {
      if (typeof body === 'string') res.writeHead(status, headers).end(body);
      else scimJson(res, status, body, headers);
    });
    const err = await failure(() => conn.getUser('u1'));
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.app).toBe('raw-app');
    expect(err.method).toBe('GET');
    expect(err.path).toBe('/scim/v2/Users/u1');
    if (typeof body !== 'string') expect(err.detail).toBe((body as { detail: string }).detail);
    expect(err.retryable).toBe(code === 'UNAVAILABLE');
  });

  test('400 keeps its scimType', async () => {
    raw.handle((_req, res) => scimJson(res, 400, scimErr(400, 'bad filter', 'invalidFilter')));
    const err = await failure(() => conn.getUser('x'));
    expect(err).toMatchObject({ code: 'INVALID', scimType: 'invalidFilter' });
  });

  test('429 with Retry-After seconds → RATE_LIMITED with exact retryAfterMs', async () => {
    raw.handle((_req, res) => scimJson(res, 429, scimErr(429, 'slow down'), { 'retry-after': '7' }));
    const err = await failure(() => conn.getUser('u1'));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.retryable).toBe(true);
  });

  test('429 with an HTTP-date Retry-After', async () => {
    const at = new Date(Date.now() + 30_000);
    raw.handle((_req, res) => scimJson(res, 429, scimErr(429, 'slow down'), { 'retry-after': at.toUTCString() }));
    const err = await failure(() => conn.getUser('u1'));
    expect(err.code).toBe('RATE_LIMITED');
    // HTTP-dates have one-second resolution.
    expect(err.retryAfterMs).toBeGreaterThan(27_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  test('parseRetryAfter', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 08:00:00 GMT'))).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('bad responses are BAD_RESPONSE, never a crash', () => {
  test('200 with a non-JSON body', async () => {
    raw.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/scim+json' }).end('{"id": "u1", '));
    expect((await failure(() => conn.getUser('u1'))).code).toBe('BAD_RESPONSE');
  });

  test('200 with the wrong content type', async () => {
    raw.handle((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const err = await failure(() => conn.getUser('u1'));
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toContain('text/html');
  });

  test('truncated body (content-length larger than what is sent)', async () => {
    raw.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '500' });
      res.write('{"id":"u1","userName":"a');
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect((await failure(() => conn.getUser('u1'))).code).toBe('BAD_RESPONSE');
  });

  test('oversized body is cut off at maxResponseBytes', async () => {
    raw.handle((_req, res) => {
      const huge = {
        schemas: [],
        totalResults: 5000,
        Resources: Array.from({ length: 5000 }, (_, i) => ({ id: `u${i}`, userName: `user${i}@example.com` })),
      };
      scimJson(res, 200, huge);
    });
    const err = await failure(async () => {
      for await (const _u of conn.listUsers()) void _u;
    });
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toContain('larger than');
  });

  test('a resource without id', async () => {
    raw.handle((_req, res) => scimJson(res, 200, { userName: 'x' }));
    expect((await failure(() => conn.getUser('u1'))).code).toBe('BAD_RESPONSE');
  });

  test('a ListResponse whose Resources is not an array', async () => {
    raw.handle((_req, res) => scimJson(res, 200, { totalResults: 1, Resources: { id: 'u1' } }));
    expect((await failure(() => conn.findUser({ userName: 'a@example.com' }))).code).toBe('BAD_RESPONSE');
  });
});

describe('transport failures are UNAVAILABLE', () => {
  test('connection reset before any response', async () => {
    raw.handle((req) => req.socket.destroy());
    const err = await failure(() => conn.getUser('u1'));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.status).toBeUndefined();
  });

  test('no response headers within the timeout', async () => {
    raw.handle(() => {
      /* never answers */
    });
    const err = await failure(() => conn.getUser('u1'));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toMatch(/timeout/i);
  });

  test('connection refused', async () => {
    const dead = createConnector({
      name: 'dead',
      kind: 'generic',
      baseUrl: 'http://127.0.0.1:9/scim/v2',
      auth: { type: 'bearer', token: TOKEN },
    });
    const err = await failure(() => dead.getUser('u1'));
    await dead.close();
    expect(err.code).toBe('UNAVAILABLE');
  });
});

describe('credentials never leak', () => {
  test('api key and basic credentials are absent from errors of every kind', async () => {
    const key = 'jc-api-key-abcdef123456';
    const password = 'atl-api-token-zyx987';
    raw.handle((req, res) => {
      // A hostile server that echoes the credentials back in its error detail.
      scimJson(
        res,
        401,
        scimErr(401, `bad credentials: ${String(req.headers['x-api-key'] ?? req.headers.authorization)}`),
      );
    });
    const jc = createConnector({
      name: 'jc',
      kind: 'jumpcloud',
      baseUrl: `${raw.url}/scim/v2`,
      auth: { type: 'apiKey', key },
    });
    const jsmConn = createConnector({
      name: 'atl',
      kind: 'atlassian',
      baseUrl: raw.url,
      auth: { type: 'bearer', token: TOKEN },
      atlassian: {
        directoryId: 'd1',
        jsmBaseUrl: raw.url,
        restAuth: { type: 'basic', username: 'admin@example.com', password },
      },
    });
    const e1 = await rejection(() => jc.getUser('u1'));
    const e2 = await rejection(() => jsmConn.jsm!.listCustomers('1'));
    await jc.close();
    await jsmConn.close();
    for (const e of [e1, e2]) {
      expect(e).toBeInstanceOf(ConnectorError);
      const text = `${String(e)} ${JSON.stringify((e as ConnectorError).toJSON())} ${(e as Error).stack ?? ''}`;
      expect(text).not.toContain(key);
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(`admin@example.com:${password}`).toString('base64'));
      expect((e as ConnectorError).code).toBe('AUTH_FAILED');
    }
    expect(raw.seen[0]!.headers['x-api-key']).toBe(key);
    expect(raw.seen[1]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`admin@example.com:${password}`).toString('base64')}`,
    );
  });
});

describe('ETag retries', () => {
  test('412 twice: one re-read and re-plan, then PRECONDITION_FAILED (no endless loop)', async () => {
    let version = 1;
    raw.handle((req, res) => {
      if (req.method === 'GET') {
        scimJson(
          res,
          200,
          { id: 'u1', userName: 'a@example.com', title: 'Old', meta: { version: `W/"${version}"` } },
          { etag: `W/"${version}"` },
        );
      } else {
        version += 1;
        scimJson(res, 412, scimErr(412, 'version mismatch'));
      }
    });
    const err = await failure(() => conn.updateUser('u1', { userName: 'a@example.com', title: 'New' }));
    expect(err.code).toBe('PRECONDITION_FAILED');
    const patches = raw.seen.filter((s) => s.method === 'PATCH');
    expect(patches.map((p) => p.headers['if-match'])).toEqual(['W/"1"', 'W/"2"']);
    expect(JSON.parse(patches[0]!.body)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'New' }],
    });
  });

  test('PATCH answered 204 without a body: the user is read back', async () => {
    let title = 'Old';
    raw.handle((req, res, body) => {
      if (req.method === 'PATCH') {
        title = (JSON.parse(body) as { Operations: { value: string }[] }).Operations[0]!.value;
        res.writeHead(204).end();
      } else scimJson(res, 200, { id: 'u1', userName: 'a@example.com', title });
    });
    const res = await conn.updateUser('u1', { userName: 'a@example.com', title: 'New' });
    expect(res).toMatchObject({ changed: true, user: { title: 'New' } });
  });
});

describe('broken pagination is BAD_RESPONSE, not an endless loop', () => {
  test('a server that ignores startIndex', async () => {
    raw.handle((_req, res) =>
      scimJson(res, 200, {
        totalResults: 1000,
        itemsPerPage: 2,
        startIndex: 1,
        Resources: [
          { id: 'a', userName: 'a' },
          { id: 'b', userName: 'b' },
        ],
      }),
    );
    const err = await failure(async () => {
      for await (const _u of conn.listUsers()) void _u;
    });
    expect(err.code).toBe('BAD_RESPONSE');
    expect(raw.seen).toHaveLength(2);
  });

  test('a cursor that never advances', async () => {
    const cursorConn = createConnector({
      name: 'raw-cursor',
      kind: 'generic',
      baseUrl: `${raw.url}/scim/v2`,
      auth: { type: 'bearer', token: TOKEN },
      capabilities: { pagination: { mode: 'cursor', maxPageSize: 2, withFilter: true } },
    });
    raw.handle((_req, res) =>
      scimJson(res, 200, { totalResults: 1000, Resources: [{ id: 'a', userName: 'a' }], nextCursor: 'same' }),
    );
    const err = await failure(async () => {
      for await (const _u of cursorConn.listUsers()) void _u;
    });
    await cursorConn.close();
    expect(err.code).toBe('BAD_RESPONSE');
    expect(raw.seen).toHaveLength(2);
  });
});

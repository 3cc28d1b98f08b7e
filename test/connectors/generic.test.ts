import { ConnectorError, type Connector } from '../../src/connectors';
import type { SandboxHandle } from '../../src/sandbox';
import { connect, person, rejection, startTestSandbox } from './harness';

let sb: SandboxHandle;
let conn: Connector;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});
beforeEach(() => {
  sb.app('generic').reset();
  conn = connect(sb, 'generic');
});
afterEach(async () => {
  await conn.close();
});

describe('generic connector: find and create', () => {
  test('findUser returns undefined for an unknown user, then finds by userName (case-insensitive), externalId and email', async () => {
    const desired = person();
    expect(await conn.findUser({ userName: desired.userName })).toBeUndefined();
    const { user, created } = await conn.createUser(desired);
    expect(created).toBe(true);
    expect(user.id).toEqual(expect.any(String));
    expect(user.meta?.version).toBe('W/"1"');
    expect((await conn.findUser({ userName: desired.userName.toUpperCase() }))?.id).toBe(user.id);
    expect((await conn.findUser({ externalId: desired.externalId! }))?.id).toBe(user.id);
    expect((await conn.findUser({ email: desired.emails![0]!.value }))?.id).toBe(user.id);
  });

  test('createUser is find-first: a second call adopts the existing user without a POST', async () => {
    const desired = person();
    const first = await conn.createUser(desired);
    const before = sb.app('generic').requests().length;
    const second = await conn.createUser(desired);
    expect(second).toEqual({ user: expect.objectContaining({ id: first.user.id }), created: false });
    const posts = sb.app('generic').requests().slice(before).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(0);
    expect(sb.app('generic').users()).toHaveLength(1);
  });

  test('a create whose response was lost is adopted on the next call: exactly one user exists', async () => {
    const desired = person();
    sb.app('generic').setKnobs({ dropAfterCommit: 1 });
    const err = await rejection(() => conn.createUser(desired));
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('UNAVAILABLE');
    expect((err as ConnectorError).retryable).toBe(true);
    const again = await conn.createUser(desired);
    expect(again.created).toBe(false);
    expect(sb.app('generic').users().filter((u) => u.userName === desired.userName)).toHaveLength(1);
  });

  test('two racing creates: both lookups miss, one POST wins, the other gets 409 and adopts', async () => {
    const desired = person();
    // Latency makes both lookups finish before either POST lands.
    sb.app('generic').setKnobs({ latencyMs: 40 });
    const other = connect(sb, 'generic');
    const [a, b] = await Promise.all([conn.createUser(desired), other.createUser(desired)]);
    await other.close();
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.user.id).toBe(b.user.id);
    expect(sb.app('generic').users()).toHaveLength(1);
    expect(sb.app('generic').requests().filter((r) => r.method === 'POST').map((r) => r.status).sort()).toEqual([201, 409]);
  });
});

// Request economy of find-or-create: where the app evaluates `or`, one GET looks up by userName and
// externalId together; the precedence of the lookups is kept.
import type { SandboxHandle } from '../../src/sandbox';
import { connect, startTestSandbox } from './harness';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());

it('creates with one lookup GET and one POST on a full-filter app', async () => {
  const app = sb.app('generic');
  const c = connect(sb, 'generic');
  try {
    const from = app.requests().length;
    const { created } = await c.createUser({
      userName: 'econ@example.com',
      externalId: 'X-1',
      name: { givenName: 'E', familyName: 'Con' },
    });
    expect(created).toBe(true);
    const log = app.requests().slice(from);
    expect(log.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(decodeURIComponent(log[0]!.url)).toContain('userName eq "econ@example.com" or externalId eq "X-1"');
  } finally {
    await c.close();
  }
});

it('prefers the userName match over an externalId match, as sequential lookups would', async () => {
  const c = connect(sb, 'generic');
  try {
    const a = (await c.createUser({ userName: 'first@example.com', externalId: 'EXT-A' })).user;
    await c.createUser({ userName: 'second@example.com', externalId: 'EXT-B' });
    const found = await c.findUser({ userName: 'first@example.com', externalId: 'EXT-B' });
    expect(found?.id).toBe(a.id);
    const byExternal = await c.findUser({ userName: 'nobody@example.com', externalId: 'EXT-B' });
    expect(byExternal?.userName).toBe('second@example.com');
  } finally {
    await c.close();
  }
});

// The benchmark's sandbox, in its own process (so the scan's RSS is the scanner's alone), seeded
// directly through its store: N generic accounts, a tenth of them with no known owner.
import { startSandbox } from '../../src/sandbox';

const n = Number(process.argv[2] ?? 100_000);
void (async () => {
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const users = sandbox.app('generic').scim.users;
  const at = new Date('2026-01-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const known = i % 10 !== 0;
    users.create(
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `user${i}@example.com`,
        ...(known ? { externalId: `E${i}` } : {}),
        name: { givenName: 'User', familyName: `N${i}` },
        title: i % 7 === 0 ? 'Changed by hand' : 'Engineer',
        active: true,
      },
      at,
    );
  }
  process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
})();

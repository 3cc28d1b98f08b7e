// The sandbox store's secondary indexes (src/sandbox/store.ts) follow every write: what `lookup`
// answers is always what a scan of every resource would find.
import { ResourceStore, type Resource } from '../../src/sandbox/store';

const byName = (u: Resource) => String(u.userName).toLowerCase();
const scan = (s: ResourceStore, name: string) =>
  s
    .all()
    .filter((u) => byName(u) === name)
    .map((u) => u.id)
    .sort();
const ids = (rs: Resource[]) => rs.map((r) => r.id).sort();

it('creates, renames, deletes, clears and restores: the index answers as a scan would', () => {
  const s = new ResourceStore('User', (id) => `/Users/${id}`);
  const early = s.create({ userName: 'Early@Example.com' });
  s.index('userName', byName);
  expect(ids(s.lookup('userName', 'early@example.com'))).toEqual([early.id]); // built from what was there

  const a = s.create({ userName: 'Ann@Example.com' });
  const b = s.create({ userName: 'ann@example.com' }); // the store keeps what it is given; uniqueness is the app's
  expect(ids(s.lookup('userName', 'ann@example.com'))).toEqual([a.id, b.id].sort());

  s.replace(b.id, { userName: 'Bea@Example.com' });
  expect(ids(s.lookup('userName', 'ann@example.com'))).toEqual([a.id]);
  expect(ids(s.lookup('userName', 'bea@example.com'))).toEqual([b.id]);

  const snap = s.snapshot();
  s.delete(a.id);
  expect(s.lookup('userName', 'ann@example.com')).toEqual([]);
  s.clear();
  expect(s.lookup('userName', 'bea@example.com')).toEqual([]);
  s.restore(snap);
  for (const name of ['early@example.com', 'ann@example.com', 'bea@example.com', 'nobody@example.com'])
    expect(ids(s.lookup('userName', name))).toEqual(scan(s, name));
  expect(() => s.lookup('email', 'x')).toThrow(/no index email/);
});

it('a key of undefined is not indexed', () => {
  const s = new ResourceStore('User', (id) => `/Users/${id}`);
  s.index('externalId', (u) => (typeof u.externalId === 'string' ? u.externalId : undefined));
  s.create({ userName: 'a' });
  const x = s.create({ userName: 'b', externalId: 'E1' });
  expect(ids(s.lookup('externalId', 'E1'))).toEqual([x.id]);
  expect(s.lookup('externalId', 'undefined')).toEqual([]);
});

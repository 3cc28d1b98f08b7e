// The import's dispatch order over two apps, one scanned and one not (`auto` scans an app only for
// 20 or more people): a person in sync where the scan looked is still work when another of their
// apps was not scanned, because that lane spends a lookup. Against the sandbox apps over HTTP.
import { parseConfigText } from '../../src/config';
import { diffRoster, workFirst } from '../../src/domain/roster';
import { AUTO_SCAN_MIN_PEOPLE, buildHints } from '../../src/roster/import';
import { rosterHash } from '../../src/roster/settings';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { DEV_ENV } from '../../src/cli/dev-env';
import { composeWorker, type Composed } from '../../src/worker/compose';
import { seedUser } from '../helpers/apps';
import { sandboxConfig } from '../helpers/sandbox-config';
import { employee } from '../helpers/stack';

let sandbox: SandboxHandle;
let composed: Composed;
beforeAll(async () => {
  sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const parsed = parseConfigText(
    sandboxConfig({ sandbox: sandbox.url, apps: { generic: 1000, jostle: 1000 } }),
    '/t.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  composed = composeWorker(parsed.config, DEV_ENV);
});
afterAll(async () => {
  await composed?.close();
  await sandbox?.close();
});

it('a person in sync in the scanned app but with an unscanned app is sent with the work, before the people who need nothing', async () => {
  const people = Array.from({ length: AUTO_SCAN_MIN_PEOPLE + 5 }, (_, i) =>
    employee({ employeeId: `DO${i}x${Date.now().toString(36)}`, department: 'Engineering' }),
  );
  // Everyone is in sync in generic; only the last three are granted jostle (too few to scan).
  const withJostle = new Set(people.slice(-3).map((p) => p.employeeId));
  const desire = (e: (typeof people)[number]) =>
    composed.deps.desire(e).filter((d) => d.app !== 'jostle' || withJostle.has(e.employeeId));
  for (const p of people) {
    const d = desire(p).find((x) => x.app === 'generic')!;
    await seedUser(sandbox.url, 'generic', { ...d.user, active: true });
  }
  const plan = diffRoster(
    people.map((employee, i) => ({
      row: i + 1,
      employee,
      managed: ['employeeId', 'email', 'givenName', 'familyName', 'title', 'department'],
    })),
    [],
    { hash: rosterHash },
  );
  const { scans, writes } = await buildHints(plan.items, { connectors: composed.connectors, desire, mode: 'auto' });
  expect(scans.map((s) => s.app)).toEqual(['generic']);
  expect(scans[0]).toMatchObject({ hinted: people.length, found: people.length });
  for (const p of people) expect(writes.get(p.employeeId)).toBe(withJostle.has(p.employeeId) ? 1 : 0);
  const order = workFirst(plan.items, writes).map((i) => i.employeeId);
  expect(order.slice(0, 3).sort()).toEqual([...withJostle].sort());
  // The rest keep the plan's order.
  expect(order.slice(3)).toEqual(plan.items.map((i) => i.employeeId).filter((id) => !withJostle.has(id)));
});

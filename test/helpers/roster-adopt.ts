// Day one for one person, as a roster import meets it: every app the rules grant already holds an
// account for them, unlinked (no externalId); the import scans those apps and sends the hire with
// what it saw (observation hints on the hrEvent signal). Used by the replay corpus's recorder and
// by the upsert tests.
import type { Employee } from '../../src/shared/hr-event';
import { diffRoster } from '../../src/domain/roster';
import type { ObservationHints } from '../../src/workflows/hints';
import { buildHints } from '../../src/roster/import';
import { rosterHash } from '../../src/roster/settings';
import { dispatchItems } from '../../src/roster/temporal';
import { seedUser, type AppName } from './apps';
import type { Stack } from './stack';

/** Seeds the unlinked accounts, scans, dispatches; returns the apps seeded and the hints sent. */
export async function adoptOnHints(
  s: Stack,
  p: Employee,
): Promise<{ apps: string[]; hints: ObservationHints | undefined }> {
  const granted = s.composed.deps.desire(p).filter((d) => d.granted);
  for (const d of granted) {
    const { externalId: _unowned, ...user } = d.user;
    await seedUser(s.sandbox.url, d.app as AppName, user);
  }
  const plan = diffRoster(
    [{ row: 1, employee: p, managed: ['employeeId', 'email', 'givenName', 'familyName', 'title', 'department'] }],
    [],
    { hash: rosterHash },
  );
  const { hints } = await buildHints(plan.items, {
    connectors: s.composed.connectors,
    desire: (e) => s.composed.deps.desire(e),
    mode: 'always',
  });
  await dispatchItems(s.client, plan.items, { hints });
  return { apps: granted.map((d) => d.app).sort(), hints: hints.get(p.employeeId) };
}

// `scimflow seats`: per seat-consuming app, the seats held (the app's own answer: reconciliation's
// scan of every account), waiting for approval, held by people who left, scheduled for deletion.
// The report itself is pure (src/domain/seats.ts); this is its I/O edge.
import { loadCommandConfig } from './command-config';
import { connectClient, temporalAccess, temporalTarget } from './temporal';
import { OpsError } from './ops';
import { table } from './format';
import { composeWorker } from '../worker/compose';
import { seatReport, type SeatPerson, type SeatReport } from '../domain/seats';
import { listPeople, peopleByApp } from '../reconcile/controllers';
import { scanApp } from '../reconcile/scan';

export async function seatsCommand(input: {
  configFile: string;
  app?: string;
  now?: number;
}): Promise<{ json: unknown; text: string }> {
  const config = loadCommandConfig(input.configFile);
  const paid = (name: string) => Boolean(config.apps[name]!.seatConsuming || config.apps[name]!.approval.required);
  if (input.app && !config.apps[input.app])
    throw new OpsError('REFUSED', `unknown app ${input.app} (configured: ${Object.keys(config.apps).join(', ')})`);
  const apps = input.app ? [input.app] : Object.keys(config.apps).filter(paid).sort();

  const composed = composeWorker(config, process.env);
  const { client, close } = await connectClient(temporalTarget(config), temporalAccess(config));
  try {
    await composed.discover().catch(() => undefined); // an app that cannot be read falls back below
    const { views, failed } = await listPeople(client);
    const byApp = peopleByApp(views, (e) => composed.deps.desire(e));
    const reports: SeatReport[] = [];
    for (const app of apps) {
      const now = input.now ?? Date.now();
      const known = byApp.get(app) ?? [];
      const people: SeatPerson[] = known.map((p) => {
        const v = views.find((x) => x.employeeId === p.employeeId);
        const pending = v?.pendingApprovals.filter((r) => r.app === app).length ?? 0;
        return {
          ...p,
          observedActive: v?.apps[app]?.account?.active === true,
          ...(pending ? { pendingApprovals: pending } : {}),
        };
      });
      let scan;
      let scanError: string | undefined;
      try {
        scan = await scanApp(composed.connectors.get(app)!, known, {
          app,
          paidSeats: paid(app),
          now,
          sampleLimit: 1000,
        });
      } catch (err) {
        scanError = err instanceof Error ? err.message : String(err);
      }
      reports.push(
        seatReport({
          app,
          paidSeats: paid(app),
          people,
          ...(scan ? { scan } : {}),
          ...(scanError ? { scanError } : {}),
          now,
        }),
      );
    }
    const json = { people: views.length, unreadable: failed, apps: reports };
    const text = [
      table(
        reports.map((r) => ({
          app: r.app,
          held: r.paidSeats ? r.held : '(not a paid-seat app)',
          'pending approval': r.pendingApproval,
          'held by leavers': r.heldByLeavers.count,
          'held by nobody known': r.heldByOrphans,
          'scheduled for deletion': r.scheduledForDeletion.count,
          source: r.source === 'app' ? 'the app' : `controllers (app unreadable: ${r.error ?? '?'})`,
        })),
      ),
      ...reports.flatMap((r) => [
        ...(r.heldByLeavers.seats.length
          ? [
              '',
              `${r.app}: held by people who left`,
              table(
                r.heldByLeavers.seats.map((s) => ({
                  employeeId: s.employeeId,
                  account: s.accountId,
                  userName: s.userName,
                  since: s.since,
                  days: s.days,
                })),
              ),
            ]
          : []),
        ...(r.scheduledForDeletion.accounts.length
          ? [
              '',
              `${r.app}: scheduled for deletion`,
              table(
                r.scheduledForDeletion.accounts.map((d) => ({
                  employeeId: d.employeeId,
                  account: d.accountId,
                  due: d.dueAt,
                  inDays: d.inDays,
                })),
              ),
            ]
          : []),
      ]),
      ...(failed.length ? ['', `(${failed.length} controller(s) did not answer: ${failed.join(', ')})`] : []),
    ].join('\n');
    return { json, text };
  } finally {
    await close();
    await composed.close();
  }
}

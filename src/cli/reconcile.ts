// `scimflow reconcile`: per app, every account against the people the controllers know; counts per
// class, the rows that are not in sync, the paid seats nobody employed uses; `--fix` converges.
import { loadCommandConfig } from './command-config';
import type { Client } from '@temporalio/client';
import { connectClient, temporalAccess, temporalTarget } from './temporal';
import { lastReconcile, reconcileCron, reconcileScheduleId, type LastReconcile } from '../reconcile/schedule';
import { OpsError } from './ops';
import { table } from './format';
import { osUser } from './options';
import { composeWorker } from '../worker/compose';
import { RECONCILE_CLASSES, type ScanSummary } from '../domain/reconcile';
import { emptyIndex } from '../domain/reconcile';
import { fixScan, indexControllers, type FixClass, type FixResult } from '../reconcile/controllers';
import { scanApp } from '../reconcile/scan';

const FIXABLE: readonly FixClass[] = ['drifted', 'unlinked-owner', 'orphan'];

export interface ReconcileCommandInput {
  configFile: string;
  app?: string;
  fix: boolean;
  classes: string;
  limit: number;
}

export async function reconcileCommand(
  input: ReconcileCommandInput,
): Promise<{ json: unknown; text: string; refused?: boolean }> {
  const config = loadCommandConfig(input.configFile);
  const classes = input.classes
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const bad = classes.filter((c) => !(FIXABLE as readonly string[]).includes(c));
  if (bad.length)
    throw new OpsError('REFUSED', `--classes: ${bad.join(', ')} cannot be fixed (choose from ${FIXABLE.join(', ')})`);
  const apps = input.app ? [input.app] : Object.keys(config.apps).sort();
  for (const a of apps)
    if (!config.apps[a])
      throw new OpsError('REFUSED', `unknown app ${a} (configured: ${Object.keys(config.apps).join(', ')})`);

  const composed = composeWorker(config, process.env);
  const { client, close } = await connectClient(temporalTarget(config), temporalAccess(config));
  try {
    await composed.discover();
    const owners = new Map(apps.map((a) => [a, composed.connectors.get(a)!.profile.owner]));
    const { indexes, people, failed } = await indexControllers(client, (e) => composed.deps.desire(e), owners);
    const results: { summary: ScanSummary; fix?: FixResult }[] = [];
    for (const app of apps) {
      const ac = config.apps[app]!;
      const summary = await scanApp(composed.connectors.get(app)!, indexes.get(app) ?? emptyIndex(owners.get(app)!), {
        app,
        paidSeats: ac.seatConsuming || ac.approval.required,
        sampleLimit: input.limit,
      });
      const fix = input.fix
        ? await fixScan(client, summary, summary.rows, classes as FixClass[], `${osUser()} (scimflow reconcile --fix)`)
        : undefined;
      results.push({ summary, ...(fix ? { fix } : {}) });
    }
    const json = { dryRun: !input.fix, people, unreadable: failed, apps: results };
    const text = [
      `people known: ${people}${failed.length ? ` (${failed.length} controllers did not answer)` : ''}${input.fix ? '' : '   (dry run: --fix converges)'}`,
      '',
      table(
        results.map(({ summary: s }) => ({
          app: s.app,
          accounts: s.total,
          ...Object.fromEntries(RECONCILE_CLASSES.map((c) => [c, s.counts[c]])),
          'paid seats idle': s.seats.orphans + s.seats.leavers,
        })),
        ['app', 'accounts', ...RECONCILE_CLASSES, 'paid seats idle'],
      ),
      ...results.flatMap(({ summary: s, fix }) => [
        '',
        `${s.app}:${s.omitted ? ` (${s.omitted} more rows not shown)` : ''}`,
        table(
          s.rows.map((r) => ({
            class: r.class,
            id: r.id,
            userName: r.userName,
            owner: r.employeeId ?? r.claimants?.join(',') ?? '',
            active: String(r.active),
            seat: r.paidSeat ? `paid, idle ${r.idleDays ?? '?'}d` : '',
            reason: r.reason,
          })),
          ['class', 'id', 'userName', 'owner', 'active', 'seat', 'reason'],
        ),
        ...(fix
          ? [
              `fixed: refreshed ${fix.refreshed.length} controller(s)${fix.guard ? `; ${fix.orphansAsked} orphan(s) asked of the guard: ${fix.guard.granted} granted, ${fix.guard.held} held (allowance ${fix.guard.allowance}; \`scimflow guard release ${s.app}\`)` : ''}`,
            ]
          : []),
      ]),
    ].join('\n');
    return { json, text };
  } finally {
    await close();
    await composed.close();
  }
}

/** `scimflow reconcile --last [--app X]`: each app's latest scheduled run (exit 3 when one keeps failing). */
export async function lastReconcileCommand(
  client: Client,
  configFile: string,
  app?: string,
): Promise<{ json: unknown; text: string; failing: boolean }> {
  let apps = app ? [app] : [];
  let config: ReturnType<typeof loadCommandConfig> | undefined;
  try {
    config = loadCommandConfig(configFile);
  } catch (err) {
    if (!app) throw err;
  }
  if (!app) apps = Object.keys(config!.apps).sort();
  const runs: LastReconcile[] = [];
  for (const a of apps) runs.push(await lastReconcile(client, a));
  const failing = runs.some((r) => r.state === 'failing' || r.state === 'failed');
  const shown = (r: LastReconcile) => (r.state === 'ok' ? r.status : r.previous);
  const text = [
    table(
      runs.map((r) => {
        const s = shown(r)?.summary;
        return {
          app: r.app,
          last: r.state,
          at: r.takenAt ?? '',
          ...(config ? { cron: reconcileCron(config, r.app) } : {}),
          accounts: s?.total ?? '',
          ...Object.fromEntries(RECONCILE_CLASSES.map((c) => [c, s?.counts[c] ?? ''])),
          problem: r.status?.failure
            ? `${r.status.failure.lastError} (since ${r.status.failure.since}, ${r.status.attempts} attempts)`
            : (r.error ??
              (r.state === 'no-schedule' ? `no schedule ${reconcileScheduleId(r.app)}: start the worker` : '')),
        };
      }),
    ),
    ...runs.flatMap((r) => {
      const rows = shown(r)?.summary?.sample ?? [];
      return rows.length
        ? [
            '',
            `${r.app} (sample):`,
            table(
              rows.map((x) => ({
                class: x.class,
                id: x.id,
                userName: x.userName,
                owner: x.employeeId ?? x.claimants?.join(',') ?? '',
                reason: x.reason,
              })),
            ),
          ]
        : [];
    }),
  ].join('\n');
  return { json: { apps: runs }, text, failing };
}

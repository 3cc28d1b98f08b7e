// `scimflow import <roster.csv|json> [--dry-run] [--json]`: the roster diffed against the people the
// controllers know; a dry run prints the planned hires, updates and terminations; otherwise the
// events are sent (with observation hints from one scan per app) and progress is shown on stderr
// until the controllers have settled.
import { createReadStream } from 'node:fs';
import { loadCommandConfig } from './command-config';
import { connectClient, temporalAccess, temporalTarget } from './temporal';
import { OpsError } from './ops';
import { table } from './format';
import { composeWorker } from '../worker/compose';
import { readRoster, rosterFormat } from '../roster/parse';
import { rosterSettings } from '../roster/settings';
import { ImportRefused, runImport, waitForSettled, type HintMode, type ImportProgress } from '../roster/import';

export interface ImportCommandInput {
  configFile: string;
  file: string;
  dryRun: boolean;
  hints: HintMode;
  wait: boolean;
  /** Progress lines (stderr). */
  progress?: (p: ImportProgress) => void;
}

export function formatProgress(p: ImportProgress): string {
  const eta = p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)}s`;
  return `import: ${p.done}/${p.total} settled  ${p.rate.toFixed(1)}/s  ETA ${eta}  (${p.elapsedSeconds.toFixed(0)}s)`;
}

export async function importCommand(
  input: ImportCommandInput,
): Promise<{ json: unknown; text: string; refused?: boolean }> {
  const config = loadCommandConfig(input.configFile);
  const settings = rosterSettings(config);
  const format = rosterFormat(input.file);
  if (!format) throw new OpsError('REFUSED', `${input.file}: a roster is a .csv or .json file`);
  const read = await readRoster(createReadStream(input.file), format, {
    mapping: settings.mapping,
    maxRows: settings.maxRows,
  });
  if (read.issues.length) {
    const lines = read.issues.map((i) => `  ${i.field}: ${i.message}`);
    throw new OpsError(
      'REFUSED',
      `${input.file}: invalid roster, nothing was sent:\n${lines.join('\n')}${read.moreIssues ? `\n  … and ${read.moreIssues} more` : ''}`,
    );
  }
  const composed = composeWorker(config, process.env);
  const { client, close } = await connectClient(temporalTarget(config), temporalAccess(config));
  try {
    if (!input.dryRun) await composed.discover();
    const result = await runImport({
      client,
      entries: read.entries,
      dryRun: input.dryRun,
      hints: input.hints,
      connectors: composed.connectors,
      desire: (e) => composed.deps.desire(e),
      taskQueue: config.temporal.taskQueue,
    }).catch((err: unknown) => {
      if (err instanceof ImportRefused) throw new OpsError('REFUSED', err.message);
      throw err;
    });
    const { plan } = result;
    const wait =
      !input.dryRun && input.wait && result.dispatch && result.dispatch.sent > 0
        ? await waitForSettled(client, plan.items, {
            ...(input.progress ? { onProgress: input.progress } : {}),
            ...(result.dispatchedAt ? { startedAt: result.dispatchedAt } : {}),
          })
        : undefined;
    const json = {
      dryRun: input.dryRun,
      rows: read.rows,
      counts: plan.counts,
      items: plan.items.map((i) => ({
        change: i.change,
        employeeId: i.employeeId,
        id: i.event.id,
        ...(i.row ? { row: i.row } : {}),
        ...(i.fields ? { fields: i.fields } : {}),
      })),
      kept: plan.kept,
      scans: result.scans,
      ...(result.dispatch ? { dispatch: result.dispatch } : {}),
      ...(wait ? { settled: wait.settled, unsettled: wait.unsettled } : {}),
    };
    const c = plan.counts;
    const text = [
      `${input.file}: ${read.rows} rows — hire ${c.hire}, update ${c.update}, terminate ${c.terminate}, unchanged ${c.unchanged}, kept ${c.kept}${input.dryRun ? '   (dry run: nothing sent)' : ''}`,
      '',
      table(
        plan.items.map((i) => ({
          change: i.change,
          employeeId: i.employeeId,
          row: i.row,
          fields: i.fields?.join(','),
          event: i.event.id,
        })),
      ),
      ...(plan.kept.length ? ['', 'kept:', table(plan.kept)] : []),
      ...(result.scans.length ? ['', 'scans (observation hints):', table(result.scans.map((s) => ({ ...s })))] : []),
      ...(result.dispatch
        ? [
            '',
            `sent ${result.dispatch.sent} event(s)${result.dispatch.failed.length ? `; ${result.dispatch.failed.length} could not be sent (run the import again)` : ''}`,
          ]
        : []),
      ...(wait
        ? [
            `settled ${wait.settled}/${plan.items.length}${wait.unsettled.length ? `; not yet: ${wait.unsettled.slice(0, 20).join(', ')}${wait.unsettled.length > 20 ? ' …' : ''} (see \`scimflow status\`)` : ''}`,
          ]
        : []),
    ].join('\n');
    return { json, text, ...(result.dispatch?.failed.length ? { refused: true } : {}) };
  } finally {
    await close();
    await composed.close();
  }
}

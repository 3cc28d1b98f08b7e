// Locates the Temporal CLI the same way scripts/ensure-temporal.mjs does (that script also builds it).
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const projectRoot = resolve(__dirname, '..', '..');

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) return isExecutable(fromEnv) ? resolve(fromEnv) : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'temporal');
    if (isExecutable(p)) return p;
  }
  const local = join(projectRoot, '.temporal', 'bin', 'temporal');
  return isExecutable(local) ? local : undefined;
}

export function requireTemporalCli(): string {
  const p = findTemporalCli();
  if (!p) {
    throw new Error(
      'The Temporal CLI was not found (TEMPORAL_CLI_PATH, PATH, .temporal/bin/temporal). ' +
        'Run `node scripts/ensure-temporal.mjs` (or `npm start` / `npm test`, which do it for you) to build it.',
    );
  }
  return p;
}

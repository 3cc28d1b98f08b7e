// The configuration for a command that reads the apps but is not a long-running process
// (`scimflow plan`). For the bundled example, config/scimflow.yaml, the sandbox's development
// credentials stand in for unset variables, as `scimflow dev` does — so the README's
// `npm run scimflow -- plan examples/hire.json` works on a fresh clone without exporting anything.
// Any other file is used as it is: its secrets must be set. Only app credentials are resolved
// (resolveSecrets leaves the webhook secret, which plan never uses, alone).
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type ScimflowConfig } from '../config';
import { projectRoot } from '../dev/temporal-cli';
import { DEV_ENV } from './dev-env';

export const BUNDLED_CONFIG = join(projectRoot, 'config', 'scimflow.yaml');

/** Whether `file` is the repository's example configuration (the one `npm start` runs). */
export function isBundledExample(file: string): boolean {
  try {
    return realpathSync(resolve(file)) === realpathSync(BUNDLED_CONFIG);
  } catch {
    return false;
  }
}

/**
 * Loads `file`; for the bundled example, first sets each development variable that is unset in
 * `env` and says so on stderr. Returns the configuration (secrets are references, as always).
 */
export function loadCommandConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
  note: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): ScimflowConfig {
  if (isBundledExample(file)) {
    // App credentials only: the webhook secret is not resolved for plan.
    const defaulted = Object.keys(DEV_ENV).filter((k) => k !== 'SCIMFLOW_WEBHOOK_SECRET' && env[k] === undefined);
    for (const k of defaulted) env[k] = DEV_ENV[k];
    if (defaulted.length)
      note(
        `scimflow: ${file} is the bundled example: the sandbox's development tokens stand in for ${defaulted.join(', ')}`,
      );
  }
  return loadConfig(file);
}

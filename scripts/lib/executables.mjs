// Finding executables, for the ensure-*.mjs scripts (Node built-ins only: they run before `npm ci`
// has anything to offer, and on a machine with only Node and Go).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function isExecutable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, then in `extraDirs`; undefined when there is none. */
export function onPath(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

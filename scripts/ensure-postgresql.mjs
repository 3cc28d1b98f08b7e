#!/usr/bin/env node
// Finds PostgreSQL's server binaries (initdb, postgres, psql), or installs Debian's `postgresql`
// package with apt-get when running as root. Node built-ins only. Used by scripts/cluster.ts and by
// .ci/run. $PG_BINDIR overrides the search (a directory holding initdb and postgres).
//
// As a CLI it prints the binary directory on stdout (progress goes to stderr).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable } from './lib/executables.mjs';

function log(msg) {
  process.stderr.write(`[ensure-postgresql] ${msg}\n`);
}

const complete = (dir) => ['initdb', 'postgres', 'psql'].every((b) => isExecutable(join(dir, b)));

/** The directory of initdb/postgres/psql, or undefined. Debian's layout first (newest major). */
export function findPostgres() {
  if (process.env.PG_BINDIR) {
    const dir = resolve(process.env.PG_BINDIR);
    if (!complete(dir)) throw new Error(`PG_BINDIR=${dir} does not hold initdb, postgres and psql`);
    return dir;
  }
  try {
    const majors = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of majors) {
      const dir = `/usr/lib/postgresql/${v}/bin`;
      if (complete(dir)) return dir;
    }
  } catch {
    // not Debian's layout
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (complete(dir)) return dir;
  } catch {
    // no pg_config
  }
  return undefined;
}

/** Finds PostgreSQL, or installs Debian's package (root only). Returns the binary directory. */
export function ensurePostgres({ quiet = false } = {}) {
  const found = findPostgres();
  if (found) {
    if (!quiet) log(`using ${found}`);
    return found;
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !isExecutable('/usr/bin/apt-get')) {
    throw new Error(
      'PostgreSQL was not found. Install it (Debian: `apt-get install postgresql`), or set PG_BINDIR to the directory holding initdb and postgres.',
    );
  }
  log('installing Debian’s postgresql package (apt-get; first run only)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', '--no-install-recommends', 'postgresql'],
  ]) {
    const res = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (res.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
  }
  const dir = findPostgres();
  if (!dir)
    throw new Error('apt-get installed postgresql, but initdb/postgres/psql were not found under /usr/lib/postgresql');
  log(`installed: ${dir}`);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensurePostgres()}\n`);
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

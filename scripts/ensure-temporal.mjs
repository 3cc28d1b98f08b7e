#!/usr/bin/env node
// Finds or builds the Temporal CLI (which embeds `temporal server start-dev`), using Node built-ins only.
//
// Search order: $TEMPORAL_CLI_PATH, `temporal` on PATH, .temporal/bin/temporal (git-ignored).
// Otherwise it builds v1.5.1 from the Go module registry. v1.5.1 is pinned because later tags carry
// a `replace` directive in go.mod that `go install pkg@version` refuses.
// Idempotent: once the binary exists it is found and nothing is rebuilt.
//
// As a CLI it prints the executable's absolute path on stdout (progress goes to stderr).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable, onPath } from './lib/executables.mjs';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const localTemporalPath = join(projectRoot, '.temporal', 'bin', 'temporal');

/** Locates an existing Temporal CLI without building anything. Returns { path, source } or undefined. */
export function findTemporal() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return { path: resolve(fromEnv), source: 'TEMPORAL_CLI_PATH' };
  }
  const inPath = onPath('temporal');
  if (inPath) return { path: inPath, source: 'PATH' };
  if (isExecutable(localTemporalPath)) return { path: localTemporalPath, source: '.temporal/bin' };
  return undefined;
}

function log(msg) {
  process.stderr.write(`[ensure-temporal] ${msg}\n`);
}

/** Finds the CLI, or builds it into .temporal/bin with `go install`. Returns the absolute path. */
export function ensureTemporal({ quiet = false } = {}) {
  const found = findTemporal();
  if (found) {
    if (!quiet) log(`using ${found.path} (from ${found.source})`);
    return found.path;
  }
  const go = onPath('go', ['/usr/local/go/bin', '/usr/lib/go/bin']);
  if (!go) {
    throw new Error(
      'The Temporal CLI was not found and Go is not installed to build it.\n' +
        '  Install Go (https://go.dev/dl/) or the Temporal CLI, or set TEMPORAL_CLI_PATH to an existing `temporal` binary.',
    );
  }
  const binDir = dirname(localTemporalPath);
  mkdirSync(binDir, { recursive: true });
  log(
    `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} into ${binDir} (first run only; takes a few minutes)`,
  );
  const started = Date.now();
  const res = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0', GOBIN: binDir, GOFLAGS: process.env.GOFLAGS ?? '-trimpath' },
  });
  if (res.status !== 0 || !existsSync(localTemporalPath)) {
    throw new Error(`go install of the Temporal CLI failed (exit ${res.status ?? res.signal})`);
  }
  log(`built ${localTemporalPath} in ${Math.round((Date.now() - started) / 1000)} s`);
  return localTemporalPath;
}

export function temporalVersion(path) {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const p = ensureTemporal();
    log(temporalVersion(p));
    process.stdout.write(`${p}\n`);
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

#!/usr/bin/env node
// Finds or builds `temporal-server` v1.29.1 (the real server, not the CLI's dev server) for the
// suites in test/cluster/ (authenticated Temporal: JWT authorizer, docs/security.md). Node built-ins only.
//
// Search order: $TEMPORAL_SERVER_PATH, .temporal/cluster-bin/server (git-ignored). Otherwise:
//   CGO_ENABLED=0 GOBIN=.temporal/cluster-bin go install go.temporal.io/server/cmd/server@v1.29.1
// from the Go module registry (a cold build takes 20-30 minutes on two cores; with Go's build cache
// warm, a minute or two). Idempotent. As a CLI it prints the executable's path on stdout.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(projectRoot, '.temporal', 'cluster-bin');
export const localServerPath = join(binDir, 'server');

const executable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export function ensureTemporalServer() {
  const fromEnv = process.env.TEMPORAL_SERVER_PATH;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new Error(`TEMPORAL_SERVER_PATH=${fromEnv} is not an executable`);
    return resolve(fromEnv);
  }
  if (executable(localServerPath)) return localServerPath;
  const go = ['/usr/local/go/bin/go', 'go'].find((g) => spawnSync(g, ['version'], { stdio: 'ignore' }).status === 0);
  if (!go) throw new Error('Go is needed to build temporal-server (or set TEMPORAL_SERVER_PATH)');
  mkdirSync(binDir, { recursive: true });
  console.error(`[ensure-temporal-server] building go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION} into ${binDir} (slow the first time)`);
  const started = Date.now();
  const r = spawnSync('nice', ['-n', '10', go, 'install', `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0', GOBIN: binDir, GOFLAGS: process.env.GOFLAGS ?? '-buildvcs=false' },
  });
  if (r.status !== 0 || !executable(localServerPath)) throw new Error(`building temporal-server failed (exit ${r.status})`);
  console.error(`[ensure-temporal-server] built in ${Math.round((Date.now() - started) / 1000)} s`);
  return localServerPath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureTemporalServer()}\n`);
  } catch (err) {
    console.error(`[ensure-temporal-server] ${err.message}`);
    process.exit(1);
  }
}

#!/usr/bin/env node
// Finds or builds the Temporal server (`temporal-server`) and its SQL schema tool
// (`temporal-sql-tool`) for the production-shaped cluster (scripts/cluster.ts), using Node built-ins
// only — as scripts/ensure-temporal.mjs does for the CLI.
//
// Search order, for each binary: $TEMPORAL_SERVER_PATH / $TEMPORAL_SQL_TOOL_PATH, the name on PATH,
// .temporal/cluster-bin/ (git-ignored). Otherwise both are built from the Go module registry with
// `go install go.temporal.io/server/cmd/{server,tools/sql}@v1.29.1` (CGO off, -trimpath) into
// .temporal/cluster-bin and renamed. The schema files come from the same module
// (`go mod download` finds it in the module cache, or fetches it from the Go module proxy).
// Idempotent: once the binaries exist they are found and nothing is rebuilt.
//
// As a CLI it prints the two absolute paths and the schema directory on stdout, one a line
// (progress goes to stderr).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable, onPath } from './lib/executables.mjs';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const clusterBinDir = join(projectRoot, '.temporal', 'cluster-bin');

const BINARIES = {
  server: { name: 'temporal-server', env: 'TEMPORAL_SERVER_PATH', pkg: 'cmd/server', built: 'server' },
  sqlTool: { name: 'temporal-sql-tool', env: 'TEMPORAL_SQL_TOOL_PATH', pkg: 'cmd/tools/sql', built: 'sql' },
};

function log(msg) {
  process.stderr.write(`[ensure-temporal-server] ${msg}\n`);
}

function findOne(key) {
  const b = BINARIES[key];
  const fromEnv = process.env[b.env];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${b.env}=${fromEnv} is not an executable file`);
    return { path: resolve(fromEnv), source: b.env };
  }
  const inPath = onPath(b.name);
  if (inPath) return { path: inPath, source: 'PATH' };
  const local = join(clusterBinDir, b.name);
  if (isExecutable(local)) return { path: local, source: '.temporal/cluster-bin' };
  return undefined;
}

/** Locates both binaries without building anything: { server, sqlTool } (each { path, source } or undefined). */
export function findTemporalServer() {
  return { server: findOne('server'), sqlTool: findOne('sqlTool') };
}

function findGo() {
  const go = onPath('go', ['/usr/local/go/bin', '/usr/lib/go/bin']);
  if (!go) {
    throw new Error(
      'temporal-server / temporal-sql-tool were not found and Go is not installed to build them.\n' +
        '  Install Go (https://go.dev/dl/), or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH to existing binaries.',
    );
  }
  return go;
}

const goEnv = () => ({
  ...process.env,
  CGO_ENABLED: '0',
  GOBIN: clusterBinDir,
  GOFLAGS: process.env.GOFLAGS ?? '-trimpath',
});

/**
 * Finds both binaries, or builds the missing ones into .temporal/cluster-bin. Returns
 * { server, sqlTool } (absolute paths). A cold build downloads the server's modules and compiles
 * them: minutes (see docs/operations.md); later runs find the binaries at once.
 */
export function ensureTemporalServer({ quiet = false } = {}) {
  const found = findTemporalServer();
  const missing = Object.keys(BINARIES).filter((k) => !found[k]);
  if (missing.length > 0) {
    const go = findGo();
    mkdirSync(clusterBinDir, { recursive: true });
    const pkgs = missing.map((k) => `${TEMPORAL_SERVER_MODULE}/${BINARIES[k].pkg}@${TEMPORAL_SERVER_VERSION}`);
    log(
      `building ${missing.map((k) => BINARIES[k].name).join(' and ')} ${TEMPORAL_SERVER_VERSION} with ${go} into ${clusterBinDir} (first run only; takes several minutes)`,
    );
    const started = Date.now();
    // One `go install` per package: a multi-package install of a module@version is refused by older Go.
    for (const [i, pkg] of pkgs.entries()) {
      const res = spawnSync(go, ['install', pkg], { stdio: ['ignore', 'inherit', 'inherit'], env: goEnv() });
      const key = missing[i];
      const built = join(clusterBinDir, BINARIES[key].built);
      if (res.status !== 0 || !existsSync(built))
        throw new Error(`go install ${pkg} failed (exit ${res.status ?? res.signal})`);
      renameSync(built, join(clusterBinDir, BINARIES[key].name));
    }
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const now = findTemporalServer();
  if (!quiet) for (const k of Object.keys(BINARIES)) log(`using ${now[k].path} (from ${now[k].source})`);
  return { server: now.server.path, sqlTool: now.sqlTool.path };
}

/**
 * The module's PostgreSQL schema directory (…/schema/postgresql/v12, holding temporal/ and
 * visibility/). `go mod download` answers from the module cache, or fetches the module (source
 * only, no build) from the Go module proxy. $TEMPORAL_SCHEMA_DIR overrides.
 */
export function temporalSchemaDir() {
  if (process.env.TEMPORAL_SCHEMA_DIR) return resolve(process.env.TEMPORAL_SCHEMA_DIR);
  const go = findGo();
  // Outside any module (GOFLAGS=-mod=mod would otherwise look for a go.mod here).
  const out = execFileSync(go, ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`], {
    encoding: 'utf8',
    cwd: clusterBinDirOrRoot(),
    env: { ...process.env, GOFLAGS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = JSON.parse(out).Dir;
  const schema = join(dir, 'schema', 'postgresql', 'v12');
  if (!existsSync(join(schema, 'temporal', 'versioned'))) throw new Error(`no PostgreSQL schema in ${dir}`);
  return schema;
}

function clusterBinDirOrRoot() {
  return existsSync(clusterBinDir) ? clusterBinDir : projectRoot;
}

export function temporalServerVersion(path) {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const p = ensureTemporalServer();
    log(temporalServerVersion(p.server));
    const schema = temporalSchemaDir();
    process.stdout.write(`${p.server}\n${p.sqlTool}\n${schema}\n`);
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

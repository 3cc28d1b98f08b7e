// The production-shaped cluster without Docker: PostgreSQL (Debian's), the Temporal server built
// from source (all four services in one process, SQL persistence and SQL visibility), the sandbox
// apps, N `scimflow worker` and M `scimflow ingress` processes — each its own OS process, as in
// production — supervised together and stopped together on Ctrl-C.
//
//   npm run cluster -- --workers 3 --ingresses 2 [--config config/scimflow.yaml] [--data-dir .data/cluster]
//                      [--no-sandbox] [--free-ports] [--fresh]
//
// Also a library: test/cluster/*.test.ts and `npm run bench:e2e -- --cluster` start it with
// startCluster(), kill and restart its processes, and stop it.
//
// What it does, in order (docs/operations.md, "The cluster without Docker"):
//   1. finds or builds temporal-server and temporal-sql-tool (scripts/ensure-temporal-server.mjs),
//      finds or installs PostgreSQL (scripts/ensure-postgresql.mjs: apt-get as root);
//   2. initialises a PostgreSQL data directory under <data-dir>/pg, owned by the `postgres` user,
//      listening on 127.0.0.1 only (password auth over TCP, a generated password kept in
//      <data-dir>/db-password), and creates the `temporal` role;
//   3. creates the `temporal` and `temporal_visibility` databases and sets up and upgrades their
//      schemas with temporal-sql-tool from the server module's schema/postgresql/v12 files;
//   4. writes the server configuration (<data-dir>/temporal/config/production.yaml) and its dynamic
//      configuration (one task-queue partition for every `scim-<app>` queue: the app's rate limit
//      then sits on one limiter; no eager activity dispatch), and starts the server;
//   5. registers the namespace and scimflow's search attributes;
//   6. starts the sandbox apps, the workers and the ingresses.
// Every port is on 127.0.0.1 and below 32768 (Temporal stores membership ports as smallint).
// PostgreSQL keeps the state: a restart of the cluster (or of the Temporal server alone) resumes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { msToTs } from '@temporalio/common/lib/time';
import { parseConfigText } from '../src/config';
import { DEV_ENV } from '../src/cli/dev-env';
import { FLEET_SHARE_INTERVAL_MS } from '../src/worker/fleet-share';
import { workflowBundleOptions } from '../src/worker/workers';
import { appTaskQueue } from '../src/workflows/definitions';
import { SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes';

export const projectRoot = resolve(__dirname, '..');
const DEFAULT_SANDBOX = 'http://127.0.0.1:7100';

export interface ClusterOptions {
  /** Where PostgreSQL, the server configuration, the sandbox snapshot and the logs live. */
  dataDir: string;
  /** The scimflow configuration the workers and ingresses run. */
  configFile: string;
  workers: number;
  ingresses: number;
  /** Start the sandbox apps (default true). Their URL replaces http://127.0.0.1:7100 in the configuration. */
  sandbox?: boolean;
  /** Pick every port free (tests, benchmarks). Default: Temporal, sandbox and ingress on their usual ports. */
  freePorts?: boolean;
  /** Wipe the data directory first. */
  fresh?: boolean;
  /** Extra environment for the worker and ingress processes (e.g. app tokens). */
  env?: Record<string, string>;
  /** scimflow processes' log level (SCIMFLOW_LOG_LEVEL); default info. */
  logLevel?: string;
  /** Requests the sandbox keeps per app in /_admin/<app>/requests (default 2000). */
  sandboxRequestLogLimit?: number;
  /** Progress lines (default: stderr). */
  onProgress?: (line: string) => void;
  /** Temporal history shards, fixed at the first start of a data directory (default 4). */
  historyShards?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  running(): boolean;
  /** SIGKILL, as a crash would (nothing drains). */
  kill(): Promise<void>;
  /** The process's own orderly stop (SIGTERM, or SIGINT for PostgreSQL), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface ClusterPorts {
  postgres: number;
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  internalWorker: number;
  internalWorkerMembership: number;
  sandbox: number;
  ingress: number[];
  ingressMetrics: number[];
  workerMetrics: number[];
}

export interface Cluster {
  readonly dataDir: string;
  readonly ports: ClusterPorts;
  readonly temporalAddress: string;
  readonly namespace: string;
  /** The configuration file the workers and ingresses read (the given one, or its rewrite for the sandbox's port). */
  readonly configFile: string;
  readonly sandboxUrl: string | undefined;
  readonly ingressUrls: string[];
  readonly postgres: ManagedProcess;
  temporal: ManagedProcess;
  readonly sandbox: ManagedProcess | undefined;
  readonly workers: ManagedProcess[];
  readonly ingresses: ManagedProcess[];
  /** (Re)starts worker `i` (after a kill), resolving once it polls. */
  startWorker(i: number): Promise<ManagedProcess>;
  /** (Re)starts ingress `i`, resolving once it answers /healthz. */
  startIngress(i: number): Promise<ManagedProcess>;
  /** Stops the Temporal server (SIGTERM, or SIGKILL with `{ kill: true }`) and starts it again on the same database. */
  restartTemporal(opts?: { kill?: boolean }): Promise<void>;
  /** Stops everything, ingresses first, PostgreSQL last. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quietLogger = new DefaultLogger('WARN');

function canBind(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const srv = createServer();
    srv.once('error', () => resolvePromise(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolvePromise(true)));
  });
}

/** Hands out distinct free ports in [20000, 32000): below 32768, away from the ephemeral range. */
class PortPicker {
  private readonly taken = new Set<number>();
  async pick(preferred?: number): Promise<number> {
    if (preferred !== undefined) {
      if (this.taken.has(preferred) || !(await canBind(preferred)))
        throw new Error(`port ${preferred} on 127.0.0.1 is in use (use --free-ports, or stop what listens there)`);
      this.taken.add(preferred);
      return preferred;
    }
    for (let i = 0; i < 1000; i++) {
      const p = 20000 + Math.floor(Math.random() * 12000);
      if (this.taken.has(p)) continue;
      if (await canBind(p)) {
        this.taken.add(p);
        return p;
      }
    }
    throw new Error('no free port found in 20000-32000');
  }
}

/** Runs a command to completion; throws with its output when it fails (unless `allowFail`). */
function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; allowFail?: boolean; input?: string } = {},
): { status: number; out: string } {
  const res = spawnSync(cmd, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd ?? projectRoot,
    encoding: 'utf8',
    ...(opts.input !== undefined ? { input: opts.input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const status = res.status ?? 1;
  if (status !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal}):\n${out.trim()}`);
  return { status, out };
}

function ensureScript(script: string, progress: (l: string) => void): string[] {
  const res = spawnSync(process.execPath, [join(projectRoot, 'scripts', script)], {
    cwd: projectRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const line of (res.stderr ?? '').split('\n')) if (line.trim()) progress(line);
  if (res.status !== 0) throw new Error(`scripts/${script} failed (exit ${res.status ?? res.signal})`);
  return res.stdout.trim().split('\n');
}

function postgresUser(): { uid: number; gid: number; home: string } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('there is no `postgres` user (Debian’s postgresql package creates it)');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
}

/** Can `user` traverse every folder down to `dir` (which may not exist yet)? */
function reachableBy(user: { uid: number; gid: number }, dir: string): boolean {
  let d = resolve(dir);
  while (!existsSync(d)) d = dirname(d);
  return spawnSync('test', ['-x', d], { uid: user.uid, gid: user.gid }).status === 0;
}

/** chown -R for the directories PostgreSQL must own. */
function chownTree(dir: string, uid: number, gid: number): void {
  run('chown', ['-R', `${uid}:${gid}`, dir]);
}

/**
 * A watchdog process: if the supervisor dies without stopping the cluster (SIGKILL, a crashed test
 * runner), it kills every process group listed in `pidFile`, so no PostgreSQL, Temporal server or
 * worker is left behind. It exits by itself once the supervisor is gone and it has reaped.
 */
function startReaper(pidFile: string): ChildProcess {
  writeFileSync(pidFile, '');
  const script = `
    const fs = require('node:fs');
    const [supervisor, file] = [Number(process.argv[1]), process.argv[2]];
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (alive(supervisor)) return;
      const pids = fs.readFileSync(file, 'utf8').split('\\n').filter(Boolean).map(Number);
      for (const pid of pids.reverse()) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
      process.exit(0);
    }, 1000);`;
  const child = spawn(process.execPath, ['-e', script, String(process.pid), pidFile], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  return child;
}

let pidRegistry: string | undefined;
function registerPid(pid: number | undefined): void {
  if (pidRegistry && pid) writeFileSync(pidRegistry, `${pid}\n`, { flag: 'a' });
}

function spawnManaged(
  name: string,
  cmd: string,
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    logFile: string;
    uid?: number;
    gid?: number;
    stopSignal?: NodeJS.Signals;
    onLine?: (line: string) => void;
    cwd?: string;
  },
): ManagedProcess {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log: WriteStream = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`--- ${new Date().toISOString()} start ${name}: ${cmd} ${args.join(' ')}\n`);
  // Its own process group: a terminal's Ctrl-C reaches the supervisor only, which stops things in order.
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? projectRoot,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  registerPid(child.pid);
  let partial = '';
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    if (!opts.onLine) return;
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) opts.onLine(l);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      log.end(`--- ${new Date().toISOString()} ${name} exited (${signal ?? code})\n`);
      r();
    }),
  );
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    logFile: opts.logFile,
    exited,
    running,
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 30_000) {
      if (!running()) return exited;
      child.kill(opts.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  proc: ManagedProcess | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !proc.running()) throw new Error(`${what}: ${proc.name} exited during start-up (log: ${proc.logFile})`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: not ready within ${timeoutMs} ms${proc ? ` (log: ${proc.logFile})` : ''}`);
    await sleep(250);
  }
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

// ---------------------------------------------------------------------------------------------
// The generated Temporal configuration

export interface ServerConfigInput {
  ports: ClusterPorts;
  dbPassword: string;
  dynamicConfigFile: string;
  historyShards: number;
}

/** The server's static configuration: PostgreSQL persistence and SQL visibility, all on 127.0.0.1. */
export function temporalServerConfig(i: ServerConfigInput): string {
  const sql = (db: string, conns: number) => ({
    pluginName: 'postgres12',
    databaseName: db,
    connectAddr: `127.0.0.1:${i.ports.postgres}`,
    connectProtocol: 'tcp',
    user: 'temporal',
    password: i.dbPassword,
    maxConns: conns,
    maxIdleConns: conns,
    maxConnLifetime: '1h',
  });
  const rpc = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: '127.0.0.1', ...(httpPort ? { httpPort } : {}) },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: i.historyShards,
      datastores: { default: { sql: sql('temporal', 20) }, visibility: { sql: sql('temporal_visibility', 10) } },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc(i.ports.frontend, i.ports.frontendMembership, i.ports.frontendHttp),
      history: rpc(i.ports.history, i.ports.historyMembership),
      matching: rpc(i.ports.matching, i.ports.matchingMembership),
      worker: rpc(i.ports.internalWorker, i.ports.internalWorkerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${i.ports.frontend}`,
          httpAddress: `127.0.0.1:${i.ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: i.dynamicConfigFile, pollInterval: '10s' },
  };
  // JSON is YAML: no YAML writer needed, and nothing is left to quoting rules.
  return `# Generated by scripts/cluster.ts — rewritten on every start.\n${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The dynamic configuration: each `scim-<app>` queue gets ONE read and ONE write partition. The
 * server divides a queue's rate limit (the workers' maxTaskQueueActivitiesPerSecond) by its read
 * partitions, each partition dispatching its share on its own limiter; with the default of 4, a
 * partition whose backlog runs dry wastes its quarter while the others queue, so the app gets less
 * than its rate. One partition dispatches at most a few thousand tasks a second — far above what
 * any SCIM app allows. Eager activity dispatch (which skips matching, and so the limit) stays off.
 */
export function temporalDynamicConfig(
  apps: string[],
  header = '# Generated by scripts/cluster.ts from the scimflow configuration’s apps — rewritten on every start.',
): string {
  const perQueue = apps.map((app) => ({ value: 1, constraints: { taskQueueName: appTaskQueue(app) } }));
  const dc = {
    'matching.numTaskqueueReadPartitions': perQueue,
    'matching.numTaskqueueWritePartitions': perQueue,
    'system.enableActivityEagerExecution': [{ value: false }],
  };
  return `${header}\n${JSON.stringify(dc, null, 2)}\n`;
}

/** The header of config/temporal-dynamicconfig.yaml (test/deploy/compose.test.ts checks it is current). */
export const DYNAMIC_CONFIG_HEADER =
  '# Temporal dynamic config for the apps of config/scimflow.yaml (docker-compose.yml mounts it). Regenerate after adding an app:\n' +
  '#   npm run -s cluster -- --print-dynamic-config -c config/scimflow.yaml > config/temporal-dynamicconfig.yaml\n' +
  '# One task-queue partition per scim-<app> queue, no eager activity dispatch: docs/operations.md, "One rate limit per app".';

// ---------------------------------------------------------------------------------------------

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const progress = opts.onProgress ?? ((l: string) => process.stderr.write(`[cluster] ${l}\n`));
  const dataDir = resolve(opts.dataDir);
  const logs = join(dataDir, 'logs');
  const stops: (() => Promise<void>)[] = [];
  try {
    if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    pidRegistry = join(dataDir, 'pids');
    const reaper = startReaper(pidRegistry);
    stops.push(async () => {
      reaper.kill('SIGKILL');
    });

    // 1. Binaries.
    const [serverBin, sqlTool, schemaDir] = ensureScript('ensure-temporal-server.mjs', progress) as [
      string,
      string,
      string,
    ];
    const [pgBin] = ensureScript('ensure-postgresql.mjs', progress) as [string];

    // Configuration: the apps decide the task queues; the sandbox's URL may need rewriting.
    const configFile = resolve(opts.configFile);
    const configText = readFileSync(configFile, 'utf8');
    const parsed = parseConfigText(configText, configFile);
    if (!parsed.ok) throw new Error(`${configFile}: invalid configuration (run \`scimflow config check\`)`);
    const config = parsed.config;
    const apps = Object.keys(config.apps);
    const namespace = config.temporal.namespace;

    // Ports.
    const picker = new PortPicker();
    const free = opts.freePorts ?? false;
    const configPort = Number(/:(\d+)$/.exec(config.temporal.address)?.[1] ?? 7233);
    const ports: ClusterPorts = {
      postgres: await picker.pick(),
      frontend: await picker.pick(free ? undefined : configPort),
      frontendHttp: await picker.pick(),
      frontendMembership: await picker.pick(),
      history: await picker.pick(),
      historyMembership: await picker.pick(),
      matching: await picker.pick(),
      matchingMembership: await picker.pick(),
      internalWorker: await picker.pick(),
      internalWorkerMembership: await picker.pick(),
      sandbox: opts.sandbox === false ? 0 : await picker.pick(free ? undefined : 7100),
      ingress: [],
      ingressMetrics: [],
      workerMetrics: [],
    };
    for (let i = 0; i < opts.ingresses; i++) {
      ports.ingress.push(await picker.pick(free ? undefined : config.ingress.port + i));
      ports.ingressMetrics.push(await picker.pick());
    }
    for (let i = 0; i < opts.workers; i++) ports.workerMetrics.push(await picker.pick());

    // 2. PostgreSQL.
    const pg = postgresUser();
    // PostgreSQL runs as `postgres`, who must reach its directories: under the data directory when
    // every folder above it lets others through (a checkout under /root does not), else in /var/tmp.
    const pgBase = reachableBy(pg, dataDir)
      ? dataDir
      : join('/var/tmp', `scimflow-cluster-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
    if (pgBase !== dataDir)
      progress(`${dataDir} is not reachable by the postgres user: PostgreSQL's data goes to ${pgBase}`);
    if (opts.fresh && pgBase !== dataDir) rmSync(pgBase, { recursive: true, force: true });
    const pgData = join(pgBase, 'pg');
    const pgRun = join(pgBase, 'pg-run');
    const passwordFile = join(dataDir, 'db-password');
    if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    const dbPassword = readFileSync(passwordFile, 'utf8').trim();
    mkdirSync(pgData, { recursive: true, mode: 0o700 });
    mkdirSync(pgRun, { recursive: true });
    if (pgBase !== dataDir) chownSync(pgBase, pg.uid, pg.gid);
    chownTree(pgData, pg.uid, pg.gid);
    chownSync(pgRun, pg.uid, pg.gid);
    const pgEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: pg.home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    if (!existsSync(join(pgData, 'PG_VERSION'))) {
      progress(`initialising PostgreSQL in ${pgData}`);
      run(
        join(pgBin, 'initdb'),
        ['-D', pgData, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--auth-local=peer', '--auth-host=scram-sha-256'],
        { uid: pg.uid, gid: pg.gid, env: pgEnv, cwd: pgRun },
      );
    }
    const postgres = spawnManaged(
      'postgres',
      join(pgBin, 'postgres'),
      [
        '-D',
        pgData,
        '-p',
        String(ports.postgres),
        '-k',
        pgRun,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=200',
        '-c',
        'fsync=on',
      ],
      { uid: pg.uid, gid: pg.gid, env: pgEnv, logFile: join(logs, 'postgres.log'), stopSignal: 'SIGINT', cwd: pgRun },
    );
    stops.push(() => postgres.stop(20_000));
    const psql = (sql: string) =>
      run(
        join(pgBin, 'psql'),
        [
          '-h',
          pgRun,
          '-p',
          String(ports.postgres),
          '-U',
          'postgres',
          '-d',
          'postgres',
          '-v',
          'ON_ERROR_STOP=1',
          '-qAt',
          '-c',
          sql,
        ],
        { uid: pg.uid, gid: pg.gid, env: pgEnv, cwd: pgRun },
      );
    await waitUntil(
      'PostgreSQL',
      async () =>
        run(join(pgBin, 'pg_isready'), ['-h', pgRun, '-p', String(ports.postgres)], { allowFail: true, cwd: pgRun })
          .status === 0,
      postgres,
      60_000,
    );
    psql(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${dbPassword}'; ` +
        `ELSE ALTER ROLE temporal PASSWORD '${dbPassword}'; END IF; END $$;`,
    );
    progress(`PostgreSQL on 127.0.0.1:${ports.postgres} (data ${pgData})`);

    // 3. Databases and schemas, with Temporal's SQL tool (re-running applies only what is missing).
    const sqlEnv = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(ports.postgres),
      SQL_USER: 'temporal',
      SQL_PASSWORD: dbPassword,
    };
    for (const [db, dir] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      const created = run(sqlTool, ['--db', db, 'create-database'], { env: sqlEnv, allowFail: true });
      if (created.status !== 0 && !/already exists/.test(created.out))
        throw new Error(`temporal-sql-tool create-database ${db} failed:\n${created.out}`);
      run(sqlTool, ['--db', db, 'setup-schema', '-v', '0.0'], { env: sqlEnv });
      run(sqlTool, ['--db', db, 'update-schema', '-d', join(schemaDir, dir, 'versioned')], { env: sqlEnv });
    }
    progress('schemas temporal and temporal_visibility up to date');

    // 4. Server configuration and the server.
    const temporalRoot = join(dataDir, 'temporal');
    const dynamicConfigFile = join(temporalRoot, 'dynamicconfig.yaml');
    mkdirSync(join(temporalRoot, 'config'), { recursive: true });
    writeFileSync(dynamicConfigFile, temporalDynamicConfig(apps));
    writeFileSync(
      join(temporalRoot, 'config', 'production.yaml'),
      temporalServerConfig({ ports, dbPassword, dynamicConfigFile, historyShards: opts.historyShards ?? 4 }),
      { mode: 0o600 },
    );
    const temporalAddress = `127.0.0.1:${ports.frontend}`;
    const startTemporal = async (): Promise<ManagedProcess> => {
      const proc = spawnManaged(
        'temporal-server',
        serverBin,
        ['--root', temporalRoot, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
        {
          logFile: join(logs, 'temporal-server.log'),
          cwd: temporalRoot,
        },
      );
      await waitUntil(
        'Temporal server',
        () => registerNamespaceAndAttributes(temporalAddress, namespace),
        proc,
        120_000,
      );
      return proc;
    };
    let temporal = await startTemporal();
    let temporalStopped = false;
    stops.push(async () => {
      temporalStopped = true;
      await temporal.stop(20_000);
    });
    progress(`Temporal server on ${temporalAddress} (namespace ${namespace}, search attributes registered)`);

    // 5. Sandbox apps.
    let sandbox: ManagedProcess | undefined;
    let sandboxUrl: string | undefined;
    let effectiveConfig = configFile;
    if (opts.sandbox !== false) {
      sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
      sandbox = spawnManaged(
        'sandbox',
        process.execPath,
        ['--import', 'tsx', join(projectRoot, 'src', 'sandbox', 'main.ts')],
        {
          logFile: join(logs, 'sandbox.log'),
          env: {
            ...process.env,
            SANDBOX_HOST: '127.0.0.1',
            SANDBOX_PORT: String(ports.sandbox),
            SANDBOX_SNAPSHOT: join(dataDir, 'sandbox.json'),
            ...(opts.sandboxRequestLogLimit ? { SANDBOX_REQUEST_LOG_LIMIT: String(opts.sandboxRequestLogLimit) } : {}),
          },
        },
      );
      const sb = sandbox;
      stops.push(() => sb.stop(10_000));
      await waitUntil('sandbox apps', () => httpOk(`${sandboxUrl}/healthz`), sandbox, 60_000);
      if (sandboxUrl !== DEFAULT_SANDBOX && configText.includes(DEFAULT_SANDBOX)) {
        // A copy that addresses this sandbox. Relative `file:` secrets stay relative to the original's folder.
        effectiveConfig = join(dataDir, 'scimflow.yaml');
        writeFileSync(
          effectiveConfig,
          configText
            .split(DEFAULT_SANDBOX)
            .join(sandboxUrl)
            .replace(/"file:(?!\/)/g, `"file:${dirname(configFile)}/`),
        );
      }
      progress(`sandbox apps on ${sandboxUrl}`);
    }

    // 6. Workers and ingresses: `scimflow worker` / `scimflow ingress`, configured as in production by
    //    the configuration file and environment variables.
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...(opts.sandbox !== false
        ? Object.fromEntries(Object.entries(DEV_ENV).filter(([k]) => process.env[k] === undefined))
        : {}),
      ...opts.env,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      SCIMFLOW_LOG_LEVEL: opts.logLevel ?? process.env.SCIMFLOW_LOG_LEVEL ?? 'info',
      SCIMFLOW_METRICS_HOST: '127.0.0.1',
    };
    const scimflow = [join(projectRoot, 'bin', 'scimflow.mjs')];
    // The workflows bundled once, from the sources of the moment, for every worker (and restart).
    const bundleFile = join(dataDir, 'workflow-bundle.js');
    const { code } = await bundleWorkflowCode({
      ...workflowBundleOptions(require.resolve('../src/workflows')),
      logger: quietLogger,
    });
    writeFileSync(bundleFile, code);
    baseEnv.SCIMFLOW_WORKFLOW_BUNDLE = bundleFile;
    const workers: ManagedProcess[] = [];
    const ingresses: ManagedProcess[] = [];
    const startWorker = async (i: number): Promise<ManagedProcess> => {
      const proc = spawnManaged(`worker-${i + 1}`, process.execPath, [...scimflow, 'worker', '-c', effectiveConfig], {
        logFile: join(logs, `worker-${i + 1}.log`),
        env: { ...baseEnv, SCIMFLOW_METRICS_PORT: String(ports.workerMetrics[i]), SCIMFLOW_TEMPORAL_METRICS_PORT: '0' },
      });
      workers[i] = proc;
      // Ready once it polls every queue it serves (the SDK's identity is `<pid>@<host>`).
      const queues = [
        { name: config.temporal.taskQueue, type: 1 },
        ...apps.map((a) => ({ name: appTaskQueue(a), type: 2 })),
      ];
      await waitUntil(
        `worker ${i + 1}`,
        () => polling(temporalAddress, namespace, queues, `${proc.child.pid}@`),
        proc,
        240_000,
      );
      return proc;
    };
    const startIngress = async (i: number): Promise<ManagedProcess> => {
      const proc = spawnManaged(`ingress-${i + 1}`, process.execPath, [...scimflow, 'ingress', '-c', effectiveConfig], {
        logFile: join(logs, `ingress-${i + 1}.log`),
        env: {
          ...baseEnv,
          SCIMFLOW_INGRESS_HOST: '127.0.0.1',
          SCIMFLOW_INGRESS_PORT: String(ports.ingress[i]),
          SCIMFLOW_INGRESS_METRICS_PORT: String(ports.ingressMetrics[i]),
        },
      });
      ingresses[i] = proc;
      await waitUntil(`ingress ${i + 1}`, () => httpOk(`http://127.0.0.1:${ports.ingress[i]}/healthz`), proc, 120_000);
      return proc;
    };
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.stop(40_000)));
    });
    stops.push(async () => {
      await Promise.all(ingresses.map((p) => p.stop(15_000)));
    });
    // Started together: each worker bundles the workflows once, in parallel.
    await Promise.all(Array.from({ length: opts.workers }, (_, i) => startWorker(i)));
    // Each worker re-reads the app queues' pollers every few seconds and takes its share of every
    // rate limit (src/worker/fleet-share.ts): let every one of them see all the others.
    if (opts.workers > 1) await sleep(FLEET_SHARE_INTERVAL_MS + 1000);
    await Promise.all(Array.from({ length: opts.ingresses }, (_, i) => startIngress(i)));
    const ingressUrls = ports.ingress.map((p) => `http://127.0.0.1:${p}/webhooks/hr`);
    progress(`${opts.workers} worker(s), ${opts.ingresses} ingress(es): ${ingressUrls.join(' ')}`);

    writeFileSync(
      join(dataDir, 'cluster.json'),
      JSON.stringify(
        {
          temporalAddress,
          namespace,
          sandboxUrl,
          ingressUrls,
          configFile: effectiveConfig,
          ports,
          logs,
          startedAt: new Date().toISOString(),
        },
        null,
        2,
      ) + '\n',
    );

    let stopping: Promise<void> | undefined;
    const cluster: Cluster = {
      dataDir,
      ports,
      temporalAddress,
      namespace,
      configFile: effectiveConfig,
      sandboxUrl,
      ingressUrls,
      postgres,
      get temporal() {
        return temporal;
      },
      set temporal(t: ManagedProcess) {
        temporal = t;
      },
      sandbox,
      workers,
      ingresses,
      startWorker,
      startIngress,
      async restartTemporal(o = {}) {
        if (o.kill) await temporal.kill();
        else await temporal.stop(20_000);
        if (temporalStopped) return;
        temporal = await startTemporal();
      },
      stop() {
        stopping ??= (async () => {
          for (const s of stops.reverse()) await s().catch(() => undefined);
        })();
        return stopping;
      },
    };
    return cluster;
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw err;
  }
}

/** True when a poller whose identity starts with `identityPrefix` is on every queue (type 1 workflow, 2 activity). */
async function polling(
  address: string,
  namespace: string,
  queues: { name: string; type: number }[],
  identityPrefix: string,
): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: '2 seconds' });
  try {
    for (const q of queues) {
      const res = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: q.name, kind: 1 },
        taskQueueType: q.type,
      });
      if (!(res.pollers ?? []).some((p) => p.identity?.startsWith(identityPrefix))) return false;
    }
    return true;
  } finally {
    await connection.close();
  }
}

/**
 * Registers the namespace (if missing) and scimflow's search attributes (those missing), then
 * checks that the frontend knows them. True once all is in place; false while the server is not
 * ready yet.
 */
export async function registerNamespaceAndAttributes(address: string, namespace: string): Promise<boolean> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '2 seconds' });
  } catch {
    return false;
  }
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('30 days') })
        .catch((err: unknown) => {
          if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
        });
      return false; // the namespace cache refreshes every 2 s: look again
    }
    const types = { Keyword: 2, KeywordList: 7, Bool: 5 } as const; // temporal.api.enums.v1.IndexedValueType
    const have = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in (have.customAttributes ?? {})));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map(([n, t]) => [n, types[t]])),
      });
      return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------------------------------------
// CLI: npm run cluster -- --workers 3 --ingresses 2

function parseArgs(argv: string[]) {
  const o = {
    workers: 3,
    ingresses: 2,
    config: join(projectRoot, 'config', 'scimflow.yaml'),
    dataDir: join(projectRoot, '.data', 'cluster'),
    sandbox: true,
    freePorts: false,
    fresh: false,
    printDynamicConfig: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error(`${a} must be an integer from 1 to 32`);
      return n;
    };
    if (a === '--workers') o.workers = count();
    else if (a === '--ingresses') o.ingresses = count();
    else if (a === '--config' || a === '-c') o.config = value();
    else if (a === '--data-dir') o.dataDir = value();
    else if (a === '--no-sandbox') o.sandbox = false;
    else if (a === '--free-ports') o.freePorts = true;
    else if (a === '--fresh') o.fresh = true;
    else if (a === '--print-dynamic-config') o.printDynamicConfig = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: npm run cluster -- [--workers N] [--ingresses M] [--config FILE] [--data-dir DIR] [--no-sandbox] [--free-ports] [--fresh] | --print-dynamic-config [--config FILE]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!isAbsolute(o.config)) o.config = resolve(process.cwd(), o.config);
  return o;
}

async function main(): Promise<void> {
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`cluster: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (o.printDynamicConfig) {
    // For a Temporal cluster run elsewhere (docker-compose.yml mounts config/temporal-dynamicconfig.yaml).
    const parsed = parseConfigText(readFileSync(o.config, 'utf8'), o.config);
    if (!parsed.ok) throw new Error(`${o.config}: invalid configuration (run \`scimflow config check\`)`);
    process.stdout.write(temporalDynamicConfig(Object.keys(parsed.config.apps), DYNAMIC_CONFIG_HEADER));
    return;
  }
  const cluster = await startCluster({
    dataDir: o.dataDir,
    configFile: o.config,
    workers: o.workers,
    ingresses: o.ingresses,
    sandbox: o.sandbox,
    freePorts: o.freePorts,
    fresh: o.fresh,
  });
  const lines = [
    '',
    `scimflow cluster — ${o.workers} worker(s), ${o.ingresses} ingress(es), Temporal on PostgreSQL`,
    `  Temporal gRPC   ${cluster.temporalAddress}   (namespace ${cluster.namespace}; e.g. TEMPORAL_ADDRESS=${cluster.temporalAddress} npm run scimflow -- stuck)`,
    `  PostgreSQL      127.0.0.1:${cluster.ports.postgres}   (data ${join(cluster.dataDir, 'pg')})`,
    ...(cluster.sandboxUrl ? [`  sandbox apps    ${cluster.sandboxUrl}   (admin ${cluster.sandboxUrl}/_admin)`] : []),
    ...cluster.ingressUrls.map((u, i) => `  HR ingress ${i + 1}    ${u}`),
    ...cluster.ports.workerMetrics.map((p, i) => `  worker ${i + 1}        metrics http://127.0.0.1:${p}/metrics`),
    `  logs            ${join(cluster.dataDir, 'logs')}`,
    `  configuration   ${cluster.configFile}`,
    '',
    'Ctrl-C stops everything (ingresses, workers — they finish in-flight activities —, sandbox, Temporal, PostgreSQL).',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 2) {
      process.stderr.write(`cluster: ${sig} again — killing everything\n`);
      process.exit(130);
    }
    if (signals > 1) return;
    process.stderr.write(`cluster: ${sig} — stopping (Ctrl-C twice more to force)\n`);
    void cluster.stop().then(() => {
      process.stderr.write('cluster: stopped\n');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A process that dies unexpectedly stops the cluster: a supervisor would restart it; here, say so.
  for (const p of [
    cluster.postgres,
    cluster.temporal,
    ...(cluster.sandbox ? [cluster.sandbox] : []),
    ...cluster.workers,
    ...cluster.ingresses,
  ]) {
    void p.exited.then(() => {
      if (signals === 0) {
        process.stderr.write(`cluster: ${p.name} exited unexpectedly (log: ${p.logFile}) — stopping\n`);
        onSignal('SIGTERM');
      }
    });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`cluster: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

// Supervises `temporal server start-dev` as a child process: SQLite persistence (workflows survive
// a restart), the Web UI, and scimflow's search attributes registered at start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect as netConnect } from 'node:net';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

export interface DevServerOptions {
  executable: string;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  ip?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  /** The Web UI decodes payloads through this codec server (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
  /**
   * Run the server in its own process group, so a terminal's Ctrl-C (sent to the whole foreground
   * group) reaches only the supervisor, which then stops the server last, after the worker has
   * drained. The supervisor must then stop it on every signal it handles. Default false.
   */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const sock = netConnect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolvePromise(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function waitForPort(host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode} during start-up`);
    if (await portOpen(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`temporal server did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? 8233;
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--log-level',
    opts.logLevel ?? 'warn',
  ];
  args.push('--namespace', opts.namespace ?? 'default');
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  // One partition per task queue, as the cluster gives every scim-<app> queue: the server divides a
  // queue's rate limit among its read partitions, each on its own limiter (docs/operations.md,
  // "One rate limit per app"). One host gains nothing from partitions.
  for (const key of ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions'])
    args.push('--dynamic-config-value', `${key}=1`);
  // The CLI turns this on so that a search attribute added at run time is usable at once; it then
  // reads the cluster metadata from SQLite on every search-attribute check — every upsert, every
  // visibility write, every list (a twentieth of the server's CPU in a bulk onboarding). Ours are
  // all registered above, before the server starts, so the cache is right from its first load.
  args.push('--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false');

  const child = spawn(opts.executable, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) opts.onOutput?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  // If this process exits without stop() (an error, process.exit), do not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    await waitForPort(ip, port, child, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  return {
    address: `${ip}:${port}`,
    uiUrl: `http://localhost:${uiPort}`,
    process: child,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

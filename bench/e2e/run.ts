// End-to-end benchmark: signed HR hires through the real ingress (HTTP), Temporal, the worker and
// the sandbox apps (HTTP). Each hire grants 3 apps without approval.
//
//   npm run bench:e2e [-- --hires 1000 --limited-hires 1000 --latency-samples 100 --rps 20 --db]
//   npm run bench:e2e -- --cluster [--workers 1,3] [--hires 300 --limited-hires 300 --latency-samples 20]
//
// Phases (one fresh person per hire):
//   1. latency on an idle stack: hires sent one at a time; event → account in all 3 apps, from the
//      POST to the sandbox's own `meta.created` of the last of the 3 accounts; p50 / p99.
//   2. throughput with no rate limits: N hires posted with 32 in flight; joiners per second.
//   3. with every sandbox app limited to R requests/second (429 + Retry-After past it) and the
//      same limit configured in scimflow: elapsed time ÷ the bound those limits impose on the
//      requests actually needed (max over apps of requests_app / R), plus the 429s received.
//
// Default: the embedded stack — a Temporal dev server (in memory; `--db`: SQLite on disk), the
// worker, the ingress and the sandbox in this process. `--cluster`: the same phases on the
// production-shaped cluster (scripts/cluster.ts: PostgreSQL, temporal-server, separate worker and
// ingress processes) for each worker count of `--workers` (default 1,3), side by side with the dev
// server measured in the same run. Bounded: every wait has a deadline.
import { dataConverter } from '../../src/temporal/options';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { request } from 'undici';
import { parseConfigText } from '../../src/config';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { startTemporalDevServer } from '../../src/dev/temporal-server';
import { buildIngress } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { startSandbox } from '../../src/sandbox';
import { createLogger } from '../../src/shared/logger';
import { composeWorker } from '../../src/worker/compose';
import { installRuntime } from '../../src/worker/runtime';
import { startWorkers } from '../../src/worker/workers';
import { startCluster } from '../../scripts/cluster';
import { SandboxClient } from '../../scripts/cluster-load';
import { sandboxConfig } from '../../test/helpers/sandbox-config';

const args = process.argv.slice(2);
const CLUSTER = args.includes('--cluster');
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const HIRES = arg('hires', CLUSTER ? 300 : 1000);
const LIMITED_HIRES = arg('limited-hires', CLUSTER ? 300 : 1000);
const LATENCY_SAMPLES = arg('latency-samples', CLUSTER ? 20 : 100);
const RPS = arg('rps', 20);
const WORKER_COUNTS = (() => {
  const i = args.indexOf('--workers');
  const list = i >= 0 ? args[i + 1]!.split(',').map(Number) : [1, 3];
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--workers takes worker counts, e.g. 1,3');
  return list;
})();
const APPS = ['generic', 'jumpcloud', 'jostle'] as const;
const SECRET = 'bench-webhook-secret-0123456789';
const root = join(__dirname, '..', '..');

const config = (sandbox: string, rps: number) =>
  sandboxConfig({
    sandbox,
    apps: { generic: rps, jumpcloud: rps, jostle: rps },
    extra: `
joiner:
  allOrNothing: []
`,
  });
const ENV = {
  SCIMFLOW_WEBHOOK_SECRET: SECRET,
  SCIMFLOW_GENERIC_TOKEN: 'dev-token',
  SCIMFLOW_JUMPCLOUD_TOKEN: 'dev-jumpcloud-key',
  SCIMFLOW_JOSTLE_TOKEN: 'dev-jostle-token',
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface AppUser {
  userName: string;
  meta?: { created?: string };
}

/** What the phases need of a stack, in-process or a cluster of processes. */
interface Stack {
  ingressUrls: string[];
  users(app: string): Promise<AppUser[]>;
  setRateLimit(app: string, limit: number | null): Promise<void>;
  resetRequests(app: string): Promise<void>;
  /** Requests since the last reset: answered, and refused with 429. */
  requests(app: string): Promise<{ needed: number; throttled: number }>;
  /** Reconfigures scimflow's own limit for every app (restarting its workers where need be). */
  setConfiguredRps(rps: number): Promise<void>;
  close(): Promise<void>;
  /** Accounts each app had before any hire (Jostle's sandbox seeds its API owner for /Me). */
  readonly seeded: number[];
}

async function startDevStack(rps: number, runId: string): Promise<Stack> {
  const executable = findTemporalCli();
  if (!executable) throw new Error('Temporal CLI not found: run `node scripts/ensure-temporal.mjs`');
  const port = await freePort();
  // An in-memory dev server, as `temporal server start-dev` runs by default; `--db` measures SQLite on disk.
  const dbFile = args.includes('--db')
    ? join(mkdtempSync(join(tmpdir(), 'scimflow-bench-')), `${runId}.db`)
    : undefined;
  const temporal = await startTemporalDevServer({
    executable,
    port,
    uiPort: await freePort(),
    logLevel: 'error',
    ...(dbFile ? { dbFile } : {}),
  });
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const parsed = parseConfigText(config(sandbox.url, rps), '/virtual/bench.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const composed = composeWorker(parsed.config, ENV);
  const converter = dataConverter(parsed.config, ENV);
  const workers = await startWorkers({
    connection: nativeConnection,
    apps: composed.apps,
    deps: composed.deps,
    dataConverter: converter,
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: converter });
  const ingress = buildIngress({ dispatcher: temporalDispatcher(client), secrets: [SECRET] });
  await ingress.listen({ host: '127.0.0.1', port: 0 });
  const ingressUrl = `http://127.0.0.1:${(ingress.server.address() as AddressInfo).port}/webhooks/hr`;
  const app = (name: string) => sandbox.app(name as (typeof APPS)[number]);
  return {
    ingressUrls: [ingressUrl],
    seeded: APPS.map((a) => sandbox.app(a).users().length),
    users: async (name) => app(name).users() as unknown as AppUser[],
    setRateLimit: async (name, limit) =>
      void app(name).setKnobs({ rateLimit: limit === null ? null : { limit, windowMs: 1000 } }),
    resetRequests: async (name) => app(name).controls.resetRequests(),
    requests: async (name) => {
      const c = app(name).controls.counts;
      const throttled = c.byStatus['429'] ?? 0;
      return { needed: c.total - throttled, throttled };
    },
    setConfiguredRps: async () => {
      throw new Error('the dev stack is started with its limit');
    },
    async close() {
      await ingress.close();
      await workers.shutdown();
      await composed.close();
      await nativeConnection.close();
      await connection.close();
      await sandbox.close();
      await temporal.stop();
    },
  };
}

async function startClusterStack(workers: number, rps: number): Promise<Stack> {
  const dataDir = join(root, '.data', `bench-cluster-${workers}`);
  // The configuration lives beside the data directory: a fresh start wipes the directory.
  mkdirSync(join(root, '.data'), { recursive: true });
  const configFile = join(root, '.data', `bench-cluster-${workers}.yaml`);
  writeFileSync(configFile, config('http://127.0.0.1:7100', rps));
  const cluster = await startCluster({
    dataDir,
    configFile,
    workers,
    ingresses: 2,
    fresh: true,
    freePorts: true,
    logLevel: 'warn',
    env: ENV,
    onProgress: () => undefined,
  });
  const sb = new SandboxClient(cluster.sandboxUrl!);
  for (const a of APPS) await sb.setKnobs(a, { rateLimit: null });
  return {
    ingressUrls: cluster.ingressUrls,
    seeded: await Promise.all(APPS.map(async (a) => (await sb.adminUsers(a)).length)),
    users: (name) => sb.adminUsers(name),
    setRateLimit: async (name, limit) =>
      void (await sb.setKnobs(name, { rateLimit: limit === null ? null : { limit, windowMs: 1000 } })),
    resetRequests: async (name) => void (await sb.resetRequests(name)),
    requests: async (name) => {
      const c = await sb.counts(name);
      const throttled = c.byStatus['429'] ?? 0;
      return { needed: c.total - throttled, throttled };
    },
    async setConfiguredRps(r) {
      // The workers read the limit from their configuration file: rewrite it, restart them.
      const text = readFileSync(cluster.configFile, 'utf8').replace(
        /requestsPerSecond: \d+/g,
        `requestsPerSecond: ${r}`,
      );
      writeFileSync(cluster.configFile, text);
      for (const w of cluster.workers) await w.stop(40_000);
      await Promise.all(cluster.workers.map((_, i) => cluster.startWorker(i)));
      // Let each see the others and take its share (src/worker/fleet-share.ts).
      await new Promise((res) => setTimeout(res, 4000));
    },
    close: () => cluster.stop(),
  };
}

let nextIngress = 0;
/** Hires the ingress answered 503 to (sent again). */
let resent = 0;
async function postHire(
  stack: Stack,
  n: number,
  tag: string,
): Promise<{ email: string; jumpcloudName: string; sentAt: number }> {
  const employeeId = `${tag}${n}`;
  const email = `${employeeId.toLowerCase()}@example.com`;
  const body = JSON.stringify({
    id: `evt-${employeeId}`,
    type: 'hire',
    employee: { employeeId, email, givenName: 'Bench', familyName: `Person${n}` },
  });
  const sentAt = Date.now();
  // A 503 (Temporal did not answer in time) is re-sent after its Retry-After, as an HR system's
  // webhook retries would: at most 10 times.
  for (let attempt = 1; ; attempt++) {
    const url = stack.ingressUrls[nextIngress++ % stack.ingressUrls.length]!;
    const res = await request(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-scimflow-signature': sign(SECRET, body, Math.floor(Date.now() / 1000)),
      },
    });
    await res.body.text();
    if (res.statusCode === 202) break;
    if (res.statusCode !== 503 || attempt >= 10) throw new Error(`ingress answered ${res.statusCode}`);
    resent += 1;
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers['retry-after'] ?? 1)));
  }
  return { email, jumpcloudName: email.split('@')[0]!.replace(/[^A-Za-z0-9]/g, ''), sentAt };
}

/** userName (lower-case) → meta.created (ms), per app, read from the sandbox's stores. */
async function createdIndex(stack: Stack): Promise<Map<string, number>[]> {
  return Promise.all(
    APPS.map(async (app) => {
      const m = new Map<string, number>();
      for (const u of await stack.users(app)) m.set(u.userName.toLowerCase(), Date.parse(u.meta?.created ?? ''));
      return m;
    }),
  );
}

async function waitForAccounts(stack: Stack, expected: number, deadlineMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const counts = await Promise.all(APPS.map(async (a, i) => (await stack.users(a)).length - stack.seeded[i]!));
    if (counts.every((c) => c >= expected)) return;
    if (Date.now() > deadline) throw new Error(`timed out: accounts per app ${counts.join('/')} of ${expected}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function accountTime(index: Map<string, number>[], h: { email: string; jumpcloudName: string }): number {
  const keys = [h.email, h.jumpcloudName, h.email];
  return Math.max(...index.map((m, i) => m.get(keys[i]!.toLowerCase()) ?? NaN));
}

async function runPool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

const fmt = (x: number, d = 1) => x.toFixed(d);

interface Results {
  /** Hires the ingress answered 503 to during this stack's phases. */
  resent: number;
  latency: { p50: number; p99: number; max: number };
  throughput: { secs: number; joinersPerS: number; acceptedInS: number; p50: number; p99: number };
  limited: {
    elapsed: number;
    bound: number;
    ratio: number;
    perApp: { app: string; needed: number; throttled: number }[];
    total429: number;
    totalReq: number;
  };
}

/** Phases 1 and 2 on an unlimited stack. `poll`: how often the sandbox is read (ms). */
async function fastPhases(stack: Stack, poll: number, tag: string): Promise<Pick<Results, 'latency' | 'throughput'>> {
  // warm-up (bundle, connections, JIT)
  await runPool(20, 10, (i) => postHire(stack, i, `W${tag}`));
  await waitForAccounts(stack, 20, 120_000, poll);

  const lat: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const h = await postHire(stack, i, `L${tag}`);
    await waitForAccounts(stack, 20 + i + 1, 60_000, Math.min(poll, 50));
    lat.push(accountTime(await createdIndex(stack), h) - h.sentAt);
  }
  lat.sort((a, b) => a - b);

  const base = 20 + LATENCY_SAMPLES;
  const t0 = Date.now();
  const sent = await runPool(HIRES, 32, (i) => postHire(stack, i, `T${tag}`));
  const posted = Date.now();
  await waitForAccounts(stack, base + HIRES, 900_000, poll);
  const idx = await createdIndex(stack);
  const done = Math.max(...sent.map((h) => accountTime(idx, h)));
  const secs = (done - t0) / 1000;
  const tl = sent.map((h) => accountTime(idx, h) - h.sentAt).sort((a, b) => a - b);
  return {
    latency: { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1)! },
    throughput: {
      secs,
      joinersPerS: HIRES / secs,
      acceptedInS: (posted - t0) / 1000,
      p50: percentile(tl, 50),
      p99: percentile(tl, 99),
    },
  };
}

/** Phase 3: every app limited to RPS by the sandbox and in scimflow's configuration. */
async function limitedPhase(
  stack: Stack,
  poll: number,
  tag: string,
  alreadyThere: number,
): Promise<Results['limited']> {
  for (const app of APPS) {
    await stack.setRateLimit(app, RPS);
    await stack.resetRequests(app);
  }
  const t0 = Date.now();
  const sent = await runPool(LIMITED_HIRES, 32, (i) => postHire(stack, i, `R${tag}`));
  await waitForAccounts(stack, alreadyThere + LIMITED_HIRES, 1_800_000, poll);
  const idx = await createdIndex(stack);
  const done = Math.max(...sent.map((h) => accountTime(idx, h)));
  const elapsed = (done - t0) / 1000;
  const perApp = await Promise.all(APPS.map(async (app) => ({ app, ...(await stack.requests(app)) })));
  const bound = Math.max(...perApp.map((p) => p.needed / RPS));
  const total429 = perApp.reduce((s, p) => s + p.throttled, 0);
  const totalReq = perApp.reduce((s, p) => s + p.needed + p.throttled, 0);
  return { elapsed, bound, ratio: elapsed / bound, perApp, total429, totalReq };
}

function printLatency(r: Results['latency']) {
  console.log(
    `1. event → account (3 apps), idle stack, ${LATENCY_SAMPLES} samples: p50 ${fmt(r.p50, 0)} ms, p99 ${fmt(r.p99, 0)} ms, max ${fmt(r.max, 0)} ms  (target p99 ≤ 1000 ms)`,
  );
}
function printThroughput(r: Results['throughput']) {
  console.log(
    `2. throughput, no rate limits: ${HIRES} joiners in ${fmt(r.secs, 2)} s = ${fmt(r.joinersPerS)} joiners/s (${fmt((HIRES * APPS.length) / r.secs)} accounts/s); ingress accepted all in ${fmt(r.acceptedInS, 2)} s; event → account under load p50 ${fmt(r.p50, 0)} ms, p99 ${fmt(r.p99, 0)} ms`,
  );
}
function printLimited(r: Results['limited']) {
  console.log(
    `3. rate-limited to ${RPS} req/s per app: ${LIMITED_HIRES} joiners in ${fmt(r.elapsed, 2)} s; bound from requests needed (${r.perApp.map((p) => `${p.app} ${p.needed}`).join(', ')}) = ${fmt(r.bound, 2)} s → ${fmt(r.ratio, 3)}× the bound (target ≤ 1.10×); 429s: ${r.total429} of ${r.totalReq} requests = ${fmt((100 * r.total429) / Math.max(1, r.totalReq), 2)} % (target ≤ 1 %)`,
  );
}

async function runDev(): Promise<Results> {
  resent = 0;
  const fast = await startDevStack(10_000, 'fast');
  let a: Pick<Results, 'latency' | 'throughput'>;
  try {
    a = await fastPhases(fast, 50, '');
    if (!CLUSTER) {
      printLatency(a.latency);
      printThroughput(a.throughput);
    }
  } finally {
    await fast.close();
  }
  const limited = await startDevStack(RPS, 'limited');
  try {
    const l = await limitedPhase(limited, 50, '', 0);
    if (!CLUSTER) printLimited(l);
    return { ...a, limited: l, resent };
  } finally {
    await limited.close();
  }
}

async function runCluster(workers: number): Promise<Results> {
  resent = 0;
  const t0 = Date.now();
  const stack = await startClusterStack(workers, 10_000);
  console.log(`   cluster with ${workers} worker(s) up in ${fmt((Date.now() - t0) / 1000, 0)} s`);
  try {
    const tag = `C${workers}`;
    const a = await fastPhases(stack, 250, tag);
    await stack.setConfiguredRps(RPS);
    const l = await limitedPhase(stack, 500, tag, 20 + LATENCY_SAMPLES + HIRES);
    return { ...a, limited: l, resent };
  } finally {
    await stack.close();
    // PostgreSQL's data is a few hundred MB; the logs stay.
    for (const d of ['pg', 'temporal', 'sandbox.json', 'workflow-bundle.js'])
      rmSync(join(root, '.data', `bench-cluster-${workers}`, d), { recursive: true, force: true });
  }
}

async function main() {
  installRuntime(createLogger({ level: 'error' }));
  if (!CLUSTER) {
    console.log(
      `scimflow e2e benchmark — ${HIRES} hires × ${APPS.length} apps; limited phase ${LIMITED_HIRES} hires at ${RPS} req/s per app\n`,
    );
    await runDev();
  } else {
    console.log(
      `scimflow e2e benchmark, dev server vs cluster — ${HIRES} hires × ${APPS.length} apps; limited phase ${LIMITED_HIRES} hires at ${RPS} req/s per app; ${LATENCY_SAMPLES} latency samples; workers ${WORKER_COUNTS.join(', ')}\n`,
    );
    const columns: { name: string; r: Results }[] = [];
    console.log('   dev server (in-process worker and ingress, Temporal dev server in memory)…');
    columns.push({ name: 'dev server', r: await runDev() });
    for (const n of WORKER_COUNTS) {
      console.log(`   cluster, ${n} worker(s), 2 ingresses (PostgreSQL, temporal-server)…`);
      columns.push({ name: `cluster ×${n}`, r: await runCluster(n) });
    }
    const rows: [string, (r: Results) => string][] = [
      ['latency p50 / p99 (ms)', (r) => `${fmt(r.latency.p50, 0)} / ${fmt(r.latency.p99, 0)}`],
      ['throughput, no limit (joiners/s)', (r) => fmt(r.throughput.joinersPerS)],
      ['  under load p50 / p99 (ms)', (r) => `${fmt(r.throughput.p50, 0)} / ${fmt(r.throughput.p99, 0)}`],
      [`limited to ${RPS}/s: elapsed (s)`, (r) => fmt(r.limited.elapsed, 1)],
      ['  bound (s)', (r) => fmt(r.limited.bound, 1)],
      ['  ratio (target ≤ 1.10)', (r) => fmt(r.limited.ratio, 3)],
      [
        '  429s (target ≤ 1 %)',
        (r) => `${r.limited.total429} = ${fmt((100 * r.limited.total429) / Math.max(1, r.limited.totalReq), 2)} %`,
      ],
      ['hires re-sent after a 503', (r) => String(r.resent)],
    ];
    const w0 = Math.max(...rows.map(([l]) => l.length)) + 2;
    const w = Math.max(14, ...columns.map((c) => c.name.length + 2));
    console.log('');
    console.log(''.padEnd(w0) + columns.map((c) => c.name.padStart(w)).join(''));
    for (const [label, f] of rows) console.log(label.padEnd(w0) + columns.map((c) => f(c.r).padStart(w)).join(''));
  }
  const mem = process.memoryUsage();
  console.log(
    `RSS at the end of the process hosting ${CLUSTER ? 'the benchmark (and the dev stack)' : 'worker, ingress and sandbox apps'}: ${fmt(mem.rss / 2 ** 20)} MiB (heap used ${fmt(mem.heapUsed / 2 ** 20)} MiB)`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

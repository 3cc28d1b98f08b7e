// End-to-end benchmark: signed HR hires through the real ingress (HTTP), a real Temporal dev server,
// the worker and the sandbox apps (HTTP). Each hire grants 3 apps without approval.
//
//   npm run bench:e2e [-- --hires 1000 --limited-hires 1000 --latency-samples 100 --rps 20]
//
// Phases (one fresh person per hire):
//   1. latency on an idle stack: hires sent one at a time; event → account in all 3 apps, from the
//      POST to the sandbox's own `meta.created` of the last of the 3 accounts; p50 / p99.
//   2. throughput with no rate limits: N hires posted with 32 in flight; joiners per second.
//   3. with every sandbox app limited to R requests/second (429 + Retry-After past it) and the
//      same limit configured in scimflow: elapsed time ÷ the bound those limits impose on the
//      requests actually needed (max over apps of requests_app / R), plus the 429s received.
// Prints worker RSS at the end. Bounded: every wait has a deadline.
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
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
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { createLogger } from '../../src/shared/logger';
import { composeWorker } from '../../src/worker/compose';
import { installRuntime } from '../../src/worker/runtime';
import { startWorkers } from '../../src/worker/workers';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const HIRES = arg('hires', 1000);
const LIMITED_HIRES = arg('limited-hires', 1000);
const LATENCY_SAMPLES = arg('latency-samples', 100);
const RPS = arg('rps', 20);
const APPS = ['generic', 'jumpcloud', 'jostle'] as const;
const SECRET = 'bench-webhook-secret-0123456789';

const config = (sandbox: string, rps: number) => `
temporal: { address: 127.0.0.1:7233, namespace: default, taskQueue: scimflow }
ingress: { host: 127.0.0.1, port: 8080, webhookSecret: "\${SCIMFLOW_WEBHOOK_SECRET}" }
apps:
  generic:
    kind: generic
    baseUrl: "${sandbox}/generic/scim/v2"
    auth: { type: bearer, token: "\${SCIMFLOW_GENERIC_TOKEN}" }
    rateLimit: { requestsPerSecond: ${rps} }
  jumpcloud:
    kind: jumpcloud
    baseUrl: "${sandbox}/jumpcloud/scim/v2"
    auth: { type: apiKey, header: x-api-key, key: "\${SCIMFLOW_JUMPCLOUD_TOKEN}" }
    rateLimit: { requestsPerSecond: ${rps} }
  jostle:
    kind: jostle
    baseUrl: "${sandbox}/jostle/scim/v2"
    auth: { type: bearer, token: "\${SCIMFLOW_JOSTLE_TOKEN}" }
    rateLimit: { requestsPerSecond: ${rps} }
rules:
  birthright:
    - name: everyone
      when: {}
      grant: [{ app: generic }, { app: jumpcloud }, { app: jostle }]
approvals:
  generic: { required: false }
  jumpcloud: { required: false }
  jostle: { required: false }
joiner:
  allOrNothing: []
`;
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

interface Stack {
  sandbox: SandboxHandle;
  ingressUrl: string;
  close(): Promise<void>;
}

async function startStack(rps: number, runId: string): Promise<Stack> {
  const executable = findTemporalCli();
  if (!executable) throw new Error('Temporal CLI not found: run `node scripts/ensure-temporal.mjs`');
  const port = await freePort();
  // An in-memory dev server, as `temporal server start-dev` runs by default; `--db` measures SQLite on disk.
  const dbFile = args.includes('--db') ? join(mkdtempSync(join(tmpdir(), 'scimflow-bench-')), `${runId}.db`) : undefined;
  const temporal = await startTemporalDevServer({ executable, port, uiPort: await freePort(), logLevel: 'error', ...(dbFile ? { dbFile } : {}) });
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const parsed = parseConfigText(config(sandbox.url, rps), '/virtual/bench.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const composed = composeWorker(parsed.config, ENV);
  const workers = await startWorkers({ connection: nativeConnection, apps: composed.apps, deps: composed.deps });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const ingress = buildIngress({ dispatcher: temporalDispatcher(client), secrets: [SECRET] });
  await ingress.listen({ host: '127.0.0.1', port: 0 });
  const ingressUrl = `http://127.0.0.1:${(ingress.server.address() as AddressInfo).port}/webhooks/hr`;
  const stack: Stack = {
    sandbox,
    ingressUrl,
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
  seeded.set(stack, APPS.map((a) => sandbox.app(a).users().length));
  return stack;
}

async function postHire(stack: Stack, n: number, tag: string): Promise<{ email: string; jumpcloudName: string; sentAt: number }> {
  const employeeId = `${tag}${n}`;
  const email = `${employeeId.toLowerCase()}@example.com`;
  const body = JSON.stringify({ id: `evt-${employeeId}`, type: 'hire', employee: { employeeId, email, givenName: 'Bench', familyName: `Person${n}` } });
  const sentAt = Date.now();
  const res = await request(stack.ingressUrl, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-scimflow-signature': sign(SECRET, body, Math.floor(sentAt / 1000)) },
  });
  await res.body.text();
  if (res.statusCode !== 202) throw new Error(`ingress answered ${res.statusCode}`);
  return { email, jumpcloudName: email.split('@')[0]!.replace(/[^A-Za-z0-9]/g, ''), sentAt };
}

/** userName (lower-case) → meta.created (ms), per app, read from the sandbox's stores. */
function createdIndex(sandbox: SandboxHandle): Map<string, number>[] {
  return APPS.map((app) => {
    const m = new Map<string, number>();
    for (const u of sandbox.app(app).users() as unknown as { userName: string; meta?: { created?: string } }[]) {
      m.set(u.userName.toLowerCase(), Date.parse(u.meta?.created ?? ''));
    }
    return m;
  });
}

/** Accounts an app had before any hire (Jostle's sandbox seeds its API owner for /Me). */
const seeded = new WeakMap<Stack, number[]>();

async function waitForAccounts(stack: Stack, expected: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  const base = seeded.get(stack) ?? APPS.map(() => 0);
  for (;;) {
    const counts = APPS.map((a, i) => stack.sandbox.app(a).users().length - base[i]!);
    if (counts.every((c) => c >= expected)) return;
    if (Date.now() > deadline) throw new Error(`timed out: accounts per app ${counts.join('/')} of ${expected}`);
    await new Promise((r) => setTimeout(r, 50));
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

async function main() {
  installRuntime(createLogger({ level: 'error' }));
  const fmt = (x: number, d = 1) => x.toFixed(d);
  console.log(`scimflow e2e benchmark — ${HIRES} hires × ${APPS.length} apps; limited phase ${LIMITED_HIRES} hires at ${RPS} req/s per app\n`);

  // Phases 1 and 2: no rate limits.
  const fast = await startStack(10_000, 'fast');
  try {
    // warm-up (bundle, connections, JIT)
    await runPool(20, 10, (i) => postHire(fast, i, 'W'));
    await waitForAccounts(fast, 20, 60_000);

    const lat: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const h = await postHire(fast, i, 'L');
      await waitForAccounts(fast, 20 + i + 1, 30_000);
      lat.push(accountTime(createdIndex(fast.sandbox), h) - h.sentAt);
    }
    lat.sort((a, b) => a - b);
    console.log(`1. event → account (3 apps), idle stack, ${LATENCY_SAMPLES} samples: p50 ${fmt(percentile(lat, 50), 0)} ms, p99 ${fmt(percentile(lat, 99), 0)} ms, max ${fmt(lat.at(-1)!, 0)} ms  (target p99 ≤ 1000 ms)`);

    const base = 20 + LATENCY_SAMPLES;
    const t0 = Date.now();
    const sent = await runPool(HIRES, 32, (i) => postHire(fast, i, 'T'));
    const posted = Date.now();
    await waitForAccounts(fast, base + HIRES, 600_000);
    const idx = createdIndex(fast.sandbox);
    const done = Math.max(...sent.map((h) => accountTime(idx, h)));
    const secs = (done - t0) / 1000;
    const tl = sent.map((h) => accountTime(idx, h) - h.sentAt).sort((a, b) => a - b);
    console.log(
      `2. throughput, no rate limits: ${HIRES} joiners in ${fmt(secs, 2)} s = ${fmt(HIRES / secs)} joiners/s (${fmt((HIRES * APPS.length) / secs)} accounts/s); ingress accepted all in ${fmt((posted - t0) / 1000, 2)} s; event → account under load p50 ${fmt(percentile(tl, 50), 0)} ms, p99 ${fmt(percentile(tl, 99), 0)} ms`,
    );
  } finally {
    await fast.close();
  }

  // Phase 3: every app limited to RPS requests/second, by the sandbox and in scimflow's config.
  const limited = await startStack(RPS, 'limited');
  try {
    for (const app of APPS) limited.sandbox.app(app).setKnobs({ rateLimit: { limit: RPS, windowMs: 1000 } });
    const t0 = Date.now();
    const sent = await runPool(LIMITED_HIRES, 32, (i) => postHire(limited, i, 'R'));
    await waitForAccounts(limited, LIMITED_HIRES, 900_000);
    const idx = createdIndex(limited.sandbox);
    const done = Math.max(...sent.map((h) => accountTime(idx, h)));
    const elapsed = (done - t0) / 1000;
    const perApp = APPS.map((app) => {
      const log = limited.sandbox.app(app).requests();
      return { app, needed: log.filter((r) => r.status !== 429).length, throttled: log.filter((r) => r.status === 429).length };
    });
    const bound = Math.max(...perApp.map((p) => p.needed / RPS));
    const total429 = perApp.reduce((s, p) => s + p.throttled, 0);
    const totalReq = perApp.reduce((s, p) => s + p.needed + p.throttled, 0);
    console.log(
      `3. rate-limited to ${RPS} req/s per app: ${LIMITED_HIRES} joiners in ${fmt(elapsed, 2)} s; bound from requests needed (${perApp.map((p) => `${p.app} ${p.needed}`).join(', ')}) = ${fmt(bound, 2)} s → ${fmt(elapsed / bound, 3)}× the bound (target ≤ 1.10×); 429s: ${total429} of ${totalReq} requests = ${fmt((100 * total429) / Math.max(1, totalReq), 2)} % (target ≤ 1 %)`,
    );
  } finally {
    await limited.close();
  }
  const mem = process.memoryUsage();
  console.log(`RSS at the end of the process hosting worker, ingress and sandbox apps: ${fmt(mem.rss / 2 ** 20)} MiB (heap used ${fmt(mem.heapUsed / 2 ** 20)} MiB)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

// Bulk onboarding benchmark: day one of a company of N (default 1,000) on an app that already holds
// an account for 90 % of them (bench/onboarding/scenario.ts: 40 % in sync, 40 % to adopt, 10 %
// drifted, 10 % missing; plus 10 % accounts of nobody), behind a limit of R requests/second
// (default 20; 429 + Retry-After past it, the same limit configured in scimflow). One import with
// observation hints, through a real Temporal dev server, the worker and the sandbox (HTTP).
//
//   npm run bench:onboarding [-- --people 1000 --rps 20]
//
// Prints requests per account (target ≤ 1.05), the time from the start of the import (known
// people, scan, dispatch) until every controller has settled against the bound the limit puts on
// the requests made (requests ÷ R; target ≤ 1.10×), 429s and duplicates (target 0); and where the
// time went: when the requests flowed and at what rate, how long first workflow tasks queued, who
// settled last.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { parseConfigText } from '../../src/config';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { startTemporalDevServer } from '../../src/dev/temporal-server';
import { formatProgress } from '../../src/cli/import';
import { runImport, waitForSettled } from '../../src/roster/import';
import { forEachLimit } from '../../src/roster/temporal';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { startSandbox } from '../../src/sandbox';
import { createLogger } from '../../src/shared/logger';
import { composeWorker } from '../../src/worker/compose';
import { installRuntime } from '../../src/worker/runtime';
import { startWorkers } from '../../src/worker/workers';
import { company, seedGeneric, tally } from './scenario';
import { sandboxConfig } from '../../test/helpers/sandbox-config';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const PEOPLE = arg('people', 1000);
const EventType = proto.api.enums.v1.EventType;

/** A child's CPU seconds so far (Linux /proc; 0 elsewhere). */
function childCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}
const RPS = arg('rps', 20);

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

async function main() {
  installRuntime(createLogger({ level: (process.env.BENCH_LOG_LEVEL as 'error') ?? 'error' }));
  const executable = findTemporalCli();
  if (!executable) throw new Error('Temporal CLI not found: run `node scripts/ensure-temporal.mjs`');
  const temporal = await startTemporalDevServer({
    executable,
    port: await freePort(),
    uiPort: await freePort(),
    logLevel: 'error',
    ...(args.includes('--db') ? { dbFile: join(mkdtempSync(join(tmpdir(), 'scimflow-bench-')), 'onboarding.db') } : {}),
  });
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
  const parsed = parseConfigText(
    sandboxConfig({ sandbox: sandbox.url, apps: { generic: RPS }, temporalAddress: temporal.address }),
    '/virtual/bench-onboarding.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const env = { SCIMFLOW_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789', SCIMFLOW_GENERIC_TOKEN: 'dev-token' };
  const composed = composeWorker(parsed.config, env);
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const workers = await startWorkers({ connection: nativeConnection, apps: composed.apps, deps: composed.deps });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  try {
    const c = company(PEOPLE, 'D');
    const desire = (e: Parameters<typeof composed.deps.desire>[0]) => composed.deps.desire(e);
    const seeded = await seedGeneric(sandbox, c, desire, 'D');
    const app = sandbox.app('generic');
    app.controls.log.length = 0;
    app.setKnobs({ rateLimit: { limit: RPS, windowMs: 1000 } });
    console.log(
      `scimflow onboarding benchmark — ${PEOPLE} employees onto generic holding ${seeded} accounts, ${RPS} req/s (429 past it)\n`,
    );

    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const serverCpu0 = childCpuSeconds(temporal.process.pid);
    const result = await runImport({
      client,
      entries: c.entries,
      dryRun: false,
      hints: 'auto',
      connectors: composed.connectors,
      desire,
    });
    const dispatched = Date.now();
    let last = 0;
    const wait = await waitForSettled(client, result.plan.items, {
      startedAt: t0,
      pollMs: 500,
      onProgress: (p) => {
        if (Date.now() - last < 5_000 && p.done !== p.total) return;
        last = Date.now();
        console.log(`  ${formatProgress(p)}`);
      },
    });
    const elapsed = (Date.now() - t0) / 1000;
    // CPU of the run alone: what follows (reading histories for the figures below) is not part of it.
    const cpu = process.cpuUsage(cpu0);
    const serverCpu = childCpuSeconds(temporal.process.pid) - serverCpu0;
    const t = tally(sandbox, c);
    const bound = t.requests / RPS;
    const perAccount = t.requests / PEOPLE;
    console.log(
      `\nplan: ${JSON.stringify(result.plan.counts)}; scans: ${JSON.stringify(result.scans)}; known people + scan + dispatch ${((dispatched - t0) / 1000).toFixed(2)} s (${Object.entries(
        result.phases,
      )
        .map(([k, ms]) => `${k.replace(/Ms$/, '')} ${(ms / 1000).toFixed(2)} s`)
        .join(', ')})`,
    );
    console.log(
      `requests: ${t.requests} for ${PEOPLE} accounts = ${perAccount.toFixed(3)} per account (target ≤ 1.05)`,
    );
    console.log(
      `duration: ${elapsed.toFixed(2)} s; bound ${t.requests} / ${RPS} = ${bound.toFixed(2)} s → ${(elapsed / bound).toFixed(3)}× the bound (target ≤ 1.10×)`,
    );
    // Where the time went: before the first request, while they flowed, after the last.
    const times = sandbox
      .app('generic')
      .requests()
      .filter((r) => r.status !== 429)
      .map((r) => Date.parse(r.at))
      .sort((a, b) => a - b);
    if (times.length > 1) {
      const first = (times[0]! - t0) / 1000;
      const last = (times.at(-1)! - t0) / 1000;
      console.log(
        `requests flowed from +${first.toFixed(2)} s to +${last.toFixed(2)} s: ${((times.length - 1) / (last - first)).toFixed(2)}/s of ${RPS}; settled ${(elapsed - last).toFixed(2)} s after the last`,
      );
    }
    // The tail: how long each person's first workflow task waited in the queue, and who settled last.
    const ms = (e: proto.api.history.v1.IHistoryEvent) =>
      Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    const queued: number[] = [];
    let lastSettled = { at: 0, id: '' };
    await forEachLimit(c.entries, 16, async (entry) => {
      const id = entry.employee.employeeId;
      const events = (await client.workflow.getHandle(identityWorkflowId(id)).fetchHistory()).events ?? [];
      const scheduled = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
      const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
      if (scheduled && started) queued.push(ms(started) - ms(scheduled));
      const last = events.at(-1);
      if (last && ms(last) > lastSettled.at) lastSettled = { at: ms(last), id };
    });
    queued.sort((a, b) => a - b);
    if (queued.length)
      console.log(
        `first workflow task queued: median ${(queued[queued.length >> 1]! / 1000).toFixed(2)} s, max ${(queued.at(-1)! / 1000).toFixed(2)} s; the last to settle: ${lastSettled.id} (${c.kinds.get(lastSettled.id)}) at +${((lastSettled.at - t0) / 1000).toFixed(2)} s`,
      );
    console.log(
      `429s: ${t.throttled}; duplicate userNames: ${t.duplicates.length}; employees without exactly one active linked account: ${t.missing.length}; unsettled: ${wait.unsettled.length}`,
    );
    // What one person costs Temporal, by kind: workflow tasks, activities and history events.
    for (const kind of ['in-sync', 'adopt', 'drifted', 'absent'] as const) {
      const id = [...c.kinds].find(([, k]) => k === kind)?.[0];
      if (!id) continue;
      const events = (await client.workflow.getHandle(identityWorkflowId(id)).fetchHistory()).events ?? [];
      const count = (t: proto.api.enums.v1.EventType) => events.filter((e) => e.eventType === t).length;
      console.log(
        `  a person ${kind.padEnd(7)}: ${count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)} workflow tasks, ${count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)} activities, ${events.length} events`,
      );
    }
    console.log(
      `CPU during the run: this process (worker, sandbox, import) ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, Temporal dev server ${serverCpu.toFixed(1)} s, over ${elapsed.toFixed(1)} s on ${availableParallelism()} cores`,
    );
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(`RSS (worker, sandbox, import in one process): ${rss.toFixed(0)} MiB`);
    if (t.duplicates.length || t.missing.length || wait.unsettled.length) process.exitCode = 1;
  } finally {
    await workers.shutdown();
    await composed.close();
    await nativeConnection.close();
    await connection.close();
    await sandbox.close();
    await temporal.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

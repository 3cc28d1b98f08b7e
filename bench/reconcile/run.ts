// Reconcile benchmark: `npm run bench:reconcile` (node --expose-gc -r tsx/cjs bench/reconcile/run.ts [accounts]; the CJS hook only:
// the ESM hook runs a loader thread of its own, ~35 MB of RSS that is not the scanner's).
// Scans 100,000 accounts of one app (the sandbox in a child process, seeded through its store)
// against 90,000 known people, streamed page by page, and prints time and peak RSS against the
// targets (≤ 30 s, ≤ 150 MB).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createConnector } from '../../src/connectors';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import { indexPeople, type KnownPerson } from '../../src/domain/reconcile';
import { scanApp } from '../../src/reconcile/scan';

const N = Number(process.argv[2] ?? 100_000);
const TARGET_S = 30;
const TARGET_MB = 150;

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sandbox-child.ts'), String(N)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`sandbox exited ${c}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  try {
    const leaver = { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: null };
    // Streamed into the index as reconcile streams them from the controllers: never all held as objects.
    function* people(): Generator<KnownPerson> {
      for (let i = 0; i < N; i++) {
        if (i % 10 === 0) continue;
        yield {
          employeeId: `E${i}`,
          status: i % 50 === 1 ? 'left' : 'employed',
          since: Date.parse('2026-02-01T00:00:00Z'),
          desire: {
            user: {
              userName: `user${i}@example.com`,
              externalId: `E${i}`,
              name: { givenName: 'User', familyName: `N${i}` },
              title: 'Engineer',
            },
            granted: true,
            groups: [],
            managedGroups: [],
            managedAttributes: ['externalId', 'name', 'title'],
            groupsSupported: false,
            leaver,
          },
        };
      }
    }
    global.gc?.();
    const rssStart = process.memoryUsage().rss;
    const idx = indexPeople(people(), { by: 'externalId' });
    const connector = createConnector({
      name: 'generic',
      kind: 'generic',
      baseUrl: `${url}/generic/scim/v2`,
      auth: { type: 'bearer', token: DEV_CREDENTIALS.genericToken },
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = process.hrtime.bigint();
    const summary = await scanApp(connector, idx, { app: 'generic', paidSeats: true, sampleLimit: 1000 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    await connector.close();
    const mb = peak / 2 ** 20;
    process.stdout.write(
      [
        `reconcile scan: ${summary.total} accounts, ${idx.size} known people`,
        `  counts: ${JSON.stringify(summary.counts)}; idle paid seats: ${summary.seats.orphans} orphans, ${summary.seats.leavers} leavers`,
        `  time ${seconds.toFixed(2)} s (target ≤ ${TARGET_S} s, ratio ${(seconds / TARGET_S).toFixed(2)}) — ${(summary.total / seconds).toFixed(0)} accounts/s`,
        `  peak RSS ${mb.toFixed(0)} MB (target ≤ ${TARGET_MB} MB, ratio ${(mb / TARGET_MB).toFixed(2)}); ${(rssStart / 2 ** 20).toFixed(0)} MB runtime, ${(rssBefore / 2 ** 20).toFixed(0)} MB with the index of ${idx.size} people, the scan itself +${((peak - rssBefore) / 2 ** 20).toFixed(0)} MB`,
        `  ${seconds <= TARGET_S && mb <= TARGET_MB ? 'PASS' : 'FAIL'}`,
      ].join('\n') + '\n',
    );
    if (seconds > TARGET_S || mb > TARGET_MB) process.exitCode = 1;
  } finally {
    child.kill();
  }
}
void main();

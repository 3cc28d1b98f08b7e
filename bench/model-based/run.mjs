// The model-based end-to-end test (test/e2e/model-based.test.ts), longer: more people, several seeds.
//   npm run bench:model [-- --seeds 1,2,3,4,5 --people 50 --burn 3]
// `--burn N` runs N busy processes beside each seed, so the worker and the server are starved the
// way a loaded host starves them: task timings move, queries meet tasks mid-way, and a workflow
// change that is deterministic only on an idle machine shows. (20 people with --burn 3 caught the
// local-activity rules of branch h-local-desire in 3 of 4 seeded runs; 10 people alone on a quiet
// machine, in none of 4.) Each burner stops by itself after 15 minutes at most, and is killed when
// its seed ends.
// Prints each seed's outcome and wall time; exits non-zero if any seed fails.
import { spawn, spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const seeds = String(arg('seeds', '1,2,3,4,5')).split(',').map(Number);
const people = Number(arg('people', 50));
const burn = Number(arg('burn', 0));
const BURN_AT_MOST_MS = 15 * 60_000;
let failed = 0;
for (const seed of seeds) {
  const burners = Array.from({ length: burn }, () =>
    spawn(process.execPath, ['-e', `const end = Date.now() + ${BURN_AT_MOST_MS}; while (Date.now() < end);`], {
      stdio: 'ignore',
    }),
  );
  const started = Date.now();
  const r = spawnSync(process.execPath, ['node_modules/.bin/jest', 'test/e2e/model-based.test.ts'], {
    env: {
      ...process.env,
      SCIMFLOW_SEED: String(seed),
      SCIMFLOW_MODEL_PEOPLE: String(people),
      SCIMFLOW_MODEL_TIMEOUT_MS: '600000',
    },
    encoding: 'utf8',
  });
  for (const b of burners) b.kill('SIGKILL');
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(
    `seed ${seed}, ${people} people${burn ? `, ${burn} busy processes beside it` : ''}: ${ok ? 'converged' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (!ok)
    console.log(
      (r.stdout + r.stderr)
        .split('\n')
        .filter((l) => !/^\s+at /.test(l))
        .slice(-60)
        .join('\n'),
    );
}
process.exit(failed ? 1 : 0);

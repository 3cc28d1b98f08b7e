// The model-based end-to-end test (test/e2e/model-based.test.ts), longer: more people, several seeds.
//   npm run bench:model [-- --seeds 1,2,3,4,5 --people 50]
// Prints each seed's outcome and wall time; exits non-zero if any seed fails.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const seeds = String(arg('seeds', '1,2,3,4,5')).split(',').map(Number);
const people = Number(arg('people', 50));
let failed = 0;
for (const seed of seeds) {
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
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(
    `seed ${seed}, ${people} people: ${ok ? 'converged' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
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

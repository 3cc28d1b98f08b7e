// SCIM core benchmark: `npx tsx bench/scim-core/run.ts` (or `npm run bench:scim`).
// Compares, on one seeded corpus, the SCIM core with independent implementations:
//   filters     vs scim2-parse-filter and scim-query-filter-parser
//   patch apply vs scim-patch
//   generation  vs fast-json-patch `compare` (JSON Patch diff of the same document pairs)
import { compare as jsonCompare } from 'fast-json-patch';
import { scimPatch } from 'scim-patch';
import { filter as s2Filter, parse as s2Parse } from 'scim2-parse-filter';
import { compileFilter as sqCompile } from 'scim-query-filter-parser';
import { type PatchOp, applyPatch, compileFilter, generatePatch } from '../../src/scim';
import { FILTERS, makeCorpus } from './corpus';
import { type Case, type Result, checksum, compare } from './harness';

type Obj = Record<string, unknown>;
type Pred = (r: Obj) => boolean;

const SEED = 20261124;
const USERS = 1000;
const started = process.hrtime.bigint();
const { users, desired } = makeCorpus(SEED, USERS);
const patches: PatchOp[] = users.map((u, i) => generatePatch(u, desired[i] as Obj));
const opCount = patches.reduce((n, p) => n + p.Operations.length, 0);

const rows: string[] = [];
function report(
  title: string,
  target: { ratio: number; against: 'fastest' | 'each' } | undefined,
  results: Result[],
): void {
  const ours = results[0] as Result;
  const peers = results.slice(1);
  rows.push(`\n${title}`);
  for (const r of results) {
    const ratio = r === ours ? '' : `  ours/peer = ${(ours.opsPerSec / r.opsPerSec).toFixed(2)}x`;
    rows.push(`  ${r.name.padEnd(34)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12)} ops/s${ratio}`);
  }
  if (target) {
    const fastest = Math.max(...peers.map((p) => p.opsPerSec));
    const ratio = ours.opsPerSec / fastest;
    rows.push(
      `  target ≥ ${target.ratio}x fastest peer: ${ratio.toFixed(2)}x ${ratio >= target.ratio ? 'MET' : 'MISSED'}`,
    );
  }
  console.log(rows.splice(0).join('\n'));
}

console.log(
  `SCIM core benchmark — seed ${SEED}, ${USERS} users, ${FILTERS.length} filters, ${patches.length} patches (${opCount} operations), node ${process.version}`,
);

// 1. Filter parse + evaluate: each (filter, user) pair parses, compiles and evaluates once.
{
  const pairs = FILTERS.length * 50;
  const sample = users.slice(0, 50);
  const each = (mk: (f: string) => Pred) => () => {
    let n = 0;
    for (const f of FILTERS) for (const u of sample) if (mk(f)(u)) n++;
    return n;
  };
  report(
    'filter parse + evaluate (one parse per evaluation)',
    undefined,
    compare([
      { name: 'scimflow compileFilter', run: each((f) => compileFilter(f)), ops: pairs },
      { name: 'scim2-parse-filter filter(parse)', run: each((f) => s2Filter(s2Parse(f)) as Pred), ops: pairs },
      { name: 'scim-query-filter-parser', run: each((f) => sqCompile(f) as Pred), ops: pairs },
    ]),
  );
}

// 2. Compiled filter evaluation: compile each filter once, evaluate over the whole corpus.
{
  const evals = FILTERS.length * users.length;
  const over =
    (preds: Pred[]): Case['run'] =>
    () => {
      let n = 0;
      for (const p of preds) for (let i = 0; i < users.length; i++) if (p(users[i] as Obj)) n++;
      return n;
    };
  report(
    'compiled filter evaluation',
    { ratio: 3, against: 'fastest' },
    compare([
      { name: 'scimflow compileFilter', run: over(FILTERS.map((f) => compileFilter(f))), ops: evals },
      {
        name: 'scim2-parse-filter filter(parse)',
        run: over(FILTERS.map((f) => s2Filter(s2Parse(f)) as Pred)),
        ops: evals,
      },
      { name: 'scim-query-filter-parser', run: over(FILTERS.map((f) => sqCompile(f) as Pred)), ops: evals },
    ]),
  );
}

// 3. Patch apply, non-mutating on both sides (scim-patch copies with mutateDocument: false).
{
  let peerErrors = 0;
  report(
    'patch apply (one PatchOp per user)',
    { ratio: 1.5, against: 'fastest' },
    compare([
      {
        name: 'scimflow applyPatch',
        run: () => {
          let n = 0;
          for (let i = 0; i < users.length; i++)
            n += Object.keys(applyPatch(users[i] as Obj, patches[i] as PatchOp)).length;
          return n;
        },
        ops: users.length,
      },
      {
        name: 'scim-patch scimPatch',
        run: () => {
          let n = 0;
          for (let i = 0; i < users.length; i++) {
            try {
              n += Object.keys(
                scimPatch(users[i] as never, (patches[i] as PatchOp).Operations as never, {
                  mutateDocument: false,
                  treatMissingAsAdd: true,
                }),
              ).length;
            } catch {
              peerErrors++;
            }
          }
          return n;
        },
        ops: users.length,
      },
    ]),
  );
  if (peerErrors > 0) console.log(`  (scim-patch threw on ${peerErrors} applications)`);
}

// 4. Patch generation vs a generic JSON diff of the same pairs.
report(
  'patch generation (same document pairs)',
  { ratio: 1, against: 'fastest' },
  compare([
    {
      name: 'scimflow generatePatch',
      run: () => {
        let n = 0;
        for (let i = 0; i < users.length; i++) n += generatePatch(users[i] as Obj, desired[i] as Obj).Operations.length;
        return n;
      },
      ops: users.length,
    },
    {
      name: 'fast-json-patch compare',
      run: () => {
        let n = 0;
        for (let i = 0; i < users.length; i++) n += jsonCompare(users[i] as Obj, desired[i] as Obj).length;
        return n;
      },
      ops: users.length,
    },
  ]),
);

console.log(`\nchecksum ${checksum()}; total ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);

// Minimal timing harness: warm-up, then alternating timed rounds per implementation, median of
// rounds. Results feed a checksum so the JIT cannot discard the work.

export interface Case {
  name: string;
  /** Runs one batch; returns a value folded into the checksum. */
  run: () => number;
  /** Operations one `run()` performs. */
  ops: number;
}

export interface Result {
  name: string;
  opsPerSec: number;
}

let sink = 0;
export function checksum(): number {
  return sink;
}

function timeOnce(c: Case, budgetNs: bigint): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  let now = start;
  while (now - start < budgetNs) {
    sink = (sink + c.run()) | 0;
    ops += c.ops;
    now = process.hrtime.bigint();
  }
  return (ops * 1e9) / Number(now - start);
}

/** Measures the cases against each other: `rounds` rounds of `roundMs` each, interleaved. */
export function compare(cases: Case[], { warmupMs = 300, roundMs = 250, rounds = 5 } = {}): Result[] {
  for (const c of cases) timeOnce(c, BigInt(warmupMs) * 1_000_000n);
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => samples[i]!.push(timeOnce(c, BigInt(roundMs) * 1_000_000n)));
  }
  return cases.map((c, i) => {
    const s = [...samples[i]!].sort((a, b) => a - b);
    return { name: c.name, opsPerSec: s[Math.floor(s.length / 2)]! };
  });
}

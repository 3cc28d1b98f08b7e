// The architectural boundaries are enforced by lint, not by convention: these snippets, linted as
// if they stood in src/workflows or src/scim with the project's real configuration, must be
// refused — and the legitimate form accepted.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const WF = 'src/workflows/boundary-probe.ts';
const SCIM = 'src/scim/boundary-probe.ts';
const IMPORTS = '@typescript-eslint/no-restricted-imports';

const workflowRefusals: [string, string][] = [
  ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", IMPORTS],
  ["import { request } from 'undici';\nexport const x = request;", IMPORTS],
  ["import pino from 'pino';\nexport const x = pino;", IMPORTS],
  ["import { createActivities } from '../activities';\nexport const x = createActivities;", IMPORTS],
  ['export const t = Date.now();', 'no-restricted-properties'],
  ['export const r = Math.random();', 'no-restricted-properties'],
  ['export const e = process.env.X;', 'no-restricted-globals'],
  // Type-aware: a promise nobody awaits is a command that silently may never happen.
  [
    'async function step(): Promise<void> {}\nexport function run(): void {\n  step();\n}',
    '@typescript-eslint/no-floating-promises',
  ],
  ['export function on(cb: () => void): void { cb(); }\non(async () => {});', '@typescript-eslint/no-misused-promises'],
  [
    "export function f(x: 'a' | 'b'): number {\n  switch (x) {\n    case 'a':\n      return 1;\n  }\n  return 0;\n}",
    '@typescript-eslint/switch-exhaustiveness-check',
  ],
];
const scimRefusals: [string, string][] = [
  ["import { request } from 'undici';\nexport const x = request;", IMPORTS],
  ["import { proxyActivities } from '@temporalio/workflow';\nexport const x = proxyActivities;", IMPORTS],
  ["import pino from 'pino';\nexport const x = pino;", IMPORTS],
  ['export const e = process.env.X;', 'no-restricted-properties'],
];
const TYPE_IMPORT = "import type { Activities } from '../activities';\nexport type A = Activities;\n";
/** Fire-and-forget said out loud is accepted. */
const VOIDED = 'async function step(): Promise<void> {}\nexport function run(): void {\n  void step();\n}\n';

const probes = [
  ...workflowRefusals.map(([code]) => ({ file: WF, code })),
  ...scimRefusals.map(([code]) => ({ file: SCIM, code })),
  { file: WF, code: TYPE_IMPORT },
  { file: WF, code: VOIDED },
];

// ESLint loads its flat config with a dynamic import, which jest's module sandbox cannot do: lint
// every probe in one plain Node process instead.
const LINT = `
const { ESLint } = require('eslint');
const path = require('node:path');
(async () => {
  const probes = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const p of probes) {
    const [r] = await eslint.lintText(p.code, { filePath: path.join(process.cwd(), p.file) });
    out.push(r.messages.map((m) => m.ruleId || m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

let results: string[][] = [];
beforeAll(() => {
  results = JSON.parse(
    execFileSync(process.execPath, ['-e', LINT], {
      cwd: root,
      input: JSON.stringify(probes),
      encoding: 'utf8',
      timeout: 60_000,
    }),
  );
}, 60_000);
const rulesFor = (file: string, code: string) => results[probes.findIndex((p) => p.file === file && p.code === code)]!;

describe('src/workflows (deterministic sandbox)', () => {
  it.each(workflowRefusals)('refuses %s', (code, rule) => {
    expect(rulesFor(WF, code)).toContain(rule);
  });
  it('accepts activities as `import type`', () => {
    expect(rulesFor(WF, TYPE_IMPORT)).toEqual([]);
  });
  it('accepts a promise deliberately not awaited (`void`)', () => {
    expect(rulesFor(WF, VOIDED)).toEqual([]);
  });
});

describe('src/scim (pure protocol core)', () => {
  it.each(scimRefusals)('refuses %s', (code, rule) => {
    expect(rulesFor(SCIM, code)).toContain(rule);
  });
});

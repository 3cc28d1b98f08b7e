// Patch discipline (docs/versioning.md): every patch id is declared once in src/workflows/patches.ts,
// each declared id is used by the workflow code, and a retired id is never used again. Lint refuses a
// literal id in `patched()` / `deprecatePatch()`; this test holds the list to the code.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATCHES, RETIRED_PATCHES } from '../../src/workflows/patches';

const root = join(__dirname, '..', '..');
/** Code only: comments that mention patched() are not calls. */
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
const workflowsDir = join(root, 'src', 'workflows');
const sources = readdirSync(workflowsDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: `src/workflows/${f}`, text: withoutComments(readFileSync(join(workflowsDir, f), 'utf8')) }));
const calls = sources.flatMap(({ file, text }) =>
  [...text.matchAll(/\b(patched|deprecatePatch)\(\s*([^)]*?)\s*\)/g)].map((m) => ({ file, fn: m[1]!, arg: m[2]! })),
);

describe('patch ids', () => {
  it('are unique, lower-case words joined by "-", and none is a retired one', () => {
    const ids = Object.values(PATCHES) as string[];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(ids.filter((id) => RETIRED_PATCHES.includes(id))).toEqual([]);
    expect(new Set(RETIRED_PATCHES).size).toBe(RETIRED_PATCHES.length);
  });

  it('every patched() / deprecatePatch() call names a declared patch', () => {
    const keys = Object.keys(PATCHES);
    const bad = calls.filter((c) => !new RegExp(`^PATCHES\\.(${keys.join('|')})$`).test(c.arg));
    expect(bad.map((c) => `${c.file}: ${c.fn}(${c.arg})`)).toEqual([]);
  });

  it('every declared patch is used (a removed call moves its id to RETIRED_PATCHES)', () => {
    const used = new Set(calls.map((c) => c.arg.replace(/^PATCHES\./, '')));
    expect(Object.keys(PATCHES).filter((k) => !used.has(k))).toEqual([]);
  });

  it('lint refuses a literal patch id in workflow code, and accepts PATCHES.<name>', () => {
    const probes = [
      "import { patched } from '@temporalio/workflow';\nexport const a = patched('my-change');\n",
      "import { deprecatePatch } from '@temporalio/workflow';\nexport function f(): void {\n  deprecatePatch(`my-change`);\n}\n",
      "import { patched } from '@temporalio/workflow';\nimport { PATCHES } from './patches';\nexport const a = patched(PATCHES.upgradeSignal);\n",
    ];
    // ESLint loads its flat config with a dynamic import, which jest's module sandbox cannot do.
    const script = `
      const { ESLint } = require('eslint');
      (async () => {
        const eslint = new ESLint({ cwd: process.cwd() });
        const out = [];
        for (const code of JSON.parse(require('node:fs').readFileSync(0, 'utf8'))) {
          const [r] = await eslint.lintText(code, { filePath: require('node:path').join(process.cwd(), 'src/workflows/patch-probe.ts') });
          out.push(r.messages.map((m) => m.ruleId || m.message));
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const [literal, template, declared] = JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        cwd: root,
        input: JSON.stringify(probes),
        encoding: 'utf8',
        timeout: 60_000,
      }),
    ) as string[][];
    expect(literal).toContain('no-restricted-syntax');
    expect(template).toContain('no-restricted-syntax');
    expect(declared).toEqual([]);
  }, 60_000);
});

// The SCIM core runs inside Temporal's workflow sandbox (through the planner, test/lint/workflow-imports.test.ts): beyond the ESLint boundary, check the
// sources import only each other and zod, and touch no Node globals.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', 'src', 'scim');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/scim is pure', () => {
  const sources = files(root).map((f) => [relative(root, f), readFileSync(f, 'utf8')] as const);
  test('has sources', () => expect(sources.length).toBeGreaterThan(10));
  test.each(sources)('%s imports only relative modules and zod, uses no Node globals', (_name, text) => {
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    for (const s of specifiers) expect(s === 'zod' || s!.startsWith('./') || s!.startsWith('../')).toBe(true);
    const code = text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
    expect(code).not.toMatch(/\b(process|Buffer|require|__dirname|setTimeout|setInterval|globalThis)\b/);
  });
});

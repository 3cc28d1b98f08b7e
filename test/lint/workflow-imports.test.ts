// What really runs inside the workflow sandbox: the modules src/workflows reaches through runtime
// (non-type) imports. The SCIM core does, through the planner (src/domain/planner → generatePatch);
// src/rules, src/config, the connectors and the activities do not — comments and docs must not
// claim otherwise, and a runtime import of them from a workflow would be caught here as well as
// by the lint boundary.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(__dirname, '..', '..');

function resolveModule(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every source file reachable from `entry` by imports that are not type-only. */
function runtimeClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)([^;]*?)\s*from\s+'([^']+)'/gms)) {
      const [, names, spec] = m as unknown as [string, string, string];
      if (!spec.startsWith('.')) continue;
      const braces = /^\{([^}]*)\}$/s.exec(names.trim());
      // `import { type A, type B } from …` is erased like `import type`.
      if (
        braces &&
        braces[1]!
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean)
          .every((n) => n.startsWith('type '))
      )
        continue;
      const target = resolveModule(file, spec);
      if (target) visit(target);
    }
    for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) {
      const target = resolveModule(file, m[1]!);
      if (target) visit(target);
    }
  };
  visit(entry);
  return seen;
}

const reached = [...runtimeClosure(join(root, 'src', 'workflows', 'index.ts'))].map((f) =>
  relative(root, f).split('\\').join('/'),
);
const areas = new Set(reached.map((f) => f.split('/').slice(0, 2).join('/')));

describe('the workflow bundle', () => {
  it('reaches the workflows, the domain, the SCIM core and the shared HR event', () => {
    expect([...areas].sort()).toEqual(['src/domain', 'src/scim', 'src/shared', 'src/workflows']);
    expect(reached).toContain('src/domain/planner.ts');
    expect(reached).toContain('src/scim/patch/generate.ts');
  });

  it.each(['src/rules', 'src/config', 'src/connectors', 'src/activities'])('does not run %s', (area) => {
    expect(reached.filter((f) => f.startsWith(`${area}/`))).toEqual([]);
  });
});

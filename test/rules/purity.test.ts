// src/rules is pure: the worker's desire computation and `scimflow plan` run it (nothing in src/workflows
// imports it at runtime: test/lint/workflow-imports.test.ts). Check that it stays free of I/O, clocks and
// randomness, and that whatever it imports at runtime is pure too (src/shared/hr-event, the connector
// profiles — data —, zod). Type-only imports are fine.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const RULES = resolve(__dirname, '../../src/rules');
const files = readdirSync(RULES).filter((f) => f.endsWith('.ts'));

const ALLOWED_RUNTIME_IMPORTS = new Set([
  'zod',
  '../shared/hr-event',
  '../connectors/profiles',
  '../scim',
  './template',
  './conditions',
  './mapping',
  './entitlements',
]);

describe('src/rules is pure', () => {
  it('has files to check', () => {
    expect(files).toEqual(expect.arrayContaining(['entitlements.ts', 'conditions.ts', 'mapping.ts', 'template.ts']));
  });

  it.each(files)('%s imports only pure modules at runtime', (file) => {
    const src = readFileSync(join(RULES, file), 'utf8');
    const runtimeImports = [...src.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map(
      (m) => m[1],
    );
    for (const spec of runtimeImports) expect(ALLOWED_RUNTIME_IMPORTS).toContain(spec);
  });

  it.each(files)('%s uses no clock, randomness, process or I/O globals', (file) => {
    const src = readFileSync(join(RULES, file), 'utf8').replace(/\/\/.*$/gm, '');
    expect(src).not.toMatch(
      /\bDate\.now\b|\bnew Date\b|\bMath\.random\b|\bprocess\.|\brequire\(|\bfetch\(|\bsetTimeout\b|\bsetInterval\b|\bBuffer\b/,
    );
  });
});

// ESLint flat config. Beyond style, it enforces two architectural boundaries:
//  1. src/workflows/** runs inside Temporal's deterministic sandbox: no Node built-ins, no I/O
//     libraries, no wall clock, and activities only as `import type` (they run on the worker).
//  2. src/scim/** is the pure SCIM protocol core: no transport, no logging, no Temporal, no env.
//  3. src/domain/** is the pure person model and planner: the same bans, and no clock (time is an argument).
// Type-aware rules (floating/misused promises, exhaustive switches) apply to src/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

const workflowImportBan = {
  paths: [
    ...nodeBuiltins.map((name) => ({
      name,
      message: 'Workflows are deterministic: no Node built-ins (do I/O in an activity).',
    })),
    { name: 'undici', message: 'Workflows do no I/O: call an activity.' },
    { name: 'pino', message: 'Workflows log with `log` from @temporalio/workflow (replay-safe).' },
    { name: 'fastify', message: 'Workflows do no I/O.' },
    { name: '@temporalio/client', message: 'Workflows use @temporalio/workflow only.' },
    { name: '@temporalio/worker', message: 'Workflows use @temporalio/workflow only.' },
    { name: '@temporalio/activity', message: 'Workflows use @temporalio/workflow only.' },
  ],
  patterns: [
    { group: ['node:*'], message: 'Workflows are deterministic: no Node built-ins.' },
    {
      group: [
        '**/activities',
        '**/activities/*',
        '**/connectors',
        '**/connectors/*',
        '**/worker/*',
        '**/ingress/*',
        '**/sandbox/*',
      ],
      allowTypeImports: true,
      message: 'Activities, connectors and processes run outside the workflow sandbox: `import type` only.',
    },
  ],
};

const scimImportBan = {
  paths: [
    { name: 'undici', message: 'The SCIM core is pure: no transport.' },
    { name: 'pino', message: 'The SCIM core is pure: no logging.' },
    { name: 'fastify', message: 'The SCIM core is pure: no transport.' },
  ],
  patterns: [
    { group: ['@temporalio/*'], message: 'The SCIM core knows nothing of Temporal.' },
    { group: ['node:*', ...nodeBuiltins], message: 'The SCIM core does no I/O.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.temporal/**', '.data/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules, where the types are (src/ and test/): a promise nobody awaits — in a workflow,
    // a command that silently never happens — an async callback where a void one is expected, and a
    // switch over a union that misses a member. Scoped so lint stays quick on scripts and configs.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'src/workflows/boundary-probe.ts',
            'src/workflows/patch-probe.ts',
            'src/scim/boundary-probe.ts',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', workflowImportBan],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message:
            'Use workflow time deliberately: `new Date()` inside the sandbox is replay-safe, but keep time explicit via workflow info or timers.',
        },
        { object: 'Math', property: 'random', message: 'Use `uuid4()` or pass randomness in from an activity.' },
        { object: 'process', message: 'No process access in workflows.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in workflows.' },
        { name: 'require', message: 'No dynamic requires in workflows.' },
        { name: 'fetch', message: 'Workflows do no I/O: call an activity.' },
        { name: 'setInterval', message: 'Use `sleep` / `condition` from @temporalio/workflow.' },
        { name: 'Buffer', message: 'No Node built-ins in workflows.' },
        { name: '__dirname', message: 'No file system in workflows.' },
      ],
      // Every patch id is declared once, in src/workflows/patches.ts (docs/versioning.md).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.name=/^(patched|deprecatePatch)$/]:not([arguments.0.type='MemberExpression'][arguments.0.object.name='PATCHES'])",
          message:
            'Patch ids live in src/workflows/patches.ts: call patched(PATCHES.<name>) / deprecatePatch(PATCHES.<name>), never with a literal.',
        },
      ],
    },
  },
  {
    files: ['src/scim/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', scimImportBan],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'The SCIM core takes options, not environment.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'The SCIM core is pure.' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: scimImportBan.paths,
          patterns: [
            ...scimImportBan.patterns,
            {
              group: [
                '**/activities',
                '**/activities/*',
                '**/connectors',
                '**/connectors/*',
                '**/worker/*',
                '**/ingress/*',
                '**/sandbox/*',
                '**/workflows/*',
                '**/cli/*',
              ],
              message: 'The domain is pure: it knows no edges.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The domain takes time as an argument.' },
        { object: 'Math', property: 'random', message: 'The domain is deterministic.' },
        { object: 'process', property: 'env', message: 'The domain takes options, not environment.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'The domain is pure.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

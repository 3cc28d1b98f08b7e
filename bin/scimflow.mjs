#!/usr/bin/env node
// The `scimflow` command. Runs the TypeScript sources through tsx (no build step to forget).
// The sources are CommonJS (as the Temporal worker's `require.resolve` of workflows expects);
// the ESM hook serves the CLI's lazy `import()` of heavy subcommands.
import { createRequire } from 'node:module';
import { register as registerCjs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

registerCjs();
registerEsm();
createRequire(import.meta.url)('../src/cli/main.ts');

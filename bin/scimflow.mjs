#!/usr/bin/env node
// The `scimflow` command. Runs the TypeScript sources through tsx (no build step to forget).
// The sources are CommonJS (as the Temporal worker's `require.resolve` of workflows expects).
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('../src/cli/main.ts');

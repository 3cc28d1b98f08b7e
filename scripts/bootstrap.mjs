#!/usr/bin/env node
// `npm start` / `npm test` entry: installs what a fresh clone lacks, then does the job.
// Node built-ins only, because it runs before node_modules exists.
//   - dependencies: `npm ci` when node_modules is missing or older than package-lock.json
//   - the Temporal CLI: found or built by ensure-temporal.mjs
//   - for `test`, Temporal's time-skipping test server: found or resolved by ensure-test-server.mjs
//   - for `test`, Chromium for the browser test: installed with apt-get as root, else the command
//     to run is printed (ensure-chromium.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium } from './ensure-chromium.mjs';
import { ensureTemporal, projectRoot } from './ensure-temporal.mjs';
import { ensureTestServer } from './ensure-test-server.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 18)) {
  console.error(`scimflow needs Node.js >= 20.18 (this is ${process.versions.node}).`);
  process.exit(1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const lockFile = join(projectRoot, 'package-lock.json');
const stampFile = join(projectRoot, 'node_modules', '.scimflow-installed');

function lockHash() {
  return createHash('sha256').update(readFileSync(lockFile)).digest('hex');
}

function ensureDependencies() {
  const want = lockHash();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === want) return;
  console.error('[bootstrap] installing dependencies (npm ci)…');
  const res = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: projectRoot, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
  writeFileSync(stampFile, `${want}\n`);
}

function run(cmd, args, env) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: projectRoot, stdio: 'inherit', env });
    // Forward Ctrl-C / SIGTERM so the child shuts down its own tree cleanly.
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    // npm may die without passing a signal on: then stop the child rather than orphan it.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) child.kill('SIGTERM');
    }, 1000);
    watch.unref();
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
      resolvePromise(code ?? (signal ? 1 : 0));
    });
  });
}

const task = process.argv[2];
ensureDependencies();
let temporal;
try {
  temporal = ensureTemporal();
} catch (err) {
  console.error(`[bootstrap] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
const env = { ...process.env, TEMPORAL_CLI_PATH: temporal };
if (task === 'test') {
  try {
    env.TEMPORAL_TEST_SERVER_PATH = await ensureTestServer();
  } catch (err) {
    console.error(`[bootstrap] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
const bin = (name) => join(projectRoot, 'node_modules', '.bin', name);

if (task === 'start') {
  process.exit(
    await run(process.execPath, [join(projectRoot, 'bin/scimflow.mjs'), 'dev', ...process.argv.slice(3)], env),
  );
} else if (task === 'test') {
  ensureChromium(); // when it cannot, it says how, and only the browser test fails
  const results = join(tmpdir(), `scimflow-jest-${process.pid}.json`);
  const steps = [
    ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
    ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
    ['format', bin('prettier'), ['--check', '.']],
    ['jest', bin('jest'), ['--json', `--outputFile=${results}`, ...process.argv.slice(3)]],
  ];
  for (const [name, cmd, args] of steps) {
    console.error(`[test] ${name}`);
    const code = await run(cmd, args, env);
    if (name === 'jest' && existsSync(results)) {
      // One plain closing line that any CI can read: "tests: N passed, N failed".
      const r = JSON.parse(readFileSync(results, 'utf8'));
      console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    }
    if (code !== 0) {
      console.error(`[test] ${name} failed (exit ${code})`);
      process.exit(code);
    }
  }
} else {
  console.error('usage: node scripts/bootstrap.mjs start|test [args…]');
  process.exit(2);
}

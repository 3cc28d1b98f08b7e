#!/usr/bin/env node
// The browser for the Temporal UI test (test/e2e/approve-in-ui.test.ts): Debian's Chromium, driven
// by playwright-core, which downloads no browser. Node built-ins only (runs from bootstrap.mjs).
//
// Present → nothing to do. Missing on Debian/Ubuntu as root → `apt-get update` then
// `apt-get install -y chromium` (non-interactive). Otherwise → a message with the exact command.
// Nothing is ever downloaded by a test tool.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable, onPath } from './lib/executables.mjs';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const APT_INSTALL = ['install', '-y', '-q', '--no-install-recommends', 'chromium'];
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };
const aptLine = (sudo) =>
  `${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get ${APT_INSTALL.filter((a) => a !== '-q').join(' ')}`;

/**
 * What to do about the browser — pure, so it is tested without running apt.
 *   { path, present, isRoot, hasApt, custom } → { action: 'none' }
 *     | { action: 'install', steps: [cmd, args][], env, command }   (run the steps, as root)
 *     | { action: 'advise', message }                               (print it; install nothing)
 * `custom` is true when the path comes from CHROMIUM_PATH (then nothing is installed for it).
 */
export function chromiumAction({ path = DEFAULT_CHROMIUM_PATH, present, isRoot, hasApt, custom = false }) {
  if (present) return { action: 'none' };
  if (custom) {
    return {
      action: 'advise',
      message: `CHROMIUM_PATH=${path} does not exist or is not executable: point it at a Chromium/Chrome executable, or unset it to use Debian's ${DEFAULT_CHROMIUM_PATH}.`,
    };
  }
  if (!hasApt) {
    return {
      action: 'advise',
      message: `Chromium is missing (${path}) and this is not a Debian-like system: install Chromium or Chrome and set CHROMIUM_PATH to its executable.`,
    };
  }
  if (isRoot) {
    return {
      action: 'install',
      steps: [
        ['apt-get', ['update', '-q']],
        ['apt-get', APT_INSTALL],
      ],
      env: APT_ENV,
      command: aptLine(''),
    };
  }
  return {
    action: 'advise',
    message: `Chromium is missing (${path}). Install Debian's package (needs root):\n    ${aptLine('sudo ')}`,
  };
}

function log(msg) {
  process.stderr.write(`[ensure-chromium] ${msg}\n`);
}

/** Looks, decides, and installs when it may. Returns true when the browser is there afterwards. */
export function ensureChromium() {
  const custom = Boolean(process.env.CHROMIUM_PATH);
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  const plan = chromiumAction({
    path,
    present: isExecutable(path),
    isRoot: process.getuid?.() === 0,
    hasApt: onPath('apt-get') !== undefined,
    custom,
  });
  if (plan.action === 'none') return true;
  if (plan.action === 'advise') {
    log(`${plan.message}\n  Until then the browser test (test/e2e/approve-in-ui.test.ts) fails; everything else runs.`);
    return false;
  }
  log(`Chromium is missing: installing Debian's package (${plan.command})…`);
  for (const [cmd, args] of plan.steps) {
    const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...plan.env } });
    if (res.status !== 0) {
      log(
        `\`${cmd} ${args.join(' ')}\` failed (exit ${res.status ?? res.signal}): install it yourself with\n    ${plan.command}`,
      );
      return false;
    }
  }
  if (!isExecutable(path)) {
    log(`installed, but ${path} is still missing`);
    return false;
  }
  log(`installed ${path}`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(ensureChromium() ? 0 : 1);
}

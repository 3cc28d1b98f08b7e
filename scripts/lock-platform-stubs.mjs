#!/usr/bin/env node
// Keeps package-lock.json usable by `npm ci` everywhere.
//
// Native packages (@swc/core, resolver bindings, …) list one optional dependency per platform.
// When the lock is written on a machine whose registry serves only its own platform's builds,
// npm leaves the other platforms out, and `npm ci` then refuses the lock ("Missing: … from lock
// file"). This adds those entries back as optional, platform-restricted stubs — exactly what npm
// records when it can see them — so `npm ci` skips them on a non-matching platform.
// Run it after `npm install` changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './ensure-temporal.mjs';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const osIdx = parts.findIndex((p) => OS.includes(p));
  if (osIdx < 0) return undefined;
  const cpu = parts.slice(osIdx + 1).find((p) => CPU.includes(p));
  const rest = parts.slice(osIdx + 1).join('-');
  const libc = /\bmusl/.test(rest) ? 'musl' : parts[osIdx] === 'linux' && /\bgnu/.test(rest) ? 'glibc' : undefined;
  return { os: [parts[osIdx]], ...(cpu ? { cpu: [cpu] } : {}), ...(libc ? { libc: [libc] } : {}) };
}

const file = join(projectRoot, 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${path ? `${path}/` : ''}node_modules/${dep}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[key] = { version: String(range).replace(/^[\^~=]/, ''), ...platform, optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
process.stderr.write(`[lock-platform-stubs] added ${added} platform stub(s)\n`);

// The real `scimflow` command as a child process, for tests of what people and scripts see.
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const SCIMFLOW_BIN = join(ROOT, 'bin', 'scimflow.mjs');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/scimflow.mjs …args` in the project root. `env` values of `undefined` unset a variable. */
export function scimflow(
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  return run(process.execPath, [SCIMFLOW_BIN, ...args], env, opts);
}

export function run(
  cmd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) merged[k] = v;
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd ?? ROOT, env: merged, timeout: opts.timeoutMs ?? 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The environment without any SCIMFLOW_* / TEMPORAL_* variable (a newcomer's shell). */
export function cleanEnv(): Record<string, undefined> {
  const out: Record<string, undefined> = {};
  for (const k of Object.keys(process.env))
    if (k.startsWith('SCIMFLOW_') || k.startsWith('TEMPORAL_ADDRESS') || k.startsWith('TEMPORAL_NAMESPACE'))
      out[k] = undefined;
  return out;
}

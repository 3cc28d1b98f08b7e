// `scimflow worker` as a child process, exactly as a container runs it (tests of what the worker
// process itself decides: its bundle, its build id, its Worker Deployment version).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SCIMFLOW_BIN, freePort } from './cli';
import { TEST_ENV } from './stack';
import { waitFor } from './temporal';

export interface WorkerProcess {
  proc: ChildProcess;
  /** The `worker running` log line (buildId, deployment, workflowBundle). */
  running: Record<string, unknown>;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** A configuration file for the worker: `yaml` with `{{SANDBOX}}` replaced. */
export function writeWorkerConfig(
  yaml: string,
  sandboxUrl: string,
  dir = mkdtempSync(join(tmpdir(), 'scimflow-worker-')),
): string {
  const path = join(dir, 'scimflow.yaml');
  writeFileSync(path, yaml.replaceAll('{{SANDBOX}}', sandboxUrl));
  return path;
}

export async function startWorkerProcess(opts: {
  config: string;
  temporalAddress: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<WorkerProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SCIMFLOW_')) env[k] = v;
  Object.assign(env, TEST_ENV, {
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    SCIMFLOW_METRICS_HOST: '127.0.0.1',
    SCIMFLOW_METRICS_PORT: String(await freePort()),
    SCIMFLOW_TEMPORAL_METRICS_PORT: '0',
    ...opts.env,
  });
  const proc = spawn(process.execPath, [SCIMFLOW_BIN, 'worker', '-c', opts.config], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const line = () => out.split('\n').find((l) => l.includes('"worker running"'));
  const running = await Promise.race([
    waitFor(() => line() ?? (code !== undefined ? 'exited' : undefined), {
      timeoutMs: opts.timeoutMs ?? 60_000,
      what: 'scimflow worker running',
    }),
    exited.then(() => 'exited'),
  ]).catch((err: unknown) => (err as Error).message);
  if (running === 'exited' || !line()) {
    if (code === undefined) proc.kill('SIGKILL');
    throw new Error(
      `scimflow worker ${code !== undefined ? `exited (${code})` : 'did not start'} before running: ${running}\n--- worker output ---\n${out}`,
    );
  }
  return {
    proc,
    running: JSON.parse(line()!) as Record<string, unknown>,
    output: () => out,
    async stop() {
      if (code === undefined) proc.kill('SIGTERM');
      return exited;
    },
  };
}

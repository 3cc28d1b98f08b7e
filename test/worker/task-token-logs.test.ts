// Activity task tokens are credentials (whoever holds one can complete or fail that activity): a real
// worker, logging through scimflow's pino bridge at trace level, never writes one.
import { Writable } from 'node:stream';
import { Context, log as activityLog } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { REDACT_PATHS } from '../../src/shared/logger';
import { installRuntime, redactMeta } from '../../src/worker/runtime';
import { startTemporal } from '../helpers/temporal';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    lines.push(String(chunk));
    cb();
  },
});
const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  // Before startTemporal(): the helper's quiet runtime is then refused and ours stays.
  installRuntime(log);
  env = await startTemporal();
}, 90_000);
afterAll(async () => {
  await env?.teardown();
});

describe('task tokens in logs', () => {
  it('a worker that runs an activity logs it without its task token', async () => {
    const seen: { b64: string; hex: string }[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'task-token-logs',
      workflowsPath: require.resolve('./fixtures/log-workflow'),
      activities: {
        async loudActivity() {
          const token = Context.current().info.taskToken;
          seen.push({ b64: Buffer.from(token).toString('base64'), hex: Buffer.from(token).toString('hex') });
          activityLog.info('activity says hello', { taskToken: Context.current().info.base64TaskToken });
          return 'ok';
        },
      },
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('logWorkflow', {
        taskQueue: 'task-token-logs',
        workflowId: `task-token-${Date.now()}`,
      }),
    );
    expect(result).toBe('ok');
    expect(seen).toHaveLength(1);
    const out = lines.join('');
    // The activity's own lines (with the SDK's activity attributes) did reach the log…
    expect(out).toContain('activity says hello');
    expect(out).toContain('"activityType":"loudActivity"');
    // …without the token, in any spelling.
    const { b64, hex } = seen[0]!;
    expect(b64.length).toBeGreaterThan(16);
    expect(out).not.toContain(b64);
    expect(out).not.toContain(b64.replace(/=+$/, ''));
    expect(out).not.toContain(hex);
    const withToken = lines.filter((l) => l.includes('"taskToken"'));
    expect(withToken.length).toBeGreaterThan(0);
    for (const l of withToken) expect(l).toContain('"taskToken":"[redacted]"');
  }, 90_000);

  it('redactMeta removes task tokens at any depth and keeps the rest', () => {
    const token = new Uint8Array([1, 2, 3]);
    expect(
      redactMeta({
        a: 1,
        taskToken: 'x',
        task: { task: { taskToken: token, other: 'keep' } },
        list: [{ base64TaskToken: 'y' }],
      }),
    ).toEqual({
      a: 1,
      taskToken: '[redacted]',
      task: { task: { taskToken: '[redacted]', other: 'keep' } },
      list: [{ base64TaskToken: '[redacted]' }],
    });
  });
});

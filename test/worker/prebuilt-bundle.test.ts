// `npm run build:workflows` → a file; `scimflow worker` loads it instead of bundling from source, and
// a hire runs on it end to end (real dev server, sandbox apps, the worker as a child process).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { identityWorkflowId } from '../../src/shared/hr-event';
import { buildWorkflowBundle } from '../../src/worker/bundle';
import { stateQuery } from '../../src/workflows/definitions';
import { accountsOf } from '../helpers/apps';
import { employee, event } from '../helpers/stack';
import { startTemporal, waitFor } from '../helpers/temporal';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../helpers/worker-process';
import { LIFECYCLE_CONFIG } from '../workflows/config';

let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let worker: WorkerProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'scimflow-prebuilt-'));
const bundlePath = join(dir, 'workflow-bundle.js');

beforeAll(async () => {
  [env, sandbox] = await Promise.all([
    startTemporal(),
    startSandbox({ host: '127.0.0.1', port: 0 }),
    buildWorkflowBundle({ out: bundlePath }),
  ]);
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await sandbox?.close();
  await env?.teardown();
});

const address = () => env.connection.options.address as string;

it('a worker started with the prebuilt bundle runs a hire', async () => {
  const config = writeWorkerConfig(LIFECYCLE_CONFIG, sandbox.url, dir);
  worker = await startWorkerProcess({
    config,
    temporalAddress: address(),
    env: { SCIMFLOW_WORKFLOW_BUNDLE: bundlePath, SCIMFLOW_BUILD_ID: 'prebuilt-test-1' },
  });
  expect(worker.running).toMatchObject({ workflowBundle: bundlePath, buildId: 'prebuilt-test-1', deployment: null });

  const emp = employee({ department: 'Sales' });
  await temporalDispatcher(env.client).dispatch(event('hire', emp));
  const handle = env.client.workflow.getHandle(identityWorkflowId(emp.employeeId));
  await waitFor(async () => ((await handle.query(stateQuery)).stage === 'active' ? true : undefined), {
    timeoutMs: 45_000,
    what: 'hire settled',
  });
  const [account] = await accountsOf(sandbox.url, 'generic', { externalId: emp.employeeId });
  expect(account).toMatchObject({ active: true, groups: ['all-staff', 'sales'] });
  // Every workflow task of the run was completed by this build.
  const { searchAttributes } = await handle.describe();
  expect(searchAttributes.BuildIds).toContain('unversioned:prebuilt-test-1');
}, 90_000);

it('a bundle file that is not a workflow bundle stops the worker at start-up (it is not silently bundled from source)', async () => {
  await worker?.stop();
  worker = undefined;
  const bogus = join(dir, 'bogus-bundle.js');
  writeFileSync(bogus, 'module.exports = {};\n');
  const config = writeWorkerConfig(LIFECYCLE_CONFIG, sandbox.url, dir);
  await expect(
    startWorkerProcess({ config, temporalAddress: address(), env: { SCIMFLOW_WORKFLOW_BUNDLE: bogus } }),
  ).rejects.toThrow(/exited \(1\) before running/);
  await expect(
    startWorkerProcess({
      config,
      temporalAddress: address(),
      env: { SCIMFLOW_WORKFLOW_BUNDLE: join(dir, 'missing.js') },
    }),
  ).rejects.toThrow(/SCIMFLOW_WORKFLOW_BUNDLE=.*missing\.js: no such file/);
}, 90_000);

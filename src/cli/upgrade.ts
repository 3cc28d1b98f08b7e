// `scimflow upgrade [--dry-run]` (docs/versioning.md): which build the running controllers run on,
// and a wake-up for each whose history still holds tasks of an older build, so it continues as new
// onto the current one. Until every such run has, the `patched()` branches their builds could take
// must stay in the code.
//
// What a run ran on comes from visibility: `BuildIds` lists every build that completed a workflow
// task of the run, `TemporalWorkerDeploymentVersion` the Deployment Version it is on now (versioned
// workers only). The current build is the Worker Deployment's current version (and its ramping
// one) — or, for unversioned workers, the one build the workers polling the task queue report.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MAIN_TASK_QUEUE, upgradeSignal } from '../workflows/definitions';

export interface UpgradeOptions {
  /** The Worker Deployment (configuration `temporal.deployment.name`); unset: unversioned workers. */
  deployment?: string;
  /** The current build, as the caller knows it (overrides what the server says). */
  buildId?: string;
  taskQueue?: string;
  dryRun?: boolean;
  /** Wake at most this many (oldest runs first). */
  limit?: number;
  /** Recorded in each controller's log. */
  by?: string;
}

export interface UpgradeRun {
  employeeId: string;
  workflowId: string;
  runId: string;
  /** The version the run is on now: its Deployment Version, else the last build that worked on it. */
  version: string;
  /** Every build that completed a workflow task of this run. */
  builds: string[];
  startTime: string;
}

export interface UpgradeReport {
  /** The builds a run may have worked on to count as current (the current version, and a ramping one). */
  current: {
    buildIds: string[];
    from: 'deployment' | 'pollers' | 'option';
    deployment?: string;
    ramping?: { buildId: string; percentage: number };
  };
  running: number;
  /** People (running controllers) per version, most first. */
  byVersion: { version: string; people: number }[];
  /** Runs whose history holds tasks of another build. */
  toUpgrade: UpgradeRun[];
  /** Workflow ids signalled (none on a dry run). */
  woken: string[];
  dryRun: boolean;
  /** Why nothing could be woken, if so. */
  problems: string[];
}

/** A poller seen this recently still polls (a long poll lasts up to a minute). */
const POLLER_FRESH_MS = 90_000;
const PREFIXED = /^(?:unversioned|assigned|versioned):(.+)$/;
const PINNED = /^pinned:[^:]+:(.+)$/;

/** The build ids of a `BuildIds` search attribute (`unversioned:<id>`, `pinned:<deployment>:<id>`…); a bare `unversioned` names none. */
export function buildsOf(buildIds: unknown): string[] {
  const out: string[] = [];
  for (const v of Array.isArray(buildIds) ? buildIds : []) {
    if (typeof v !== 'string') continue;
    const id = PINNED.exec(v)?.[1] ?? PREFIXED.exec(v)?.[1];
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

function runOf(wf: WorkflowExecutionInfo): UpgradeRun {
  const sa = wf.searchAttributes as Record<string, unknown[] | undefined>;
  const builds = buildsOf(sa.BuildIds);
  const deploymentVersion = sa.TemporalWorkerDeploymentVersion?.[0];
  return {
    employeeId: wf.workflowId.replace(/^identity-/, ''),
    workflowId: wf.workflowId,
    runId: wf.runId,
    version: typeof deploymentVersion === 'string' ? deploymentVersion : (builds.at(-1) ?? '(no build recorded)'),
    builds,
    startTime: (wf.startTime ?? new Date(0)).toISOString(),
  };
}

async function currentBuilds(
  client: Client,
  opts: UpgradeOptions,
): Promise<UpgradeReport['current'] & { problem?: string }> {
  if (opts.buildId)
    return { buildIds: [opts.buildId], from: 'option', ...(opts.deployment ? { deployment: opts.deployment } : {}) };
  const namespace = client.options.namespace;
  if (opts.deployment) {
    let routing: temporal.api.deployment.v1.IRoutingConfig | null | undefined;
    try {
      const res = await client.workflowService.describeWorkerDeployment({ namespace, deploymentName: opts.deployment });
      routing = res.workerDeploymentInfo?.routingConfig;
    } catch (err) {
      return {
        buildIds: [],
        from: 'deployment',
        deployment: opts.deployment,
        problem: `Worker Deployment "${opts.deployment}": ${(err as Error).message}`,
      };
    }
    const current = routing?.currentDeploymentVersion?.buildId;
    const ramping = routing?.rampingDeploymentVersion?.buildId;
    if (!current)
      return {
        buildIds: [],
        from: 'deployment',
        deployment: opts.deployment,
        problem: `Worker Deployment "${opts.deployment}" has no current version (temporal worker deployment set-current-version …)`,
      };
    return {
      buildIds: ramping ? [current, ramping] : [current],
      from: 'deployment',
      deployment: opts.deployment,
      ...(ramping ? { ramping: { buildId: ramping, percentage: routing?.rampingVersionPercentage ?? 0 } } : {}),
    };
  }
  const res = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: {
      name: opts.taskQueue ?? MAIN_TASK_QUEUE,
      kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
    },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  // The server remembers a poller for minutes after it stopped; one that polls now has polled within
  // the long-poll interval (about a minute).
  const now = Date.now();
  const live = (res.pollers ?? []).filter((p) => now - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < POLLER_FRESH_MS);
  const builds = [
    ...new Set(
      live
        .map((p) => p.deploymentOptions?.buildId || p.workerVersionCapabilities?.buildId)
        .filter((b): b is string => Boolean(b)),
    ),
  ].sort();
  if (builds.length === 1) return { buildIds: builds, from: 'pollers' };
  const problem =
    builds.length === 0
      ? `no worker polls task queue ${opts.taskQueue ?? MAIN_TASK_QUEUE}: the current build is unknown (start the workers, or pass --build-id)`
      : `workers of ${builds.length} builds poll task queue ${opts.taskQueue ?? MAIN_TASK_QUEUE} (${builds.join(', ')}): finish the rollout first, or pass --build-id`;
  return { buildIds: [], from: 'pollers', problem };
}

export async function upgrade(client: Client, opts: UpgradeOptions = {}): Promise<UpgradeReport> {
  const current = await currentBuilds(client, opts);
  const runs: UpgradeRun[] = [];
  for await (const wf of client.workflow.list({
    query: `WorkflowType = 'identityWorkflow' AND ExecutionStatus = 'Running'`,
  }))
    runs.push(runOf(wf));
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.version, (counts.get(r.version) ?? 0) + 1);
  const byVersion = [...counts.entries()]
    .map(([version, people]) => ({ version, people }))
    .sort((a, b) => b.people - a.people || a.version.localeCompare(b.version));
  const targets = new Set(current.buildIds);
  const problems = current.problem ? [current.problem] : [];
  // Nothing is current when the current build is unknown: then nobody is listed as behind.
  const toUpgrade = targets.size
    ? runs
        .filter((r) => r.builds.length === 0 || r.builds.some((b) => !targets.has(b)))
        .sort((a, b) => a.startTime.localeCompare(b.startTime))
    : [];
  const woken: string[] = [];
  if (!opts.dryRun && !problems.length) {
    const batch = toUpgrade.slice(0, opts.limit ?? toUpgrade.length);
    const payload = {
      reason: `scimflow upgrade to ${current.buildIds[0]}`,
      ...(opts.by ? { by: opts.by.slice(0, 256) } : {}),
    };
    // A few at a time: each wake-up makes a controller replay and continue as new.
    for (let i = 0; i < batch.length; i += 8) {
      await Promise.all(
        batch.slice(i, i + 8).map(async (r) => {
          try {
            await client.workflow.getHandle(r.workflowId).signal(upgradeSignal, payload);
            woken.push(r.workflowId);
          } catch (err) {
            // Closed meanwhile (a leaver finished, continued as new…): nothing to wake.
            if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
          }
        }),
      );
    }
  }
  const { problem: _p, ...cur } = current;
  return {
    current: cur,
    running: runs.length,
    byVersion,
    toUpgrade,
    woken: woken.sort(),
    dryRun: Boolean(opts.dryRun),
    problems,
  };
}

/** The report as people read it. */
export function formatUpgrade(
  r: UpgradeReport,
  table: (rows: Record<string, unknown>[], columns?: string[]) => string,
): string {
  const cur = r.current.buildIds.length
    ? `current build: ${r.current.buildIds[0]}${r.current.deployment ? ` (Worker Deployment ${r.current.deployment}${r.current.from === 'option' ? ', as given' : ''})` : r.current.from === 'pollers' ? ' (what the workers polling report)' : ' (as given)'}${r.current.ramping ? `; ramping: ${r.current.ramping.buildId} at ${r.current.ramping.percentage}%` : ''}`
    : 'current build: unknown';
  const lines = [cur, `running controllers: ${r.running}`, '', table(r.byVersion, ['version', 'people']), ''];
  lines.push(`not on the current build alone (their history holds tasks of another build): ${r.toUpgrade.length}`);
  for (const p of r.problems) lines.push(`cannot wake anyone: ${p}`);
  if (r.dryRun) {
    if (r.toUpgrade.length)
      lines.push(
        table(
          r.toUpgrade.slice(0, 50).map((u) => ({
            employeeId: u.employeeId,
            version: u.version,
            builds: u.builds.join(', '),
            started: u.startTime,
          })),
          ['employeeId', 'version', 'builds', 'started'],
        ),
      );
    if (r.toUpgrade.length > 50) lines.push(`… and ${r.toUpgrade.length - 50} more`);
    lines.push('dry run: nothing sent (`scimflow upgrade` wakes them)');
  } else if (!r.problems.length) {
    lines.push(
      `woke ${r.woken.length}: each continues as new onto the current build at its next quiet moment${r.woken.length < r.toUpgrade.length ? ` (${r.toUpgrade.length - r.woken.length} left: run it again)` : ''}`,
    );
  }
  return lines.join('\n');
}

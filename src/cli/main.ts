// The `scimflow` command. Exit codes: 0 success; 1 error; 2 usage or refused input;
// 3 `stuck` found lifecycles that need a person (for cron / monitoring). docs/operations.md lists them.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { Command, Option } from 'commander';
import {
  ConfigError,
  checkConfigFile,
  configPathFromEnv,
  formatConfigErrors,
  loadConfig,
  type ScimflowConfig,
} from '../config';
import { projectRoot } from '../dev/temporal-cli';
import { ago, parseAge, table } from './format';
import { OpsError, decide, findStuck, getState, listApprovals, signalAttention } from './ops';
import { isBundledExample, loadCommandConfig } from './command-config';
import { DEV_TEMPORAL_ENV, DEV_WEBHOOK_SECRET } from './dev-env';
import { durationValue, osUser, portValue, positiveIntegerValue, sinceValue } from './options';
import { versionString } from './version';
import { sendEvent } from './send';
import { connectClient, temporalAccess, temporalTarget } from './temporal';

const program = new Command();
program
  .name('scimflow')
  .description('Identity lifecycle daemon: HR events → Temporal workflows → SCIM 2.0 apps')
  .showHelpAfterError();
// Usage errors (unknown option or command, missing argument, bad value) exit 2; help exits 0. Set
// before the commands are added: each inherits it.
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
program.option('-V, --version', 'print the version (and git commit)').on('option:version', () => {
  process.stdout.write(`${versionString()}\n`);
  process.exit(0);
});

const configOption = () => new Option('-c, --config <file>', 'configuration file').default(configPathFromEnv());
const print = (json: boolean, value: unknown, human: () => string) =>
  process.stdout.write((json ? JSON.stringify(value, null, 2) : human()) + '\n');

async function withClient<T>(configFile: string, fn: (client: Client) => Promise<T>): Promise<T> {
  let target = temporalTarget();
  let config: ScimflowConfig | undefined;
  try {
    config = loadConfig(configFile);
    target = temporalTarget(config);
  } catch {
    // ops commands work without a valid config file: env or defaults name the server
  }
  // The configuration's TLS / API key and payload keys; for the bundled example, the development
  // key stands in when SCIMFLOW_PAYLOAD_KEY is unset (as under `scimflow dev`).
  const env = config && isBundledExample(configFile) ? { ...DEV_TEMPORAL_ENV, ...process.env } : process.env;
  const { client, close } = await connectClient(target, config ? temporalAccess(config, env) : undefined);
  try {
    return await fn(client);
  } catch (err) {
    if (/binary\/encrypted/.test(String((err as Error)?.message ?? err))) {
      throw new Error(
        `${(err as Error).message} — the payloads are encrypted: give the configuration whose temporal.encryption holds their key (-c <file>, or SCIMFLOW_CONFIG)`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    await close();
  }
}

program
  .command('dev')
  .description('run everything locally: Temporal dev server + UI, sandbox apps, worker, HR ingress')
  .addOption(configOption())
  .option('--data-dir <dir>', 'where Temporal and the sandbox keep their state', join(projectRoot, '.data'))
  .option('--temporal-port <n>', 'Temporal gRPC port (default: the port of the file’s temporal.address)', portValue)
  .option('--ui-port <n>', 'Temporal Web UI port', portValue, '8233')
  .option('--sandbox-port <n>', 'sandbox apps port', portValue, '7100')
  .option('--ingress-host <host>', 'HR ingress host (default: the file’s ingress.host)')
  .option('--ingress-port <n>', 'HR ingress port (default: the file’s ingress.port)', portValue)
  .option('--metrics-port <n>', 'Prometheus /metrics port', portValue, '9464')
  .option(
    '--temporal-metrics-port <n>',
    'port (on 127.0.0.1) where Temporal’s worker metrics are exported for /metrics to append; 0: none',
    portValue,
    '9465',
  )
  .option('--codec-port <n>', 'codec server port, on 127.0.0.1 (default: the file’s codecServer.port, 8081)', portValue)
  .option('--json-logs', 'JSON logs instead of pretty ones')
  .action(async (o) => {
    const { runDev } = await import('./dev');
    await runDev({
      config: o.config,
      dataDir: o.dataDir,
      ...(o.temporalPort !== undefined ? { temporalPort: Number(o.temporalPort) } : {}),
      uiPort: Number(o.uiPort),
      sandboxPort: Number(o.sandboxPort),
      ...(o.ingressHost !== undefined ? { ingressHost: o.ingressHost } : {}),
      ...(o.ingressPort !== undefined ? { ingressPort: Number(o.ingressPort) } : {}),
      metricsPort: Number(o.metricsPort),
      temporalMetricsPort: Number(o.temporalMetricsPort),
      ...(o.codecPort !== undefined ? { codecPort: Number(o.codecPort) } : {}),
      pretty: !o.jsonLogs,
    });
  });

program
  .command('worker')
  .description('run the Temporal worker (workflows + each app’s activities)')
  .addOption(configOption())
  .action(async (o) => {
    const { runWorkerProcess } = await import('./processes');
    await runWorkerProcess(o.config);
  });

program
  .command('ingress')
  .description('run the HR webhook ingress')
  .addOption(configOption())
  .action(async (o) => {
    const { runIngressProcess } = await import('./processes');
    await runIngressProcess(o.config);
  });

program
  .command('codec-server')
  .description(
    'serve the Temporal Web UI’s remote codec: POST /encode and /decode with the payload keys (docs/security.md)',
  )
  .addOption(configOption())
  .option('--host <host>', 'listen on this host (default: the file’s codecServer.host, 127.0.0.1)')
  .option('--port <n>', 'listen on this port (default: the file’s codecServer.port, 8081)', portValue)
  .action(async (o) => {
    const { runCodecServerProcess } = await import('../codec/server');
    await runCodecServerProcess(o.config, {
      ...(o.host !== undefined ? { host: o.host } : {}),
      ...(o.port !== undefined ? { port: Number(o.port) } : {}),
    });
  });

const config = program.command('config').description('configuration');
config
  .command('check [file]')
  .description('validate a configuration file (and, with --secrets, that every secret reference resolves)')
  .addOption(configOption())
  .option('--secrets', 'also check that referenced environment variables and files exist')
  .option('--json', 'JSON output')
  .action((file: string | undefined, o, cmd: Command) => {
    if (file && cmd.getOptionValueSource('config') === 'cli' && file !== o.config)
      cmd.error(`error: two configuration files given: ${file} and --config ${o.config}`);
    const res = checkConfigFile(file ?? o.config, o.secrets ? { env: process.env } : {});
    if (res.ok) {
      const sum = res.summary;
      print(o.json, res, () =>
        [
          `ok: ${sum.file}`,
          table(
            sum.apps.map((a) => ({
              app: a.name,
              kind: a.kind,
              baseUrl: a.baseUrl,
              seat: a.seatConsuming,
              approval: a.approvalRequired,
              allOrNothing: a.allOrNothing,
            })),
          ),
          `rules: ${sum.rules.join(', ')}`,
          `secrets (references only): ${sum.secrets.map((r) => `${r.path} ← ${r.ref}`).join(', ')}`,
        ].join('\n'),
      );
    } else {
      print(o.json, res, () =>
        [`${res.file}: invalid configuration`, ...formatConfigErrors(res.errors).map((l) => `  ${l}`)].join('\n'),
      );
      process.exitCode = 2;
    }
  });

program
  .command('send <event>')
  .description('sign an HR event (JSON file, or - for stdin) and post it to the ingress')
  .option('--url <url>', 'ingress URL', process.env.SCIMFLOW_INGRESS_URL ?? 'http://localhost:8080/webhooks/hr')
  .option('--secret <secret>', 'webhook secret (default: SCIMFLOW_WEBHOOK_SECRET, else the development default)')
  .action(async (file: string, o) => {
    const secret = o.secret ?? process.env.SCIMFLOW_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET;
    const res = await sendEvent(file, { url: o.url, secret });
    process.stdout.write(`${res.status} ${JSON.stringify(res.body)}\n`);
    // A batch answers 200 with a result per event: one refused (400, or 503: resend it) is exit 2 too.
    const refused = Number((res.body as { rejected?: unknown } | null)?.rejected ?? 0);
    if (refused > 0) process.stderr.write(`scimflow: ${refused} event(s) of the batch refused (see results)\n`);
    if (res.status >= 400 || refused > 0) process.exitCode = 2;
  });

program
  .command('plan <event>')
  .description('dry run: the entitlements the rules give and every SCIM write each app would get (reads only)')
  .addOption(configOption())
  .option('--json', 'JSON output')
  .action(async (file: string, o) => {
    const { parseEvent, planEvent, PlanInputError } = await import('./plan');
    let event;
    try {
      event = parseEvent(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      if (err instanceof PlanInputError || err instanceof SyntaxError)
        throw new OpsError('REFUSED', `${file}: ${err.message}`);
      throw err;
    }
    const result = await planEvent(loadCommandConfig(o.config), event);
    print(o.json, result, () =>
      [
        `${result.event.type} ${result.event.employeeId} (${result.event.id}) — employment: ${result.employment}; rules matched: ${result.matchedRules.join(', ') || '(none)'}`,
        '',
        table(result.entitlements.map((e) => ({ app: e.app, userName: e.userName, groups: e.groups.join(', ') }))),
        '',
        ...result.apps.flatMap((a) => [
          `${a.app}: ${a.state}${a.approvalRequired ? ' (waits for approval)' : ''}${a.current ? `  current: ${a.current.id} ${a.current.active ? 'active' : 'inactive'}` : ''}${a.error ? `  ERROR: ${a.error}` : ''}`,
          ...a.actions.map((r) => `  ${r.action}${r.request ? `\n    ${r.request}` : ''}`),
        ]),
      ].join('\n'),
    );
    if (result.apps.some((a) => a.state === 'error' || a.state === 'conflict')) process.exitCode = 1;
  });

program
  .command('status <employeeId>')
  .description('per-app link, status, last error and attempts; pending approvals; events processed')
  .addOption(configOption())
  .option('--json', 'JSON output')
  .action(async (employeeId: string, o) => {
    const state = await withClient(o.config, (c) => getState(c, employeeId));
    print(o.json, state, () =>
      [
        `${state.employeeId}  stage: ${state.stage}  employment: ${state.employment.status}${state.problems.length ? `  problems: ${state.problems.join(', ')}` : ''}`,
        '',
        table(
          Object.values(state.apps).map((a) => ({
            app: a.app,
            state: a.state,
            scimId: a.account?.id ?? a.link.scimId,
            userName: a.account?.userName,
            active: a.account ? String(a.account.active) : undefined,
            groups: (a.account?.groups ?? a.link.groups ?? []).join(','),
            lastError: a.failure ? `${a.failure.action}: ${a.failure.lastError}` : (a.conflict?.reason ?? a.problem),
            failingSince: a.failure ? ago(a.failure.since) : undefined,
            attempts: a.failure?.attempts,
          })),
          ['app', 'state', 'scimId', 'userName', 'active', 'groups', 'lastError', 'failingSince', 'attempts'],
        ),
        '',
        'pending approvals:',
        table(
          state.pendingApprovals.map((p) => ({
            app: p.app,
            request: p.id,
            purpose: p.purpose,
            approvers: p.approvers.join(', '),
            waiting: ago(new Date(p.requestedAt).toISOString()),
            deadline: new Date(p.deadline).toISOString(),
          })),
        ),
        'events:',
        table(
          state.events.map((e) => ({
            id: e.id,
            type: e.type,
            effectiveAt: e.effectiveAt,
            fate: e.fate.kind,
            detail: 'reason' in e.fate ? e.fate.reason : 'by' in e.fate ? `by ${e.fate.by}` : '',
          })),
        ),
        ...(state.compensation ? ['', `compensated: ${state.compensation.reason}`] : []),
      ].join('\n'),
    );
  });

program
  .command('approvals')
  .description('list pending approvals')
  .addOption(configOption())
  .option('--app <app>', 'only this app')
  .option('--json', 'JSON output')
  .action(async (o) => {
    const rows = await withClient(o.config, (c) => listApprovals(c, o.app));
    print(o.json, rows, () =>
      table(
        rows.map((r) => ({ ...r, waiting: ago(r.since), escalates: r.escalates ?? '' })),
        [
          'deadline',
          'person',
          'employeeId',
          'seat',
          'title',
          'department',
          'manager',
          'rule',
          'approvers',
          'escalates',
          'waiting',
          'requestId',
        ],
      ),
    );
  });

for (const decision of ['approve', 'reject'] as const) {
  program
    .command(`${decision} <employeeId> <app>`)
    .description(`${decision} a pending seat-consuming create (through the validated \`decide\` Update)`)
    .addOption(configOption())
    .requiredOption('--as <approver>', 'who decides (must be one of the app’s approvers)')
    .option('--comment <text>', 'why')
    .action(async (employeeId: string, app: string, o) => {
      const res = await withClient(o.config, (c) => decide(c, employeeId, app, decision, o.as, o.comment));
      process.stdout.write(
        `${decision === 'approve' ? 'approved' : 'rejected'} ${app} for ${employeeId} (${res.requestId})\n`,
      );
    });
}

program
  .command('stuck')
  .description('lifecycles that wait on a person or keep failing; exits 3 when there are any')
  .addOption(configOption())
  .addOption(
    new Option('--stage <stage>', 'only this stage').choices([
      'unknown',
      'pre-hire',
      'joining',
      'active',
      'compensated',
      'leaving',
      'left',
    ]),
  )
  .option('--older-than <age>', 'only stuck for at least this long (e.g. 30m, 1h, 2d)', durationValue)
  .option('--min-attempts <n>', 'an app counts as failing after this many failed passes', positiveIntegerValue, '1')
  .option('--json', 'JSON output')
  .action(async (o) => {
    const rows = await withClient(o.config, (c) =>
      findStuck(c, {
        stage: o.stage,
        ...(o.olderThan ? { olderThanMs: parseAge(o.olderThan) } : {}),
        minAttempts: Number(o.minAttempts),
      }),
    );
    print(o.json, rows, () =>
      table(
        rows.map((r) => ({ ...r, stuckFor: ago(r.since) })),
        ['employeeId', 'stage', 'app', 'reason', 'lastFailure', 'attempts', 'stuckFor'],
      ),
    );
    if (rows.length) process.exitCode = 3;
  });

for (const action of ['retry', 'skip'] as const) {
  program
    .command(`${action} <employeeId>`)
    .description(
      action === 'retry'
        ? 'retry the steps that need attention'
        : 'give up on the steps that need attention and move on',
    )
    .addOption(configOption())
    .option('--app <app>', 'only this app')
    .option('--reason <text>', 'why (recorded in the audit trail)')
    .option('--as, --by <who>', 'who asks (recorded in the audit trail; default: the OS user)')
    .action(async (employeeId: string, o) => {
      const ids = await withClient(o.config, (c) =>
        signalAttention(c, employeeId, action, o.app, o.reason, o.by ?? osUser()),
      );
      process.stdout.write(`${action} sent to ${ids.join(', ')}\n`);
    });
}

program
  .command('audit')
  .description('who decided, retried, skipped or refreshed what, when, how and why — across people, oldest first')
  .addOption(configOption())
  .option('--since <when>', 'only entries since an ISO date/time, or for the last 30m, 1h, 7d…', sinceValue)
  .option('--person <employeeId>', 'only this person')
  .option('--app <app>', 'only this app')
  .option('--json', 'JSON output')
  .action(async (o) => {
    const { listAudit, formatAudit, parseSince } = await import('./audit');
    const filter = {
      ...(o.since ? { sinceMs: parseSince(o.since) } : {}),
      ...(o.person ? { employeeId: String(o.person) } : {}),
      ...(o.app ? { app: String(o.app) } : {}),
    };
    const listing = await withClient(o.config, (c) => listAudit(c, filter));
    print(o.json, listing, () => formatAudit(listing));
  });

program
  .command('seats')
  .description(
    'per seat-consuming app: seats held (the app’s own accounts), pending approval, held by people who left, scheduled for deletion',
  )
  .addOption(configOption())
  .option('--app <app>', 'only this app')
  .option('--json', 'JSON output')
  .action(async (o) => {
    const { seatsCommand } = await import('./seats');
    const out = await seatsCommand({ configFile: o.config, ...(o.app ? { app: o.app } : {}) });
    print(o.json, out.json, () => out.text);
  });

program
  .command('reconcile')
  .description(
    'scan every account of each app against the people scimflow knows: in-sync, drifted, orphan, unlinked-owner, conflict (dry run unless --fix)',
  )
  .addOption(configOption())
  .option('--app <app>', 'only this app')
  .option('--fix', 'converge the chosen classes through the controllers (orphans only through the mass-change guard)')
  .option('--classes <list>', 'classes --fix converges (drifted,unlinked-owner,orphan)', 'drifted,unlinked-owner')
  .option('--limit <n>', 'rows kept per app (the counts are always complete)', positiveIntegerValue, '1000')
  .option(
    '--last',
    "the last scheduled run's results per app (reads only; the schedules run `0 3 * * *` unless configured)",
  )
  .option('--json', 'JSON output')
  .action(async (o) => {
    if (o.last) {
      const { lastReconcileCommand } = await import('./reconcile');
      const out = await withClient(o.config, (c) => lastReconcileCommand(c, o.config, o.app));
      print(o.json, out.json, () => out.text);
      if (out.failing) process.exitCode = 3;
      return;
    }
    const { reconcileCommand } = await import('./reconcile');
    const out = await reconcileCommand({
      configFile: o.config,
      ...(o.app ? { app: o.app } : {}),
      fix: Boolean(o.fix),
      classes: String(o.classes),
      limit: Number(o.limit),
    });
    print(o.json, out.json, () => out.text);
    if (out.refused) process.exitCode = 2;
  });

program
  .command('import <roster>')
  .description(
    'import an HR roster (.csv or .json): hire, update and terminate to match it (docs/hr-events.md, "Roster")',
  )
  .addOption(configOption())
  .option('--dry-run', 'print the planned hires, updates and terminations; send nothing')
  .addOption(
    new Option('--hints <mode>', 'scan each app once and hand the controllers what it saw (bulk onboarding)')
      .choices(['auto', 'always', 'never'])
      .default('auto'),
  )
  .option('--no-wait', 'do not wait for the controllers to settle')
  .option('--json', 'JSON output')
  .action(async (file: string, o) => {
    const { importCommand, formatProgress } = await import('./import');
    const tty = process.stderr.isTTY;
    const out = await importCommand({
      configFile: o.config,
      file,
      dryRun: Boolean(o.dryRun),
      hints: o.hints,
      wait: o.wait !== false,
      progress: (p) => process.stderr.write(tty ? `\r${formatProgress(p)}   ` : `${formatProgress(p)}\n`),
    });
    if (tty) process.stderr.write('\n');
    print(o.json, out.json, () => out.text);
    if (out.refused) process.exitCode = 1;
  });

const guard = program
  .command('guard')
  .description('the mass-change guard: deactivations and deletions beyond the allowance wait here');
guard
  .command('status <app>')
  .description('allowance, window and held changes of one app')
  .addOption(configOption())
  .option('--json', 'JSON output')
  .action(async (app: string, o) => {
    const { guardView } = await import('../reconcile/controllers');
    const v = await withClient(o.config, (c) => guardView(c, app)).catch((err: unknown) => {
      if ((err as Error).name === 'WorkflowNotFoundError')
        throw new OpsError('NOT_FOUND', `no guard for ${app} yet (nothing was asked of it)`);
      throw err;
    });
    print(o.json, v, () =>
      [
        `${app}: allowance ${v.allowance} per ${v.policy.windowMs / 60_000} min (${v.accounts || 'unknown'} accounts); used ${v.window.length}; held ${v.held.length}`,
        table(
          v.held.map((h) => ({
            id: h.id,
            kind: h.kind,
            accountId: h.accountId,
            requester: h.requester,
            since: new Date(h.at).toISOString(),
          })),
        ),
      ].join('\n'),
    );
  });
for (const decision of ['release', 'reject'] as const) {
  guard
    .command(`${decision} <app>`)
    .description(
      decision === 'release' ? 'let every held change of the app go ahead' : 'refuse every held change of the app',
    )
    .addOption(configOption())
    .option('--as <who>', 'who decides (recorded)', process.env.USER ?? 'operator')
    .action(async (app: string, o) => {
      const { guardView, guardDecide } = await import('../reconcile/controllers');
      const n = await withClient(o.config, async (c) => {
        const held = (await guardView(c, app).catch(() => undefined))?.held.length ?? 0;
        if (held === 0) throw new OpsError('NOTHING_PENDING', `nothing is held for ${app}`);
        await guardDecide(c, app, decision, o.as);
        return held;
      });
      process.stdout.write(`${decision === 'release' ? 'released' : 'rejected'} ${n} held change(s) in ${app}\n`);
    });
}

program
  .command('upgrade')
  .description(
    'running controllers per build/version; wakes those on an older build so they continue as new onto the current one (docs/versioning.md)',
  )
  .addOption(configOption())
  .option('--dry-run', 'only list: send nothing')
  .option(
    '--deployment <name>',
    'the Worker Deployment (default: the file’s temporal.deployment.name; none: unversioned workers)',
  )
  .option(
    '--build-id <id>',
    'the current build (default: the deployment’s current version, else what the polling workers report)',
  )
  .option('--limit <n>', 'wake at most this many (oldest runs first)', positiveIntegerValue)
  .option('--json', 'JSON output')
  .action(async (o) => {
    const { upgrade, formatUpgrade } = await import('./upgrade');
    let deployment: string | undefined = o.deployment;
    if (deployment === undefined) {
      try {
        deployment = loadConfig(o.config).temporal.deployment?.name;
      } catch {
        // no usable file: unversioned unless --deployment says otherwise
      }
    }
    const by = `${process.env.USER ?? 'someone'} (scimflow upgrade)`;
    const report = await withClient(o.config, (c) =>
      upgrade(c, {
        ...(deployment ? { deployment } : {}),
        ...(o.buildId ? { buildId: o.buildId } : {}),
        ...(o.limit ? { limit: Number(o.limit) } : {}),
        dryRun: Boolean(o.dryRun),
        by,
      }),
    );
    print(o.json, report, () => formatUpgrade(report, table));
    if (report.problems.length && !o.dryRun) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof OpsError || err instanceof ConfigError) {
    process.stderr.write(`scimflow: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`scimflow: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

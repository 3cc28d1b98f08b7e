// Randomised model-based end-to-end test: N people, random HR event sequences delivered shuffled
// and duplicated, sandbox faults on (5xx, 429, commit-then-drop, latency, failing group writes),
// the worker stopped and restarted a few times, and an approver who approves whatever waits. At
// quiescence every app — read over its own SCIM API — must match an independent model: at most one
// account per person and app, active exactly where the model says, every leaver deactivated, and
// no account of a non-scimflow person touched.
//
// SCIMFLOW_SEED picks the seed (default 1); SCIMFLOW_MODEL_PEOPLE the size (default 10).
// bench/model-based runs it longer with several seeds.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import fc from 'fast-check';
import { identityWorkflowId, type Employee, type HrEvent } from '../../src/shared/hr-event';
import { decideUpdate } from '../../src/workflows/definitions';
import { groupsOf, knobs, seedUser, usersOf, type AppName, type AppUser } from '../helpers/apps';
import { jumpcloudUserName, startStack, type Stack } from '../helpers/stack';
import { waitFor, workflowBundle } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

const SEED = Number(process.env.SCIMFLOW_SEED ?? 1);
const PEOPLE = Number(process.env.SCIMFLOW_MODEL_PEOPLE ?? 10);
const APPS: AppName[] = ['generic', 'jasper', 'jumpcloud'];

type Dept = 'Sales' | 'Engineering' | 'Marketing';
interface Plan {
  dept: Dept;
  moves: Dept[];
  /** 0: stays; 1: terminated; 2: terminated then rehired; 3: termination cancelled */
  ending: 0 | 1 | 2 | 3;
  hireDelayMs: number;
}

/** The independent oracle: what the HR record says at quiescence (every event already effective). */
function expected(plan: Plan): { employed: boolean; dept: Dept } {
  const dept = plan.moves.at(-1) ?? plan.dept;
  return { employed: plan.ending !== 1, dept };
}

function grantsFor(dept: Dept): Record<AppName, { granted: boolean; groups: string[] }> {
  const generic = ['all-staff', dept.toLowerCase()].sort();
  return {
    generic: { granted: true, groups: generic },
    jumpcloud: { granted: true, groups: [] },
    jasper: { granted: dept === 'Engineering', groups: [] },
  } as unknown as Record<AppName, { granted: boolean; groups: string[] }>;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(LIFECYCLE_CONFIG);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it(
  `converges to the model under shuffled, duplicated events, faults and restarts (seed ${SEED}, ${PEOPLE} people)`,
  async () => {
    const base = stack.sandbox.url;
    const rand = fc.sample(fc.infiniteStream(fc.nat({ max: 1_000_000 })), { seed: SEED, numRuns: 1 })[0]!;
    const r = (n: number) => rand.next().value % n;
    const depts: Dept[] = ['Sales', 'Engineering', 'Marketing'];
    const tag = `${SEED}-${Date.now().toString(36)}`;

    // Bystanders: accounts of people scimflow does not know, some with colliding userNames.
    const bystanders: AppUser[] = [];
    for (let i = 0; i < 3; i++)
      bystanders.push(
        await seedUser(base, 'generic', {
          userName: `outsider${i}-${tag}@example.com`,
          externalId: `OUTSIDER-${i}-${tag}`,
          title: 'Not ours',
          active: true,
        }),
      );

    const people: { emp: Employee; plan: Plan; events: HrEvent[] }[] = [];
    const t0 = Date.now();
    for (let i = 0; i < PEOPLE; i++) {
      const emp: Employee = {
        employeeId: `M${tag}-${i}`,
        email: `m${i}-${tag}@example.com`,
        givenName: 'Model',
        familyName: `Person${i}`,
        department: depts[r(3)]!,
        title: 'Staff',
      };
      const plan: Plan = {
        dept: emp.department as Dept,
        moves: Array.from({ length: r(3) }, () => depts[r(3)]!),
        ending: r(4) as Plan['ending'],
        hireDelayMs: r(2) ? 0 : 1_500,
      };
      const at = (ms: number) => new Date(t0 + ms).toISOString();
      const events: HrEvent[] = [];
      const rec = (k: number) => at(k * 10);
      events.push({
        id: `${emp.employeeId}-hire`,
        type: 'hire',
        effectiveAt: at(plan.hireDelayMs),
        recordedAt: rec(1),
        employee: emp,
      });
      plan.moves.forEach((d, k) =>
        events.push({
          id: `${emp.employeeId}-move${k}`,
          type: 'update',
          effectiveAt: at(plan.hireDelayMs + 100 * (k + 1)),
          recordedAt: rec(2 + k),
          employee: { ...emp, department: d },
        }),
      );
      const last = { ...emp, department: plan.moves.at(-1) ?? plan.dept };
      if (plan.ending === 1 || plan.ending === 2)
        events.push({
          id: `${emp.employeeId}-term`,
          type: 'terminate',
          effectiveAt: at(plan.hireDelayMs + 1_000),
          recordedAt: rec(10),
          employee: last,
        });
      if (plan.ending === 2)
        events.push({
          id: `${emp.employeeId}-rehire`,
          type: 'rehire',
          effectiveAt: at(plan.hireDelayMs + 2_000),
          recordedAt: rec(11),
          employee: last,
        });
      if (plan.ending === 3) {
        events.push({
          id: `${emp.employeeId}-term`,
          type: 'terminate',
          effectiveAt: at(plan.hireDelayMs + 60_000),
          recordedAt: rec(10),
          employee: last,
        });
        events.push({
          id: `${emp.employeeId}-cancel`,
          type: 'cancel',
          recordedAt: rec(11),
          employee: last,
          cancels: `${emp.employeeId}-term`,
        });
      }
      people.push({ emp, plan, events });
    }

    // Faults on every app.
    for (const app of APPS)
      await knobs(base, app, { errorRate: 0.08, latencyMs: 15, dropAfterCommit: 2, throttleNext: 3, retryAfter: '1' });
    await knobs(base, 'generic', { groupWriteFailures: { status: 503, count: 4 } });

    // Deliver: every event once or twice, in a shuffled order, interleaved with worker restarts.
    const deliveries = people.flatMap((p) => p.events.flatMap((e) => (r(3) === 0 ? [e, e] : [e])));
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = r(i + 1);
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    let stopApprover = false;
    const approver = (async () => {
      while (!stopApprover) {
        for (const p of people) {
          const s = await stack.state(p.emp.employeeId).catch(() => undefined);
          for (const a of s?.pendingApprovals ?? []) {
            await stack.client.workflow
              .getHandle(identityWorkflowId(p.emp.employeeId))
              .executeUpdate(decideUpdate, {
                args: [{ app: a.app, decision: 'approve', approver: 'lead@example.com', requestId: a.id }],
              })
              .catch(() => undefined);
          }
        }
        await new Promise((res) => setTimeout(res, 300));
      }
    })();
    const restarts = new Set([Math.floor(deliveries.length / 3), Math.floor((2 * deliveries.length) / 3)]);
    for (let i = 0; i < deliveries.length; i++) {
      await stack.send(deliveries[i]!);
      if (restarts.has(i)) {
        await stack.stopWorkers();
        await stack.restartWorkers();
      }
    }
    await new Promise((res) => setTimeout(res, 2_500)); // every effectiveAt has passed
    for (const app of APPS)
      await knobs(base, app, {
        errorRate: 0,
        latencyMs: 0,
        dropAfterCommit: 0,
        throttleNext: 0,
        groupWriteFailures: null,
      });

    // Quiescence: every person settled as their record says.
    try {
      await waitFor(
        async () => {
          for (const p of people) {
            const s = await stack.state(p.emp.employeeId);
            const want = expected(p.plan);
            if (s.problems.length || s.pendingApprovals.length || s.stage !== (want.employed ? 'active' : 'left'))
              return undefined;
          }
          return true;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'every person settled' },
      );
    } catch (err) {
      const stuck: unknown[] = [];
      for (const p of people) {
        const s = await stack.state(p.emp.employeeId).catch(async (e: unknown) => {
          const h = await stack.client.workflow.getHandle(identityWorkflowId(p.emp.employeeId)).fetchHistory();
          if (process.env.SCIMFLOW_DUMP_HISTORIES)
            writeFileSync(join(process.env.SCIMFLOW_DUMP_HISTORIES, `${p.emp.employeeId}.json`), JSON.stringify(h));
          const failures = (h.events ?? [])
            .map((x) => x.workflowTaskFailedEventAttributes?.failure?.message)
            .filter(Boolean);
          return { error: `${String(e)}; task failures: ${[...new Set(failures)].join(' | ').slice(0, 1500)}` };
        });
        const want = expected(p.plan);
        if (
          'error' in s ||
          s.problems.length ||
          s.pendingApprovals.length ||
          s.stage !== (want.employed ? 'active' : 'left')
        ) {
          stuck.push({
            id: p.emp.employeeId,
            want,
            plan: p.plan,
            state:
              'error' in s
                ? s
                : {
                    stage: s.stage,
                    employment: s.employment.status,
                    problems: s.problems,
                    apps: Object.values(s.apps).map((a) => [
                      a.app,
                      a.state,
                      a.plannedFor === s.employment.version,
                      a.failure?.lastError,
                    ]),
                    log: s.log.slice(-8),
                  },
          });
        }
      }
      throw new Error(`${String(err)}\n${JSON.stringify(stuck, null, 1)}`, { cause: err });
    } finally {
      stopApprover = true;
      await approver;
    }

    // The invariants, on the apps' own word.
    const users = Object.fromEntries(
      await Promise.all(APPS.map(async (a) => [a, await usersOf(base, a)] as const)),
    ) as Record<AppName, AppUser[]>;
    const groups = await groupsOf(base, 'generic');
    const problems: string[] = [];
    for (const p of people) {
      const want = expected(p.plan);
      const grants = grantsFor(want.dept);
      for (const app of APPS) {
        const key = app === 'jumpcloud' ? jumpcloudUserName(p.emp.email) : p.emp.email;
        const mine = users[app].filter((u) => u.userName.toLowerCase() === key.toLowerCase());
        if (mine.length > 1) problems.push(`${p.emp.employeeId} ${app}: ${mine.length} accounts`);
        const shouldBeActive = want.employed && grants[app].granted;
        const isActive = mine.some((u) => u.active);
        if (shouldBeActive !== isActive)
          problems.push(
            `${p.emp.employeeId} ${app}: active=${isActive}, the record says ${shouldBeActive} (${JSON.stringify(p.plan)})`,
          );
        if (app === 'generic' && mine[0] && shouldBeActive) {
          const held = groups
            .filter((g) => g.members.includes(mine[0]!.id))
            .map((g) => g.displayName)
            .sort();
          if (JSON.stringify(held) !== JSON.stringify(grants.generic.groups))
            problems.push(`${p.emp.employeeId} generic groups ${held.join(',')} != ${grants.generic.groups.join(',')}`);
        }
      }
    }
    for (const b of bystanders) {
      const now = users.generic.find((u) => u.id === b.id);
      if (!now || !now.active || now.title !== 'Not ours' || now.externalId !== b.externalId)
        problems.push(`bystander ${b.userName} was touched: ${JSON.stringify(now)}`);
    }
    expect(problems).toEqual([]);

    // Every history replays against the code (worker restarts replayed some of them already).
    const histories = await Promise.all(
      people.map(async (p) => ({
        workflowId: identityWorkflowId(p.emp.employeeId),
        history: await stack.client.workflow.getHandle(identityWorkflowId(p.emp.employeeId)).fetchHistory(),
      })),
    );
    const failures: string[] = [];
    for await (const res of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(), dataConverter: stack.dataConverter },
      histories,
    ))
      if (res.error) failures.push(`${res.workflowId}: ${String(res.error)}`);
    if (failures.length && process.env.SCIMFLOW_DUMP_HISTORIES) {
      for (const h of histories)
        writeFileSync(join(process.env.SCIMFLOW_DUMP_HISTORIES, `${h.workflowId}.json`), JSON.stringify(h.history));
    }
    expect(failures).toEqual([]);
  },
  Number(process.env.SCIMFLOW_MODEL_TIMEOUT_MS ?? 240_000),
);

// `scimflow plan <event.json>`: a dry run of the controller's own decisions. The event is folded
// into a timeline exactly as the controller does, the worker's rules give what each app should
// hold, each app is observed with the same one lookup, and the same pure planner says what it
// would do — nothing is written. (It knows only this one event: a person's earlier events live in
// their controller; `scimflow status` shows those.)
import type { Env, ScimflowConfig } from '../config';
import { applyAction, planApp, type Action, type AppLink, type AppPlan, type AppState } from '../domain/planner';
import { timeline } from '../domain/person';
import type { ObservedAccount } from '../domain/ownership';
import { HrEventSchema, describeIssues, type HrEvent } from '../shared/hr-event';
import { composeWorker } from '../worker/compose';
import { toObservedAccount } from '../activities';

export interface AppPlanView {
  app: string;
  granted: boolean;
  state: AppState | 'error';
  approvalRequired: boolean;
  current?: { id: string; userName: string; externalId?: string; active: boolean };
  actions: { action: string; request?: string }[];
  error?: string;
}

export interface PlanResult {
  event: { id: string; type: HrEvent['type']; employeeId: string };
  employment: string;
  matchedRules: string[];
  entitlements: { app: string; groups: string[]; userName: string }[];
  apps: AppPlanView[];
}

export class PlanInputError extends Error {
  override readonly name = 'PlanInputError';
  constructor(readonly fields: { field: string; message: string }[]) {
    super(`invalid HR event: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`);
  }
}

export function parseEvent(json: unknown): HrEvent {
  const parsed = HrEventSchema.safeParse(json);
  if (!parsed.success) throw new PlanInputError(describeIssues(parsed.error));
  return parsed.data;
}

function describeAction(a: Action): { action: string; request?: string } {
  switch (a.kind) {
    case 'create':
      return { action: 'create the account', request: `POST /Users ${JSON.stringify(a.user)}` };
    case 'adopt':
      return { action: `adopt ${a.accountId} (no externalId, same userName): stamp the externalId` };
    case 'update':
      return {
        action: 'bring the attributes up to date',
        request: `PATCH /Users/${a.accountId} (generated from the difference)`,
      };
    case 'setActive':
      return {
        action: `${a.active ? 'reactivate' : 'deactivate'} (${a.why})`,
        request: `PATCH /Users/${a.accountId} active=${a.active}`,
      };
    case 'addGroup':
      return { action: `add to group ${a.group}`, request: `PATCH /Groups/<${a.group}> add members ${a.accountId}` };
    case 'removeGroup':
      return {
        action: `remove from group ${a.group} (${a.why})`,
        request: `PATCH /Groups/<${a.group}> remove members[value eq ${JSON.stringify(a.accountId)}]`,
      };
    case 'removeJsmCustomer':
      return { action: 'remove the JSM customer' };
    case 'delete':
      return { action: 'hard delete', request: `DELETE /Users/${a.accountId}` };
    case 'forget':
      return { action: 'forget the linked account (gone)' };
  }
}

export async function planEvent(config: ScimflowConfig, event: HrEvent, env: Env = process.env): Promise<PlanResult> {
  const composed = composeWorker(config, env);
  try {
    const now = Date.now();
    const at = event.effectiveAt ? Date.parse(event.effectiveAt) : now;
    const tl = timeline(
      [
        {
          id: event.id,
          type: event.type,
          at,
          recordedAt: now,
          employee: event.employee,
          ...(event.cancels ? { cancels: event.cancels } : {}),
        },
      ],
      now,
    );
    const desires = composed.deps.desire(event.employee);
    const apps: AppPlanView[] = [];
    for (const d of desires) {
      const c = composed.deps.connector(d.app);
      try {
        const found = await c.lookupUsers({
          userName: d.user.userName,
          ...(d.user.externalId ? { externalId: d.user.externalId } : {}),
        });
        const accounts: ObservedAccount[] = found
          .filter((u) => typeof u.id === 'string')
          .map((u) => toObservedAccount(u, c.profile.owner));
        const e = tl.employment;
        const ctx = {
          status: e.status,
          ...(e.status === 'left' && e.since !== undefined ? { leftAt: e.since } : {}),
          ...(e.terminationId ? { terminationId: e.terminationId } : {}),
          now,
          compensating: false,
          skipped: false,
          approval: 'approved' as const,
        };
        // The controller's own loop, on the planner's expectation of each action's effect: every step it would take.
        const plan: AppPlan = planApp(d, accounts, undefined, ctx);
        const steps: Action[] = [];
        let seen = accounts;
        let link: AppLink | undefined;
        for (let next = plan; next.actions.length > 0 && steps.length < 50; next = planApp(d, seen, link, ctx)) {
          const action = next.actions[0]!;
          steps.push(action);
          ({ accounts: seen, link } = applyAction(seen, link, action, d, { id: '<new id>' }));
        }
        plan.actions = steps;
        const gated =
          d.seatGate &&
          (plan.actions.some((a) => a.kind === 'create') ||
            plan.actions.some((a) => a.kind === 'setActive' && a.active));
        const cur = plan.account ?? plan.conflict?.accounts[0];
        apps.push({
          app: d.app,
          granted: d.granted,
          state: plan.state,
          approvalRequired: gated,
          ...(cur
            ? {
                current: {
                  id: cur.id,
                  userName: cur.userName,
                  ...(cur.externalId ? { externalId: cur.externalId } : {}),
                  active: 'active' in cur ? Boolean(cur.active) : true,
                },
              }
            : {}),
          actions: plan.actions.map(describeAction),
          ...(plan.conflict
            ? { error: `identity conflict: ${plan.conflict.reason}` }
            : d.problem
              ? { error: d.problem }
              : {}),
        });
      } catch (err) {
        apps.push({
          app: d.app,
          granted: d.granted,
          state: 'error',
          approvalRequired: false,
          actions: [],
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const granted = desires.filter((d) => d.granted);
    return {
      event: { id: event.id, type: event.type, employeeId: event.employee.employeeId },
      employment: tl.employment.status,
      matchedRules: [...new Set(granted.flatMap((d) => d.grantedBy))].sort(),
      entitlements: granted.map((d) => ({ app: d.app, groups: d.groups, userName: d.user.userName })),
      apps,
    };
  } finally {
    await composed.close();
  }
}

// `scimflow plan <event.json>`: a dry run. The entitlements the rules give, and every SCIM write
// (method, path, body) that would be sent to each app given its current state — read with GETs
// only; nothing is written.
import { createConnector } from '../connectors';
import { applyPlan, planPatch } from '../connectors/patch-plan';
import type { Capabilities, Connector, ScimGroup, ScimUser } from '../connectors/types';
import { outgoingUser } from '../connectors/user-rules';
import { resolveSecrets, toAppConnection, toPublicConfig, type Env, type ScimflowConfig } from '../config';
import { computeEntitlements, type Entitlements } from '../rules';
import { GROUP_SCHEMA, PATCH_OP_SCHEMA } from '../scim';
import { HrEventSchema, describeIssues, type HrEvent } from '../shared/hr-event';

export interface PlannedRequest {
  method: 'POST' | 'PATCH' | 'PUT';
  path: string;
  body: unknown;
  note?: string;
}

export interface AppPlanView {
  app: string;
  action: 'create' | 'update' | 'reactivate' | 'deactivate' | 'none' | 'error';
  approvalRequired: boolean;
  current?: { id: string; userName: string; active: boolean };
  requests: PlannedRequest[];
  error?: string;
}

export interface PlanResult {
  event: { id: string; type: HrEvent['type']; employeeId: string };
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

type Obj = Record<string, unknown>;

const setActive = (id: string, active: boolean): PlannedRequest => ({
  method: 'PATCH',
  path: `/Users/${id}`,
  body: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: active }] },
});

async function planGroups(c: Connector, userId: string, isNew: boolean, add: string[], remove: string[]): Promise<PlannedRequest[]> {
  const out: PlannedRequest[] = [];
  if (!c.profile.groups.supported) return out;
  const member = (g: ScimGroup | undefined) => Boolean(g?.members?.some((m) => m.value === userId));
  for (const name of add) {
    const g = await c.findGroup(name);
    const gid = g?.id ?? `<new group ${name}>`;
    if (!g) out.push({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: name } });
    if (isNew || !member(g)) {
      out.push({ method: 'PATCH', path: `/Groups/${gid}`, body: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] } });
    }
  }
  for (const name of remove) {
    const g = await c.findGroup(name);
    if (g?.id && member(g)) {
      out.push({ method: 'PATCH', path: `/Groups/${g.id}`, body: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] } });
    }
  }
  return out;
}

function updateRequests(profile: Capabilities, current: ScimUser, desired: ScimUser, app: string): PlannedRequest[] {
  const plan = planPatch(current as unknown as Obj, desired as unknown as Obj, undefined, profile);
  if (plan.Operations.length === 0) return [];
  const path = `/Users/${current.id}`;
  if (profile.patch) return [{ method: 'PATCH', path, body: plan }];
  return [{ method: 'PUT', path, body: outgoingUser(applyPlan(current as unknown as Obj, plan) as ScimUser, profile, app), note: 'PUT-only app: the whole user' }];
}

export async function planEvent(config: ScimflowConfig, event: HrEvent, env: Env = process.env): Promise<PlanResult> {
  const publicConfig = toPublicConfig(config);
  const ent: Entitlements = computeEntitlements(event.employee, publicConfig);
  const granted = new Map(ent.apps.map((a) => [a.app, a]));
  const secrets = resolveSecrets(config, env);
  const apps: AppPlanView[] = [];
  for (const [name, appConfig] of Object.entries(config.apps)) {
    const c = createConnector(toAppConnection(appConfig, secrets.apps[name]!));
    const e = granted.get(name);
    try {
      const desired = e ? outgoingUser(e.user as unknown as ScimUser, c.profile, name) : undefined;
      const current =
        (await c.findUser({ userName: desired?.userName ?? event.employee.userName ?? event.employee.email })) ?? (await c.findUser({ externalId: event.employee.employeeId }));
      const cur = current?.id ? { id: current.id, userName: current.userName, active: current.active !== false } : undefined;
      const approvalRequired = Boolean(e?.approval.required && !cur);
      if (event.type === 'terminate' || !e) {
        if (!cur || !cur.active) {
          apps.push({ app: name, action: 'none', approvalRequired: false, ...(cur ? { current: cur } : {}), requests: [] });
          continue;
        }
        const groups = event.type === 'terminate' && appConfig.leaver.removeGroups ? (current?.groups ?? []).map((g) => g.display ?? g.value) : [];
        const requests = [
          ...(await planGroups(c, cur.id, false, [], groups)),
          setActive(cur.id, false),
        ];
        apps.push({ app: name, action: 'deactivate', approvalRequired: false, current: cur, requests });
        continue;
      }
      if (!cur) {
        const requests: PlannedRequest[] = [{ method: 'POST', path: '/Users', body: desired, ...(approvalRequired ? { note: 'after approval' } : {}) }];
        requests.push(...(await planGroups(c, '<new user id>', true, e.groups, [])));
        apps.push({ app: name, action: 'create', approvalRequired, requests });
        continue;
      }
      const requests: PlannedRequest[] = [];
      if (!cur.active) requests.push(setActive(cur.id, true));
      requests.push(...updateRequests(c.profile, { ...current!, active: true }, desired!, name));
      requests.push(...(await planGroups(c, cur.id, false, e.groups, [])));
      apps.push({ app: name, action: !cur.active ? 'reactivate' : requests.length ? 'update' : 'none', approvalRequired: false, current: cur, requests });
    } catch (err) {
      apps.push({ app: name, action: 'error', approvalRequired: false, requests: [], error: err instanceof Error ? err.message : String(err) });
    } finally {
      await c.close();
    }
  }
  return {
    event: { id: event.id, type: event.type, employeeId: event.employee.employeeId },
    matchedRules: ent.matchedRules,
    entitlements: ent.apps.map((a) => ({ app: a.app, groups: a.groups, userName: a.user.userName })),
    apps: apps.sort((a, b) => a.app.localeCompare(b.app)),
  };
}

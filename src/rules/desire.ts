// Employee × configuration → what every configured app should hold for the person (the planner's
// "desired" side). Pure; the worker runs it with its own configuration at the moment of planning,
// so the policy never travels in a workflow input.
import type { PublicConfig } from '../config/types';
import type { AppDesire } from '../domain/planner';
import type { OwnerRule } from '../domain/ownership';
import type { NotificationRouting } from '../domain/notifications';
import type { Employee } from '../shared/hr-event';
import { computeEntitlements } from './entitlements';
import { buildDesiredUser, managedAttributes } from './mapping';

/** Facts the connector profile adds (the app's own rules for a user it will accept). */
export interface AppFacts {
  owner: OwnerRule;
  groupsSupported: boolean;
  /** The body the connector would send (its userName rule applied); throws INVALID when the app would refuse it. */
  outgoing(user: Record<string, unknown> & { userName: string }): Record<string, unknown> & { userName: string };
}

export interface DesireResult extends AppDesire {
  /** The app would refuse this person's account as mapped (e.g. a userName it does not accept). */
  problem?: string;
  approval: {
    required: boolean;
    approvers: string[];
    timeoutMs: number;
    onTimeout: 'reject' | 'escalate';
    escalateTo: string[];
    unverifiedDecisions?: 'accept' | 'refuse';
  };
  grantedBy: string[];
  /** The notifications the worker's configuration routes for this app (src/domain/notifications.ts); absent: none. */
  notify?: NotificationRouting;
}

export function managedGroups(config: PublicConfig, app: string): string[] {
  const out = new Set<string>();
  for (const rule of config.rules.birthright)
    for (const g of rule.grant) if (g.app === app) for (const name of g.groups) out.add(name);
  return [...out].sort();
}

/** One entry per configured app, sorted by app name. `granted` only when the rules grant it to this record. */
export function desireAll(employee: Employee, config: PublicConfig, facts: (app: string) => AppFacts): DesireResult[] {
  const ent = computeEntitlements(employee, config);
  const granted = new Map(ent.apps.map((a) => [a.app, a]));
  const allOrNothing = new Set(config.joiner.allOrNothing);
  return Object.keys(config.apps)
    .sort()
    .map((name) => {
      const app = config.apps[name]!;
      const f = facts(name);
      const g = granted.get(name);
      const mapped = (g?.user ?? buildDesiredUser(employee, app.kind, app.attributes)) as Record<string, unknown> & {
        userName: string;
      };
      const { active: _active, ...withoutActive } = mapped;
      let user = withoutActive as Record<string, unknown> & { userName: string };
      let problem: string | undefined;
      try {
        const out = f.outgoing(user);
        const { active: _a, ...rest } = out;
        user = rest as typeof user;
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      const email = typeof employee.email === 'string' ? employee.email : undefined;
      const result: DesireResult = {
        app: name,
        granted: Boolean(g),
        user,
        groups: g ? [...g.groups] : [],
        managedGroups: managedGroups(config, name),
        managedAttributes: managedAttributes(app.kind, app.attributes),
        owner: f.owner,
        seatGate: app.approval.required,
        allOrNothing: allOrNothing.has(name),
        groupsSupported: f.groupsSupported,
        ...(app.jsm && email ? { jsmEmail: email } : {}),
        leaver: { ...app.leaver },
        approval: { ...app.approval, approvers: [...app.approval.approvers], escalateTo: [...app.approval.escalateTo] },
        grantedBy: g ? [...g.grantedBy] : [],
        ...(problem ? { problem } : {}),
      };
      return result;
    });
}

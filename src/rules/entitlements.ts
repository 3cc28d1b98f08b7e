// Birthright entitlements: which apps (and groups) an employee should have, and what their account should
// look like. Pure and deterministic: same employee + same PublicConfig → same (deep-equal) result, whatever
// the order of rules, grants or groups in the file. The worker runs it when it plans (src/rules/desire.ts).
import type { Employee } from '../shared/hr-event';
import type { ApprovalPolicy, AppKind, LeaverPolicy, PublicConfig } from '../config/types';
import { ruleMatches } from './conditions';
import { buildDesiredUser, type DesiredScimUser } from './mapping';

export interface AppEntitlement {
  app: string;
  kind: AppKind;
  /** Group display names, sorted and de-duplicated. */
  groups: string[];
  /** The desired SCIM User resource (no id: that is the downstream's). */
  user: DesiredScimUser;
  approval: ApprovalPolicy;
  /** True when the app is listed in joiner.allOrNothing (its joiner is compensated with the others as a unit). */
  allOrNothing: boolean;
  seatConsuming: boolean;
  leaver: LeaverPolicy;
  /** Names of the rules that granted this app, sorted. */
  grantedBy: string[];
  /** Atlassian with JSM configured: the service desk the person becomes a customer of. */
  jsm?: { serviceDeskId: string };
}

export interface Entitlements {
  employeeId: string;
  /** Sorted by app name. */
  apps: AppEntitlement[];
  /** Names of the rules that matched, sorted. */
  matchedRules: string[];
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function computeEntitlements(employee: Employee, config: PublicConfig): Entitlements {
  const granted = new Map<string, { groups: Set<string>; rules: Set<string> }>();
  const matchedRules = new Set<string>();
  for (const rule of config.rules.birthright) {
    if (!ruleMatches(rule, employee)) continue;
    matchedRules.add(rule.name);
    for (const grant of rule.grant) {
      if (!config.apps[grant.app]) continue; // the loader refuses unknown apps; be safe with hand-built configs
      const entry = granted.get(grant.app) ?? { groups: new Set<string>(), rules: new Set<string>() };
      for (const g of grant.groups) entry.groups.add(g);
      entry.rules.add(rule.name);
      granted.set(grant.app, entry);
    }
  }
  const allOrNothing = new Set(config.joiner.allOrNothing);
  const apps: AppEntitlement[] = [...granted.keys()].sort(byString).map((name) => {
    const app = config.apps[name]!;
    const entry = granted.get(name)!;
    const out: AppEntitlement = {
      app: name,
      kind: app.kind,
      groups: [...entry.groups].sort(byString),
      user: buildDesiredUser(employee, app.kind, app.attributes),
      approval: { ...app.approval, approvers: [...app.approval.approvers], escalateTo: [...app.approval.escalateTo] },
      allOrNothing: allOrNothing.has(name),
      seatConsuming: app.seatConsuming,
      leaver: { ...app.leaver },
      grantedBy: [...entry.rules].sort(byString),
    };
    if (app.jsm) out.jsm = { serviceDeskId: app.jsm.serviceDeskId };
    return out;
  });
  return { employeeId: employee.employeeId, apps, matchedRules: [...matchedRules].sort(byString) };
}

// Birthright entitlements: which apps (and groups) an employee should have, and what their account should
// look like. Pure and deterministic: same employee + same PublicConfig → same (deep-equal) result, whatever
// the order of rules, grants or groups in the file. Runs inside workflows.
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

export interface KeptApp {
  app: string;
  before: AppEntitlement;
  after: AppEntitlement;
  groupsToAdd: string[];
  groupsToRemove: string[];
  /** Top-level SCIM attributes (or extension URNs) whose desired value changed, sorted. */
  changedAttributes: string[];
}

export interface EntitlementDiff {
  gained: AppEntitlement[];
  lost: AppEntitlement[];
  kept: KeptApp[];
}

/** Canonical JSON (sorted object keys) for comparisons. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort(byString)
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What changes for a mover: apps gained, lost, and kept (with group and attribute changes). Sorted by app. */
export function diffEntitlements(before: Entitlements, after: Entitlements): EntitlementDiff {
  const b = new Map(before.apps.map((a) => [a.app, a]));
  const a = new Map(after.apps.map((x) => [x.app, x]));
  const gained = after.apps.filter((x) => !b.has(x.app)).sort((x, y) => byString(x.app, y.app));
  const lost = before.apps.filter((x) => !a.has(x.app)).sort((x, y) => byString(x.app, y.app));
  const kept: KeptApp[] = [];
  for (const name of [...a.keys()].filter((n) => b.has(n)).sort(byString)) {
    const was = b.get(name)!;
    const now = a.get(name)!;
    const wasGroups = new Set(was.groups);
    const nowGroups = new Set(now.groups);
    const keys = new Set([...Object.keys(was.user), ...Object.keys(now.user)]);
    kept.push({
      app: name,
      before: was,
      after: now,
      groupsToAdd: now.groups.filter((g) => !wasGroups.has(g)).sort(byString),
      groupsToRemove: was.groups.filter((g) => !nowGroups.has(g)).sort(byString),
      changedAttributes: [...keys].filter((k) => canonical(was.user[k]) !== canonical(now.user[k])).sort(byString),
    });
  }
  return { gained, lost, kept };
}

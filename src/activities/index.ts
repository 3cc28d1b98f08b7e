// Activity implementations: the I/O edge of the controller. Each closes over the worker's
// dependencies (connectors holding their credentials, the parsed configuration), so secrets never
// travel through workflow inputs or history. Each activity is one small, idempotent step; the
// controller re-observes and re-plans after anything unexpected, so none has to be clever. Each
// makes one request to its app, so the server-side rate limit of the app's task queue counts requests.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Connector, ScimGroup, ScimUser } from '../connectors/types';
import { observedAccount, type ObservedAccount, type OwnerRule } from '../domain/ownership';
import type { DesireResult } from '../rules/desire';
import type { GuardPolicy } from '../domain/guard';
import type { Employee } from '../shared/hr-event';
import { toFailure } from './errors';
import type { NotifyDeps } from './notify';

export interface ActivityDeps {
  /** The connector of a configured app; throws for an unknown app. */
  connector(app: string): Connector;
  /** Employee → what every configured app should hold (pure; the worker's configuration of the moment). */
  desire(employee: Employee): DesireResult[];
  /** The approvers the worker's configuration accepts for a seat in `app` (escalation included). */
  approversOf(app: string): { required: boolean; approvers: string[] };
  /** Atlassian: the JSM service desk whose customers scimflow manages, if configured. */
  serviceDeskId?(app: string): string | undefined;
  /** The mass-change guard's policy for `app` (config `guard`); defaults apply to what it leaves out. */
  guardPolicy?(app: string): Partial<GuardPolicy>;
  /** Notifications and approval-link keys (config `notifications:`); absent: none are sent. */
  notifications?: NotifyDeps;
  /** The app consumes paid seats (config `seatConsuming` or a required approval): reconcile reports idle ones. */
  paidSeats?(app: string): boolean;
  /** Optional observer, e.g. for metrics. */
  onEvent?(event: {
    app: string;
    action: 'created' | 'adopted' | 'deactivated' | 'reactivated' | 'deleted' | 'updated';
  }): void;
}

/** A seat decision as the activity checks it (the workflow's word is not enough). */
export interface SeatApproval {
  requestId: string;
  approver: string;
}

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

async function wrap<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFailure(err, context, attempt());
  }
}

/** A SCIM user as the planner sees it. */
export function toObservedAccount(u: ScimUser, owner: OwnerRule): ObservedAccount {
  return observedAccount(u as Record<string, unknown>, owner);
}

export function createActivities(deps: ActivityDeps) {
  const emit = deps.onEvent ?? (() => undefined);

  /** Refuses a seat the worker's own configuration has not seen approved (issue: forged workflow inputs). */
  const checkSeat = (app: string, approval: SeatApproval | undefined) => {
    const policy = deps.approversOf(app);
    if (!policy.required) return;
    if (!approval || !policy.approvers.some((a) => a.toLowerCase() === approval.approver.toLowerCase())) {
      throw ApplicationFailure.nonRetryable(
        `a seat in ${app} needs an approval from one of its configured approvers; ${approval ? `${approval.approver} is not one` : 'none was given'}`,
        'APPROVAL_REQUIRED',
      );
    }
  };

  return {
    /** Local activity: the configuration decides, at the moment of planning. */
    async desire(employee: Employee): Promise<DesireResult[]> {
      return deps.desire(employee);
    },

    /** The mass-change guard's policy (the worker's configuration of the moment). */
    async guardPolicy(app: string): Promise<Partial<GuardPolicy>> {
      return deps.guardPolicy?.(app) ?? {};
    },

    /** Every account in `app` that shares this person's identity keys (one lookup). */
    async observe(input: { app: string; userName: string; externalId?: string }): Promise<ObservedAccount[]> {
      return wrap(`observe(${input.app})`, async () => {
        const c = deps.connector(input.app);
        const found = await c.lookupUsers({
          userName: input.userName,
          ...(input.externalId ? { externalId: input.externalId } : {}),
        });
        return found.filter((u) => typeof u.id === 'string').map((u) => toObservedAccount(u, c.profile.owner));
      });
    },

    /** A bare create: the controller observed that no account exists. A 409 fails, and the controller observes again. */
    async createAccount(input: {
      app: string;
      user: Record<string, unknown>;
      approval?: SeatApproval;
    }): Promise<ObservedAccount> {
      return wrap(`createAccount(${input.app})`, async () => {
        checkSeat(input.app, input.approval);
        const c = deps.connector(input.app);
        const user = await c.postUser(input.user as ScimUser);
        emit({ app: input.app, action: 'created' });
        return toObservedAccount(user, c.profile.owner);
      });
    },

    /** The generated PATCH (or PUT) from the observed resource to the desired one. */
    async updateAccount(input: {
      app: string;
      id: string;
      current: Record<string, unknown>;
      desired: Record<string, unknown>;
      managed: string[];
    }): Promise<{ changed: boolean }> {
      return wrap(`updateAccount(${input.app}, ${input.id})`, async () => {
        const res = await deps
          .connector(input.app)
          .patchUser(input.id, input.current as ScimUser, input.desired as ScimUser, { managed: input.managed });
        if (res.changed) emit({ app: input.app, action: 'updated' });
        return { changed: res.changed };
      });
    },

    async setActive(input: {
      app: string;
      id: string;
      current?: Record<string, unknown>;
      active: boolean;
      approval?: SeatApproval;
    }): Promise<{ changed: boolean }> {
      return wrap(`setActive(${input.app}, ${input.id}, ${input.active})`, async () => {
        if (input.active) checkSeat(input.app, input.approval);
        await deps.connector(input.app).setUserActive(input.id, input.current as ScimUser | undefined, input.active);
        emit({ app: input.app, action: input.active ? 'reactivated' : 'deactivated' });
        return { changed: true };
      });
    },

    /** How many accounts the app holds (the mass-change guard's allowance is a share of it). */
    async countAccounts(input: { app: string }): Promise<number> {
      return wrap(`countAccounts(${input.app})`, () => deps.connector(input.app).countUsers());
    },

    async deleteAccount(input: { app: string; id: string }): Promise<{ deleted: boolean }> {
      return wrap(`deleteAccount(${input.app}, ${input.id})`, async () => {
        const res = await deps.connector(input.app).deleteUser(input.id);
        if (res.deleted) emit({ app: input.app, action: 'deleted' });
        return res;
      });
    },

    /** Group ids by display name (every same-named group; servers may allow duplicates). */
    async findGroups(input: { app: string; name: string }): Promise<string[]> {
      return wrap(`findGroups(${input.app})`, async () => {
        const groups: ScimGroup[] = await deps.connector(input.app).findGroups(input.name);
        return groups.map((g) => g.id).filter((id): id is string => typeof id === 'string');
      });
    },

    /** Only ever called by the group's single-writer workflow. */
    async createGroup(input: { app: string; name: string }): Promise<string> {
      return wrap(`createGroup(${input.app})`, async () => {
        const g = await deps.connector(input.app).postGroup(input.name);
        if (!g.id) throw Object.assign(new Error('created group has no id'), { code: 'BAD_RESPONSE' });
        return g.id;
      });
    },

    async addToGroup(input: { app: string; groupId: string; userId: string }): Promise<void> {
      return wrap(`addToGroup(${input.app})`, async () => {
        await deps.connector(input.app).addMember(input.groupId, input.userId);
      });
    },

    /** Idempotent: removing a non-member, or from a group that is gone, is done. One request. */
    async removeMember(input: { app: string; groupId: string; userId: string }): Promise<void> {
      return wrap(`removeMember(${input.app})`, async () => {
        await deps.connector(input.app).removeMember(input.groupId, input.userId);
      });
    },

    /** Atlassian: removes the person as a customer of the configured JSM service desk. */
    async removeJsmCustomer(input: { app: string; email: string }): Promise<{ removed: boolean }> {
      return wrap(`removeJsmCustomer(${input.app})`, async () => {
        const c = deps.connector(input.app);
        const desk = deps.serviceDeskId?.(input.app);
        if (!c.jsm || !desk) return { removed: false };
        const customers = await c.jsm.listCustomers(desk, { query: input.email });
        const ids = customers
          .filter((x) => x.emailAddress?.toLowerCase() === input.email.toLowerCase())
          .map((x) => x.accountId);
        if (ids.length === 0) return { removed: false };
        await c.jsm.removeCustomers(desk, ids);
        return { removed: true };
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

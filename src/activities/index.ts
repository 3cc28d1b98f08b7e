// Activity implementations. Each closes over the worker's dependencies (connectors holding their
// credentials, the parsed configuration), so secrets never travel through workflow inputs or history.
import { Context } from '@temporalio/activity';
import type { Connector, ScimUser } from '../connectors/types';
import type { Employee } from '../shared/hr-event';
import type { EntitlementPlan, ScimUserDoc } from '../workflows/definitions';
import { toFailure } from './errors';

export type { ScimUserDoc };

export interface ActivityDeps {
  /** The connector of a configured app; throws for an unknown app. */
  connector(app: string): Connector;
  /** Employee → what the rules grant, per app (pure; reads the worker's configuration). */
  plan(employee: Employee): EntitlementPlan;
  /** Atlassian: the JSM service desk whose customers scimflow manages, if configured. */
  serviceDeskId?(app: string): string | undefined;
  /** Optional observer, e.g. for metrics. */
  onEvent?(event: { app: string; action: 'created' | 'adopted' | 'deactivated' | 'reactivated' | 'deleted' | 'updated' }): void;
}

export interface EnsureUserInput {
  app: string;
  user: ScimUserDoc;
}

export interface EnsureUserResult {
  app: string;
  scimId: string;
  userName: string;
  created: boolean;
}

export interface LookupResult {
  scimId: string;
  userName: string;
  active: boolean;
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

export function createActivities(deps: ActivityDeps) {
  const emit = deps.onEvent ?? (() => undefined);
  return {
    async planEntitlements(employee: Employee): Promise<EntitlementPlan> {
      return deps.plan(employee);
    },

    async lookupUser(input: { app: string; userName: string; externalId?: string }): Promise<LookupResult | null> {
      return wrap(`lookupUser(${input.app}, ${input.userName})`, async () => {
        const found = await deps.connector(input.app).findUser({ userName: input.userName, ...(input.externalId ? { externalId: input.externalId } : {}) });
        if (!found?.id) return null;
        return { scimId: found.id, userName: found.userName, active: found.active !== false };
      });
    },

    /**
     * Idempotent find-or-create (the connector looks up first and adopts on 409). A retry after a
     * crash or a dropped response finds the account the first attempt made, so no retry creates a
     * second account — and on a retry that account counts as ours, so compensation can undo it.
     */
    async ensureUser(input: EnsureUserInput): Promise<EnsureUserResult> {
      return wrap(`ensureUser(${input.app}, ${input.user.userName})`, async () => {
        const c = deps.connector(input.app);
        const { user, created } = await c.createUser(input.user as ScimUser);
        if (!user.id) throw Object.assign(new Error(`${input.app} returned a user without an id`), { code: 'BAD_RESPONSE' });
        const ours = created || attempt() > 1;
        emit({ app: input.app, action: created ? 'created' : 'adopted' });
        // An adopted account may be a deactivated one (an earlier leaver, a compensated joiner):
        // the person is joining, so it must end up active.
        if (!created && user.active === false && input.user.active !== false) {
          await c.reactivateUser(user.id);
          emit({ app: input.app, action: 'reactivated' });
        }
        return { app: input.app, scimId: user.id, userName: user.userName, created: ours };
      });
    },

    async updateUser(input: { app: string; scimId: string; user: ScimUserDoc }): Promise<{ changed: boolean }> {
      return wrap(`updateUser(${input.app}, ${input.scimId})`, async () => {
        const { changed } = await deps.connector(input.app).updateUser(input.scimId, input.user as ScimUser);
        if (changed) emit({ app: input.app, action: 'updated' });
        return { changed };
      });
    },

    async setActive(input: { app: string; scimId: string; active: boolean }): Promise<{ changed: boolean }> {
      return wrap(`setActive(${input.app}, ${input.scimId}, ${input.active})`, async () => {
        const c = deps.connector(input.app);
        const { changed } = input.active ? await c.reactivateUser(input.scimId) : await c.deactivateUser(input.scimId);
        if (changed) emit({ app: input.app, action: input.active ? 'reactivated' : 'deactivated' });
        return { changed };
      });
    },

    async deleteUser(input: { app: string; scimId: string }): Promise<{ deleted: boolean }> {
      return wrap(`deleteUser(${input.app}, ${input.scimId})`, async () => {
        const res = await deps.connector(input.app).deleteUser(input.scimId);
        if (res.deleted) emit({ app: input.app, action: 'deleted' });
        return res;
      });
    },

    /** Adds and removes the user's memberships by group display name; groups are created on first use. */
    async syncGroups(input: { app: string; scimId: string; add: string[]; remove: string[] }): Promise<{ added: string[]; removed: string[] }> {
      return wrap(`syncGroups(${input.app}, ${input.scimId})`, async () => {
        const c = deps.connector(input.app);
        if (!c.profile.groups.supported) return { added: [], removed: [] };
        const added: string[] = [];
        const removed: string[] = [];
        for (const name of input.add) {
          const group = (await c.findGroup(name)) ?? (await c.createGroup(name)).group;
          if (!group.id) continue;
          await c.addMembers(group.id, [input.scimId]);
          added.push(name);
        }
        for (const name of input.remove) {
          const group = await c.findGroup(name);
          if (!group?.id) continue; // already gone: nothing to remove
          await c.removeMembers(group.id, [input.scimId]);
          removed.push(name);
        }
        return { added, removed };
      });
    },

    /** Atlassian: removes the person as a customer of the configured JSM service desk. */
    async removeJsmCustomer(input: { app: string; email: string }): Promise<{ removed: boolean }> {
      return wrap(`removeJsmCustomer(${input.app})`, async () => {
        const c = deps.connector(input.app);
        const desk = deps.serviceDeskId?.(input.app);
        if (!c.jsm || !desk) return { removed: false };
        const customers = await c.jsm.listCustomers(desk, { query: input.email });
        const ids = customers.filter((x) => x.emailAddress?.toLowerCase() === input.email.toLowerCase()).map((x) => x.accountId);
        if (ids.length === 0) return { removed: false };
        await c.jsm.removeCustomers(desk, ids);
        return { removed: true };
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

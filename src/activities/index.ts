// Activity implementations. Each closes over the worker's dependencies (connectors with their
// credentials, the parsed configuration), so secrets never travel through workflow inputs or history.
import { Context } from '@temporalio/activity';
import type { Employee } from '../shared/hr-event';
import { toFailure } from './errors';

/** The downstream SCIM user shape the activities exchange with workflows (no secrets in it). */
export type ScimUserDoc = Record<string, unknown> & { userName: string; id?: string };

export interface AppPlan {
  app: string;
  user: ScimUserDoc;
}

export interface JoinerPlan {
  apps: AppPlan[];
}

/** What activities need from a connector; implemented by src/connectors. */
export interface DirectoryPort {
  findUser(q: { userName?: string; externalId?: string }): Promise<ScimUserDoc | undefined>;
  createUser(desired: ScimUserDoc): Promise<{ user: ScimUserDoc; created: boolean }>;
}

export interface ActivityDeps {
  directory(app: string): DirectoryPort;
  plan(employee: Employee): JoinerPlan;
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

export function createActivities(deps: ActivityDeps) {
  return {
    async planJoiner(employee: Employee): Promise<JoinerPlan> {
      return deps.plan(employee);
    },

    /**
     * Idempotent find-or-create. A retry after a crash or a dropped response finds the account the
     * first attempt made and adopts it, so no retry ever creates a second seat.
     */
    async ensureUser(input: EnsureUserInput): Promise<EnsureUserResult> {
      const dir = deps.directory(input.app);
      try {
        // On a retry, an account found by the lookup is most likely the one an earlier attempt created
        // before its response was lost; it counts as ours so that compensation can undo it.
        const retried = Context.current().info.attempt > 1;
        const existing = await dir.findUser({ userName: input.user.userName });
        if (existing?.id) return { app: input.app, scimId: existing.id, userName: existing.userName, created: retried };
        const { user, created } = await dir.createUser(input.user);
        if (!user.id) throw new Error(`${input.app} returned a user without an id`);
        return { app: input.app, scimId: user.id, userName: user.userName, created: created || retried };
      } catch (err) {
        throw toFailure(err, `ensureUser(${input.app}, ${input.user.userName})`);
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

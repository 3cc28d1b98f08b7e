// The single writer of one group in one app. Runs of this workflow share one id per (app, group
// name), and Temporal never runs two with the same id at once: concurrent joiners that need the
// same new group are serialised here, so none can create it twice — even on a server that allows
// duplicate displayNames (RFC 7643 §4.2 gives displayName no uniqueness).
import { appActivities, failureCode } from './proxies';
import { normalizeIdentityKey } from '../domain/ownership';

export interface GroupInput {
  app: string;
  name: string;
}

/** One function names group workflows: `scimflow-group:<app>:<normalised name>`, both parts encoded, so no two (app, name) pairs share an id. */
export function groupWorkflowId(app: string, name: string): string {
  return `scimflow-group:${encodeURIComponent(app)}:${encodeURIComponent(normalizeIdentityKey(name))}`;
}

/** The group's id: the oldest of its name if any exist, else a new one. */
export async function groupWorkflow(input: GroupInput): Promise<string> {
  const acts = appActivities(input.app);
  const existing = await acts.findGroups(input);
  if (existing.length > 0) return [...existing].sort()[0]!;
  try {
    return await acts.createGroup(input);
  } catch (err) {
    // Created outside scimflow meanwhile (409): it exists now.
    if (failureCode(err) !== 'CONFLICT') throw err;
    const again = await acts.findGroups(input);
    if (again.length === 0) throw err;
    return [...again].sort()[0]!;
  }
}

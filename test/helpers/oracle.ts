// What a person holds downstream, read over the apps' own HTTP APIs (SCIM, and the sandbox's
// /_admin request log and seat counter): the ported lifecycle, resilience, escalation and browser
// suites assert on this, never on scimflow's own word alone.
import { request } from 'undici';
import type { LoggedRequest } from '../../src/sandbox/controls';
import type { PersonView } from '../../src/workflows/definitions';
import { accountsOf, groupsOf, type AppName, type AppUser } from './apps';
import { jumpcloudUserName } from './stack';

export interface Person {
  email: string;
  employeeId: string;
}

/** The person's userName in `app`, written out independently of the mapping code. */
export function userNameIn(app: AppName, p: Person): string {
  return app === 'jumpcloud' ? jumpcloudUserName(p.email) : p.email;
}

/** Every account of `app` carrying the person's userName or externalId. */
export function accountsFor(base: string, app: AppName, p: Person): Promise<AppUser[]> {
  return accountsOf(base, app, { userName: userNameIn(app, p), externalId: p.employeeId });
}

export async function activeFor(base: string, app: AppName, p: Person): Promise<AppUser[]> {
  return (await accountsFor(base, app, p)).filter((u) => u.active);
}

/** Display names of the groups the user is a member of (from /Groups, not from the user). */
export async function groupNamesOf(base: string, app: AppName, userId: string): Promise<string[]> {
  return (await groupsOf(base, app))
    .filter((g) => g.members.includes(userId))
    .map((g) => g.displayName)
    .sort();
}

async function adminGet<T>(base: string, path: string): Promise<T> {
  const res = await request(`${base}/_admin/${path}`);
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET /_admin/${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** The sandbox's request log of one app, over /_admin (credentials are never logged). */
export function requestLog(base: string, app: AppName): Promise<LoggedRequest[]> {
  return adminGet(base, `${app}/requests`);
}

/** Requests scimflow sent, without the oracle's own paged reads (`/Users?startIndex=…`, `/Groups?count=…`). */
export function fromScimflow(log: readonly LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => !/\/Users\?startIndex=\d+&count=100$/.test(r.url) && !/\/Groups\?count=1000$/.test(r.url));
}

export function seatsOf(base: string, app: AppName): Promise<{ consumed: number; active: number }> {
  return adminGet(base, `${app}/seats`);
}

/** Joined or left, and nothing failing, in conflict or waiting. */
export function settled(s: PersonView): boolean {
  return (s.stage === 'active' || s.stage === 'left') && s.problems.length === 0;
}

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const iso = (ms: number) => new Date(ms).toISOString();
export const quiet = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

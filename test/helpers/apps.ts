// Downstream state read over the apps' own SCIM APIs (never scimflow's word, never the sandbox's
// memory): the oracle of the workflow and end-to-end tests.
import { request } from 'undici';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';

export type AppName = 'generic' | 'jasper' | 'jumpcloud' | 'jostle' | 'atlassian';

export interface AppUser {
  id: string;
  userName: string;
  externalId?: string;
  active: boolean;
  title?: string;
  groups: string[];
  raw: Record<string, unknown>;
}

function endpoint(base: string, app: AppName): { url: string; headers: Record<string, string> } {
  const c = DEV_CREDENTIALS;
  switch (app) {
    case 'generic':
      return { url: `${base}/generic/scim/v2`, headers: { authorization: `Bearer ${c.genericToken}` } };
    case 'jasper':
      return { url: `${base}/jasper/scim/v2`, headers: { authorization: `Bearer ${c.jasperToken}` } };
    case 'jumpcloud':
      return { url: `${base}/jumpcloud/scim/v2`, headers: { 'x-api-key': c.jumpcloudApiKey } };
    case 'jostle':
      return { url: `${base}/jostle/scim/v2`, headers: { authorization: `Bearer ${c.jostleToken}` } };
    case 'atlassian':
      return {
        url: `${base}/atlassian/scim/directory/${c.atlassianDirectoryId}`,
        headers: { authorization: `Bearer ${c.atlassianToken}` },
      };
  }
}

async function getJson(url: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await request(url, { headers: { ...headers, accept: 'application/scim+json' } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Every user of the app, paged as the app allows. */
export async function usersOf(base: string, app: AppName): Promise<AppUser[]> {
  const { url, headers } = endpoint(base, app);
  const out: AppUser[] = [];
  for (let start = 1; start < 100_000;) {
    const body = await getJson(`${url}/Users?startIndex=${start}&count=100`, headers);
    const page = (body.Resources as Record<string, unknown>[] | undefined) ?? [];
    for (const u of page) {
      out.push({
        id: String(u.id),
        userName: String(u.userName),
        ...(typeof u.externalId === 'string' ? { externalId: u.externalId } : {}),
        active: u.active !== false,
        ...(typeof u.title === 'string' ? { title: u.title } : {}),
        groups: Array.isArray(u.groups)
          ? (u.groups as { display?: string; value: string }[]).map((g) => g.display ?? g.value).sort()
          : [],
        raw: u,
      });
    }
    const total = typeof body.totalResults === 'number' ? body.totalResults : out.length;
    if (page.length === 0 || out.length >= total) break;
    start += page.length;
  }
  return out;
}

/** The users of `app` whose userName or externalId is this. */
export async function accountsOf(
  base: string,
  app: AppName,
  key: { userName?: string; externalId?: string },
): Promise<AppUser[]> {
  const all = await usersOf(base, app);
  return all.filter(
    (u) =>
      (key.userName !== undefined && u.userName.toLowerCase() === key.userName.toLowerCase()) ||
      (key.externalId !== undefined && u.externalId === key.externalId),
  );
}

/** Every group of the app, with member ids. */
export async function groupsOf(
  base: string,
  app: AppName,
): Promise<{ id: string; displayName: string; members: string[] }[]> {
  const { url, headers } = endpoint(base, app);
  const body = await getJson(`${url}/Groups?count=1000`, headers);
  return ((body.Resources as Record<string, unknown>[] | undefined) ?? []).map((g) => ({
    id: String(g.id),
    displayName: String(g.displayName),
    members: Array.isArray(g.members) ? (g.members as { value: string }[]).map((m) => m.value) : [],
  }));
}

/** Creates a user directly in the app (a colleague, an account made by hand). */
export async function seedUser(base: string, app: AppName, user: Record<string, unknown>): Promise<AppUser> {
  const { url, headers } = endpoint(base, app);
  const res = await request(`${url}/Users`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...user }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`seed ${app}: ${res.statusCode} ${text}`);
  const u = JSON.parse(text) as Record<string, unknown>;
  return {
    id: String(u.id),
    userName: String(u.userName),
    ...(typeof u.externalId === 'string' ? { externalId: u.externalId } : {}),
    active: u.active !== false,
    groups: [],
    raw: u,
  };
}

/** DELETE a user directly in the app (an admin removed it). */
export async function deleteUserIn(base: string, app: AppName, id: string): Promise<void> {
  const { url, headers } = endpoint(base, app);
  const res = await request(`${url}/Users/${encodeURIComponent(id)}`, { method: 'DELETE', headers });
  await res.body.text();
  if (res.statusCode !== 204 && res.statusCode !== 404) throw new Error(`delete ${app}/${id}: ${res.statusCode}`);
}

/** Sets the sandbox's fault knobs for one app over its admin API. */
export async function knobs(base: string, app: AppName, patch: Record<string, unknown>): Promise<void> {
  const res = await request(`${base}/_admin/${app}/knobs`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`knobs ${app}: ${res.statusCode} ${text}`);
}

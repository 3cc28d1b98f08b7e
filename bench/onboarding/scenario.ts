// Day-one onboarding, shared by `npm run bench:onboarding` and test/roster/onboarding.test.ts: a
// sandbox app that already holds an account for most of the company, a roster of everyone, and the
// import with observation hints. The accounts are seeded exactly as the rules want them (from the
// worker's own desire), so what the import has to do is known per account:
//   40 % in sync (owner key and attributes)      → 0 requests
//   40 % the same userName, no owner key         → adopt: 1 PATCH (stamps externalId)
//   10 % owned but drifted (a stale title)       → 1 PATCH
//   10 % no account                              → 1 POST
// plus 10 % accounts of nobody in the roster (left alone).
import { request } from 'undici';
import type { SandboxHandle } from '../../src/sandbox';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import type { RosterEntry } from '../../src/domain/roster';
import type { Employee } from '../../src/shared/hr-event';
import type { DesireResult } from '../../src/rules/desire';

export type SeedKind = 'in-sync' | 'adopt' | 'drifted' | 'absent';

export function company(n: number, tag: string): { entries: RosterEntry[]; kinds: Map<string, SeedKind> } {
  const entries: RosterEntry[] = [];
  const kinds = new Map<string, SeedKind>();
  for (let i = 0; i < n; i++) {
    const employeeId = `${tag}${String(i).padStart(5, '0')}`;
    const employee: Employee = {
      employeeId,
      email: `${employeeId.toLowerCase()}@example.com`,
      givenName: 'Day',
      familyName: `One${i}`,
      title: 'Engineer',
      department: 'Engineering',
    };
    entries.push({
      row: i + 1,
      employee,
      managed: ['employeeId', 'email', 'givenName', 'familyName', 'title', 'department'],
    });
    const f = i / n;
    kinds.set(employeeId, f < 0.4 ? 'in-sync' : f < 0.8 ? 'adopt' : f < 0.9 ? 'drifted' : 'absent');
  }
  return { entries, kinds };
}

async function post(base: string, body: Record<string, unknown>): Promise<void> {
  const res = await request(`${base}/generic/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_CREDENTIALS.genericToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...body, active: true }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`seed: ${res.statusCode} ${text}`);
}

/** Seeds the generic app over its own SCIM API (before any rate limit is set). Returns the accounts seeded. */
export async function seedGeneric(
  sandbox: SandboxHandle,
  c: ReturnType<typeof company>,
  desire: (e: Employee) => DesireResult[],
  tag: string,
): Promise<number> {
  let seeded = 0;
  const jobs: Promise<void>[] = [];
  for (const e of c.entries) {
    const kind = c.kinds.get(e.employee.employeeId)!;
    if (kind === 'absent') continue;
    const d = desire(e.employee).find((x) => x.app === 'generic')!;
    const { externalId, ...noOwner } = d.user;
    const body =
      kind === 'adopt' ? noOwner : kind === 'drifted' ? { ...d.user, externalId, title: 'Stale title' } : d.user;
    jobs.push(post(sandbox.url, body));
    seeded++;
  }
  // Accounts of people who are not in the roster (nobody's to touch).
  for (let i = 0; i < Math.round(c.entries.length / 10); i++, seeded++)
    jobs.push(
      post(sandbox.url, {
        userName: `${tag.toLowerCase()}-other${i}@example.com`,
        name: { givenName: 'Other', familyName: `P${i}` },
      }),
    );
  for (let i = 0; i < jobs.length; i += 50) await Promise.all(jobs.slice(i, i + 50));
  return seeded;
}

export interface Tally {
  /** Requests the app answered (not 429). */
  requests: number;
  throttled: number;
  /** userNames held by more than one account. */
  duplicates: string[];
  /** Roster employees without exactly one active account carrying their externalId. */
  missing: string[];
}

export function tally(sandbox: SandboxHandle, c: ReturnType<typeof company>): Tally {
  const log = sandbox.app('generic').requests();
  const users = sandbox.app('generic').users() as unknown as {
    userName: string;
    externalId?: string;
    active?: boolean;
  }[];
  const byName = new Map<string, number>();
  for (const u of users) byName.set(u.userName.toLowerCase(), (byName.get(u.userName.toLowerCase()) ?? 0) + 1);
  const byOwner = new Map<string, { active?: boolean }[]>();
  for (const u of users) if (u.externalId) byOwner.set(u.externalId, [...(byOwner.get(u.externalId) ?? []), u]);
  return {
    requests: log.filter((r) => r.status !== 429).length,
    throttled: log.filter((r) => r.status === 429).length,
    duplicates: [...byName].filter(([, n]) => n > 1).map(([k]) => k),
    missing: c.entries
      .map((e) => e.employee.employeeId)
      .filter((id) => (byOwner.get(id) ?? []).filter((u) => u.active !== false).length !== 1),
  };
}

// Deterministic benchmark corpus: a seeded PRNG (mulberry32) drives every choice, so each run
// measures the same users, filters, patches and document pairs.
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../src/scim';

type Obj = Record<string, unknown>;

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = ['Barbara', 'John', 'Mandy', 'James', 'Ana', 'Wei', 'Olu', 'Priya', 'Sven', 'Chloé'];
const FAMILY = ['Jensen', 'Smith', "O'Malley", 'Pepperidge', 'Nguyen', 'García', 'Okafor', 'Iyer', 'Berg', 'Dubois'];
const TITLES = ['Tour Guide', 'Engineer', 'Manager', 'Director', 'Analyst'];
const DEPTS = ['Tour Operations', 'Engineering', 'Sales', 'Finance', 'People'];
const ROLES = ['admin', 'user', 'auditor', 'billing', 'support'];

export function makeUser(r: () => number, i: number): Obj {
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)] as T;
  const given = pick(GIVEN);
  const family = pick(FAMILY);
  const domain = r() < 0.6 ? 'example.com' : 'example.org';
  const emails: Obj[] = [{ value: `user${i}@${domain}`, type: 'work', primary: true }];
  if (r() < 0.5) emails.push({ value: `${given.toLowerCase()}${i}@home.example.net`, type: 'home' });
  const phones: Obj[] = [{ value: `+1 555 ${1000 + i}`, type: 'work' }];
  if (r() < 0.5) phones.push({ value: `+1 555 ${9000 + i}`, type: 'mobile' });
  const roles = ROLES.filter(() => r() < 0.3).map((value) => ({ value, display: value.toUpperCase() }));
  const month = 1 + Math.floor(r() * 12);
  const u: Obj = {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: `id-${i}`,
    externalId: `ext-${i}`,
    userName: `user${i}@example.com`,
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
    displayName: `${given} ${family}`,
    userType: r() < 0.8 ? 'Employee' : 'Contractor',
    active: r() < 0.9,
    emails,
    phoneNumbers: phones,
    addresses: [
      { type: 'work', streetAddress: `${i} Universal City Plaza`, locality: 'Hollywood', country: 'US', primary: true },
    ],
    roles,
    [ENTERPRISE_USER_SCHEMA]: {
      employeeNumber: String(100000 + i),
      department: pick(DEPTS),
      manager: { value: `id-${Math.floor(r() * 1000)}` },
    },
    meta: {
      resourceType: 'User',
      created: '2020-01-01T00:00:00Z',
      lastModified: `2023-${String(month).padStart(2, '0')}-15T10:00:00Z`,
      version: `W/"${i}"`,
    },
  };
  if (r() < 0.7) u.title = pick(TITLES);
  return u;
}

/** A realistic update: a few attributes change, as an HR-driven mover/joiner sync produces. */
export function mutate(r: () => number, u: Obj, i: number): Obj {
  const d = structuredClone(u);
  delete d.id;
  delete d.meta;
  delete d.schemas;
  if (r() < 0.5) d.title = TITLES[Math.floor(r() * TITLES.length)];
  if (r() < 0.3) (d.name as Obj).familyName = `${(d.name as Obj).familyName}-Renamed`;
  if (r() < 0.3) ((d.emails as Obj[])[0] as Obj).value = `moved${i}@example.com`;
  if (r() < 0.2) (d.phoneNumbers as Obj[]).push({ value: `+44 20 ${i}`, type: 'other' });
  if (r() < 0.3 && (d.roles as Obj[]).length > 0) (d.roles as Obj[]).shift();
  if (r() < 0.2) (d.roles as Obj[]).push({ value: `project-${i}`, display: 'Project' });
  if (r() < 0.3) (d[ENTERPRISE_USER_SCHEMA] as Obj).department = DEPTS[Math.floor(r() * DEPTS.length)];
  if (r() < 0.1) d.active = !d.active;
  if (r() < 0.1 && (d.emails as Obj[]).length > 1) {
    ((d.emails as Obj[])[0] as Obj).primary = false;
    ((d.emails as Obj[])[1] as Obj).primary = true;
  }
  return d;
}

export function makeCorpus(seed: number, users: number): { users: Obj[]; desired: Obj[] } {
  const r = rng(seed);
  const us: Obj[] = [];
  const ds: Obj[] = [];
  for (let i = 0; i < users; i++) {
    const u = makeUser(r, i);
    us.push(u);
    ds.push(mutate(r, u, i));
  }
  return { users: us, desired: ds };
}

/** Filters every peer can parse (scim-query-filter-parser rejects "not" and URN paths). */
export const FILTERS = [
  'userName eq "user42@example.com"',
  'userName sw "user1"',
  'displayName co "smith"',
  'title pr',
  'active eq true',
  'title pr and userType eq "Employee"',
  'emails[type eq "work" and value co "@example.com"]',
  'emails.value ew "@example.org"',
  'meta.lastModified gt "2023-06-01T00:00:00Z"',
  'name.familyName eq "Jensen" or name.givenName eq "Barbara"',
  'userType eq "Employee" and (emails.value co "example.com" or emails.value co "example.org")',
  'phoneNumbers[type eq "mobile"]',
  'roles[value eq "admin"] and active eq true',
  'externalId eq "ext-7" or userName eq "user7@example.com"',
];

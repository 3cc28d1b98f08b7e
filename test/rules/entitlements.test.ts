import { resolve } from 'node:path';
import fc from 'fast-check';
import { loadConfig, parseConfigText, toPublicConfig, type PublicConfig } from '../../src/config';
import { computeEntitlements, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, type Entitlements } from '../../src/rules';
import { EmployeeSchema, type Employee } from '../../src/shared/hr-event';

const example: PublicConfig = toPublicConfig(loadConfig(resolve(__dirname, '../../config/scimflow.yaml')));

const base: Employee = {
  employeeId: 'E1001',
  email: 'jane.doe@example.com',
  givenName: 'Jane',
  familyName: 'Doe',
  title: 'Senior Engineer',
  department: 'Engineering',
  managerId: 'E0007',
  location: 'Berlin',
  costCenter: 'CC-100',
  employeeType: 'Employee',
};

function appsOf(e: Entitlements): string[] {
  return e.apps.map((a) => a.app);
}

describe('computeEntitlements with the example config', () => {
  it('everyone gets generic (all-staff) and jumpcloud; engineering adds jasper and the engineering group', () => {
    const ent = computeEntitlements(base, example);
    expect(appsOf(ent)).toEqual(['generic', 'jasper', 'jostle', 'jumpcloud']);
    expect(ent.matchedRules).toEqual(['employees-on-jostle', 'engineering', 'everyone']);
    const generic = ent.apps.find((a) => a.app === 'generic')!;
    expect(generic.groups).toEqual(['all-staff', 'engineering']);
    expect(generic.grantedBy).toEqual(['engineering', 'everyone']);
    expect(generic.allOrNothing).toBe(true);
    expect(generic.approval.required).toBe(false);
    const jasper = ent.apps.find((a) => a.app === 'jasper')!;
    expect(jasper).toMatchObject({
      kind: 'jasper',
      groups: ['engineering'],
      seatConsuming: true,
      allOrNothing: false,
      approval: {
        required: true,
        approvers: ['it-lead@example.com'],
        timeoutMs: 259_200_000,
        onTimeout: 'escalate',
        escalateTo: ['cto@example.com'],
      },
      leaver: { deactivate: true, removeGroups: true, jsmCustomerRemoval: false, hardDeleteAfterMs: 2_592_000_000 },
    });
  });

  it('builds the default SCIM user', () => {
    const generic = computeEntitlements(base, example).apps.find((a) => a.app === 'generic')!;
    expect(generic.user).toEqual({
      schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'jane.doe@example.com',
      externalId: 'E1001',
      name: { givenName: 'Jane', familyName: 'Doe' },
      displayName: 'Jane Doe',
      emails: [{ value: 'jane.doe@example.com', type: 'work', primary: true }],
      title: 'Senior Engineer',
      userType: 'Employee',
      active: true,
      [ENTERPRISE_USER_SCHEMA]: {
        employeeNumber: 'E1001',
        department: 'Engineering',
        costCenter: 'CC-100',
        manager: { value: 'E0007' },
      },
    });
  });

  it('uses the HR userName/displayName when given, omits absent optional fields', () => {
    const e: Employee = {
      employeeId: 'E2',
      email: 'sam@example.com',
      givenName: 'Sam',
      familyName: 'Lee',
      userName: 'slee',
      displayName: 'Sammy Lee',
    };
    const generic = computeEntitlements(e, example).apps.find((a) => a.app === 'generic')!;
    expect(generic.user.userName).toBe('slee');
    expect(generic.user.displayName).toBe('Sammy Lee');
    expect(generic.user).not.toHaveProperty('title');
    expect(generic.user).not.toHaveProperty('userType');
    expect(generic.user[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: 'E2' });
  });

  it('per-kind defaults: Jasper userName is the email, JumpCloud a slug, Jostle core schema only', () => {
    const e: Employee = { ...base, userName: 'jdoe', email: 'Jane.O-Doe+eng@example.com', employeeType: 'Employee' };
    const ent = computeEntitlements(e, example);
    const jasper = ent.apps.find((a) => a.app === 'jasper')!;
    expect(jasper.user.userName).toBe('Jane.O-Doe+eng@example.com');
    expect(jasper.user.schemas).toEqual([CORE_USER_SCHEMA]);
    const jc = ent.apps.find((a) => a.app === 'jumpcloud')!;
    expect(jc.user.userName).toBe('janeodoeeng');
    expect(jc.user.locale).toBe('Berlin'); // the example's attribute override
    const jostle = ent.apps.find((a) => a.app === 'jostle')!;
    expect(jostle.user.schemas).toEqual([CORE_USER_SCHEMA]);
    expect(jostle.user.userName).toBe('Jane.O-Doe+eng@example.com');
    expect(jostle.user.nickName).toBe('Jane');
    expect(jostle.user).not.toHaveProperty('title');
  });

  it('JumpCloud falls back to the employeeId when the email local part has no letters or digits', () => {
    const jc = computeEntitlements({ ...base, employeeId: 'E.10-x', email: "_+'@example.com" }, example).apps.find(
      (a) => a.app === 'jumpcloud',
    )!;
    expect(jc.user.userName).toBe('e10x');
  });

  it('Support gets atlassian with the JSM service desk; contractors get no jostle', () => {
    const e: Employee = { ...base, department: 'Customer Success', title: 'Agent', employeeType: 'contractor' };
    const ent = computeEntitlements(e, example);
    expect(appsOf(ent)).toEqual(['atlassian', 'generic', 'jumpcloud']);
    const atl = ent.apps.find((a) => a.app === 'atlassian')!;
    expect(atl.jsm).toEqual({ serviceDeskId: '1' });
    expect(atl.user.userName).toBe(e.email);
    expect(atl.leaver.jsmCustomerRemoval).toBe(true);
    expect(atl.approval).toMatchObject({ required: true, timeoutMs: 48 * 3_600_000, onTimeout: 'reject' });
    expect(ent.apps.find((a) => a.app === 'generic')!.groups).toEqual(['all-staff', 'support']);
  });

  it('the engineering-leads rule uses a case-insensitive pattern', () => {
    const lead = computeEntitlements({ ...base, title: 'Engineering Manager' }, example);
    expect(lead.matchedRules).toContain('engineering-leads');
    expect(lead.apps.find((a) => a.app === 'generic')!.groups).toContain('engineering-leads');
    expect(computeEntitlements({ ...base, title: 'Leader of Things' }, example).matchedRules).not.toContain(
      'engineering-leads',
    );
  });

  it('attribute overrides: alternatives, null removes, extension paths', () => {
    const yaml = `
ingress: { webhookSecret: "\${H}" }
apps:
  crm:
    kind: generic
    baseUrl: http://127.0.0.1:7100/generic/scim/v2
    auth: { type: bearer, token: "\${T}" }
    attributes:
      userName: "{{email | localPart | lower}}"
      displayName: ["{{displayName}}", "{{familyName | upper}}, {{givenName}}"]
      title: null
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization": "{{email | domain}}"
      "urn:example:params:scim:schemas:extension:crm:2.0:User:region": "{{location | default('unknown')}}"
rules:
  birthright:
    - { name: all, grant: [crm] }
`;
    const parsed = parseConfigText(yaml, '/tmp/inline.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const user = computeEntitlements({ ...base, location: undefined }, toPublicConfig(parsed.config)).apps[0]!.user;
    expect(user.userName).toBe('jane.doe');
    expect(user.displayName).toBe('DOE, Jane');
    expect(user).not.toHaveProperty('title');
    expect(user.schemas).toEqual([
      CORE_USER_SCHEMA,
      'urn:example:params:scim:schemas:extension:crm:2.0:User',
      ENTERPRISE_USER_SCHEMA,
    ]);
    expect(user['urn:example:params:scim:schemas:extension:crm:2.0:User']).toEqual({ region: 'unknown' });
    expect(user[ENTERPRISE_USER_SCHEMA]).toMatchObject({ organization: 'example.com' });
  });

  it('no matching rule → no apps', () => {
    const cfg: PublicConfig = {
      ...example,
      rules: { birthright: example.rules.birthright.filter((r) => r.name === 'engineering') },
    };
    expect(computeEntitlements({ ...base, department: 'Sales' }, cfg)).toEqual({
      employeeId: 'E1001',
      apps: [],
      matchedRules: [],
    });
  });

  it('does not mutate the config', () => {
    const before = JSON.stringify(example);
    const ent = computeEntitlements(base, example);
    ent.apps[0]!.approval.approvers.push('x');
    ent.apps[0]!.groups.push('x');
    expect(JSON.stringify(example)).toBe(before);
  });
});

// ------------------------------------------------------------------ properties

const word = fc.constantFrom(
  'Engineering',
  'engineering',
  'Support',
  'Customer Success',
  'Sales',
  'Finance',
  'Lead',
  'Manager',
  'Contractor',
  'Employee',
);
const localPart = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+'-]{0,20}[A-Za-z0-9_+-]$/),
    fc.stringMatching(/^[_+'-]{1,4}$/), // no letters or digits at all
  )
  .filter((s) => !s.includes('..'));
const employeeArb: fc.Arbitrary<Employee> = fc
  .record(
    {
      employeeId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/),
      email: fc.tuple(localPart, fc.constantFrom('example.com', 'corp.example.org')).map(([l, d]) => `${l}@${d}`),
      givenName: fc.constantFrom('Jane', 'José', 'Zoë', "D'Arcy", 'Li'),
      familyName: fc.constantFrom('Doe', "O'Neil", 'Müller-Lüdenscheidt', 'Smith'),
      userName: fc.option(fc.constantFrom('jdoe', 'x.y'), { nil: undefined }),
      title: fc.option(
        fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
        { nil: undefined },
      ),
      department: fc.option(word, { nil: undefined }),
      location: fc.option(fc.constantFrom('Berlin', 'London'), { nil: undefined }),
      costCenter: fc.option(fc.constantFrom('CC-1', 'CC-2'), { nil: undefined }),
      employeeType: fc.option(word, { nil: undefined }),
      managerId: fc.option(fc.constantFrom('E0', 'E1'), { nil: undefined }),
    },
    { requiredKeys: ['employeeId', 'email', 'givenName', 'familyName'] },
  )
  .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as Employee)
  .filter((e) => EmployeeSchema.safeParse(e).success);

/** The same config with rules, grants and groups in a different order. */
function shuffled(config: PublicConfig, seed: number[]): PublicConfig {
  let i = 0;
  const next = () => seed[i++ % seed.length] ?? 0;
  const shuffle = <T>(xs: T[]): T[] => {
    const out = [...xs];
    for (let k = out.length - 1; k > 0; k--) {
      const j = next() % (k + 1);
      [out[k], out[j]] = [out[j] as T, out[k] as T];
    }
    return out;
  };
  return {
    ...config,
    rules: {
      birthright: shuffle(config.rules.birthright).map((r) => ({
        ...r,
        grant: shuffle(r.grant).map((g) => ({ ...g, groups: shuffle(g.groups) })),
      })),
    },
    joiner: { allOrNothing: shuffle(config.joiner.allOrNothing) },
  };
}

describe('computeEntitlements properties', () => {
  it('is deterministic (same input → deep-equal, identically serialised output)', () => {
    fc.assert(
      fc.property(employeeArb, (e) => {
        const a = computeEntitlements(e, example);
        const b = computeEntitlements(structuredClone(e), structuredClone(example));
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
    );
  });

  it('does not depend on the order of rules, grants or groups', () => {
    fc.assert(
      fc.property(employeeArb, fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 20 }), (e, seed) => {
        expect(JSON.stringify(computeEntitlements(e, shuffled(example, seed)))).toBe(
          JSON.stringify(computeEntitlements(e, example)),
        );
      }),
    );
  });

  it('apps are sorted by name, groups sorted and unique', () => {
    fc.assert(
      fc.property(employeeArb, (e) => {
        const ent = computeEntitlements(e, example);
        const names = appsOf(ent);
        expect(names).toEqual([...names].sort());
        for (const app of ent.apps) {
          expect(app.groups).toEqual([...new Set(app.groups)].sort());
          expect(app.user.externalId).toBe(e.employeeId);
          expect(app.user.active).toBe(true);
        }
      }),
    );
  });

  it('JumpCloud userName is never empty and never has special characters or "@"', () => {
    fc.assert(
      fc.property(employeeArb, (e) => {
        const jc = computeEntitlements(e, example).apps.find((a) => a.app === 'jumpcloud');
        expect(jc).toBeDefined();
        expect(jc!.user.userName).toMatch(/^[a-z0-9]+$/);
        expect(jc!.user.userName).not.toContain('@');
      }),
      { numRuns: 500 },
    );
  });

  it('Jasper and Atlassian userNames are the email', () => {
    fc.assert(
      fc.property(employeeArb, (e) => {
        for (const app of computeEntitlements({ ...e, department: 'Engineering' }, example).apps) {
          if (app.kind === 'jasper') expect(app.user.userName).toBe(e.email);
        }
        for (const app of computeEntitlements({ ...e, department: 'Support' }, example).apps) {
          if (app.kind === 'atlassian') expect(app.user.userName).toBe(e.email);
        }
      }),
    );
  });
});

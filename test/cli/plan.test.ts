// `scimflow plan`: the dry run reads each app's current state over HTTP and writes nothing.
import { createConnector } from '../../src/connectors';
import { parseConfigText, resolveSecrets, toAppConnection } from '../../src/config';
import { parseEvent, planEvent, PlanInputError } from '../../src/cli/plan';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { TEST_ENV } from '../helpers/stack';
import { LIFECYCLE_CONFIG } from '../workflows/config';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());

const config = () => {
  const parsed = parseConfigText(LIFECYCLE_CONFIG.replaceAll('{{SANDBOX}}', sb.url), '/virtual/plan.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
};
const writes = () => (['generic', 'jasper', 'jumpcloud'] as const).flatMap((a) => sb.app(a).requests().filter((r) => r.method !== 'GET'));

describe('plan', () => {
  it('shows creates for absent accounts, a minimal PATCH for an existing one, and sends no write', async () => {
    const cfg = config();
    const generic = createConnector(toAppConnection(cfg.apps.generic!, resolveSecrets(cfg, TEST_ENV).apps.generic!));
    const existing = await generic.createUser({ userName: 'grace@example.com', externalId: 'P1', name: { givenName: 'Grace', familyName: 'Hopper' }, title: 'Old title', active: true });
    await generic.close();
    const before = writes().length;

    const event = parseEvent({ id: 'evt-p1', type: 'hire', employee: { employeeId: 'P1', email: 'grace@example.com', givenName: 'Grace', familyName: 'Hopper', department: 'Engineering', title: 'Rear Admiral' } });
    const plan = await planEvent(cfg, event, TEST_ENV);

    expect(plan.matchedRules).toEqual(['engineering', 'everyone']);
    expect(plan.entitlements.map((e) => [e.app, e.groups])).toEqual([
      ['generic', ['all-staff', 'engineering']],
      ['jasper', []],
      ['jumpcloud', []],
    ]);
    const byApp = Object.fromEntries(plan.apps.map((a) => [a.app, a]));
    expect(byApp.generic).toMatchObject({ action: 'update', current: { id: existing.user.id, active: true } });
    const patch = byApp.generic!.requests.find((r) => r.method === 'PATCH' && r.path === `/Users/${existing.user.id}`)!;
    expect(JSON.stringify(patch.body)).toContain('Rear Admiral');
    expect(byApp.generic!.requests.filter((r) => r.path === '/Groups').map((r) => (r.body as { displayName: string }).displayName)).toEqual(['all-staff', 'engineering']);
    expect(byApp.jasper).toMatchObject({ action: 'create', approvalRequired: true });
    expect(byApp.jasper!.requests[0]).toMatchObject({ method: 'POST', path: '/Users', note: 'after approval', body: { userName: 'grace@example.com' } });
    expect(byApp.jumpcloud!.requests[0]).toMatchObject({ method: 'POST', path: '/Users', body: { userName: 'grace' } });

    expect(writes().length).toBe(before);
    expect(sb.app('jasper').users()).toHaveLength(0);
  });

  it('plans a termination as group removals and a deactivation', async () => {
    const cfg = config();
    const event = parseEvent({ id: 'evt-p2', type: 'terminate', employee: { employeeId: 'P1', email: 'grace@example.com', givenName: 'Grace', familyName: 'Hopper' } });
    const plan = await planEvent(cfg, event, TEST_ENV);
    const generic = plan.apps.find((a) => a.app === 'generic')!;
    expect(generic.action).toBe('deactivate');
    expect(generic.requests.at(-1)).toMatchObject({ method: 'PATCH', body: { Operations: [{ op: 'replace', path: 'active', value: false }] } });
    expect(plan.apps.find((a) => a.app === 'jasper')!.action).toBe('none');
  });

  it('refuses an invalid event, naming the fields', () => {
    expect(() => parseEvent({ id: 'x', type: 'hire', employee: { employeeId: 'E1' } })).toThrow(PlanInputError);
    try {
      parseEvent({ id: 'x', type: 'hire', employee: { employeeId: 'E1' } });
    } catch (err) {
      expect((err as PlanInputError).fields.map((f) => f.field)).toEqual(['employee.email', 'employee.givenName', 'employee.familyName']);
    }
  });
});

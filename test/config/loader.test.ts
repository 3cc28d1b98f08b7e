import { join, resolve } from 'node:path';
import { ConfigError, checkConfigFile, loadConfig, toPublicConfig, type ScimflowConfig } from '../../src/config';
import { PROFILES } from '../../src/connectors/profiles';
import { baseConfig, clone, TempDir } from './helpers';

const EXAMPLE = resolve(__dirname, '../../config/scimflow.yaml');

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

/** Loads `data` from a temp file and returns the ConfigError it must raise. */
function errorFor(data: unknown): ConfigError {
  const file = dir.writeYaml('scimflow.yaml', data);
  try {
    loadConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

function expectIssue(err: ConfigError, path: string, message: RegExp): void {
  expect(err.name).toBe('ConfigError');
  expect(err.code).toBe('CONFIG_INVALID');
  expect(err.message).toContain('scimflow.yaml');
  expect(err.message).toContain(path);
  const issue = err.errors.find((e) => e.path === path);
  expect(issue).toBeDefined();
  expect(issue!.message).toMatch(message);
}

describe('the example config/scimflow.yaml', () => {
  let config: ScimflowConfig;
  beforeAll(() => {
    config = loadConfig(EXAMPLE);
  });

  it('loads with the documented defaults and sandbox URLs', () => {
    expect(config.temporal).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'scimflow',
      // Payloads encrypted (docs/security.md); `scimflow dev` supplies a development key.
      encryption: {
        current: 'dev',
        keys: [{ id: 'dev', key: { ref: 'env', name: 'SCIMFLOW_PAYLOAD_KEY' } }],
        acceptUnencrypted: false,
      },
    });
    expect(config.codecServer).toEqual({
      host: '127.0.0.1',
      port: 8081,
      corsOrigins: ['http://localhost:8233'],
      tokens: [{ ref: 'env', name: 'SCIMFLOW_CODEC_TOKEN' }],
      allowUnauthenticated: false,
    });
    expect(config.ingress.port).toBe(8080);
    expect(config.ingress.maxBodyBytes).toBe(262144);
    expect(config.ingress.webhookSecret).toEqual({ ref: 'env', name: 'SCIMFLOW_WEBHOOK_SECRET' });
    expect(Object.keys(config.apps)).toEqual(['atlassian', 'generic', 'jasper', 'jostle', 'jumpcloud']);
    expect(config.apps.generic!.baseUrl).toBe('http://127.0.0.1:7100/generic/scim/v2');
    expect(config.apps.generic!.auth).toEqual({
      type: 'bearer',
      token: { ref: 'env', name: 'SCIMFLOW_GENERIC_TOKEN' },
    });
    expect(config.apps.jumpcloud!.auth).toEqual({
      type: 'apiKey',
      header: 'x-api-key',
      key: { ref: 'env', name: 'SCIMFLOW_JUMPCLOUD_TOKEN' },
    });
    expect(config.apps.atlassian!.baseUrl).toBe('http://127.0.0.1:7100/atlassian/scim/directory/dev-directory');
    expect(config.apps.atlassian!.directoryId).toBe('dev-directory');
    expect(config.apps.atlassian!.jsm).toEqual({
      baseUrl: 'http://127.0.0.1:7100/atlassian',
      serviceDeskId: '1',
      auth: {
        type: 'basic',
        username: 'admin@example.com',
        password: { ref: 'env', name: 'SCIMFLOW_ATLASSIAN_JSM_TOKEN' },
      },
    });
  });

  it('applies per-kind defaults for seats and approvals', () => {
    expect(config.apps.jasper!.seatConsuming).toBe(true);
    expect(config.apps.atlassian!.seatConsuming).toBe(true);
    expect(config.apps.generic!.seatConsuming).toBe(false);
    // The seat default is the profile's: Jasper bills the create, Atlassian the product groups.
    for (const app of Object.values(config.apps))
      expect(app.seatConsuming).toBe(PROFILES[app.kind].seatTakenBy !== 'none');
    expect(PROFILES.jasper.seatTakenBy).toBe('create');
    expect(PROFILES.atlassian.seatTakenBy).toBe('groupMembership');
    expect(config.apps.jasper!.approval).toEqual({
      required: true,
      approvers: ['it-lead@example.com'],
      timeoutMs: 72 * 3600 * 1000,
      onTimeout: 'escalate',
      escalateTo: ['cto@example.com'],
      unverifiedDecisions: 'accept',
    });
    expect(config.apps.generic!.approval.required).toBe(false);
    expect(config.apps.jasper!.leaver.hardDeleteAfterMs).toBe(30 * 86_400_000);
    expect(config.apps.atlassian!.leaver.jsmCustomerRemoval).toBe(true);
    expect(config.apps.generic!.leaver).toEqual({
      deactivate: true,
      removeGroups: true,
      jsmCustomerRemoval: false,
      hardDeleteAfterMs: null,
    });
    expect(config.joiner.allOrNothing).toEqual(['generic', 'jumpcloud']);
  });

  it('checkConfigFile summarises it without secret values', () => {
    const env = {
      SCIMFLOW_WEBHOOK_SECRET: 'whsec-dev-0123456789abcdef',
      SCIMFLOW_GENERIC_TOKEN: 'dev-token',
      SCIMFLOW_JASPER_TOKEN: 'dev-jasper-token',
      SCIMFLOW_JUMPCLOUD_TOKEN: 'dev-jumpcloud-key',
      SCIMFLOW_ATLASSIAN_TOKEN: 'dev-atlassian-token',
      SCIMFLOW_ATLASSIAN_JSM_TOKEN: 'dev-atlassian-api-token',
      SCIMFLOW_JOSTLE_TOKEN: 'dev-jostle-token',
      SCIMFLOW_PAYLOAD_KEY: 'b0RBmMbnXNL3R5q8ayWIG/XOtZgdnl8eIIQXL8kxtZY=',
    };
    const result = checkConfigFile(EXAMPLE, { env });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.summary.apps.map((a) => a.name)).toEqual(['atlassian', 'generic', 'jasper', 'jostle', 'jumpcloud']);
    expect(result.summary.rules).toContain('engineering');
    expect(result.summary.secrets).toContainEqual({
      path: 'apps.jumpcloud.auth.key',
      ref: '${SCIMFLOW_JUMPCLOUD_TOKEN}',
    });
    expect(result.summary.secrets).toContainEqual({
      path: 'temporal.encryption.keys[0].key',
      ref: '${SCIMFLOW_PAYLOAD_KEY}',
    });
    const text = JSON.stringify(result);
    for (const value of Object.values(env)) expect(text).not.toContain(value);
  });

  it('checkConfigFile with an env reports every missing variable', () => {
    const result = checkConfigFile(EXAMPLE, { env: { SCIMFLOW_GENERIC_TOKEN: 'x' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toContain('apps.jasper.auth.token');
    expect(result.errors.map((e) => e.path)).not.toContain('apps.generic.auth.token');
    expect(result.errors.find((e) => e.path === 'apps.atlassian.jsm.auth.password')?.message).toMatch(
      /SCIMFLOW_ATLASSIAN_JSM_TOKEN is not set.*atlassian/,
    );
  });
});

describe('loadConfig errors name the file, the key path and what was expected', () => {
  it('a valid base config loads', () => {
    const file = dir.writeYaml('scimflow.yaml', baseConfig());
    const config = loadConfig(file);
    expect(config.source).toBe(file);
    expect(config.apps.jumpcloud!.rateLimit).toEqual({ requestsPerSecond: 3 });
    expect(config.apps.jasper!.auth).toEqual({
      type: 'bearer',
      token: { ref: 'file', path: join(dir.path, 'secrets/jasper.token') },
    });
  });

  it('every temporal key reaches the parsed configuration (deployment, with encryption beside it)', () => {
    const data = clone(baseConfig()) as Record<string, unknown>;
    data.temporal = {
      address: 'temporal.example.com:7233',
      deployment: { name: 'scimflow', buildId: 'b7' },
      encryption: { current: 'k1', keys: [{ id: 'k1', key: '${K}' }] },
    };
    const config = loadConfig(dir.writeYaml('scimflow.yaml', data));
    expect(config.temporal.deployment).toEqual({ name: 'scimflow', buildId: 'b7' });
    expect(config.temporal.encryption?.current).toBe('k1');
    expect(config.temporal.address).toBe('temporal.example.com:7233');
  });

  it('unknown key', () => {
    const data = clone(baseConfig()) as { apps: { jumpcloud: Record<string, unknown> } };
    data.apps.jumpcloud.rateLimt = { requestsPerSecond: 1 };
    expectIssue(errorFor(data), 'apps.jumpcloud.rateLimt', /unknown key/);
  });

  it('unknown top-level key', () => {
    expectIssue(errorFor({ ...baseConfig(), workers: 3 }), 'workers', /unknown key/);
  });

  it('wrong type', () => {
    const data = clone(baseConfig()) as { apps: { jumpcloud: { rateLimit: Record<string, unknown> } } };
    data.apps.jumpcloud.rateLimit.requestsPerSecond = 'fast';
    expectIssue(errorFor(data), 'apps.jumpcloud.rateLimit.requestsPerSecond', /expected number, received string/);
  });

  it('unknown kind', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.kind = 'okta';
    expectIssue(errorFor(data), 'apps.generic.kind', /generic, jasper, jumpcloud, atlassian, jostle/);
  });

  it('bad URL', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.baseUrl = 'ftp://example.com/scim';
    expectIssue(errorFor(data), 'apps.generic.baseUrl', /http\(s\) URL/);
  });

  it('bad duration', () => {
    const data = clone(baseConfig()) as { approvals: { jasper: Record<string, unknown> } };
    data.approvals.jasper.timeout = '3 days';
    expectIssue(errorFor(data), 'approvals.jasper.timeout', /not a duration.*72h/);
  });

  it('bad duration in the leaver hardDelete', () => {
    const data = { ...baseConfig(), leaver: { apps: { jasper: { hardDelete: { after: '30x' } } } } };
    expectIssue(errorFor(data), 'leaver.apps.jasper.hardDelete.after', /not a duration/);
  });

  it('bad regex in a rule condition', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { when: Record<string, unknown> }[] } };
    data.rules.birthright[1]!.when.title = { pattern: '(senior', ignoreCase: true };
    expectIssue(errorFor(data), 'rules.birthright[1].when.title.pattern', /invalid regular expression/);
  });

  it('unknown employee field in a condition', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { when: Record<string, unknown> }[] } };
    data.rules.birthright[1]!.when.team = 'Core';
    expectIssue(errorFor(data), 'rules.birthright[1].when.team', /unknown employee field/);
  });

  it('condition with two operators', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { when: Record<string, unknown> }[] } };
    data.rules.birthright[1]!.when.department = { equals: 'A', oneOf: ['B'] };
    expectIssue(errorFor(data), 'rules.birthright[1].when.department', /exactly one of/);
  });

  it('bad expression: unknown field', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.attributes = { title: '{{jobTitle}}' };
    expectIssue(errorFor(data), 'apps.generic.attributes.title', /unknown employee field "jobTitle"/);
  });

  it('bad expression: unknown filter', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.attributes = { displayName: '{{givenName | capitalize}}' };
    expectIssue(errorFor(data), 'apps.generic.attributes.displayName', /unknown filter "capitalize"/);
  });

  it('bad expression: unbalanced braces', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.attributes = { displayName: '{{givenName' };
    expectIssue(errorFor(data), 'apps.generic.attributes.displayName', /without a matching/);
  });

  it('mapping a reserved attribute', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.attributes = { active: '{{email}}' };
    expectIssue(errorFor(data), 'apps.generic.attributes.active', /managed by scimflow/);
  });

  it('a JumpCloud userName expression that can produce characters its profile refuses', () => {
    const data = clone(baseConfig()) as { apps: { jumpcloud: Record<string, unknown> } };
    data.apps.jumpcloud.attributes = { userName: '{{givenName}}.{{familyName}}' };
    expectIssue(
      errorFor(data),
      'apps.jumpcloud.attributes.userName',
      /only the characters \[A-Za-z0-9._-\] \(https:\/\/jumpcloud\.com\/support\/.*end each placeholder with "\| slug"/,
    );
    data.apps.jumpcloud.attributes = { userName: '{{givenName | slug}}+{{familyName | slug}}' };
    expectIssue(errorFor(data), 'apps.jumpcloud.attributes.userName', /only the characters/);
    // Within the profile's characters: accepted.
    data.apps.jumpcloud.attributes = { userName: '{{givenName | slug | lower}}.{{familyName | slug | lower}}' };
    expect(loadConfig(dir.writeYaml('scimflow.yaml', data)).apps.jumpcloud!.attributes.userName).toBe(
      '{{givenName | slug | lower}}.{{familyName | slug | lower}}',
    );
  });

  it('unknown app in a rule', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { grant: unknown[] }[] } };
    data.rules.birthright[1]!.grant.push({ app: 'slack' });
    expectIssue(errorFor(data), 'rules.birthright[1].grant[1].app', /unknown app "slack".*generic, jasper, jumpcloud/);
  });

  it('unknown app in joiner.allOrNothing', () => {
    const data = { ...baseConfig(), joiner: { allOrNothing: ['generic', 'jira'] } };
    expectIssue(errorFor(data), 'joiner.allOrNothing[1]', /unknown app "jira"/);
  });

  it('unknown app in approvals and leaver', () => {
    const err = errorFor({
      ...baseConfig(),
      approvals: { zoom: { required: true } },
      leaver: { apps: { figma: { deactivate: true } } },
    });
    expectIssue(err, 'approvals.zoom', /unknown app "zoom"/);
    expectIssue(err, 'leaver.apps.figma', /unknown app "figma"/);
  });

  it('unknown apps are reported together with every other problem, not after them', () => {
    const data = clone(baseConfig()) as {
      apps: Record<string, Record<string, unknown>>;
      rules: { birthright: { grant: unknown[] }[] };
    } & Record<string, unknown>;
    data.apps.generic!.kind = 'nosuchkind'; // a schema error…
    data.apps.jumpcloud!.rateLimit = { requestsPerSecond: 'lots' }; // …and another
    data.rules.birthright[0]!.grant.push('slack'); // …and unknown apps everywhere they can be named
    data.rules.birthright[1]!.grant.push({ app: 'zoom', groups: ['x'] });
    data.approvals = { figma: { required: true } };
    data.leaver = { apps: { miro: { deactivate: true } } };
    data.joiner = { allOrNothing: ['generic', 'jira'] };
    const err = errorFor(data);
    expectIssue(err, 'apps.generic.kind', /expected one of/);
    expectIssue(err, 'apps.jumpcloud.rateLimit.requestsPerSecond', /expected number/);
    expectIssue(
      err,
      'rules.birthright[0].grant[2].app',
      /unknown app "slack" \(configured apps: generic, jasper, jumpcloud\)/,
    );
    expectIssue(err, 'rules.birthright[1].grant[1].app', /unknown app "zoom"/);
    expectIssue(err, 'approvals.figma', /unknown app "figma"/);
    expectIssue(err, 'leaver.apps.miro', /unknown app "miro"/);
    expectIssue(err, 'joiner.allOrNothing[1]', /unknown app "jira"/);
    // With a line number each, like the schema's problems.
    expect(err.errors.find((e) => e.path === 'approvals.figma')!.line).toEqual(expect.any(Number));
    // Each once.
    expect(new Set(err.errors.map((e) => e.path)).size).toBe(err.errors.length);
  });

  it('an unknown app is reported once when the rest of the file is valid', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { grant: unknown[] }[] } };
    data.rules.birthright[1]!.grant.push(' slack ');
    const err = errorFor(data);
    expect(err.errors).toEqual([
      expect.objectContaining({
        path: 'rules.birthright[1].grant[1].app',
        message: expect.stringMatching(/unknown app "slack"/),
      }),
    ]);
  });

  it('duplicate rule names', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { name: string }[] } };
    data.rules.birthright[1]!.name = 'everyone';
    expectIssue(errorFor(data), 'rules.birthright[1].name', /duplicate rule name/);
  });

  it('removed options (validated once, never read) are errors naming what replaces them', () => {
    const data = clone(baseConfig()) as {
      apps: { generic: Record<string, unknown>; jumpcloud: Record<string, unknown> };
    };
    data.apps.generic.capabilities = {
      put: true,
      putReplacesWholeResource: true,
      sort: true,
      groups: { put: true, delete: false },
      deprovision: 'delete',
      deleteIsIrreversible: true,
      createConsumesSeat: true,
      searchEndpoint: false,
      bulk: { supported: true },
    };
    data.apps.jumpcloud.rateLimit = { requestsPerSecond: 3, burst: 6 };
    const err = errorFor(data);
    const removed = (path: string, instead: RegExp) =>
      expectIssue(err, path, new RegExp(`this option was removed \\(it did nothing\\): ${instead.source}`));
    removed('apps.generic.capabilities.put', /scimflow sends PUT only where patch is false/);
    removed('apps.generic.capabilities.putReplacesWholeResource', /a PUT always carries the whole user/);
    removed('apps.generic.capabilities.sort', /scimflow never asks an app to sort/);
    removed('apps.generic.capabilities.groups.put', /scimflow changes memberships by PATCH only/);
    removed('apps.generic.capabilities.groups.delete', /scimflow never deletes a group/);
    removed(
      'apps.generic.capabilities.deprovision',
      /the leaver policy decides: leaver.apps.<app>.deactivate, and hardDelete/,
    );
    removed('apps.generic.capabilities.deleteIsIrreversible', /the leaver policy's hardDelete is the only DELETE/);
    removed('apps.generic.capabilities.createConsumesSeat', /set apps.<app>.seatConsuming/);
    removed('apps.generic.capabilities.searchEndpoint', /scimflow looks users up with GET \/Users\?filter=/);
    removed('apps.generic.capabilities.bulk', /scimflow sends one request per change; it never uses SCIM Bulk/);
    removed('apps.jumpcloud.rateLimit.burst', /requests are paced evenly at requestsPerSecond/);
    expect(err.errors).toHaveLength(11);
  });

  it('groups granted on JumpCloud, whose profile has no SCIM groups: the app and the reason are named', () => {
    const data = clone(baseConfig()) as {
      apps: { jumpcloud: Record<string, unknown> };
      rules: { birthright: { grant: unknown[] }[] };
    };
    data.rules.birthright[0]!.grant[1] = { app: 'jumpcloud', groups: ['engineering'] };
    expectIssue(
      errorFor(data),
      'rules.birthright[0].grant[1].groups',
      /app "jumpcloud" \(kind jumpcloud\) has no SCIM groups: JumpCloud documents "Real-time Group import isn’t currently supported"/,
    );
    // An operator who knows better says so in the app's capabilities.
    data.apps.jumpcloud.capabilities = {
      groups: { supported: true, create: true, patch: true, maxMembersPerPatch: 50 },
    };
    expect(loadConfig(dir.writeYaml('scimflow.yaml', data)).rules.birthright[0]!.grant).toContainEqual({
      app: 'jumpcloud',
      groups: ['engineering'],
    });
  });

  it('groups granted where the capabilities switch groups off: the reason is the override', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.capabilities = { groups: { supported: false } };
    expectIssue(
      errorFor(data),
      'rules.birthright[0].grant[0].groups',
      /app "generic" \(kind generic\) has no SCIM groups: its capabilities say groups.supported: false/,
    );
  });

  it('groups granted on an app without SCIM groups (jostle)', () => {
    const data = clone(baseConfig()) as {
      apps: Record<string, unknown>;
      rules: { birthright: { grant: unknown[] }[] };
    };
    data.apps.jostle = {
      kind: 'jostle',
      baseUrl: 'http://127.0.0.1:7100/jostle/scim/v2',
      auth: { type: 'bearer', token: '${J}' },
    };
    data.rules.birthright[0]!.grant.push({ app: 'jostle', groups: ['x'] });
    expectIssue(errorFor(data), 'rules.birthright[0].grant[2].groups', /no SCIM groups/);
  });

  it('escalate without escalateTo', () => {
    const data = { ...baseConfig(), approvals: { jasper: { onTimeout: 'escalate' } } };
    expectIssue(errorFor(data), 'approvals.jasper.escalateTo', /at least one/);
  });

  it('jsm on a non-atlassian app, and jsmCustomerRemoval there', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> }; leaver?: unknown };
    data.apps.generic.jsm = {
      baseUrl: 'http://x',
      serviceDeskId: '1',
      auth: { type: 'basic', username: 'a', password: '${P}' },
    };
    expectIssue(errorFor(data), 'apps.generic.jsm', /only for kind atlassian/);
    const data2 = { ...baseConfig(), leaver: { apps: { generic: { jsmCustomerRemoval: true } } } };
    expectIssue(errorFor(data2), 'leaver.apps.generic.jsmCustomerRemoval', /only for kind atlassian/);
  });

  it('inline secrets are refused unless allowed', () => {
    const data = clone(baseConfig()) as {
      apps: { generic: { auth: Record<string, unknown> } };
      allowInlineSecrets?: boolean;
    };
    data.apps.generic.auth.token = 'dev-token';
    expectIssue(errorFor(data), 'apps.generic.auth.token', /inline secrets are refused/);
    const file = dir.writeYaml('inline.yaml', data);
    expect(loadConfig(file, { allowInlineSecrets: true }).apps.generic!.auth).toEqual({
      type: 'bearer',
      token: { ref: 'inline', value: 'dev-token' },
    });
    data.allowInlineSecrets = true;
    expect(loadConfig(dir.writeYaml('inline2.yaml', data)).allowInlineSecrets).toBe(true);
  });

  it('a partial ${...} reference is refused', () => {
    const data = clone(baseConfig()) as { apps: { generic: { auth: Record<string, unknown> } } };
    data.apps.generic.auth.token = 'Bearer ${TOKEN}';
    expectIssue(errorFor(data), 'apps.generic.auth.token', /not a reference/);
  });

  it('missing required section', () => {
    const { ingress: _ingress, ...rest } = baseConfig();
    expectIssue(errorFor(rest), 'ingress', /expected object/);
  });

  it('reports several problems at once, with YAML line numbers', () => {
    const file = dir.write(
      'multi.yaml',
      [
        'ingress:',
        '  webhookSecret: "${HOOK}"',
        'apps:',
        '  generic:',
        '    kind: generic',
        '    baseUrl: http://127.0.0.1:7100/generic/scim/v2',
        '    auth: { type: bearer, token: "${T}" }',
        '    rateLimit:',
        '      requestsPerSecond: lots',
        '    colour: blue',
      ].join('\n'),
    );
    let err: ConfigError | undefined;
    try {
      loadConfig(file);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const rps = err!.errors.find((e) => e.path === 'apps.generic.rateLimit.requestsPerSecond');
    expect(rps).toMatchObject({ line: 9 });
    expect(err!.errors.find((e) => e.path === 'apps.generic.colour')).toBeDefined();
    expect(err!.message).toMatch(/multi\.yaml/);
    expect(err!.message).toMatch(/apps\.generic\.rateLimit\.requestsPerSecond \(line 9, column \d+\)/);
  });

  it('YAML syntax errors carry line and column', () => {
    const file = dir.write('broken.yaml', 'ingress:\n  webhookSecret: "${HOOK}"\napps: [unclosed\n');
    const result = checkConfigFile(file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.file).toMatch(/broken\.yaml$/);
    expect(result.errors[0]!.message).toMatch(/YAML syntax error/);
    expect(result.errors[0]!.line).toBeGreaterThanOrEqual(3);
    expect(result.errors[0]!.column).toBeGreaterThanOrEqual(1);
  });

  it('duplicate YAML keys are syntax errors', () => {
    const file = dir.write('dup.yaml', 'ingress:\n  webhookSecret: "${A}"\n  webhookSecret: "${B}"\napps: {}\n');
    expect(() => loadConfig(file)).toThrow(/line 3/);
  });

  it('a missing file', () => {
    expect(() => loadConfig(join(dir.path, 'nope.yaml'))).toThrow(/nope\.yaml[\s\S]*file not found/);
    const result = checkConfigFile(join(dir.path, 'nope.yaml'));
    expect(result).toMatchObject({ ok: false, errors: [{ path: '(file)', message: 'file not found' }] });
  });

  it('an empty file', () => {
    expectIssue(errorFor(null), '(root)', /empty/);
  });
});

describe('PublicConfig', () => {
  it('contains no credentials or secret references (serialised)', () => {
    const config = loadConfig(EXAMPLE);
    const text = JSON.stringify(toPublicConfig(config));
    expect(text).not.toMatch(/SCIMFLOW_/);
    expect(text).not.toMatch(/"auth"/);
    expect(text).not.toMatch(/"token"|"password"|"key"/);
    expect(text).not.toContain('admin@example.com'); // the JSM basic-auth user is part of the credential
    expect(text).not.toContain('webhook');
    // What workflows need is there.
    const pub = JSON.parse(text) as ReturnType<typeof toPublicConfig>;
    expect(pub.apps.jasper!.approval.required).toBe(true);
    expect(pub.apps.atlassian!.jsm).toEqual({ baseUrl: 'http://127.0.0.1:7100/atlassian', serviceDeskId: '1' });
    expect(pub.rules.birthright.length).toBeGreaterThan(0);
  });

  it('contains no inline secret values either', () => {
    const data = clone(baseConfig()) as {
      apps: { generic: { auth: Record<string, unknown> } };
      allowInlineSecrets: boolean;
    };
    data.apps.generic.auth.token = 'super-secret-inline-value';
    data.allowInlineSecrets = true;
    const config = loadConfig(dir.writeYaml('scimflow.yaml', data));
    expect(JSON.stringify(config)).toContain('super-secret-inline-value');
    expect(JSON.stringify(toPublicConfig(config))).not.toContain('super-secret-inline-value');
  });

  it('is a deep copy (mutating it does not change the config)', () => {
    const config = loadConfig(EXAMPLE);
    const pub = toPublicConfig(config);
    pub.apps.jasper!.approval.approvers.push('mallory@example.com');
    pub.rules.birthright[0]!.grant.length = 0;
    expect(config.apps.jasper!.approval.approvers).toEqual(['it-lead@example.com']);
    expect(config.rules.birthright[0]!.grant.length).toBeGreaterThan(0);
  });
});

describe('YAML conveniences', () => {
  it('anchors and merge keys work, and keys inside a merge are still checked', () => {
    const text = [
      'ingress: { webhookSecret: "${H}" }',
      'x-defaults: &defaults',
      '  kind: generic',
      '  auth: { type: bearer, token: "${T}" }',
      'apps:',
      '  one:',
      '    <<: *defaults',
      '    baseUrl: http://127.0.0.1:7100/generic/scim/v2',
    ].join('\n');
    const file = dir.write('anchors.yaml', text);
    // x-defaults is not a known key: anchors must live inside known sections.
    expect(() => loadConfig(file)).toThrow(/x-defaults.*unknown key/);
    const ok = dir.write(
      'anchors2.yaml',
      [
        'ingress: { webhookSecret: "${H}" }',
        'apps:',
        '  one: &one',
        '    kind: generic',
        '    baseUrl: http://127.0.0.1:7100/generic/scim/v2',
        '    auth: { type: bearer, token: "${T}" }',
        '  two:',
        '    <<: *one',
        '    baseUrl: http://127.0.0.1:7100/other/scim/v2',
      ].join('\n'),
    );
    const config = loadConfig(ok);
    expect(config.apps.two).toMatchObject({ kind: 'generic', baseUrl: 'http://127.0.0.1:7100/other/scim/v2' });
  });
});

describe('more shapes of error', () => {
  it('a bad app name', () => {
    const data = clone(baseConfig()) as { apps: Record<string, unknown> };
    data.apps.Jasper_Prod = data.apps.jasper;
    expectIssue(errorFor(data), 'apps.Jasper_Prod', /invalid name: app names are lower-case letters/);
  });

  it('a bad auth type, and a missing token', () => {
    const data = clone(baseConfig()) as {
      apps: { generic: { auth: Record<string, unknown> }; jumpcloud: { auth: Record<string, unknown> } };
    };
    data.apps.generic.auth = { type: 'oauth', token: '${X}' };
    data.apps.jumpcloud.auth = { type: 'apiKey' };
    const err = errorFor(data);
    expectIssue(err, 'apps.generic.auth.type', /one of bearer, apiKey, basic/);
    expectIssue(err, 'apps.jumpcloud.auth.key', /secret reference/);
  });

  it('capability overrides are checked against the connector profile shape', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.capabilities = { pagination: { maxPages: 3 }, groups: true };
    const err = errorFor(data);
    expectIssue(err, 'apps.generic.capabilities.pagination.maxPages', /unknown key/);
    expectIssue(err, 'apps.generic.capabilities.groups', /expected object/);
    data.apps.generic.capabilities = { etag: false, pagination: { maxPageSize: 50 } };
    expect(loadConfig(dir.writeYaml('caps.yaml', data)).apps.generic!.capabilities).toEqual({
      etag: false,
      pagination: { maxPageSize: 50 },
    });
  });

  it('attribute targets scimflow cannot map', () => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    data.apps.generic.attributes = { emails: '{{email}}', 'phoneNumbers.value': '{{email}}', 'name.a.b': '{{email}}' };
    const err = errorFor(data);
    expectIssue(err, 'apps.generic.attributes.emails', /only emails\.value/);
    expectIssue(err, 'apps.generic.attributes["phoneNumbers.value"]', /multi-valued/);
    expectIssue(err, 'apps.generic.attributes["name.a.b"]', /expected an attribute path/);
  });

  it('atlassian needs a directory id', () => {
    const data = clone(baseConfig()) as { apps: Record<string, unknown> };
    data.apps.atl = {
      kind: 'atlassian',
      baseUrl: 'http://127.0.0.1:7100/atlassian/scim',
      auth: { type: 'bearer', token: '${A}' },
    };
    expectIssue(errorFor(data), 'apps.atl.directoryId', /needs directoryId/);
    data.apps.atl = {
      kind: 'atlassian',
      baseUrl: 'http://127.0.0.1:7100/atlassian/scim/directory/d1',
      directoryId: 'd2',
      auth: { type: 'bearer', token: '${A}' },
    };
    expectIssue(errorFor(data), 'apps.atl.directoryId', /does not match.*d1/);
  });

  it('a rule granting nothing', () => {
    const data = clone(baseConfig()) as { rules: { birthright: { grant: unknown[] }[] } };
    data.rules.birthright[1]!.grant = [];
    expectIssue(errorFor(data), 'rules.birthright[1].grant', /at least one app/);
  });
});

import { inspect } from 'node:util';
import {
  ConfigError,
  loadConfig,
  resolveAppCredentials,
  resolveAppSecrets,
  resolveIngressSecrets,
  resolveSecrets,
  toAppConnection,
} from '../../src/config';
import { baseConfig, clone, TempDir } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

function load(data: unknown = baseConfig()) {
  return loadConfig(dir.writeYaml('scimflow.yaml', data));
}

const HOOK = 'hook-1-0123456789abcdef01234';
const ENV = { HOOK_SECRET: HOOK, GENERIC_TOKEN: 'gen-tok', JC_KEY: 'jc-key' };

describe('resolveSecrets', () => {
  it('resolves env and file references (file paths relative to the config file)', () => {
    dir.write('secrets-jasper.token', '');
    const config = load();
    const files: string[] = [];
    const secrets = resolveSecrets(config, ENV, (p) => {
      files.push(p);
      return 'jasper-from-file\n';
    });
    expect(files).toEqual([`${dir.path}/secrets/jasper.token`]);
    expect(secrets.ingress).toMatchObject({ webhookSecret: HOOK, all: [HOOK] });
    expect(secrets.apps.generic!.auth).toEqual({ type: 'bearer', token: 'gen-tok' });
    expect(secrets.apps.jasper!.auth).toEqual({ type: 'bearer', token: 'jasper-from-file' });
    expect(secrets.apps.jumpcloud!.auth).toEqual({ type: 'apiKey', header: 'x-api-key', key: 'jc-key' });
  });

  it('reads real files by default', () => {
    dir.write('jasper.token', 'real-file-token\n');
    const data = clone(baseConfig()) as { apps: { jasper: { auth: { token: string } } } };
    data.apps.jasper.auth.token = 'file:jasper.token';
    const config = load(data);
    expect(resolveAppCredentials(config, 'jasper', {}).auth).toEqual({ type: 'bearer', token: 'real-file-token' });
  });

  it('a missing env var names the file, the key path, the app and the variable', () => {
    const config = load();
    let err: unknown;
    try {
      resolveSecrets(config, { HOOK_SECRET: HOOK }, () => 'file-token');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('scimflow.yaml');
    expect(e.message).toMatch(
      /apps\.generic\.auth\.token: environment variable GENERIC_TOKEN is not set \(needed by app "generic"; or name a file holding it in GENERIC_TOKEN_FILE\)/,
    );
    expect(e.message).toMatch(/apps\.jumpcloud\.auth\.key: environment variable JC_KEY is not set/);
  });

  it('needs no webhook secret until .ingress is read (the worker and plan talk to the apps only)', () => {
    const config = load();
    const secrets = resolveSecrets(config, { GENERIC_TOKEN: 'gen-tok', JC_KEY: 'jc-key' }, () => 'jasper-file-token');
    expect(secrets.apps.generic!.auth).toEqual({ type: 'bearer', token: 'gen-tok' });
    expect(() => secrets.ingress).toThrow(/ingress\.webhookSecret: environment variable HOOK_SECRET is not set/);
    expect(resolveSecrets(config, ENV, () => 'x').ingress.webhookSecret).toBe(HOOK);
  });

  it('an empty env var or unreadable file is an error too', () => {
    const config = load();
    expect(() => resolveAppCredentials(config, 'generic', { GENERIC_TOKEN: '  ' })).toThrow(/GENERIC_TOKEN is empty/);
    expect(() =>
      resolveAppCredentials(config, 'jasper', {}, () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      }),
    ).toThrow(/apps\.jasper\.auth\.token: cannot read secret file .*jasper\.token.*file not found/);
  });

  it('resolveAppSecrets (the worker) needs the apps’ variables only, not the webhook secret', () => {
    const config = load();
    const apps = resolveAppSecrets(config, { GENERIC_TOKEN: 'gen-tok', JC_KEY: 'jc-key' }, () => 'jasper-file-token');
    expect(Object.keys(apps).sort()).toEqual(['generic', 'jasper', 'jumpcloud']);
    expect(apps.generic!.auth).toEqual({ type: 'bearer', token: 'gen-tok' });
    expect(JSON.stringify(apps)).not.toContain('gen-tok');
    expect(() => resolveAppSecrets(config, { GENERIC_TOKEN: 'g' }, () => 'j')).toThrow(/JC_KEY is not set/);
  });

  it('resolveAppCredentials only needs that app’s variables', () => {
    const config = load();
    expect(resolveAppCredentials(config, 'jumpcloud', { JC_KEY: 'k' }).auth).toEqual({
      type: 'apiKey',
      header: 'x-api-key',
      key: 'k',
    });
    expect(() => resolveAppCredentials(config, 'slack', {})).toThrow(/unknown app "slack"/);
  });

  it('resolveIngressSecrets supports a previous secret for rotation', () => {
    const data = clone(baseConfig()) as { ingress: Record<string, unknown> };
    data.ingress.previousWebhookSecret = '${OLD_HOOK}';
    const config = load(data);
    const [NEW, OLD] = ['new-secret-0123456789abcdef', 'old-secret-0123456789abcdef'];
    expect(resolveIngressSecrets(config, { HOOK_SECRET: NEW, OLD_HOOK: OLD })).toMatchObject({
      webhookSecret: NEW,
      previousWebhookSecret: OLD,
      all: [NEW, OLD],
    });
    expect(() => resolveIngressSecrets(config, { HOOK_SECRET: NEW })).toThrow(
      /ingress\.previousWebhookSecret: environment variable OLD_HOOK is not set/,
    );
  });

  it('resolved values never serialise or print', () => {
    const config = load();
    const secrets = resolveSecrets(config, ENV, () => 'jasper-file-token');
    expect(JSON.stringify(secrets)).not.toContain('gen-tok');
    expect(JSON.stringify({ creds: secrets.apps.generic })).not.toContain('gen-tok');
    expect(inspect(secrets.apps.jumpcloud, { depth: 5 })).not.toContain('jc-key');
    expect(inspect(secrets.ingress)).not.toContain(HOOK);
  });

  it('toAppConnection builds the connector input, including Atlassian JSM', () => {
    const config = loadConfig(`${__dirname}/../../config/scimflow.yaml`);
    const env = { SCIMFLOW_ATLASSIAN_TOKEN: 'at', SCIMFLOW_ATLASSIAN_JSM_TOKEN: 'jsm' };
    const conn = toAppConnection(config.apps.atlassian!, resolveAppCredentials(config, 'atlassian', env));
    expect(conn).toEqual({
      name: 'atlassian',
      kind: 'atlassian',
      baseUrl: 'http://127.0.0.1:7100/atlassian/scim/directory/dev-directory',
      auth: { type: 'bearer', token: 'at' },
      capabilities: {},
      atlassian: {
        directoryId: 'dev-directory',
        jsmBaseUrl: 'http://127.0.0.1:7100/atlassian',
        serviceDeskId: '1',
        restAuth: { type: 'basic', username: 'admin@example.com', password: 'jsm' },
      },
    });
  });
});

// Configuration defaults that trust no one: loopback unless configured, shared secrets long enough,
// no plain HTTP to other hosts unless an app says so, secrets from files (NAME_FILE), and no
// configuration value ever echoed in an error.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  ConfigError,
  MIN_SHARED_SECRET_LENGTH,
  checkConfigFile,
  isLoopbackHost,
  loadConfig,
  resolveBambooKeys,
  resolveIngressSecrets,
} from '../../src/config';
import { baseConfig, clone, TempDir } from './helpers';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

const LONG = 'a-long-enough-webhook-secret-0123';

function errorFor(data: unknown): ConfigError {
  try {
    loadConfig(dir.writeYaml('scimflow.yaml', data));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}
function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
const issue = (err: ConfigError, path: string) => err.errors.find((e) => e.path === path)?.message;

describe('ingress defaults', () => {
  it('listens on loopback unless configured, with 10 s header/request timeouts, a connection cap and a Temporal deadline', () => {
    const config = loadConfig(dir.writeYaml('scimflow.yaml', baseConfig()));
    expect(config.ingress).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      maxConnections: 512,
      temporalTimeoutMs: 4_000,
    });
  });

  it('takes the timeouts and the cap from the file, and refuses inconsistent ones', () => {
    const data = clone(baseConfig()) as { ingress: Record<string, unknown> };
    Object.assign(data.ingress, {
      host: '0.0.0.0',
      headersTimeout: '2s',
      requestTimeout: '5s',
      maxConnections: 10,
      temporalTimeout: '1500ms',
    });
    expect(loadConfig(dir.writeYaml('ok.yaml', data)).ingress).toMatchObject({
      host: '0.0.0.0',
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      maxConnections: 10,
      temporalTimeoutMs: 1500,
    });
    Object.assign(data.ingress, { headersTimeout: '20s', temporalTimeout: '1m', maxConnections: 0 });
    const err = errorFor(data);
    expect(issue(err, 'ingress.headersTimeout')).toMatch(/not be longer than requestTimeout/);
    expect(issue(err, 'ingress.temporalTimeout')).toMatch(/between 100ms and 30s/);
    expect(issue(err, 'ingress.maxConnections')).toBeDefined();
  });
});

describe('shared secrets have a minimum length', () => {
  it(`is ${MIN_SHARED_SECRET_LENGTH} characters`, () => expect(MIN_SHARED_SECRET_LENGTH).toBe(24));

  it('refuses a short webhook secret from the environment, naming the setting and the variable (not the value)', () => {
    const data = clone(baseConfig()) as { ingress: Record<string, unknown> };
    data.ingress.previousWebhookSecret = '${OLD_HOOK}';
    const config = loadConfig(dir.writeYaml('scimflow.yaml', data));
    const err = thrown(() => resolveIngressSecrets(config, { HOOK_SECRET: 'short-secret-1', OLD_HOOK: 'old-2' }));
    expect(issue(err, 'ingress.webhookSecret')).toMatch(
      /at least 24 characters \(the value from HOOK_SECRET is shorter/,
    );
    expect(issue(err, 'ingress.previousWebhookSecret')).toMatch(/at least 24 characters \(the value from OLD_HOOK/);
    expect(err.message).not.toContain('short-secret-1');
    expect(err.message).not.toContain('old-2');
    expect(resolveIngressSecrets(config, { HOOK_SECRET: LONG, OLD_HOOK: `${LONG}-old` }).all).toEqual([
      LONG,
      `${LONG}-old`,
    ]);
  });

  it('refuses a short inline webhook secret at load', () => {
    const data = clone(baseConfig()) as { ingress: Record<string, unknown>; allowInlineSecrets: boolean };
    data.allowInlineSecrets = true;
    data.ingress.webhookSecret = 'tiny-inline';
    const err = errorFor(data);
    expect(issue(err, 'ingress.webhookSecret')).toMatch(/at least 24 characters/);
    expect(err.message).not.toContain('tiny-inline');
  });

  it('`config check --secrets` reports a short secret', () => {
    const file = dir.writeYaml('scimflow.yaml', baseConfig());
    dir.write('secrets-jasper.token', 'x');
    const res = checkConfigFile(file, {
      env: { HOOK_SECRET: 'short', GENERIC_TOKEN: 'g', JC_KEY: 'k' },
      readFile: () => 'jasper',
    });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors.map((e) => e.path)).toEqual(['ingress.webhookSecret']);
  });

  it('refuses a short BambooHR key, naming the variable', () => {
    const err = thrown(() => resolveBambooKeys({ SCIMFLOW_BAMBOOHR_WEBHOOK_KEY: 'bamboo-short' }));
    expect(issue(err, 'SCIMFLOW_BAMBOOHR_WEBHOOK_KEY')).toMatch(/at least 24 characters/);
    expect(err.message).not.toContain('bamboo-short');
    const err2 = thrown(() =>
      resolveBambooKeys({ SCIMFLOW_BAMBOOHR_WEBHOOK_KEY: LONG, SCIMFLOW_BAMBOOHR_WEBHOOK_KEY_PREVIOUS: 'p' }),
    );
    expect(err2.errors.map((e) => e.path)).toEqual(['SCIMFLOW_BAMBOOHR_WEBHOOK_KEY_PREVIOUS']);
    expect(resolveBambooKeys({ SCIMFLOW_BAMBOOHR_WEBHOOK_KEY: LONG })).toEqual([LONG]);
    expect(resolveBambooKeys({ SCIMFLOW_BAMBOOHR_WEBHOOK_KEY: '' })).toEqual([]);
  });
});

describe('secrets from files: ${NAME} falls back to the file named by NAME_FILE', () => {
  it('reads the file (one trailing newline dropped) when NAME is unset', () => {
    const secretFile = dir.write('webhook_secret', `${LONG}\n`);
    const config = loadConfig(dir.writeYaml('scimflow.yaml', baseConfig()));
    expect(resolveIngressSecrets(config, { HOOK_SECRET_FILE: secretFile }).webhookSecret).toBe(LONG);
    const bambooFile = dir.write('bamboo_key', `${LONG}-bamboo\n`);
    expect(resolveBambooKeys({ SCIMFLOW_BAMBOOHR_WEBHOOK_KEY_FILE: bambooFile })).toEqual([`${LONG}-bamboo`]);
  });

  it('refuses both NAME and NAME_FILE, a missing file and an empty one, naming the variables', () => {
    const config = loadConfig(dir.writeYaml('scimflow.yaml', baseConfig()));
    const both = thrown(() => resolveIngressSecrets(config, { HOOK_SECRET: LONG, HOOK_SECRET_FILE: '/run/secrets/x' }));
    expect(issue(both, 'ingress.webhookSecret')).toMatch(/both HOOK_SECRET and HOOK_SECRET_FILE are set/);
    const missing = thrown(() => resolveIngressSecrets(config, { HOOK_SECRET_FILE: join(dir.path, 'nope') }));
    expect(issue(missing, 'ingress.webhookSecret')).toMatch(
      /cannot read secret file .*nope \(named by HOOK_SECRET_FILE\).*file not found/,
    );
    const empty = thrown(() => resolveIngressSecrets(config, { HOOK_SECRET_FILE: dir.write('empty', '\n') }));
    expect(issue(empty, 'ingress.webhookSecret')).toMatch(/is empty/);
  });
});

describe('plain http:// only to loopback unless allowInsecureHttp', () => {
  const withUrl = (baseUrl: string, extra: Record<string, unknown> = {}) => {
    const data = clone(baseConfig()) as { apps: { generic: Record<string, unknown> } };
    Object.assign(data.apps.generic, { baseUrl, ...extra });
    return data;
  };

  it('refuses http:// to another host, naming the key', () => {
    const err = errorFor(withUrl('http://scim.example.com/scim/v2'));
    expect(issue(err, 'apps.generic.baseUrl')).toMatch(
      /http:\/\/ to a host other than loopback is refused.*allowInsecureHttp: true/,
    );
    expect(err.message).not.toContain('scim.example.com');
    for (const host of ['10.0.0.5', '192.168.1.2', '[fe80::1]', 'localhost.example.com'])
      expect(issue(errorFor(withUrl(`http://${host}/scim`)), 'apps.generic.baseUrl')).toBeDefined();
  });

  it('accepts https://, loopback http://, and http:// with allowInsecureHttp: true', () => {
    for (const url of [
      'https://scim.example.com/v2',
      'http://127.0.0.1:7100/x',
      'http://localhost/x',
      'http://[::1]:80/x',
      'http://127.5.6.7/x',
      'http://app.localhost/x',
    ]) {
      expect(loadConfig(dir.writeYaml('ok.yaml', withUrl(url))).apps.generic!.baseUrl).toBe(url.replace(/\/$/, ''));
    }
    expect(
      loadConfig(dir.writeYaml('insecure.yaml', withUrl('http://scim.internal/v2', { allowInsecureHttp: true }))).apps
        .generic!.baseUrl,
    ).toBe('http://scim.internal/v2');
  });

  it('applies to the Atlassian JSM base URL too', () => {
    const data = clone(baseConfig()) as { apps: Record<string, unknown> };
    data.apps.atlassian = {
      kind: 'atlassian',
      baseUrl: 'https://api.atlassian.com/scim/directory/d1',
      auth: { type: 'bearer', token: '${AT}' },
      jsm: {
        baseUrl: 'http://example.atlassian.net',
        serviceDeskId: '1',
        auth: { type: 'basic', username: 'a@example.com', password: '${P}' },
      },
    };
    expect(issue(errorFor(data), 'apps.atlassian.jsm.baseUrl')).toMatch(/refused/);
  });

  it('an unparseable URL is reported as such (the URL checks do not crash on it)', () => {
    expect(issue(errorFor(withUrl('not a url')), 'apps.generic.baseUrl')).toMatch(/expected an http\(s\) URL/);
  });

  it('refuses credentials inside a URL', () => {
    const err = errorFor(withUrl('https://user:hunter2-password@scim.example.com/v2'));
    expect(issue(err, 'apps.generic.baseUrl')).toMatch(/credentials in the URL are refused/);
    expect(err.message).not.toContain('hunter2');
  });

  it('isLoopbackHost', () => {
    expect(
      ['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '127.255.0.9', '[::1]', '::1'].every(isLoopbackHost),
    ).toBe(true);
    expect(['example.com', '0.0.0.0', '128.0.0.1', '[::2]', 'localhost.com', '10.0.0.1'].some(isLoopbackHost)).toBe(
      false,
    );
  });
});

describe('configuration values are never echoed', () => {
  const CANARY = 'Bearer ${CANARY_TOKEN}-sk_live_c4n4ry';

  it('a malformed secret reference, a bad duration and a bad template are reported without their text', () => {
    const data = clone(baseConfig()) as {
      apps: { generic: { auth: Record<string, unknown> }; jumpcloud: Record<string, unknown> };
      approvals: { jasper: Record<string, unknown> };
    };
    data.apps.generic.auth.token = CANARY;
    data.approvals.jasper.timeout = 'sk_live_c4n4ry';
    data.apps.jumpcloud.attributes = { userName: '{{email}}.sk_live_c4n4ry' };
    const err = errorFor(data);
    expect(issue(err, 'apps.generic.auth.token')).toMatch(/not a reference/);
    expect(issue(err, 'approvals.jasper.timeout')).toMatch(/not a duration/);
    expect(issue(err, 'apps.jumpcloud.attributes.userName')).toMatch(/only the characters/);
    expect(err.message).not.toContain('c4n4ry');
    expect(err.message).not.toContain('${CANARY_TOKEN}');
  });

  it('`scimflow config check` prints none of them', async () => {
    const data = clone(baseConfig()) as { apps: { generic: { auth: Record<string, unknown> } } };
    data.apps.generic.auth.token = CANARY;
    const file = dir.writeYaml('bad.yaml', data);
    const root = join(__dirname, '..', '..');
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'bin', 'scimflow.mjs'), 'config', 'check', file],
        { cwd: root, timeout: 30_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, text: stdout + stderr }),
      );
    });
    expect(out.code).toBe(2);
    expect(out.text).toMatch(/apps\.generic\.auth\.token/);
    expect(out.text).not.toContain('c4n4ry');
    expect(out.text).not.toContain('CANARY_TOKEN');
  }, 30_000);
});

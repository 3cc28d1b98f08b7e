// Secret resolution: references in ScimflowConfig → values. An environment reference `${NAME}` reads
// the variable NAME, or — when NAME is unset — the file named by NAME_FILE (Docker/compose secrets
// mounted under /run/secrets); setting both is an error. Shared secrets (webhook secrets, BambooHR
// keys) must be at least MIN_SHARED_SECRET_LENGTH characters. Call only in the worker (app credentials) and the
// ingress (webhook secrets). Values never go into PublicConfig, workflow inputs, history or logs: the objects
// returned here serialise (JSON.stringify, util.inspect) as "[redacted]".
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError, displayPath, type ConfigErrorDetail } from './errors';
import { MIN_SHARED_SECRET_LENGTH } from './limits';
import { decodePayloadKey } from './payload-key';
import type { Credentials } from '../connectors/types';
import type { AppConfig, AuthRef, AppKind, ScimflowConfig, SecretRef } from './types';

export type Env = Record<string, string | undefined>;
export type ReadSecretFile = (absolutePath: string) => string;

export interface AppCredentials {
  app: string;
  kind: AppKind;
  auth: Credentials;
  /** Atlassian JSM REST credentials (HTTP Basic: account email + API token). */
  jsm?: Extract<Credentials, { type: 'basic' }>;
}

export interface IngressSecrets {
  webhookSecret: string;
  previousWebhookSecret?: string;
  /** Secrets a signature may be checked against, current first (pass to verify()). */
  all: string[];
}

export interface ResolvedSecrets {
  ingress: IngressSecrets;
  apps: Record<string, AppCredentials>;
}

/** What connecting to Temporal needs: the payload keys, the API key / JWT, TLS material. */
export interface TemporalSecrets {
  encryption?: { current: string; keys: Map<string, Buffer>; acceptUnencrypted: boolean };
  apiKey?: string;
  /** As configured (true/false), or the PEM contents read from the references. */
  tls?: boolean | { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string };
}

export interface CodecServerSecrets {
  tokens: string[];
  tls?: { cert: string; key: string };
}

const defaultReadFile: ReadSecretFile = (p) => readFileSync(p, 'utf8');

export { MIN_SHARED_SECRET_LENGTH };
/** Suffix of the variable that names a file holding a secret: `${NAME}` falls back to the file in NAME_FILE. */
export const FILE_ENV_SUFFIX = '_FILE';

/** A secret file's content: one trailing newline (as `echo` and editors leave) is not part of it. */
function fileContent(text: string): string {
  return text.replace(/\r?\n$/, '');
}

function redact<T extends object>(obj: T): T {
  Object.defineProperty(obj, 'toJSON', { value: () => '[redacted]', enumerable: false });
  Object.defineProperty(obj, inspect.custom, { value: () => '[redacted]', enumerable: false });
  return obj;
}

class Collector {
  readonly problems: ConfigErrorDetail[] = [];
  constructor(
    private readonly env: Env,
    private readonly readFile: ReadSecretFile,
  ) {}

  value(ref: SecretRef, path: string, owner: string): string {
    switch (ref.ref) {
      case 'inline':
        return ref.value;
      case 'env': {
        const v = this.env[ref.name];
        const fileVar = `${ref.name}${FILE_ENV_SUFFIX}`;
        const file = this.env[fileVar];
        if (v !== undefined && file !== undefined) {
          this.problems.push({
            path,
            message: `both ${ref.name} and ${fileVar} are set (needed by ${owner}): set only one`,
          });
          return '';
        }
        if (v === undefined && file !== undefined) {
          if (file.trim() === '') {
            this.problems.push({ path, message: `environment variable ${fileVar} is empty (needed by ${owner})` });
            return '';
          }
          return this.fromFile(file, path, owner, ` (named by ${fileVar})`);
        }
        if (v === undefined)
          this.problems.push({
            path,
            message: `environment variable ${ref.name} is not set (needed by ${owner}; or name a file holding it in ${fileVar})`,
          });
        else if (v.trim() === '')
          this.problems.push({ path, message: `environment variable ${ref.name} is empty (needed by ${owner})` });
        return v ?? '';
      }
      case 'file':
        return this.fromFile(ref.path, path, owner, '');
    }
  }

  private fromFile(file: string, path: string, owner: string, via: string): string {
    let v: string;
    try {
      v = fileContent(this.readFile(file));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.problems.push({
        path,
        message: `cannot read secret file ${file}${via} (needed by ${owner}): ${err.code === 'ENOENT' ? 'file not found' : err.message}`,
      });
      return '';
    }
    if (v.trim() === '')
      this.problems.push({ path, message: `secret file ${file}${via} is empty (needed by ${owner})` });
    return v;
  }

  /** A shared secret (HMAC key): refused when shorter than MIN_SHARED_SECRET_LENGTH. The value is never quoted. */
  shared(ref: SecretRef, path: string, owner: string): string {
    const before = this.problems.length;
    const v = this.value(ref, path, owner);
    if (this.problems.length === before && v.length < MIN_SHARED_SECRET_LENGTH) {
      this.problems.push({
        path,
        message: `must be at least ${MIN_SHARED_SECRET_LENGTH} characters (${describeSource(ref)} is shorter; e.g. openssl rand -hex 32)`,
      });
    }
    return v;
  }

  auth(auth: AuthRef, path: string, owner: string): Credentials {
    switch (auth.type) {
      case 'bearer':
        return { type: 'bearer', token: this.value(auth.token, `${path}.token`, owner) };
      case 'apiKey':
        return { type: 'apiKey', header: auth.header, key: this.value(auth.key, `${path}.key`, owner) };
      case 'basic':
        return {
          type: 'basic',
          username: auth.username,
          password: this.value(auth.password, `${path}.password`, owner),
        };
    }
  }

  app(app: AppConfig): AppCredentials {
    const owner = `app "${app.name}"`;
    const out: AppCredentials = {
      app: app.name,
      kind: app.kind,
      auth: this.auth(app.auth, `apps.${app.name}.auth`, owner),
    };
    if (app.jsm)
      out.jsm = this.auth(app.jsm.auth, `apps.${app.name}.jsm.auth`, `${owner} (JSM)`) as Extract<
        Credentials,
        { type: 'basic' }
      >;
    return redact(out);
  }

  ingress(config: ScimflowConfig): IngressSecrets {
    const webhookSecret = this.shared(config.ingress.webhookSecret, 'ingress.webhookSecret', 'the ingress');
    const out: IngressSecrets = { webhookSecret, all: [webhookSecret] };
    if (config.ingress.previousWebhookSecret) {
      out.previousWebhookSecret = this.shared(
        config.ingress.previousWebhookSecret,
        'ingress.previousWebhookSecret',
        'the ingress',
      );
      out.all.push(out.previousWebhookSecret);
    }
    return redact(out);
  }

  temporal(config: ScimflowConfig): TemporalSecrets {
    const t = config.temporal;
    const out: TemporalSecrets = {};
    if (t.encryption) {
      const keys = new Map<string, Buffer>();
      t.encryption.keys.forEach((k, i) => {
        const path = `temporal.encryption.keys[${i}].key`;
        const before = this.problems.length;
        const text = this.value(k.key, path, `payload encryption key "${k.id}"`);
        if (this.problems.length !== before) return;
        const decoded = decodePayloadKey(text);
        if (decoded.ok) keys.set(k.id, decoded.key);
        else this.problems.push({ path, message: `${decoded.problem} (${describeSource(k.key)})` });
      });
      out.encryption = { current: t.encryption.current, keys, acceptUnencrypted: t.encryption.acceptUnencrypted };
    }
    if (t.apiKey) out.apiKey = this.value(t.apiKey, 'temporal.apiKey', 'the Temporal connection').trim();
    if (typeof t.tls === 'boolean') out.tls = t.tls;
    else if (t.tls) {
      const pem = (ref: SecretRef | undefined, field: string) =>
        ref
          ? Buffer.from(this.value(ref, `temporal.tls.${field}`, 'the Temporal connection (TLS)'), 'utf8')
          : undefined;
      const tls: Exclude<TemporalSecrets['tls'], boolean | undefined> = {};
      const ca = pem(t.tls.ca, 'ca');
      const cert = pem(t.tls.cert, 'cert');
      const key = pem(t.tls.key, 'key');
      if (ca) tls.ca = ca;
      if (cert) tls.cert = cert;
      if (key) tls.key = key;
      if (t.tls.serverName) tls.serverName = t.tls.serverName;
      out.tls = tls;
    }
    return out;
  }

  codecServer(config: ScimflowConfig): CodecServerSecrets {
    const c = config.codecServer;
    const tokens = c.tokens.map((ref, i) => this.shared(ref, `codecServer.tokens[${i}]`, 'the codec server'));
    const out: CodecServerSecrets = { tokens };
    if (c.tls)
      out.tls = {
        cert: this.value(c.tls.cert, 'codecServer.tls.cert', 'the codec server (TLS)'),
        key: this.value(c.tls.key, 'codecServer.tls.key', 'the codec server (TLS)'),
      };
    return out;
  }

  notifications(config: ScimflowConfig): NotificationSecrets {
    const n = config.notifications;
    const channels: NotificationSecrets['channels'] = {};
    for (const c of Object.values(n?.channels ?? {})) {
      const owner = `notification channel "${c.name}"`;
      if (c.type === 'webhook')
        channels[c.name] = { url: this.value(c.url, `notifications.channels.${c.name}.webhook.url`, owner) };
      else if (c.smtp.password)
        channels[c.name] = {
          password: this.value(c.smtp.password, `notifications.channels.${c.name}.email.smtp.password`, owner),
        };
      else channels[c.name] = {};
    }
    for (const v of Object.values(channels)) redact(v);
    return redact({ channels, linkKeys: this.linkKeys(config) });
  }

  linkKeys(config: ScimflowConfig): string[] {
    const links = config.notifications?.links;
    const keys: string[] = [];
    if (links) {
      keys.push(this.shared(links.signingKey, 'notifications.links.signingKey', 'the approval links'));
      if (links.previousSigningKey)
        keys.push(
          this.shared(links.previousSigningKey, 'notifications.links.previousSigningKey', 'the approval links'),
        );
    }
    return redact(keys);
  }

  throwIfAny(config: ScimflowConfig): void {
    if (this.problems.length)
      throw new ConfigError(
        displayPath(config.source),
        this.problems,
        `Unresolved secrets in ${displayPath(config.source)}`,
      );
  }
}

/**
 * Resolves every app's credentials, throwing one ConfigError that names each unresolved reference.
 * The webhook secrets are resolved when `.ingress` is first read (as resolveIngressSecrets, which
 * throws then): a process that only talks to the apps — the worker, `scimflow plan` — does not need
 * the webhook secret it never uses.
 */
export function resolveSecrets(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): ResolvedSecrets {
  const c = new Collector(env, readFile);
  const apps: Record<string, AppCredentials> = {};
  for (const app of Object.values(config.apps)) apps[app.name] = c.app(app);
  c.throwIfAny(config);
  let ingress: IngressSecrets | undefined;
  const out = { apps } as ResolvedSecrets;
  Object.defineProperty(out, 'ingress', {
    enumerable: true,
    get: () => (ingress ??= resolveIngressSecrets(config, env, readFile)),
  });
  return redact(out);
}

/**
 * Resolves every app's credentials, and nothing else (the worker: it has no use for the webhook
 * secrets, so it is not given them). Throws ConfigError naming each unresolved reference.
 */
export function resolveAppSecrets(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): Record<string, AppCredentials> {
  const c = new Collector(env, readFile);
  const apps: Record<string, AppCredentials> = {};
  for (const app of Object.values(config.apps)) apps[app.name] = c.app(app);
  c.throwIfAny(config);
  return redact(apps);
}

/** Resolves one app's credentials (worker/activities). Throws ConfigError naming the app and variable. */
export function resolveAppCredentials(
  config: ScimflowConfig,
  appName: string,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): AppCredentials {
  const app = config.apps[appName];
  if (!app) {
    throw new ConfigError(displayPath(config.source), [
      {
        path: `apps.${appName}`,
        message: `unknown app "${appName}" (configured: ${Object.keys(config.apps).join(', ')})`,
      },
    ]);
  }
  return resolveWith(config, env, readFile, (c) => c.app(app));
}

/** One part of the secrets, resolved at once: a ConfigError names every reference that does not resolve. */
function resolveWith<T>(config: ScimflowConfig, env: Env, readFile: ReadSecretFile, part: (c: Collector) => T): T {
  const c = new Collector(env, readFile);
  const out = part(c);
  c.throwIfAny(config);
  return out;
}

/** Resolves the webhook secrets (ingress). */
export function resolveIngressSecrets(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): IngressSecrets {
  return resolveWith(config, env, readFile, (c) => c.ingress(config));
}

/**
 * The payload keys, API key and TLS material for a Temporal connection (worker, ingress, CLI,
 * codec server). Throws one ConfigError naming each setting that does not resolve, or a key that
 * is not base64 of 32 bytes.
 */
export function resolveTemporalSecrets(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): TemporalSecrets {
  return redact(resolveWith(config, env, readFile, (c) => c.temporal(config)));
}

/** The codec server's accepted tokens (each at least MIN_SHARED_SECRET_LENGTH characters) and TLS pair. */
export function resolveCodecServerSecrets(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): CodecServerSecrets {
  return redact(resolveWith(config, env, readFile, (c) => c.codecServer(config)));
}

/** Notification secrets: each channel's webhook URL or SMTP password, and the approval-link keys (current first). */
export interface NotificationSecrets {
  channels: Record<string, { url?: string; password?: string }>;
  linkKeys: string[];
}

/**
 * Resolves the notification channels' secrets and the approval-link keys (worker: sends and signs;
 * ingress: verifies, so it needs only `linkKeys`). Throws ConfigError naming each unresolved reference.
 */
export function resolveNotificationSecrets(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): NotificationSecrets {
  return resolveWith(config, env, readFile, (c) => c.notifications(config));
}

/** The approval-link keys only, current first (the ingress: it checks links and sends nothing). */
export function resolveLinkKeys(
  config: ScimflowConfig,
  env: Env = process.env,
  readFile: ReadSecretFile = defaultReadFile,
): string[] {
  return resolveWith(config, env, readFile, (c) => c.linkKeys(config));
}

/** Every unresolvable reference, without throwing and without returning values (for `config check`). */
export function secretProblems(
  config: ScimflowConfig,
  env: Env,
  readFile: ReadSecretFile = defaultReadFile,
): ConfigErrorDetail[] {
  const c = new Collector(env, readFile);
  c.ingress(config);
  for (const app of Object.values(config.apps)) c.app(app);
  c.temporal(config);
  c.notifications(config);
  try {
    resolveBambooKeys(env, readFile);
  } catch (e) {
    if (e instanceof ConfigError) return [...c.problems, ...e.errors];
    throw e;
  }
  return c.problems;
}

/** Where a secret comes from, for messages (never its value). */
function describeSource(ref: SecretRef): string {
  return ref.ref === 'env'
    ? `the value from ${ref.name}`
    : ref.ref === 'file'
      ? `the content of ${ref.path}`
      : 'the inline value';
}

export const BAMBOO_KEY_VARS = ['SCIMFLOW_BAMBOOHR_WEBHOOK_KEY', 'SCIMFLOW_BAMBOOHR_WEBHOOK_KEY_PREVIOUS'] as const;

/**
 * BambooHR webhook private keys from the environment: SCIMFLOW_BAMBOOHR_WEBHOOK_KEY and, while
 * rotating, …_PREVIOUS (each also as …_FILE). Unset or empty = none. Throws ConfigError naming the
 * variable when a key cannot be read or is shorter than MIN_SHARED_SECRET_LENGTH.
 */
export function resolveBambooKeys(env: Env = process.env, readFile: ReadSecretFile = defaultReadFile): string[] {
  // Empty variables count as unset here: the route is simply not enabled.
  const set: Env = Object.fromEntries(
    BAMBOO_KEY_VARS.flatMap((n) => [n, `${n}${FILE_ENV_SUFFIX}`])
      .filter((n) => env[n])
      .map((n) => [n, env[n]]),
  );
  const c = new Collector(set, readFile);
  const keys: string[] = [];
  for (const name of BAMBOO_KEY_VARS) {
    if (set[name] === undefined && set[`${name}${FILE_ENV_SUFFIX}`] === undefined) continue;
    keys.push(c.shared({ ref: 'env', name }, name, 'the BambooHR webhook route'));
  }
  if (c.problems.length) throw new ConfigError('environment', c.problems, 'Invalid BambooHR webhook key');
  return keys;
}

// Strict zod schemas for config/scimflow.yaml, and the normalisation into ScimflowConfig (defaults applied,
// durations in ms, templates/regexes/cross-references checked). No I/O here: see loader.ts.
import { z } from 'zod';
import { PROFILE_SOURCES, PROFILES, profileFor, takesPaidSeat } from '../connectors/profiles';
import type { Capabilities } from '../connectors/types';
import {
  compileTemplate,
  isEmployeeField,
  templateYieldsOnly,
  EMPLOYEE_FIELDS,
  TemplateError,
} from '../rules/template';
import { checkAttributePath } from '../rules/mapping';
import { DATE_FORMATS, ROSTER_FIELDS } from '../domain/roster';
import { DEFAULT_GUARD_MIN_COUNT } from '../domain/guard';
import { NOTIFICATION_KINDS } from '../domain/notifications';
import { DurationError, parseDuration } from './duration';
import { MIN_SHARED_SECRET_LENGTH } from './limits';
import { KEY_ID, decodePayloadKey } from './payload-key';
import {
  APP_KINDS,
  type AppConfig,
  type AppKind,
  type ApprovalPolicy,
  type AuthRef,
  type BirthrightRule,
  type CapabilityOverrides,
  type CodecServerConfig,
  type Condition,
  type LeaverPolicy,
  type NotificationChannel,
  type NotificationsConfig,
  type ScimflowConfig,
  type SecretRef,
} from './types';

// ---------------------------------------------------------------- secrets

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Reads a secret reference as written: `${ENV_NAME}`, `file:<path>`, or (dev only) a literal. */
export function parseSecretRef(text: string): SecretRef {
  const env = ENV_REF.exec(text);
  if (env) return { ref: 'env', name: env[1] as string };
  if (text.startsWith('file:')) return { ref: 'file', path: text.slice('file:'.length) };
  return { ref: 'inline', value: text };
}

const SecretRefSchema = z
  .string({ error: 'expected a secret reference: "${ENV_NAME}" or "file:/path"' })
  .min(1, 'must not be empty')
  .transform((text, ctx): SecretRef => {
    const ref = parseSecretRef(text);
    if (ref.ref === 'file' && ref.path.trim() === '') {
      ctx.addIssue({ code: 'custom', message: '"file:" needs a path, e.g. file:/run/secrets/token' });
      return z.NEVER;
    }
    if (ref.ref === 'inline' && text.includes('${')) {
      // Never quote the value: it may be a secret written in the wrong place.
      ctx.addIssue({
        code: 'custom',
        message: 'is not a reference: write the whole value as ${ENV_NAME} (letters, digits, _), or file:/path',
      });
      return z.NEVER;
    }
    return ref;
  });

// ---------------------------------------------------------------- small pieces

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');
const Duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof DurationError ? e.reason : 'not a duration' });
    return z.NEVER;
  }
});
const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .refine((u) => {
    const url = URL.canParse(u) ? new URL(u) : undefined;
    return !url || (url.username === '' && url.password === '');
  }, 'credentials in the URL are refused (the URL is shown and travels into workflows): use auth')
  .transform((u) => u.replace(/\/+$/, ''));

/** Loopback: localhost (and *.localhost), 127.0.0.0/8, ::1. Traffic to these never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
}

/** An http:// URL to a host other than loopback (credentials would cross the network in clear text). */
function insecureHttp(u: string): boolean {
  // (An unparseable URL is reported by HttpUrl already.)
  const url = URL.canParse(u) ? new URL(u) : undefined;
  return url !== undefined && url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}
const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name');

const BasicAuthSchema = z.strictObject({ type: z.literal('basic'), username: nonEmpty, password: SecretRefSchema });
const AuthSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('bearer'), token: SecretRefSchema }),
    z.strictObject({ type: z.literal('apiKey'), key: SecretRefSchema, header: HeaderName.default('x-api-key') }),
    BasicAuthSchema,
  ],
  { error: 'expected auth.type to be one of bearer, apiKey, basic' },
);

/**
 * An option that no longer exists (it was validated but never read): naming it is an error that says
 * what replaces it, rather than strict zod's bare "unrecognized key".
 */
const removedOption = (instead: string) =>
  z
    .unknown()
    .refine((v) => v === undefined, { message: `this option was removed (it did nothing): ${instead}` })
    .optional();

// Mirrors Partial<Capabilities> of src/connectors/types.ts (nested objects partial, merged one level deep by
// the connector), the overridable part of it. Strict: a misspelt capability is an error, not a silent no-op.
const FILTER_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not'] as const;
const CapabilitiesSchema = z.strictObject({
  patch: z.boolean().optional(),
  put: removedOption(
    'scimflow sends PUT only where patch is false (every update is then a full PUT); set patch: false for that',
  ),
  putReplacesWholeResource: removedOption('a PUT always carries the whole user (RFC 7644 §3.5.1)'),
  filter: z
    .strictObject({
      operators: z.array(z.enum(FILTER_OPERATORS)).optional(),
      userAttributes: z.array(nonEmpty).optional(),
      groupAttributes: z.array(nonEmpty).optional(),
      singleTerm: z.boolean().optional(),
    })
    .optional(),
  pagination: z
    .strictObject({
      mode: z.enum(['index', 'cursor', 'none']).optional(),
      maxPageSize: z.number().int().nonnegative().optional(),
      withFilter: z.boolean().optional(),
    })
    .optional(),
  sort: removedOption('scimflow never asks an app to sort'),
  etag: z.boolean().optional(),
  bulk: removedOption('scimflow sends one request per change; it never uses SCIM Bulk'),
  groups: z
    .strictObject({
      supported: z.boolean().optional(),
      create: z.boolean().optional(),
      patch: z.boolean().optional(),
      put: removedOption('scimflow changes memberships by PATCH only (groups.patch)'),
      delete: removedOption('scimflow never deletes a group'),
      maxMembersPerPatch: z.number().int().nonnegative().optional(),
    })
    .optional(),
  userName: z
    .strictObject({
      rule: z.enum(['any', 'email', 'notEmail']).optional(),
      derive: z.literal('emailLocalPart').optional(),
      maxLength: z.number().int().positive().optional(),
    })
    .optional(),
  deprovision: removedOption(
    'the leaver policy decides: leaver.apps.<app>.deactivate, and hardDelete: { after: <duration> } to DELETE the account',
  ),
  deleteIsIrreversible: removedOption("the leaver policy's hardDelete is the only DELETE scimflow sends"),
  createConsumesSeat: removedOption("set apps.<app>.seatConsuming (its default comes from the kind's profile)"),
  searchEndpoint: removedOption('scimflow looks users up with GET /Users?filter='),
  serviceProviderConfig: z.boolean().optional(),
  userExtensions: z.array(nonEmpty).optional(),
  owner: z
    .union([
      z.strictObject({ by: z.enum(['externalId', 'userName']) }),
      z.strictObject({ by: z.literal('attribute'), path: z.string().min(1) }),
    ])
    .optional(),
  writeContentType: nonEmpty.optional(),
});

const TemplateSchema = z.string().superRefine((text, ctx) => {
  try {
    compileTemplate(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof TemplateError ? `bad expression ${e.message}` : String(e) });
  }
});
const MappingValueSchema = z.union([TemplateSchema, z.array(TemplateSchema).min(1), z.null()], {
  error: 'expected an expression string, a list of alternative expressions, or null (omit the attribute)',
});

const AppSchema = z
  .strictObject({
    kind: z.enum(APP_KINDS, { error: `expected one of ${APP_KINDS.join(', ')}` }),
    baseUrl: HttpUrl,
    auth: AuthSchema,
    rateLimit: z
      .strictObject({
        requestsPerSecond: z.number().positive().max(10_000).default(10),
        burst: removedOption('requests are paced evenly at requestsPerSecond (a 429 waits for its Retry-After)'),
      })
      .default({ requestsPerSecond: 10 }),
    capabilities: CapabilitiesSchema.default({}),
    attributes: z.record(z.string(), MappingValueSchema).default({}),
    seatConsuming: z.boolean().optional(),
    /** Accept http:// base URLs to hosts other than loopback (the credentials then cross the network unencrypted). */
    allowInsecureHttp: z.boolean().default(false),
    directoryId: nonEmpty.optional(),
    jsm: z
      .strictObject({
        baseUrl: HttpUrl,
        serviceDeskId: z.union([nonEmpty, z.number().int().nonnegative().transform(String)]),
        auth: BasicAuthSchema,
      })
      .optional(),
  })
  .superRefine((app, ctx) => {
    if (!app.allowInsecureHttp) {
      const refuse = (path: string[]) =>
        ctx.addIssue({
          code: 'custom',
          path,
          message:
            'http:// to a host other than loopback is refused (the credentials would cross the network unencrypted): use https://, or set allowInsecureHttp: true on this app',
        });
      if (insecureHttp(app.baseUrl)) refuse(['baseUrl']);
      if (app.jsm && insecureHttp(app.jsm.baseUrl)) refuse(['jsm', 'baseUrl']);
    }
    if (app.kind !== 'atlassian') {
      if (app.directoryId !== undefined)
        ctx.addIssue({ code: 'custom', path: ['directoryId'], message: 'only for kind atlassian' });
      if (app.jsm !== undefined) ctx.addIssue({ code: 'custom', path: ['jsm'], message: 'only for kind atlassian' });
    }
    for (const [attr, value] of Object.entries(app.attributes)) {
      const problem = checkAttributePath(attr);
      if (problem) ctx.addIssue({ code: 'custom', path: ['attributes', attr], message: problem });
      // The kind's profile names the characters its userName may hold: the expression must provably keep to them.
      const characters = PROFILES[app.kind].userName.characters;
      if (characters !== undefined && attr === 'userName') {
        const templates = value === null ? [] : Array.isArray(value) ? value : [value];
        if (value === null)
          ctx.addIssue({ code: 'custom', path: ['attributes', attr], message: `${app.kind} requires a userName` });
        for (const t of templates) {
          let ok: boolean;
          try {
            ok = templateYieldsOnly(compileTemplate(t), characters);
          } catch {
            ok = true; // already reported by TemplateSchema
          }
          if (!ok) {
            ctx.addIssue({
              code: 'custom',
              path: ['attributes', attr],
              message: `${app.kind} usernames allow only the characters [${characters}] (${PROFILE_SOURCES[app.kind].url}): this expression can produce others (end each placeholder with "| slug" and use no other literal characters)`,
            });
          }
        }
      }
    }
  });

const ConditionInput = z.unknown();

const GrantSchema = z.union(
  [
    nonEmpty.transform((app) => ({ app, groups: [] as string[] })),
    z.strictObject({ app: nonEmpty, groups: z.array(nonEmpty).default([]) }),
  ],
  { error: 'expected an app name or { app, groups? }' },
);

const RuleSchema = z.strictObject({
  name: nonEmpty,
  when: z.record(z.string(), ConditionInput).nullable().default({}),
  grant: z.array(GrantSchema).min(1, 'a rule must grant at least one app'),
});

const ApprovalSchema = z.strictObject({
  required: z.boolean().optional(),
  approvers: z.array(nonEmpty).default([]),
  timeout: Duration.default(parseDuration('72h')),
  onTimeout: z.enum(['reject', 'escalate'], { error: 'expected reject or escalate' }).default('reject'),
  escalateTo: z.array(nonEmpty).default([]),
  unverifiedDecisions: z.enum(['accept', 'refuse'], { error: 'expected accept or refuse' }).optional(),
});

const LeaverSchema = z.strictObject({
  deactivate: z.boolean().optional(),
  removeGroups: z.boolean().optional(),
  jsmCustomerRemoval: z.boolean().optional(),
  hardDelete: z
    .union([z.literal('never'), z.strictObject({ after: Duration })], {
      error: "expected 'never' or { after: <duration> }",
    })
    .optional(),
});

const SecretRefOptional = SecretRefSchema.optional();

const EncryptionSchema = z
  .strictObject({
    current: z.string().regex(KEY_ID, 'a key id: letters, digits, ".", "_" or "-" (at most 64)'),
    keys: z
      .array(
        z.strictObject({
          id: z.string().regex(KEY_ID, 'a key id: letters, digits, ".", "_" or "-" (at most 64)'),
          key: SecretRefSchema,
        }),
      )
      .min(1, 'at least one key: { id, key: "${SCIMFLOW_PAYLOAD_KEY}" }'),
    acceptUnencrypted: z.boolean().default(false),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.keys.forEach((k, i) => {
      if (seen.has(k.id))
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `key id "${k.id}" is listed twice` });
      seen.add(k.id);
    });
    if (!seen.has(e.current))
      ctx.addIssue({
        code: 'custom',
        path: ['current'],
        message: `names no key in keys (ids: ${[...seen].join(', ')})`,
      });
  });

const TemporalTlsSchema = z.union(
  [
    z.boolean(),
    z
      .strictObject({
        ca: SecretRefOptional,
        cert: SecretRefOptional,
        key: SecretRefOptional,
        serverName: nonEmpty.optional(),
      })
      .superRefine((t, ctx) => {
        if ((t.cert === undefined) !== (t.key === undefined))
          ctx.addIssue({ code: 'custom', path: [t.cert ? 'key' : 'cert'], message: 'mTLS needs both cert and key' });
      }),
  ],
  { error: 'expected true, false, or { ca?, cert?, key?, serverName? }' },
);

/** A browser origin: scheme, host and port, nothing else (what the Origin header carries). */
const Origin = z.string().refine((o) => {
  if (!URL.canParse(o)) return false;
  const u = new URL(o);
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
}, 'expected an origin such as https://temporal-ui.example.com (scheme, host and port; no path or trailing slash)');

export const DEFAULT_CODEC_SERVER: CodecServerConfig = {
  host: '127.0.0.1',
  port: 8081,
  corsOrigins: ['http://localhost:8233'],
  tokens: [],
  allowUnauthenticated: false,
};

const CodecServerSchema = z
  .strictObject({
    host: nonEmpty.default(DEFAULT_CODEC_SERVER.host),
    port: z.number().int().min(0).max(65535).default(DEFAULT_CODEC_SERVER.port),
    corsOrigins: z.array(Origin).default(DEFAULT_CODEC_SERVER.corsOrigins),
    tokens: z.array(SecretRefSchema).default([]),
    allowUnauthenticated: z.boolean().default(false),
    tls: z.strictObject({ cert: SecretRefSchema, key: SecretRefSchema }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.allowUnauthenticated && !isLoopbackHost(c.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowUnauthenticated'],
        message: `only on a loopback host (host is ${c.host}): anyone who reaches it could decrypt every payload`,
      });
    }
    if (!c.allowUnauthenticated && c.tokens.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokens'],
        message:
          'at least one accepted bearer token (e.g. "${SCIMFLOW_CODEC_TOKEN}"), or allowUnauthenticated: true on a loopback host',
      });
    }
  });

const Email = z.email('expected an email address');
const ChannelSchema = z.union(
  [
    z.strictObject({ webhook: z.strictObject({ url: SecretRefSchema }) }),
    z.strictObject({
      email: z.strictObject({
        smtp: z.strictObject({
          host: nonEmpty,
          port: z.number().int().min(1).max(65535).optional(),
          tls: z
            .enum(['implicit', 'starttls', 'none'], { error: 'expected implicit, starttls or none' })
            .default('starttls'),
          username: nonEmpty.optional(),
          password: SecretRefOptional,
        }),
        from: Email,
        toApprovers: z.boolean().default(true),
        to: z.array(Email).default([]),
      }),
    }),
  ],
  { error: 'expected { webhook: { url } } or { email: { smtp, from, … } }' },
);
const NotificationsSchema = z.strictObject({
  expiringBefore: Duration.default(parseDuration('12h')),
  links: z
    .strictObject({
      baseUrl: HttpUrl,
      signingKey: SecretRefSchema,
      previousSigningKey: SecretRefOptional,
      ttl: Duration.default(parseDuration('72h')),
    })
    .optional(),
  channels: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'channel names are lower-case letters, digits and "-"'),
      ChannelSchema,
    )
    .default({}),
  routes: z
    .array(
      z.strictObject({
        events: z
          .array(z.enum(NOTIFICATION_KINDS, { error: `expected one of ${NOTIFICATION_KINDS.join(', ')}` }))
          .min(1, 'name at least one event'),
        apps: z.array(nonEmpty).optional(),
        channels: z.array(nonEmpty).min(1, 'name at least one channel'),
      }),
    )
    .default([]),
});

export const RawConfigSchema = z.strictObject({
  allowInlineSecrets: z.boolean().default(false),
  temporal: z
    .strictObject({
      address: nonEmpty.default('localhost:7233'),
      namespace: nonEmpty.default('default'),
      taskQueue: nonEmpty.default('scimflow'),
      encryption: EncryptionSchema.optional(),
      tls: TemporalTlsSchema.optional(),
      apiKey: SecretRefOptional,
      // Worker Deployment versioning (docs/versioning.md): opt-in; unset, workers are unversioned.
      deployment: z.strictObject({ name: nonEmpty, buildId: nonEmpty.optional() }).optional(),
    })
    .default({ address: 'localhost:7233', namespace: 'default', taskQueue: 'scimflow' }),
  /** Checked only when given: the codec server is a process of its own (`scimflow codec-server`). */
  codecServer: CodecServerSchema.optional(),
  ingress: z
    .strictObject({
      // Loopback unless configured: a container sets 0.0.0.0 (or SCIMFLOW_INGRESS_HOST) explicitly.
      host: nonEmpty.default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      webhookSecret: SecretRefSchema,
      previousWebhookSecret: SecretRefOptional,
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .max(16 * 1024 * 1024)
        .default(262_144),
      headersTimeout: Duration.default(10_000),
      requestTimeout: Duration.default(10_000),
      maxConnections: z.number().int().positive().max(100_000).default(512),
      temporalTimeout: Duration.default(4_000),
    })
    .superRefine((i, ctx) => {
      if (i.headersTimeout > i.requestTimeout)
        ctx.addIssue({
          code: 'custom',
          path: ['headersTimeout'],
          message: 'must not be longer than requestTimeout (which covers headers and body)',
        });
      if (i.temporalTimeout < 100 || i.temporalTimeout > 30_000)
        ctx.addIssue({ code: 'custom', path: ['temporalTimeout'], message: 'must be between 100ms and 30s' });
    }),
  apps: z.record(
    z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'app names are lower-case letters, digits and "-"'),
    AppSchema,
  ),
  rules: z.strictObject({ birthright: z.array(RuleSchema).default([]) }).default({ birthright: [] }),
  approvals: z.record(z.string(), ApprovalSchema).default({}),
  leaver: z
    .strictObject({ default: LeaverSchema.default({}), apps: z.record(z.string(), LeaverSchema).default({}) })
    .default({ default: {}, apps: {} }),
  joiner: z.strictObject({ allOrNothing: z.array(nonEmpty).default([]) }).default({ allOrNothing: [] }),
  /** The mass-change guard: deactivations/deletions per app within `window` beyond the allowance wait for a person. */
  guard: z
    .strictObject({
      window: Duration.default(3_600_000),
      maxFraction: z.number().gt(0).max(1).default(0.1),
      maxCount: z.number().int().positive().default(50),
      /** The allowance's floor: a small app's share would otherwise be one leaver per window. */
      minCount: z.number().int().positive().default(DEFAULT_GUARD_MIN_COUNT),
      /** Per app, any of the four (the rest from above). */
      apps: z
        .record(
          z.string(),
          z.strictObject({
            window: Duration.optional(),
            maxFraction: z.number().gt(0).max(1).optional(),
            maxCount: z.number().int().positive().optional(),
            minCount: z.number().int().positive().optional(),
          }),
        )
        .default({}),
    })
    .optional(),
  /** Roster imports (POST /webhooks/hr/roster, `scimflow import`): column mapping and limits. */
  roster: z
    .strictObject({
      columns: z.partialRecord(z.enum(ROSTER_FIELDS), nonEmpty).default({}),
      dateFormat: z.enum(DATE_FORMATS).default('YYYY-MM-DD'),
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .max(1024 * 1024 * 1024)
        .default(64 * 1024 * 1024),
      maxRows: z.number().int().positive().max(1_000_000).default(100_000),
      timeout: Duration.default(120_000),
    })
    .optional(),
  /** Scheduled reconciliation (one Temporal Schedule per app). */
  reconcile: z
    .strictObject({
      cron: nonEmpty.default('0 3 * * *'),
      jitter: Duration.default(600_000),
      apps: z.record(z.string(), z.strictObject({ cron: nonEmpty })).default({}),
    })
    .optional(),
  /** Who is told about approvals and problems, and the signed approval links. */
  notifications: NotificationsSchema.optional(),
});
export type RawConfig = z.infer<typeof RawConfigSchema>;

// ---------------------------------------------------------------- normalisation

export interface ConfigIssue {
  /** Dotted key path, e.g. apps.jumpcloud.rateLimit.requestsPerSecond ('(root)' for the whole file). */
  path: string;
  message: string;
}

export type Path = (string | number)[];

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s);
      out += plain ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** The leaver policy before `leaver.default` and `leaver.apps.<app>` (jsmCustomerRemoval: atlassian with jsm only). */
export const DEFAULT_LEAVER_POLICY: Readonly<LeaverPolicy> = {
  deactivate: true,
  removeGroups: true,
  jsmCustomerRemoval: true,
  hardDeleteAfterMs: null,
};

const CONDITION_OPS = ['equals', 'oneOf', 'pattern', 'exists', 'not'] as const;

function parseCondition(raw: unknown, path: Path, issues: { path: Path; message: string }[]): Condition | undefined {
  const bad = (message: string, at: Path = path) => {
    issues.push({ path: at, message });
    return undefined;
  };
  if (typeof raw === 'string') return { op: 'equals', value: raw, ignoreCase: false };
  if (typeof raw === 'number' || typeof raw === 'boolean')
    return { op: 'equals', value: String(raw), ignoreCase: false };
  if (Array.isArray(raw)) return bad('a list is ambiguous here: write { oneOf: [...] }');
  if (raw === null || typeof raw !== 'object')
    return bad(`expected a string or one of { ${CONDITION_OPS.join(' | ')} }`);
  const obj = raw as Record<string, unknown>;
  const keys = Object.keys(obj);
  const ops = keys.filter((k) => (CONDITION_OPS as readonly string[]).includes(k));
  for (const k of keys) {
    if (!(CONDITION_OPS as readonly string[]).includes(k) && k !== 'ignoreCase')
      bad(`unknown key (expected one of ${CONDITION_OPS.join(', ')}, ignoreCase)`, [...path, k]);
  }
  if (ops.length !== 1)
    return bad(`expected exactly one of ${CONDITION_OPS.join(', ')} (got ${ops.length ? ops.join(', ') : 'none'})`);
  const op = ops[0] as (typeof CONDITION_OPS)[number];
  const ic = obj.ignoreCase;
  if (ic !== undefined && typeof ic !== 'boolean') return bad('expected true or false', [...path, 'ignoreCase']);
  if (ic !== undefined && (op === 'exists' || op === 'not'))
    return bad(`ignoreCase does not apply to ${op}`, [...path, 'ignoreCase']);
  const ignoreCase = ic === true;
  const value = obj[op];
  const at = [...path, op];
  switch (op) {
    case 'equals':
      if (typeof value !== 'string' && typeof value !== 'number') return bad('expected a string', at);
      return { op, value: String(value), ignoreCase };
    case 'oneOf':
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        !value.every((v) => typeof v === 'string' || typeof v === 'number')
      ) {
        return bad('expected a non-empty list of strings', at);
      }
      return { op, values: value.map(String), ignoreCase };
    case 'pattern': {
      if (typeof value !== 'string' || value === '') return bad('expected a regular expression string', at);
      try {
        new RegExp(value, ignoreCase ? 'iu' : 'u');
      } catch (e) {
        return bad(`invalid regular expression: ${(e as Error).message}`, at);
      }
      return { op, pattern: value, ignoreCase };
    }
    case 'exists':
      if (typeof value !== 'boolean') return bad('expected true or false', at);
      return { op, value };
    case 'not': {
      const inner = parseCondition(value, at, issues);
      return inner && { op, condition: inner };
    }
  }
}

function normaliseLeaver(
  kind: AppKind,
  base: LeaverPolicy,
  layer: RawConfig['leaver']['default'] | undefined,
): LeaverPolicy {
  const out: LeaverPolicy = { ...base };
  if (layer) {
    if (layer.deactivate !== undefined) out.deactivate = layer.deactivate;
    if (layer.removeGroups !== undefined) out.removeGroups = layer.removeGroups;
    if (layer.jsmCustomerRemoval !== undefined) out.jsmCustomerRemoval = layer.jsmCustomerRemoval;
    if (layer.hardDelete !== undefined)
      out.hardDeleteAfterMs = layer.hardDelete === 'never' ? null : layer.hardDelete.after;
  }
  if (kind !== 'atlassian') out.jsmCustomerRemoval = false;
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every reference to an app that `apps:` does not define — in rules, approvals, leaver.apps and
 * joiner.allOrNothing. Works on the data as parsed from YAML, valid or not, so these are reported
 * together with any schema problem instead of only once the rest of the file is valid.
 */
export function appReferenceIssues(data: unknown): { path: Path; message: string }[] {
  const issues: { path: Path; message: string }[] = [];
  if (!isObject(data)) return issues;
  const appNames = new Set(isObject(data.apps) ? Object.keys(data.apps) : []);
  const configured = [...appNames].sort().join(', ') || 'none';
  const check = (name: unknown, path: Path) => {
    // Trimmed as the schema trims names; a name that is not a string is the schema's to report.
    const n = typeof name === 'string' ? name.trim() : '';
    if (n !== '' && !appNames.has(n))
      issues.push({ path, message: `unknown app "${n}" (configured apps: ${configured})` });
  };
  const rules = isObject(data.rules) ? data.rules.birthright : undefined;
  if (Array.isArray(rules)) {
    rules.forEach((rule, i) => {
      const grant = isObject(rule) ? rule.grant : undefined;
      if (!Array.isArray(grant)) return;
      grant.forEach((g, j) => check(isObject(g) ? g.app : g, ['rules', 'birthright', i, 'grant', j, 'app']));
    });
  }
  if (isObject(data.approvals)) for (const name of Object.keys(data.approvals)) check(name, ['approvals', name]);
  if (isObject(data.leaver) && isObject(data.leaver.apps))
    for (const name of Object.keys(data.leaver.apps)) check(name, ['leaver', 'apps', name]);
  const aon = isObject(data.joiner) ? data.joiner.allOrNothing : undefined;
  if (Array.isArray(aon)) aon.forEach((name, i) => check(name, ['joiner', 'allOrNothing', i]));
  return issues;
}

/**
 * Cross-checks and normalises a schema-valid raw config. Returns the config or the list of issues (paths are
 * relative to the file root). `source` is the absolute file path; `resolvePath` makes file: references absolute.
 */
export function normaliseConfig(
  raw: RawConfig,
  source: string,
  resolvePath: (p: string) => string,
  options: { allowInlineSecrets?: boolean } = {},
): { ok: true; config: ScimflowConfig } | { ok: false; issues: { path: Path; message: string }[] } {
  const issues: { path: Path; message: string }[] = [];
  const allowInline = raw.allowInlineSecrets || options.allowInlineSecrets === true;
  const appNames = new Set(Object.keys(raw.apps));

  const secret = (ref: SecretRef, path: Path): SecretRef => {
    if (ref.ref === 'inline' && !allowInline) {
      issues.push({
        path,
        message:
          'inline secrets are refused: write "${ENV_NAME}" or "file:/path" (or set allowInlineSecrets: true for local development)',
      });
    }
    return ref.ref === 'file' ? { ref: 'file', path: resolvePath(ref.path) } : ref;
  };
  /** A shared secret (HMAC key); an inline one is checked for length here, references when resolved. */
  const sharedSecret = (ref: SecretRef, path: Path): SecretRef => {
    if (ref.ref === 'inline' && ref.value.length < MIN_SHARED_SECRET_LENGTH) {
      issues.push({
        path,
        message: `must be at least ${MIN_SHARED_SECRET_LENGTH} characters (the inline value is shorter)`,
      });
    }
    return secret(ref, path);
  };
  const auth = (a: AuthRef, path: Path): AuthRef => {
    switch (a.type) {
      case 'bearer':
        return { type: 'bearer', token: secret(a.token, [...path, 'token']) };
      case 'apiKey':
        return { type: 'apiKey', key: secret(a.key, [...path, 'key']), header: a.header.toLowerCase() };
      case 'basic':
        return { type: 'basic', username: a.username, password: secret(a.password, [...path, 'password']) };
    }
  };
  // Unknown apps anywhere (one pass, shared with the schema-error path in loader.ts).
  issues.push(...appReferenceIssues(raw));
  const unknownApp = (name: string) => !appNames.has(name);

  const seenAllOrNothing = new Set<string>();
  raw.joiner.allOrNothing.forEach((name, i) => {
    if (seenAllOrNothing.has(name))
      issues.push({ path: ['joiner', 'allOrNothing', i], message: `"${name}" is listed twice` });
    seenAllOrNothing.add(name);
  });

  const apps: Record<string, AppConfig> = {};
  for (const [name, app] of Object.entries(raw.apps).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const path: Path = ['apps', name];
    // Default from the kind's profile: Jasper bills the create, Atlassian the product groups scimflow grants.
    const seatConsuming = app.seatConsuming ?? takesPaidSeat(PROFILES[app.kind]);
    const rawApproval = raw.approvals[name];
    const approval: ApprovalPolicy = {
      required: rawApproval?.required ?? seatConsuming,
      approvers: [...new Set(rawApproval?.approvers ?? [])],
      timeoutMs: rawApproval?.timeout ?? parseDuration('72h'),
      onTimeout: rawApproval?.onTimeout ?? 'reject',
      escalateTo: [...new Set(rawApproval?.escalateTo ?? [])],
      unverifiedDecisions: rawApproval?.unverifiedDecisions ?? 'accept',
    };
    if (rawApproval) {
      if (approval.onTimeout === 'escalate' && approval.escalateTo.length === 0) {
        issues.push({
          path: ['approvals', name, 'escalateTo'],
          message: 'onTimeout: escalate needs at least one escalateTo approver',
        });
      }
      if (approval.onTimeout !== 'escalate' && approval.escalateTo.length > 0) {
        issues.push({
          path: ['approvals', name, 'escalateTo'],
          message: 'escalateTo is only used with onTimeout: escalate',
        });
      }
    }
    const rawLeaverApp = raw.leaver.apps[name];
    if (rawLeaverApp?.jsmCustomerRemoval === true && (app.kind !== 'atlassian' || !app.jsm)) {
      issues.push({
        path: ['leaver', 'apps', name, 'jsmCustomerRemoval'],
        message: app.kind !== 'atlassian' ? 'only for kind atlassian' : `needs apps.${name}.jsm to be configured`,
      });
    }
    let leaver = normaliseLeaver(app.kind, DEFAULT_LEAVER_POLICY, raw.leaver.default);
    leaver = normaliseLeaver(app.kind, leaver, rawLeaverApp);
    if (!app.jsm) leaver.jsmCustomerRemoval = false;

    const out: AppConfig = {
      name,
      kind: app.kind,
      baseUrl: app.baseUrl,
      rateLimit: { requestsPerSecond: app.rateLimit.requestsPerSecond },
      capabilities: JSON.parse(JSON.stringify(app.capabilities)) as CapabilityOverrides,
      attributes: { ...app.attributes },
      seatConsuming,
      approval,
      leaver,
      auth: auth(app.auth as AuthRef, [...path, 'auth']),
    };
    if (app.kind === 'atlassian') {
      const m = /\/scim\/directory\/([^/]+)$/.exec(app.baseUrl);
      const directoryId = app.directoryId ?? m?.[1];
      if (directoryId) out.directoryId = directoryId;
      else
        issues.push({
          path: [...path, 'directoryId'],
          message: 'kind atlassian needs directoryId (or a baseUrl ending in /scim/directory/<id>)',
        });
      if (app.directoryId && m && m[1] !== app.directoryId) {
        issues.push({ path: [...path, 'directoryId'], message: `does not match the directory in baseUrl ("${m[1]}")` });
      }
    }
    if (app.jsm) {
      out.jsm = {
        baseUrl: app.jsm.baseUrl,
        serviceDeskId: app.jsm.serviceDeskId,
        auth: auth(app.jsm.auth as AuthRef, [...path, 'jsm', 'auth']) as Extract<AuthRef, { type: 'basic' }>,
      };
    }
    apps[name] = out;
  }

  const ruleNames = new Set<string>();
  const birthright: BirthrightRule[] = raw.rules.birthright.map((rule, i) => {
    const path: Path = ['rules', 'birthright', i];
    if (ruleNames.has(rule.name))
      issues.push({ path: [...path, 'name'], message: `duplicate rule name "${rule.name}"` });
    ruleNames.add(rule.name);
    const when: Record<string, Condition> = {};
    for (const [field, cond] of Object.entries(rule.when ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!isEmployeeField(field)) {
        issues.push({
          path: [...path, 'when', field],
          message: `unknown employee field (known: ${EMPLOYEE_FIELDS.join(', ')})`,
        });
        continue;
      }
      const parsed = parseCondition(cond, [...path, 'when', field], issues);
      if (parsed) when[field] = parsed;
    }
    const grants = new Map<string, Set<string>>();
    rule.grant.forEach((g, j) => {
      if (unknownApp(g.app)) return;
      const app = apps[g.app];
      // The app's profile (with its capability overrides) decides: a grant it cannot honour would validate and then add nothing.
      if (
        app &&
        g.groups.length > 0 &&
        !profileFor(app.kind, app.capabilities as Partial<Capabilities>).groups.supported
      ) {
        const why = PROFILE_SOURCES[app.kind].noGroups ?? 'its capabilities say groups.supported: false';
        issues.push({
          path: [...path, 'grant', j, 'groups'],
          message: `app "${g.app}" (kind ${app.kind}) has no SCIM groups: ${why}; remove groups, or set capabilities.groups.supported: true`,
        });
      }
      const set = grants.get(g.app) ?? new Set<string>();
      for (const group of g.groups) set.add(group);
      grants.set(g.app, set);
    });
    return {
      name: rule.name,
      when,
      grant: [...grants.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([app, groups]) => ({ app, groups: [...groups].sort() })),
    };
  });

  const t = raw.temporal;
  const temporal: ScimflowConfig['temporal'] = { address: t.address, namespace: t.namespace, taskQueue: t.taskQueue };
  if (t.encryption) {
    temporal.encryption = {
      current: t.encryption.current,
      acceptUnencrypted: t.encryption.acceptUnencrypted,
      keys: t.encryption.keys.map((k, i) => {
        const path: Path = ['temporal', 'encryption', 'keys', i, 'key'];
        // An inline key is checked here; a reference when it is resolved (at every process's start).
        if (k.key.ref === 'inline') {
          const decoded = decodePayloadKey(k.key.value);
          if (!decoded.ok) issues.push({ path, message: decoded.problem });
        }
        return { id: k.id, key: secret(k.key, path) };
      }),
    };
  }
  if (typeof t.tls === 'boolean') temporal.tls = t.tls;
  else if (t.tls) {
    const tls: NonNullable<Exclude<ScimflowConfig['temporal']['tls'], boolean>> = {};
    if (t.tls.ca) tls.ca = secret(t.tls.ca, ['temporal', 'tls', 'ca']);
    if (t.tls.cert) tls.cert = secret(t.tls.cert, ['temporal', 'tls', 'cert']);
    if (t.tls.key) tls.key = secret(t.tls.key, ['temporal', 'tls', 'key']);
    if (t.tls.serverName) tls.serverName = t.tls.serverName;
    temporal.tls = tls;
  }
  if (t.apiKey) temporal.apiKey = secret(t.apiKey, ['temporal', 'apiKey']);
  if (t.deployment) temporal.deployment = { ...t.deployment };

  const cs = raw.codecServer;
  const codecServer: CodecServerConfig = cs
    ? {
        host: cs.host,
        port: cs.port,
        corsOrigins: [...new Set(cs.corsOrigins)],
        tokens: cs.tokens.map((ref, i) => secret(ref, ['codecServer', 'tokens', i])),
        allowUnauthenticated: cs.allowUnauthenticated,
        ...(cs.tls
          ? {
              tls: {
                cert: secret(cs.tls.cert, ['codecServer', 'tls', 'cert']),
                key: secret(cs.tls.key, ['codecServer', 'tls', 'key']),
              },
            }
          : {}),
      }
    : { ...DEFAULT_CODEC_SERVER, corsOrigins: [...DEFAULT_CODEC_SERVER.corsOrigins], tokens: [] };

  const ingress = raw.ingress;
  const config: ScimflowConfig = {
    source,
    allowInlineSecrets: allowInline,
    temporal,
    codecServer,
    ingress: {
      host: ingress.host,
      port: ingress.port,
      webhookSecret: sharedSecret(ingress.webhookSecret, ['ingress', 'webhookSecret']),
      maxBodyBytes: ingress.maxBodyBytes,
      headersTimeoutMs: ingress.headersTimeout,
      requestTimeoutMs: ingress.requestTimeout,
      maxConnections: ingress.maxConnections,
      temporalTimeoutMs: ingress.temporalTimeout,
    },
    apps,
    rules: { birthright },
    joiner: { allOrNothing: [...new Set(raw.joiner.allOrNothing)].sort() },
  };
  if (raw.guard) {
    const g = raw.guard;
    for (const app of Object.keys(g.apps))
      if (!raw.apps[app]) issues.push({ path: ['guard', 'apps', app], message: `no app named ${app} is configured` });
    const apps = Object.fromEntries(
      Object.entries(g.apps).map(([k, v]) => [
        k,
        {
          ...(v.window !== undefined ? { windowMs: v.window } : {}),
          ...(v.maxFraction !== undefined ? { maxFraction: v.maxFraction } : {}),
          ...(v.maxCount !== undefined ? { maxCount: v.maxCount } : {}),
          ...(v.minCount !== undefined ? { minCount: v.minCount } : {}),
        },
      ]),
    );
    config.guard = { windowMs: g.window, maxFraction: g.maxFraction, maxCount: g.maxCount, minCount: g.minCount, apps };
  }
  if (raw.roster) {
    const cols = Object.values(raw.roster.columns);
    const dup = cols.find((c, i) => cols.indexOf(c) !== i);
    if (dup) issues.push({ path: ['roster', 'columns'], message: `column "${dup}" is mapped to two fields` });
    config.roster = {
      columns: { ...raw.roster.columns },
      dateFormat: raw.roster.dateFormat,
      maxBodyBytes: raw.roster.maxBodyBytes,
      maxRows: raw.roster.maxRows,
      timeoutMs: raw.roster.timeout,
    };
  }
  if (raw.reconcile) {
    for (const app of Object.keys(raw.reconcile.apps))
      if (!raw.apps[app])
        issues.push({ path: ['reconcile', 'apps', app], message: `no app named ${app} is configured` });
    config.reconcile = {
      cron: raw.reconcile.cron,
      jitterMs: raw.reconcile.jitter,
      apps: Object.fromEntries(Object.entries(raw.reconcile.apps).map(([k, v]) => [k, v.cron])),
    };
  }
  if (raw.notifications)
    config.notifications = normaliseNotifications(raw.notifications, appNames, { secret, sharedSecret }, issues);
  for (const app of Object.values(apps)) {
    if (app.approval.unverifiedDecisions === 'refuse' && !config.notifications?.links) {
      issues.push({
        path: ['approvals', app.name, 'unverifiedDecisions'],
        message: 'refuse needs notifications.links (a signed link is then the only way to decide)',
      });
    }
  }
  if (ingress.previousWebhookSecret)
    config.ingress.previousWebhookSecret = sharedSecret(ingress.previousWebhookSecret, [
      'ingress',
      'previousWebhookSecret',
    ]);

  return issues.length ? { ok: false, issues } : { ok: true, config };
}

/** `notifications:`: channel and app references checked, secrets kept as references. */
function normaliseNotifications(
  raw: NonNullable<RawConfig['notifications']>,
  appNames: Set<string>,
  refs: { secret(ref: SecretRef, path: Path): SecretRef; sharedSecret(ref: SecretRef, path: Path): SecretRef },
  issues: { path: Path; message: string }[],
): NotificationsConfig {
  const channels: Record<string, NotificationChannel> = {};
  for (const [name, c] of Object.entries(raw.channels)) {
    const path: Path = ['notifications', 'channels', name];
    if ('webhook' in c) {
      channels[name] = { type: 'webhook', name, url: refs.secret(c.webhook.url, [...path, 'webhook', 'url']) };
      continue;
    }
    const e = c.email;
    if (e.smtp.tls === 'none' && !isLoopbackHost(e.smtp.host)) {
      issues.push({
        path: [...path, 'email', 'smtp', 'tls'],
        message:
          'tls: none is only for a relay on loopback (the password and the approval links would cross the network in clear text)',
      });
    }
    if (!e.toApprovers && e.to.length === 0)
      issues.push({
        path: [...path, 'email', 'to'],
        message: 'nobody to write to: list addresses in to, or keep toApprovers: true',
      });
    channels[name] = {
      type: 'email',
      name,
      smtp: {
        host: e.smtp.host,
        port: e.smtp.port ?? (e.smtp.tls === 'implicit' ? 465 : e.smtp.tls === 'starttls' ? 587 : 25),
        tls: e.smtp.tls,
        ...(e.smtp.username ? { username: e.smtp.username } : {}),
        ...(e.smtp.password ? { password: refs.secret(e.smtp.password, [...path, 'email', 'smtp', 'password']) } : {}),
      },
      from: e.from,
      toApprovers: e.toApprovers,
      to: [...new Set(e.to.map((a) => a.toLowerCase()))],
    };
  }
  const routes = raw.routes.map((r, i) => {
    r.channels.forEach((ch, j) => {
      if (!channels[ch])
        issues.push({
          path: ['notifications', 'routes', i, 'channels', j],
          message: `unknown channel "${ch}" (configured: ${Object.keys(channels).join(', ') || 'none'})`,
        });
    });
    r.apps?.forEach((a, j) => {
      if (!appNames.has(a))
        issues.push({
          path: ['notifications', 'routes', i, 'apps', j],
          message: `unknown app "${a}" (configured apps: ${[...appNames].sort().join(', ')})`,
        });
    });
    return {
      events: [...new Set(r.events)],
      ...(r.apps ? { apps: [...new Set(r.apps)] } : {}),
      channels: [...new Set(r.channels)],
    };
  });
  const out: NotificationsConfig = { expiringBeforeMs: raw.expiringBefore, channels, routes };
  if (raw.links) {
    out.links = {
      baseUrl: raw.links.baseUrl,
      signingKey: refs.sharedSecret(raw.links.signingKey, ['notifications', 'links', 'signingKey']),
      ttlMs: raw.links.ttl,
      ...(raw.links.previousSigningKey
        ? {
            previousSigningKey: refs.sharedSecret(raw.links.previousSigningKey, [
              'notifications',
              'links',
              'previousSigningKey',
            ]),
          }
        : {}),
    };
  }
  return out;
}

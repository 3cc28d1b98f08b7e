// Reads and validates config/scimflow.yaml once at start-up. Node-only (file system): never import from workflows.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { appReferenceIssues, formatPath, normaliseConfig, RawConfigSchema, type Path } from './schema';
import type { AppKind, ScimflowConfig, SecretRef } from './types';
import { ConfigError, displayPath, type ConfigErrorDetail } from './errors';
import { secretProblems } from './secrets';

export { ConfigError, type ConfigErrorDetail };

export const DEFAULT_CONFIG_PATH = 'config/scimflow.yaml';
export const CONFIG_ENV_VAR = 'SCIMFLOW_CONFIG';

/** The path to load: $SCIMFLOW_CONFIG or config/scimflow.yaml. */
export function configPathFromEnv(env: Record<string, string | undefined> = process.env): string {
  return env[CONFIG_ENV_VAR] || DEFAULT_CONFIG_PATH;
}

function locate(doc: Document, lc: LineCounter, path: Path): { line?: number; column?: number } {
  // Walk down as far as the document goes, so an issue on a missing key points at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

type ZodIssue = z.core.$ZodIssue;

/** A union branch whose issues show the input had that branch's shape (so its issues are the useful ones). */
function shapeMatched(branch: readonly ZodIssue[]): boolean {
  return branch.some(
    (i) => i.path.length > 0 || (i.code !== 'invalid_type' && i.code !== 'invalid_value' && i.code !== 'invalid_union'),
  );
}

function flattenIssues(issues: readonly ZodIssue[], prefix: Path, out: { path: Path; message: string }[]): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: 'unknown key' });
    } else if (issue.code === 'invalid_key') {
      const inner = issue.issues.map((i) => i.message.replace(/^Invalid input: /, '')).join('; ');
      out.push({ path, message: `invalid name${inner ? `: ${inner}` : ''}` });
    } else if (issue.code === 'invalid_union') {
      const matched = issue.errors.find(shapeMatched);
      if (matched) flattenIssues(matched, path, out);
      else out.push({ path, message: issue.message.replace(/^Invalid input: /, '') });
    } else {
      out.push({ path, message: issue.message.replace(/^Invalid input: /, '') });
    }
  }
}

function zodIssues(error: z.ZodError): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  flattenIssues(error.issues, [], out);
  return out;
}

export type ParseResult =
  { ok: true; config: ScimflowConfig } | { ok: false; file: string; errors: ConfigErrorDetail[] };

export interface LoadOptions {
  /** Accept literal secrets in the file even without `allowInlineSecrets: true` (tests, `scimflow dev`). */
  allowInlineSecrets?: boolean;
}

/** Validates config text. `path` is used for messages and to resolve relative `file:` references. */
export function parseConfigText(text: string, path: string, options: LoadOptions = {}): ParseResult {
  const abs = resolve(path);
  const file = displayPath(abs);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      file,
      errors: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return {
          path: '(yaml)',
          line: pos.line,
          column: pos.col,
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        };
      }),
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined)
    return { ok: false, file, errors: [{ path: '(root)', message: 'the file is empty' }] };
  const parsed = RawConfigSchema.safeParse(data);
  const withPos = (issues: { path: Path; message: string }[]): ConfigErrorDetail[] =>
    issues.map((i) => ({ path: formatPath(i.path), message: i.message, ...locate(doc, lc, i.path) }));
  if (!parsed.success) {
    // The cross-references are checked on the raw data too: every problem at once, not the unknown
    // apps only after the rest is fixed.
    const issues = zodIssues(parsed.error);
    const seen = new Set(issues.map((i) => formatPath(i.path)));
    for (const ref of appReferenceIssues(data)) if (!seen.has(formatPath(ref.path))) issues.push(ref);
    return { ok: false, file, errors: withPos(issues) };
  }
  const baseDir = dirname(abs);
  const norm = normaliseConfig(parsed.data, abs, (p) => resolve(baseDir, p), options);
  if (!norm.ok) return { ok: false, file, errors: withPos(norm.issues) };
  return { ok: true, config: norm.config };
}

/** Loads and validates the config file; throws ConfigError (code CONFIG_INVALID) listing every problem. */
export function loadConfig(path: string = DEFAULT_CONFIG_PATH, options: LoadOptions = {}): ScimflowConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(
      displayPath(resolve(path)),
      [{ path: '(file)', message: err.code === 'ENOENT' ? 'file not found' : `cannot read: ${err.message}` }],
      `Cannot load configuration ${path}`,
    );
  }
  const result = parseConfigText(text, path, options);
  if (!result.ok) throw new ConfigError(result.file, result.errors);
  return result.config;
}

export interface ConfigSummary {
  file: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  ingress: { host: string; port: number };
  apps: {
    name: string;
    kind: AppKind;
    baseUrl: string;
    seatConsuming: boolean;
    approvalRequired: boolean;
    allOrNothing: boolean;
  }[];
  rules: string[];
  /** Every secret reference by key path (references only, never values). */
  secrets: { path: string; ref: string }[];
}

function describeRef(ref: SecretRef): string {
  return ref.ref === 'env' ? `\${${ref.name}}` : ref.ref === 'file' ? `file:${ref.path}` : '(inline literal)';
}

/** Every secret reference in a config, with its key path. */
export function listSecretRefs(config: ScimflowConfig): { path: string; app?: string; ref: SecretRef }[] {
  const out: { path: string; app?: string; ref: SecretRef }[] = [
    { path: 'ingress.webhookSecret', ref: config.ingress.webhookSecret },
  ];
  if (config.ingress.previousWebhookSecret)
    out.push({ path: 'ingress.previousWebhookSecret', ref: config.ingress.previousWebhookSecret });
  config.temporal.encryption?.keys.forEach((k, i) =>
    out.push({ path: `temporal.encryption.keys[${i}].key`, ref: k.key }),
  );
  if (config.temporal.apiKey) out.push({ path: 'temporal.apiKey', ref: config.temporal.apiKey });
  const tls = config.temporal.tls;
  if (typeof tls === 'object')
    for (const f of ['ca', 'cert', 'key'] as const) if (tls[f]) out.push({ path: `temporal.tls.${f}`, ref: tls[f] });
  for (const [name, app] of Object.entries(config.apps)) {
    const a = app.auth;
    const ref = a.type === 'bearer' ? a.token : a.type === 'apiKey' ? a.key : a.password;
    const field = a.type === 'bearer' ? 'token' : a.type === 'apiKey' ? 'key' : 'password';
    out.push({ path: `apps.${name}.auth.${field}`, app: name, ref });
    if (app.jsm) out.push({ path: `apps.${name}.jsm.auth.password`, app: name, ref: app.jsm.auth.password });
  }
  const n = config.notifications;
  if (n?.links) {
    out.push({ path: 'notifications.links.signingKey', ref: n.links.signingKey });
    if (n.links.previousSigningKey)
      out.push({ path: 'notifications.links.previousSigningKey', ref: n.links.previousSigningKey });
  }
  for (const c of Object.values(n?.channels ?? {})) {
    if (c.type === 'webhook') out.push({ path: `notifications.channels.${c.name}.webhook.url`, ref: c.url });
    else if (c.smtp.password)
      out.push({ path: `notifications.channels.${c.name}.email.smtp.password`, ref: c.smtp.password });
  }
  return out;
}

export function summarizeConfig(config: ScimflowConfig): ConfigSummary {
  const aon = new Set(config.joiner.allOrNothing);
  return {
    file: displayPath(config.source),
    temporal: { ...config.temporal },
    ingress: { host: config.ingress.host, port: config.ingress.port },
    apps: Object.values(config.apps).map((a) => ({
      name: a.name,
      kind: a.kind,
      baseUrl: a.baseUrl,
      seatConsuming: a.seatConsuming,
      approvalRequired: a.approval.required,
      allOrNothing: aon.has(a.name),
    })),
    rules: config.rules.birthright.map((r) => r.name),
    secrets: listSecretRefs(config).map((s) => ({ path: s.path, ref: describeRef(s.ref) })),
  };
}

export type CheckResult =
  { ok: true; summary: ConfigSummary } | { ok: false; file: string; errors: ConfigErrorDetail[] };

/**
 * For `scimflow config check`: never throws. With `options.env`, also checks that every secret reference
 * resolves (env var set / file readable) without returning any value.
 */
export function checkConfigFile(
  path: string = DEFAULT_CONFIG_PATH,
  options: LoadOptions & { env?: Record<string, string | undefined>; readFile?: (p: string) => string } = {},
): CheckResult {
  let config: ScimflowConfig;
  try {
    config = loadConfig(path, options);
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, file: e.file, errors: e.errors };
    return { ok: false, file: path, errors: [{ path: '(file)', message: String(e) }] };
  }
  if (options.env) {
    const problems = secretProblems(config, options.env, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
    if (problems.length) return { ok: false, file: displayPath(config.source), errors: problems };
  }
  return { ok: true, summary: summarizeConfig(config) };
}

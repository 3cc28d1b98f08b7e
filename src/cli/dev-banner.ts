// What `scimflow dev` prints once it is up: the addresses it actually bound, where each configured
// app actually points, and first commands that work against *this* configuration (no sandbox token
// for an app that is not in the sandbox, no approval for an app the example hire does not get).
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { configPathFromEnv, resolveAppCredentials, toPublicConfig, type ScimflowConfig } from '../config';
import { projectRoot } from '../dev/temporal-cli';
import { computeEntitlements } from '../rules';
import { DEV_CREDENTIALS } from '../sandbox/credentials';
import { HrEventSchema } from '../shared/hr-event';
import { DEV_WEBHOOK_SECRET } from './dev-env';

export interface BannerInput {
  config: ScimflowConfig;
  /** The file `dev` loaded (as given on the command line). */
  configFile: string;
  ingressUrl: string;
  uiUrl: string;
  temporalAddress: string;
  dbFile: string;
  sandboxUrl: string;
  metricsUrl: string;
  /** Temporal's own worker metrics (appended to metricsUrl), when exported. */
  temporalMetricsBind?: string;
  /** The codec server the UI decodes through (when temporal.encryption is configured). */
  codecUrl?: string;
  env?: Record<string, string | undefined>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::']);

/** A path as typed from the project root (where `npm run scimflow` runs): relative inside it, else absolute. */
function shownPath(file: string): string {
  const abs = resolve(file);
  const rel = relative(projectRoot, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function hostPort(address: string): { host: string; port: string } {
  const m = /^(.*):(\d+)$/.exec(address);
  return m ? { host: m[1]!, port: m[2]! } : { host: address, port: '' };
}

/** The example hire the README and the banner use, if it is there and valid. */
function exampleHire(): ReturnType<typeof HrEventSchema.parse> | undefined {
  try {
    const parsed = HrEventSchema.safeParse(
      JSON.parse(readFileSync(join(projectRoot, 'examples', 'hire.json'), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function devBanner(b: BannerInput): string {
  const env = b.env ?? process.env;
  const inSandbox = (url: string) => url === b.sandboxUrl || url.startsWith(`${b.sandboxUrl}/`);
  const apps = Object.values(b.config.apps);
  const width = Math.max(...apps.map((a) => a.name.length), 4);
  const appLines = apps.map(
    (a) =>
      `                  ${a.name.padEnd(width)}  ${a.baseUrl}${inSandbox(a.baseUrl) ? '' : '   (not the sandbox)'}`,
  );

  // How the other commands reach this stack, from the project root.
  const flags: string[] = [];
  if (resolve(b.configFile) !== resolve(projectRoot, configPathFromEnv(env))) flags.push('-c', shownPath(b.configFile));
  const cli = (cmd: string, extra = '') => {
    const wanted = hostPort(env.TEMPORAL_ADDRESS ?? b.config.temporal.address);
    const actual = hostPort(b.temporalAddress);
    const prefix =
      wanted.port === actual.port && LOOPBACK.has(wanted.host) ? '' : `TEMPORAL_ADDRESS=${b.temporalAddress} `;
    return `  ${prefix}npm run scimflow -- ${cmd}${flags.length ? ` ${flags.join(' ')}` : ''}${extra}`;
  };
  const hookUrl = `${b.ingressUrl}/webhooks/hr`;
  const sendDefault = env.SCIMFLOW_INGRESS_URL ?? 'http://localhost:8080/webhooks/hr';
  const sameUrl = (a: string, c: string) =>
    a.replace('//127.0.0.1:', '//localhost:') === c.replace('//127.0.0.1:', '//localhost:');
  const sendFlags = sameUrl(hookUrl, sendDefault) ? '' : ` --url ${hookUrl}`;

  const hire = exampleHire();
  const first: string[] = [];
  if (hire) {
    const ent = computeEntitlements(hire.employee, toPublicConfig(b.config));
    const waiting = ent.apps.filter((a) => a.approval.required);
    const who = `${hire.employee.givenName} ${hire.employee.familyName}`;
    const gets = ent.apps.map((a) => a.app).join(', ') || 'no apps';
    first.push(
      `Send a first event (examples/hire.json, ${who}: ${gets}${waiting.length ? `; ${waiting.map((a) => a.app).join(', ')} wait${waiting.length === 1 ? 's' : ''} for approval` : ''}):`,
      `  npm run scimflow -- send examples/hire.json${sendFlags}`,
      cli(`status ${hire.employee.employeeId}`),
    );
    for (const a of waiting) {
      if (a.approval.approvers.length)
        first.push(cli(`approve ${hire.employee.employeeId} ${a.app} --as ${a.approval.approvers[0]}`));
    }
    // The sandbox's generic app, read with its development token — only when that is what is configured.
    const generic = ent.apps.find((a) => a.kind === 'generic' && inSandbox(b.config.apps[a.app]!.baseUrl));
    if (generic) {
      let token: string | undefined;
      try {
        const auth = resolveAppCredentials(b.config, generic.app, env).auth;
        if (auth.type === 'bearer' && auth.token === DEV_CREDENTIALS.genericToken) token = auth.token;
      } catch {
        // unresolved: no curl line
      }
      if (token) {
        const filter = encodeURIComponent(`userName eq "${generic.user.userName}"`);
        first.push(
          `  curl -s -H 'Authorization: Bearer ${token}' '${b.config.apps[generic.app]!.baseUrl}/Users?filter=${filter}'`,
        );
      }
    }
    first.push('');
  }

  const usedDevSecret =
    (env.SCIMFLOW_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET) === DEV_WEBHOOK_SECRET &&
    b.config.ingress.webhookSecret.ref === 'env' &&
    b.config.ingress.webhookSecret.name === 'SCIMFLOW_WEBHOOK_SECRET';
  return [
    '',
    'scimflow dev is running',
    `  HR ingress      ${b.ingressUrl}   (GET /healthz, POST /webhooks/hr)`,
    `  Temporal UI     ${b.uiUrl}${b.codecUrl ? `   (decodes through the codec server ${b.codecUrl}; payloads are encrypted with the DEVELOPMENT key unless SCIMFLOW_PAYLOAD_KEY is set)` : ''}`,
    `  Temporal gRPC   ${b.temporalAddress}   (namespace ${b.config.temporal.namespace}; data: ${b.dbFile})`,
    `  Sandbox apps    ${b.sandboxUrl}/<app>/…   (credentials: docs/sandbox.md)`,
    `  Apps            (${shownPath(b.configFile)})`,
    ...appLines,
    `  Metrics         ${b.metricsUrl}${b.temporalMetricsBind ? `   (with Temporal's worker metrics, exported on ${b.temporalMetricsBind})` : ''}`,
    '',
    ...first,
    usedDevSecret
      ? `Webhook secret: the DEVELOPMENT default "${DEV_WEBHOOK_SECRET}" (set SCIMFLOW_WEBHOOK_SECRET to change it; never use it in production).`
      : 'Webhook secret: from the configuration’s ingress.webhookSecret.',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

// The configuration of a stack over the sandbox's apps, for the tests and benchmarks that differ
// only in which apps, at what rate, plus a section or two of their own: one place for the parts
// they share (Temporal, ingress, each app's URL and credentials, a birthright rule granting every
// app, no seat approvals). Secrets stay `${VAR}` references, resolved from the environment.

/** Each sandbox app's connection, as the sandbox serves it (src/sandbox/credentials.ts has the values). */
const APP_LINES = {
  generic: (base: string) => [
    '    kind: generic',
    `    baseUrl: "${base}/generic/scim/v2"`,
    '    auth: { type: bearer, token: "${SCIMFLOW_GENERIC_TOKEN}" }',
  ],
  jumpcloud: (base: string) => [
    '    kind: jumpcloud',
    `    baseUrl: "${base}/jumpcloud/scim/v2"`,
    '    auth: { type: apiKey, header: x-api-key, key: "${SCIMFLOW_JUMPCLOUD_TOKEN}" }',
  ],
  jostle: (base: string) => [
    '    kind: jostle',
    `    baseUrl: "${base}/jostle/scim/v2"`,
    '    auth: { type: bearer, token: "${SCIMFLOW_JOSTLE_TOKEN}" }',
  ],
} as const;

export type SandboxAppName = keyof typeof APP_LINES;

export interface SandboxConfigOptions {
  /** The sandbox's base URL, or `{{SANDBOX}}` for test/helpers/stack.ts to fill in. */
  sandbox: string;
  /** The apps, each with its rate limit (requests per second). */
  apps: Partial<Record<SandboxAppName, number>>;
  /** Temporal's address (default 127.0.0.1:7233; the stack replaces it with its own server's). */
  temporalAddress?: string;
  /** Further top-level sections, as YAML. */
  extra?: string;
}

export function sandboxConfig(opts: SandboxConfigOptions): string {
  const apps = Object.entries(opts.apps) as [SandboxAppName, number][];
  return [
    `temporal: { address: ${opts.temporalAddress ?? '127.0.0.1:7233'}, namespace: default, taskQueue: scimflow }`,
    'ingress: { host: 127.0.0.1, port: 8080, webhookSecret: "${SCIMFLOW_WEBHOOK_SECRET}" }',
    'apps:',
    ...apps.flatMap(([name, rps]) => [
      `  ${name}:`,
      ...APP_LINES[name](opts.sandbox),
      `    rateLimit: { requestsPerSecond: ${rps} }`,
    ]),
    'rules:',
    '  birthright:',
    '    - name: everyone',
    '      when: {}',
    `      grant: [${apps.map(([name]) => `{ app: ${name} }`).join(', ')}]`,
    'approvals:',
    ...apps.map(([name]) => `  ${name}: { required: false }`),
    (opts.extra ?? '').trim(),
    '',
  ].join('\n');
}

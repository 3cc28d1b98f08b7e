// Shared setup for connector contract tests: a sandbox on an ephemeral loopback port and
// connections to its apps with the development credentials.
import { createConnector, type AppConnection, type AppKind, type Connector, type ScimUser } from '../../src/connectors';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';

/** Member ids of a group as the sandbox app holds it: the test inspects the app, not the connector. */
export function groupMembers(sb: SandboxHandle, kind: AppKind, groupId: string): string[] {
  const g = sb
    .app(kind)
    .groups()
    .find((x) => x.id === groupId);
  return Array.isArray(g?.members) ? (g.members as { value: string }[]).map((m) => m.value) : [];
}

export async function startTestSandbox(): Promise<SandboxHandle> {
  return startSandbox({ port: 0 });
}

export function connection(sb: SandboxHandle, kind: AppKind, extra: Partial<AppConnection> = {}): AppConnection {
  const c = sb.credentials;
  const base = { name: `${kind}-test`, kind, timeouts: { connectMs: 2000, headersMs: 5000, bodyMs: 5000 } };
  switch (kind) {
    case 'generic':
      return { ...base, baseUrl: sb.app('generic').scimUrl, auth: { type: 'bearer', token: c.genericToken }, ...extra };
    case 'jasper':
      return { ...base, baseUrl: sb.app('jasper').scimUrl, auth: { type: 'bearer', token: c.jasperToken }, ...extra };
    case 'jumpcloud':
      return {
        ...base,
        baseUrl: sb.app('jumpcloud').scimUrl,
        auth: { type: 'apiKey', key: c.jumpcloudApiKey },
        ...extra,
      };
    case 'jostle':
      return { ...base, baseUrl: sb.app('jostle').scimUrl, auth: { type: 'bearer', token: c.jostleToken }, ...extra };
    case 'atlassian':
      return {
        ...base,
        baseUrl: `${sb.url}/atlassian`,
        auth: { type: 'bearer', token: c.atlassianToken },
        atlassian: {
          directoryId: c.atlassianDirectoryId,
          jsmBaseUrl: sb.atlassianRestUrl,
          restAuth: { type: 'basic', username: c.atlassianRestEmail, password: c.atlassianRestApiToken },
          serviceDeskId: '1',
        },
        ...extra,
      };
  }
}

export function connect(sb: SandboxHandle, kind: AppKind, extra: Partial<AppConnection> = {}): Connector {
  return createConnector(connection(sb, kind, extra));
}

let seq = 0;
/** A desired user with a unique email; `over` wins. */
export function person(over: Partial<ScimUser> = {}): ScimUser {
  seq += 1;
  const email = `person${seq}.${Date.now().toString(36)}@example.com`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: email,
    externalId: `hr-${seq}-${Date.now().toString(36)}`,
    name: { givenName: 'Test', familyName: `Person${seq}` },
    displayName: `Test Person${seq}`,
    emails: [{ value: email, type: 'work', primary: true }],
    active: true,
    ...over,
  };
}

/** Runs `fn` and returns the rejection; fails the test if it resolves. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * The per-app contract suites' shared setup: one sandbox per file, the app reset and a fresh
 * connector before each test. `bind` hands both to the suite's own variables.
 */
export function useAppContract(kind: AppKind, bind: (sb: SandboxHandle, conn: Connector) => void): void {
  let sb: SandboxHandle | undefined;
  let conn: Connector | undefined;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(() => {
    sb!.app(kind).reset();
    conn = connect(sb!, kind);
    bind(sb!, conn);
  });
  afterEach(async () => {
    await conn?.close();
  });
}

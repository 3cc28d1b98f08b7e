// The sandbox HTTP server: every emulated app under its own prefix on one port, plus /_admin.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { APP_SPECS, SANDBOX_APPS, type SandboxAppName } from './apps';
import { AtlassianRest, type AtlassianAccount } from './atlassian-rest';
import { AppControls, type Knobs, type LoggedRequest } from './controls';
import { DEV_CREDENTIALS, type SandboxCredentials } from './credentials';
import { scimError, type SandboxResult } from './result';
import { ScimApp } from './scim-app';
import { loadSnapshot, SnapshotWriter, type SandboxSnapshot } from './snapshot';
import type { Resource } from './store';

export interface SandboxOptions {
  /** Default 127.0.0.1: the sandbox holds no real data but must never face a network. */
  host?: string;
  /** Default 7100; 0 picks a free port (tests). */
  port?: number;
  credentials?: Partial<SandboxCredentials>;
  /** Load state from / persist state to this JSON file. */
  snapshotFile?: string;
  /** Requests each app keeps in its log (GET /_admin/<app>/requests); default 2000. Counts cover all. */
  requestLogLimit?: number;
  /** true = fastify's pino logger at info; or a pino-compatible logger. Default: silent. */
  logger?: boolean | FastifyBaseLogger;
}

/** Test and admin access to one emulated app. */
export interface SandboxApp {
  readonly name: SandboxAppName;
  /** Absolute SCIM base URL of the app. */
  readonly scimUrl: string;
  readonly scim: ScimApp;
  readonly controls: AppControls;
  users(): Resource[];
  groups(): Resource[];
  seats(): { consumed: number; active: number };
  requests(): LoggedRequest[];
  setKnobs(patch: Partial<Knobs>): Knobs;
  reset(): void;
}

export interface SandboxHandle {
  /** Server root, e.g. `http://127.0.0.1:7100`. */
  readonly url: string;
  readonly credentials: Readonly<SandboxCredentials>;
  app(name: SandboxAppName): SandboxApp;
  /** Atlassian Jira/JSM REST emulation (customers, service desks, groups). */
  readonly atlassianRest: AtlassianRest;
  /** Base URL for the Atlassian REST APIs (`…/atlassian`; paths start with /rest). */
  readonly atlassianRestUrl: string;
  close(): Promise<void>;
}

const SCIM_PREFIX: Record<Exclude<SandboxAppName, 'atlassian'>, string> = {
  generic: '/generic/scim/v2',
  jasper: '/jasper/scim/v2',
  jumpcloud: '/jumpcloud/scim/v2',
  jostle: '/jostle/scim/v2',
};

type RawRequest = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

/** The credential a request carried, as an echoing app would quote it (knob `echoCredentials`). */
function credentialOf(req: RawRequest): string {
  const h = req.headers.authorization ?? req.headers['x-api-key'];
  return (Array.isArray(h) ? h.join(',') : h) ?? 'none';
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = opts.host ?? '127.0.0.1';
  const creds: SandboxCredentials = { ...DEV_CREDENTIALS, ...opts.credentials };
  let origin = '';
  const scimPath = (name: SandboxAppName): string =>
    name === 'atlassian'
      ? `/atlassian/scim/directory/${encodeURIComponent(creds.atlassianDirectoryId)}`
      : SCIM_PREFIX[name];

  const secrets: Record<SandboxAppName, string> = {
    generic: creds.genericToken,
    jasper: creds.jasperToken,
    jumpcloud: creds.jumpcloudApiKey,
    atlassian: creds.atlassianToken,
    jostle: creds.jostleToken,
  };
  const apps = new Map<SandboxAppName, { scim: ScimApp; controls: AppControls }>();
  for (const name of SANDBOX_APPS) {
    const controls = new AppControls(opts.requestLogLimit);
    apps.set(name, {
      scim: new ScimApp(
        APP_SPECS[name],
        secrets[name],
        () => `${origin}${scimPath(name)}`,
        () => controls.knobs,
      ),
      controls,
    });
  }
  const get = (name: SandboxAppName): { scim: ScimApp; controls: AppControls } => apps.get(name)!;
  const rest = new AtlassianRest(get('atlassian').scim, {
    email: creds.atlassianRestEmail,
    apiToken: creds.atlassianRestApiToken,
  });

  const collect = (): SandboxSnapshot => ({
    version: 1,
    apps: Object.fromEntries(SANDBOX_APPS.map((n) => [n, get(n).scim.state()])),
    atlassianRest: rest.state(),
  });
  let writer: SnapshotWriter | undefined;
  if (opts.snapshotFile) {
    const snap = loadSnapshot(opts.snapshotFile);
    if (snap) {
      for (const n of SANDBOX_APPS) {
        const s = snap.apps[n];
        if (s) get(n).scim.restore(s);
      }
      if (snap.atlassianRest) rest.restore(snap.atlassianRest);
    }
    writer = new SnapshotWriter(opts.snapshotFile, collect);
    for (const n of SANDBOX_APPS) get(n).scim.onWrite = () => writer!.schedule();
    rest.onWrite = () => writer!.schedule();
  }

  const app = Fastify({
    ...(typeof opts.logger === 'object'
      ? { loggerInstance: opts.logger }
      : {
          logger: opts.logger === true ? { redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] } : false,
        }),
    // Jostle Bulk accepts 20 MB (Jostle page "Bulk Operation"); the per-app limit is enforced in the handler.
    bodyLimit: 25 * 1024 * 1024,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const send = (reply: FastifyReply, result: SandboxResult): FastifyReply => {
    reply.code(result.status);
    if (result.headers) reply.headers(result.headers);
    if (result.body === undefined) return reply.send();
    return reply.send(JSON.stringify(result.body));
  };

  /** Knobs, request log and commit-then-drop around one app's handler. */
  const serve = async (
    name: SandboxAppName,
    req: RawRequest,
    reply: FastifyReply,
    handler: (body: unknown, size: number) => SandboxResult,
    shape: (status: number, detail: string) => SandboxResult,
    /** A SCIM write to /Groups (groupWriteFailures applies). */
    groupWrite = false,
  ): Promise<FastifyReply | undefined> => {
    const { controls } = get(name);
    const entry: LoggedRequest = { at: new Date().toISOString(), method: req.method, url: req.url, status: 0 };
    controls.record(entry);
    try {
      return await serveInner(req, reply, handler, shape, groupWrite, controls, entry);
    } finally {
      controls.count(entry);
    }
  };
  const serveInner = async (
    req: RawRequest,
    reply: FastifyReply,
    handler: (body: unknown, size: number) => SandboxResult,
    shape: (status: number, detail: string) => SandboxResult,
    groupWrite: boolean,
    controls: AppControls,
    entry: LoggedRequest,
  ): Promise<FastifyReply | undefined> => {
    await controls.delay();
    if (controls.knobs.latencyMs > 0) entry.fault = `delayed ${controls.knobs.latencyMs}ms`;
    const verdict = controls.admit();
    if (verdict.kind === 'reject') {
      entry.status = verdict.status;
      entry.fault = verdict.fault;
      const res = shape(
        verdict.status,
        controls.knobs.echoCredentials
          ? `${verdict.detail} (request credential: ${credentialOf(req)})`
          : verdict.detail,
      );
      if (verdict.retryAfter !== undefined) res.headers = { ...res.headers, 'retry-after': verdict.retryAfter };
      return send(reply, res);
    }
    const groupFailure = groupWrite ? controls.takeGroupWriteFailure() : undefined;
    if (groupFailure !== undefined) {
      entry.status = groupFailure;
      entry.fault = 'group write failed';
      return send(reply, shape(groupFailure, 'Injected group write failure'));
    }
    const raw = req.body instanceof Buffer ? req.body : undefined;
    let body: unknown;
    if (raw && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        entry.status = 400;
        return send(reply, shape(400, 'Request body is not valid JSON'));
      }
    }
    const result = handler(body, raw?.length ?? 0);
    entry.status = result.status;
    if (result.status < 400 && req.method !== 'GET' && controls.takeDrop(req.method)) {
      // The write is committed; the client never hears about it (a lost response).
      entry.fault = 'dropped after commit';
      reply.hijack();
      req.raw.socket.destroy();
      return undefined;
    }
    return send(reply, result);
  };

  const scimShape =
    (name: SandboxAppName) =>
    (status: number, detail: string): SandboxResult => {
      const res = scimError(status, detail);
      return {
        ...res,
        headers: {
          'content-type':
            APP_SPECS[name].responseType === 'application/json'
              ? 'application/json; charset=utf-8'
              : 'application/scim+json; charset=utf-8',
        },
      };
    };
  const restShape = (status: number, detail: string): SandboxResult => ({
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: { errorMessages: [detail], errors: {} },
  });

  for (const name of SANDBOX_APPS) {
    const prefix = name === 'atlassian' ? '/atlassian/scim/directory/:directoryId' : SCIM_PREFIX[name];
    app.all(`${prefix}/*`, async (req: RawRequest, reply) => {
      if (name === 'atlassian' && req.params.directoryId !== creds.atlassianDirectoryId) {
        return send(reply, scimShape(name)(404, `Directory ${req.params.directoryId} not found`));
      }
      const path = `/${req.params['*'] ?? ''}`;
      const groupWrite = req.method !== 'GET' && /^\/Groups(\/|$)/.test(path);
      return serve(
        name,
        req,
        reply,
        (body, size) =>
          get(name).scim.handle({
            method: req.method,
            path,
            query: req.query,
            headers: req.headers,
            body,
            bodySize: size,
          }),
        scimShape(name),
        groupWrite,
      );
    });
  }
  app.all('/atlassian/rest/*', async (req: RawRequest, reply) =>
    serve(
      'atlassian',
      req,
      reply,
      (body) =>
        rest.handle({
          method: req.method,
          path: `/${req.params['*'] ?? ''}`,
          query: req.query,
          headers: req.headers,
          body,
        }),
      restShape,
    ),
  );

  registerAdmin(app, {
    apps: (n) => appHandle(n),
    names: SANDBOX_APPS,
    rest,
    resetAll: () => SANDBOX_APPS.forEach((n) => appHandle(n).reset()),
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.setNotFoundHandler((req, reply) =>
    send(reply, {
      ...scimError(404, `No route for ${req.method} ${req.url.split('?')[0]}`),
      headers: { 'content-type': 'application/scim+json' },
    }),
  );
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    // RFC 7644 §3.7.4 / §3.12: a too-large payload answers 413 with a SCIM error.
    return send(reply, {
      ...scimError(status, status === 500 ? 'Internal server error' : (err.message ?? 'Error')),
      headers: { 'content-type': 'application/scim+json' },
    });
  });

  const address = await app.listen({ host, port: opts.port ?? 7100 });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : new URL(address).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const handles = new Map<SandboxAppName, SandboxApp>();
  function appHandle(name: SandboxAppName): SandboxApp {
    const existing = handles.get(name);
    if (existing) return existing;
    const { scim, controls } = get(name);
    const h: SandboxApp = {
      name,
      get scimUrl() {
        return `${origin}${scimPath(name)}`;
      },
      scim,
      controls,
      users: () => {
        const membership = scim.membershipIndex();
        return scim.users.all().map((r) => scim.present(r, membership) as Resource);
      },
      groups: () => scim.groups.all().map((r) => scim.present(r) as Resource),
      seats: () => ({
        consumed: name === 'atlassian' ? rest.seats() : scim.seatsConsumed,
        active: name === 'atlassian' ? rest.seats() : scim.users.all().filter((u) => u.active !== false).length,
      }),
      requests: () => [...controls.log],
      setKnobs: (patch) => controls.setKnobs(patch),
      reset: () => {
        scim.reset();
        controls.reset();
        if (name === 'atlassian') rest.reset();
        writer?.schedule();
      },
    };
    handles.set(name, h);
    return h;
  }

  return {
    url: origin,
    credentials: creds,
    app: appHandle,
    atlassianRest: rest,
    atlassianRestUrl: `${origin}/atlassian`,
    async close() {
      await app.close();
      await writer?.flush();
    },
  };
}

interface AdminDeps {
  apps: (name: SandboxAppName) => SandboxApp;
  names: readonly SandboxAppName[];
  rest: AtlassianRest;
  resetAll: () => void;
}

/** /_admin: inspection and knobs for tests, demos and benchmarks. No auth: loopback only. */
function registerAdmin(app: FastifyInstance, deps: AdminDeps): void {
  const known = (name: string): name is SandboxAppName => (deps.names as readonly string[]).includes(name);
  const parse = (req: FastifyRequest): Record<string, unknown> => {
    const raw = req.body instanceof Buffer && req.body.length > 0 ? req.body.toString('utf8') : '{}';
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  };
  app.get('/_admin', async () => ({
    apps: deps.names.map((n) => ({
      name: n,
      scimUrl: deps.apps(n).scimUrl,
      users: deps.apps(n).scim.users.size,
      groups: deps.apps(n).scim.groups.size,
    })),
  }));
  app.post('/_admin/reset', async (_req, reply) => {
    deps.resetAll();
    return reply.code(204).send();
  });
  app.get<{ Params: { app: string; what: string } }>('/_admin/:app/:what', async (req, reply) => {
    const { app: name, what } = req.params;
    if (!known(name)) return reply.code(404).send({ error: `unknown app ${name}` });
    const a = deps.apps(name);
    switch (what) {
      case 'users':
        return a.users();
      case 'groups':
        return a.groups();
      case 'seats':
        return a.seats();
      case 'requests':
        return a.requests();
      case 'counts':
        return a.controls.counts;
      case 'knobs':
        return a.controls.knobs;
      case 'invitations':
        return a.scim.invitations;
      case 'customers':
        if (name === 'atlassian')
          return deps.rest.allAccounts().filter((x: AtlassianAccount) => x.accountType === 'customer');
        break;
      case 'servicedesks':
        if (name === 'atlassian') return deps.rest.state().serviceDesks;
        break;
    }
    return reply.code(404).send({ error: `unknown admin resource ${what}` });
  });
  // Empties the request log and counts only (state and knobs stay): a measurement starts afresh.
  app.post<{ Params: { app: string } }>('/_admin/:app/requests/reset', async (req, reply) => {
    if (!known(req.params.app)) return reply.code(404).send({ error: `unknown app ${req.params.app}` });
    deps.apps(req.params.app).controls.resetRequests();
    return reply.code(204).send();
  });
  app.post<{ Params: { app: string } }>('/_admin/:app/reset', async (req, reply) => {
    if (!known(req.params.app)) return reply.code(404).send({ error: `unknown app ${req.params.app}` });
    deps.apps(req.params.app).reset();
    return reply.code(204).send();
  });
  const setKnobs = async (req: FastifyRequest<{ Params: { app: string } }>, reply: FastifyReply) => {
    if (!known(req.params.app)) return reply.code(404).send({ error: `unknown app ${req.params.app}` });
    const patch = parse(req);
    const problem = knobProblem(patch);
    if (problem) return reply.code(400).send({ error: problem });
    return deps.apps(req.params.app).setKnobs(patch as Partial<Knobs>);
  };
  app.put('/_admin/:app/knobs', setKnobs);
  app.patch('/_admin/:app/knobs', setKnobs);
  app.post('/_admin/:app/knobs', setKnobs);
}

/** Checks the shape of the knobs that a wrong type would silently turn into odd behaviour. */
function knobProblem(patch: Record<string, unknown>): string | undefined {
  if ('allowDuplicateGroupNames' in patch && typeof patch.allowDuplicateGroupNames !== 'boolean')
    return 'allowDuplicateGroupNames must be a boolean';
  if ('echoCredentials' in patch && typeof patch.echoCredentials !== 'boolean')
    return 'echoCredentials must be a boolean';
  if ('groupWriteFailures' in patch && patch.groupWriteFailures !== null) {
    const f = patch.groupWriteFailures as { status?: unknown; count?: unknown } | undefined;
    if (typeof f !== 'object' || f === null) return 'groupWriteFailures must be { status, count? } or null';
    if (typeof f.status !== 'number' || !Number.isInteger(f.status) || f.status < 400 || f.status > 599)
      return 'groupWriteFailures.status must be an HTTP error status (400-599)';
    if (f.count !== undefined && (typeof f.count !== 'number' || !Number.isInteger(f.count) || f.count < 0))
      return 'groupWriteFailures.count must be a non-negative integer';
  }
  return undefined;
}

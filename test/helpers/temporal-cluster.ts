// A real Temporal server (not the dev server): `temporal-server` v1.29.1 built from the Go module
// registry by scripts/ensure-temporal-server.mjs into .temporal/cluster-bin/temporal-server, on in-memory
// SQLite, with its default JWT authorizer and claim mapper reading keys from a JWKS endpoint this
// helper serves. JWTs are signed here (RS256 with node:crypto), with `permissions` such as
// ["default:worker"] — the default claim mapper's `<namespace>:<role>` (system: temporal-system).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOpen } from '../../src/dev/temporal-server';
import { freePort } from './cli';

export const TEMPORAL_SERVER =
  process.env.TEMPORAL_SERVER_PATH ?? join(__dirname, '..', '..', '.temporal', 'cluster-bin', 'temporal-server');

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class JwtIssuer {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.kid = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 16);
  }
  /** An RS256 JWT: header {alg, typ, kid}, claims {sub, permissions, iat, exp}. */
  token(sub: string, permissions: string[], ttlSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const body = b64url(JSON.stringify({ sub, permissions, iat: now, exp: now + ttlSeconds }));
    const sig = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), this.privateKey);
    return `${head}.${body}.${b64url(sig)}`;
  }
  jwks(): { keys: object[] } {
    return {
      keys: [{ ...(this.publicKey.export({ format: 'jwk' }) as object), kid: this.kid, alg: 'RS256', use: 'sig' }],
    };
  }
}

export interface TemporalCluster {
  address: string;
  issuer: JwtIssuer;
  /** A token with system admin rights (namespace registration). */
  adminToken: string;
  stop(): Promise<void>;
}

function serverConfig(p: Record<string, number>, jwksUrl: string, dynamicConfig: string): string {
  const store = (name: string) => `    ${name}:
      sql:
        pluginName: sqlite
        databaseName: default
        connectAddr: localhost
        connectProtocol: tcp
        connectAttributes: { mode: memory, cache: private }
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: 1h`;
  const svc = (name: string, grpc: number, membership: number, http?: number) =>
    `  ${name}:\n    rpc: { grpcPort: ${grpc}, membershipPort: ${membership}, bindOnLocalHost: true${http ? `, httpPort: ${http}` : ''} }`;
  return `log:
  stdout: true
  level: error
persistence:
  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  numHistoryShards: 1
  datastores:
${store('sqlite-default')}
${store('sqlite-visibility')}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  authorization:
    jwtKeyProvider:
      keySourceURIs: ["${jwksUrl}"]
      refreshInterval: 1m
    permissionsClaimName: permissions
    authorizer: default
    claimMapper: default
services:
${svc('frontend', p.frontend!, p.frontendMembership!, p.frontendHttp!)}
${svc('internal-frontend', p.internal!, p.internalMembership!, p.internalHttp!)}
${svc('matching', p.matching!, p.matchingMembership!)}
${svc('history', p.history!, p.historyMembership!)}
${svc('worker', p.worker!, p.workerMembership!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${p.frontend}
      httpAddress: 127.0.0.1:${p.frontendHttp}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${dynamicConfig}
  pollInterval: 10s
`;
}

/**
 * Starts the server (its internal services reach each other through the internal frontend, which
 * needs no token; the public frontend demands one), and the JWKS endpoint it reads keys from.
 */
export async function startTemporalCluster(opts: { onOutput?: (line: string) => void } = {}): Promise<TemporalCluster> {
  if (!existsSync(TEMPORAL_SERVER)) {
    throw new Error(
      `temporal-server not found at ${TEMPORAL_SERVER}: run \`node scripts/ensure-temporal-server.mjs\` (builds v1.29.1 with Go) or set TEMPORAL_SERVER_PATH`,
    );
  }
  const issuer = new JwtIssuer();
  const jwks: Server = createServer((req, res) => {
    if (req.url === '/jwks.json')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks()));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  const names = [
    'frontend',
    'frontendMembership',
    'frontendHttp',
    'internal',
    'internalMembership',
    'internalHttp',
    'matching',
    'matchingMembership',
    'history',
    'historyMembership',
    'worker',
    'workerMembership',
  ];
  const ports: Record<string, number> = {};
  const taken = new Set<number>();
  for (const n of names) {
    let p = await freePort();
    while (taken.has(p)) p = await freePort();
    taken.add(p);
    ports[n] = p;
  }
  const root = mkdtempSync(join(tmpdir(), 'scimflow-cluster-'));
  mkdirSync(join(root, 'config'));
  writeFileSync(
    join(root, 'config', 'auth.yaml'),
    serverConfig(ports, jwksUrl, join(root, 'config', 'dynamicconfig.yaml')),
  );
  // Search attributes are usable at once after registration; the namespace cache refreshes fast.
  writeFileSync(
    join(root, 'config', 'dynamicconfig.yaml'),
    'system.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n',
  );
  const child: ChildProcess = spawn(
    TEMPORAL_SERVER,
    [
      '--root',
      root,
      '--config',
      'config',
      '--env',
      'auth',
      'start',
      ...['frontend', 'internal-frontend', 'history', 'matching', 'worker'].flatMap((s) => ['--service', s]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out: string[] = [];
  const collect = (b: Buffer) => {
    for (const line of b.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      out.push(line);
      if (out.length > 200) out.shift();
      opts.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((r) => jwks.close(() => r()));
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!(await portOpen('127.0.0.1', ports.frontend!))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`temporal-server did not start (exit ${child.exitCode}):\n${out.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${ports.frontend}`,
    issuer,
    adminToken: issuer.token('test-admin', ['temporal-system:admin', 'default:admin']),
    stop,
  };
}

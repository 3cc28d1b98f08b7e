// How every scimflow process talks to Temporal (docs/security.md): one `connectionOptions` (address,
// TLS / mTLS, API key or JWT) and one `dataConverter` (payload encryption, encoded failures) for
// the worker, the ingress, the CLI and the codec server alike.
import type { DataConverter } from '@temporalio/common';
import {
  resolveTemporalSecrets,
  type Env,
  type ReadSecretFile,
  type ScimflowConfig,
  type TemporalSecrets,
} from '../config';
import { EncryptionCodec, type KeyRing } from '../codec/encryption';

/** The part of a configuration these need (the CLI may have the temporal section only). */
export type TemporalAccessConfig = Pick<ScimflowConfig, 'source' | 'temporal'>;

export interface TemporalConnectionOptions {
  address: string;
  tls?:
    | boolean
    | { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

/** The failure converter's module, for DataConverter.failureConverterPath (and bundleWorkflowCode). */
export function failureConverterPath(): string {
  return require.resolve('../codec/failure-converter');
}

/** Resolves one half of temporal's secrets: the payload keys, or what the connection needs. */
function secretsOf(
  config: TemporalAccessConfig,
  env: Env,
  readFile: ReadSecretFile | undefined,
  part: 'keys' | 'connection',
): TemporalSecrets {
  const { encryption, tls, apiKey, ...rest } = config.temporal;
  const temporal =
    part === 'keys'
      ? { ...rest, ...(encryption ? { encryption } : {}) }
      : { ...rest, ...(tls !== undefined ? { tls } : {}), ...(apiKey ? { apiKey } : {}) };
  return resolveTemporalSecrets({ ...config, temporal } as ScimflowConfig, env, readFile);
}

/** The key ring of `temporal.encryption`, or undefined when payloads are not encrypted. */
export function keyRing(
  config: TemporalAccessConfig,
  env: Env = process.env,
  readFile?: ReadSecretFile,
): KeyRing | undefined {
  const e = secretsOf(config, env, readFile, 'keys').encryption;
  return e && { current: e.current, keys: e.keys, acceptUnencrypted: e.acceptUnencrypted };
}

/**
 * The DataConverter for every Client and Worker: with `temporal.encryption`, AES-256-GCM over every
 * payload and failures whose message and stack trace are encrypted too; without, Temporal's default.
 * Throws ConfigError when a key does not resolve or is not 32 bytes.
 */
export function dataConverter(
  config: TemporalAccessConfig,
  env: Env = process.env,
  readFile?: ReadSecretFile,
): DataConverter {
  const ring = keyRing(config, env, readFile);
  // Without keys failures stay readable in the UI; with keys their messages travel in the encoded
  // attributes, which the codec encrypts. Either converter decodes both forms, so a bundle built
  // with the other choice (the prebuilt one encodes) only changes how new failures are written.
  if (!ring) return {};
  return { payloadCodecs: [new EncryptionCodec(ring)], failureConverterPath: failureConverterPath() };
}

/**
 * Connection options for `Connection.connect` / `NativeConnection.connect`: the address
 * (TEMPORAL_ADDRESS overrides the file), TLS from temporal.tls, and temporal.apiKey, sent as
 * `Authorization: Bearer …` (a Temporal Cloud API key, or a JWT for the server's authorizer).
 */
export function connectionOptions(
  config: TemporalAccessConfig,
  env: Env = process.env,
  readFile?: ReadSecretFile,
): TemporalConnectionOptions {
  const s = secretsOf(config, env, readFile, 'connection');
  const out: TemporalConnectionOptions = { address: env.TEMPORAL_ADDRESS || config.temporal.address };
  if (s.apiKey !== undefined) out.apiKey = s.apiKey;
  if (typeof s.tls === 'boolean') out.tls = s.tls;
  else if (s.tls) {
    const tls: Exclude<TemporalConnectionOptions['tls'], boolean | undefined> = {};
    if (s.tls.serverName) tls.serverNameOverride = s.tls.serverName;
    if (s.tls.ca) tls.serverRootCACertificate = s.tls.ca;
    if (s.tls.cert && s.tls.key) tls.clientCertPair = { crt: s.tls.cert, key: s.tls.key };
    out.tls = tls;
  }
  return out;
}

/** The namespace (TEMPORAL_NAMESPACE overrides the file). */
export function namespaceOf(config: TemporalAccessConfig, env: Env = process.env): string {
  return env.TEMPORAL_NAMESPACE || config.temporal.namespace;
}

/** One line for start-up logs: what protects the connection and the payloads (no secret values). */
export function describeTemporalAccess(config: TemporalAccessConfig): { tls: string; auth: string; payloads: string } {
  const t = config.temporal;
  return {
    tls:
      t.tls === false
        ? 'off'
        : typeof t.tls === 'object'
          ? t.tls.cert
            ? 'mTLS'
            : 'TLS'
          : t.tls === true || t.apiKey
            ? 'TLS'
            : 'off',
    auth: t.apiKey ? 'api key / JWT' : 'none',
    payloads: t.encryption
      ? `AES-256-GCM (current key ${t.encryption.current}; ${t.encryption.keys.length} key(s))`
      : 'NOT ENCRYPTED (set temporal.encryption)',
  };
}

/** The ids of configured keys that are the public development key (a production process warns). */
export function developmentKeyIds(
  config: TemporalAccessConfig,
  devKeyBase64: string,
  env: Env = process.env,
): string[] {
  const ring = config.temporal.encryption ? keyRing(config, env) : undefined;
  if (!ring) return [];
  const dev = Buffer.from(devKeyBase64, 'base64');
  return [...ring.keys].filter(([, k]) => k.equals(dev)).map(([id]) => id);
}

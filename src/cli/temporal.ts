// Temporal client helpers shared by the CLI commands and the processes: every Client is built here,
// with the configuration's connection options (TLS, API key / JWT) and data converter (payload
// encryption) — src/temporal/options.ts.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Env, ScimflowConfig } from '../config';
import { connectionOptions, dataConverter, type TemporalConnectionOptions } from '../temporal/options';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export function temporalTarget(config?: { temporal: { address: string; namespace: string } }): TemporalTarget {
  return {
    address: process.env.TEMPORAL_ADDRESS ?? config?.temporal.address ?? 'localhost:7233',
    namespace: process.env.TEMPORAL_NAMESPACE ?? config?.temporal.namespace ?? 'default',
  };
}

/** What a client needs besides the target: TLS and API key, and the data converter. */
export interface TemporalAccess {
  connection: Omit<TemporalConnectionOptions, 'address'>;
  dataConverter: DataConverter;
}

/** The configuration's TLS / API key and data converter (resolving their secrets from `env`). */
export function temporalAccess(
  config: Pick<ScimflowConfig, 'source' | 'temporal'>,
  env: Env = process.env,
): TemporalAccess {
  const { address: _address, ...connection } = connectionOptions(config, env);
  return { connection, dataConverter: dataConverter(config, env) };
}

/** Temporal could not be reached: says where it was looked for (exit 1, docs/operations.md). */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
  constructor(
    readonly target: TemporalTarget,
    cause: unknown,
  ) {
    super(
      `cannot reach Temporal at ${target.address} (namespace ${target.namespace}): ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Is it running (`npm start`)? The address comes from TEMPORAL_ADDRESS, else the configuration’s temporal.address.',
      { cause },
    );
  }
}

export async function connectClient(
  target: TemporalTarget,
  access: TemporalAccess | undefined,
): Promise<{ client: Client; close(): Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...access?.connection,
      address: target.address,
      connectTimeout: '5 seconds',
    });
  } catch (err) {
    throw new TemporalUnreachableError(target, err);
  }
  return {
    client: new Client({
      connection,
      namespace: target.namespace,
      ...(access ? { dataConverter: access.dataConverter } : {}),
    }),
    close: () => connection.close(),
  };
}

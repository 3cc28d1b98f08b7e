// Temporal client helpers shared by the CLI commands.
import { Client, Connection } from '@temporalio/client';

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

export async function connectClient(target: TemporalTarget): Promise<{ client: Client; close(): Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: target.address, connectTimeout: '5 seconds' });
  } catch (err) {
    throw new TemporalUnreachableError(target, err);
  }
  return { client: new Client({ connection, namespace: target.namespace }), close: () => connection.close() };
}

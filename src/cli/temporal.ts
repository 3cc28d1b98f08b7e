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

export async function connectClient(target: TemporalTarget): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: target.address, connectTimeout: '5 seconds' });
  return { client: new Client({ connection, namespace: target.namespace }), close: () => connection.close() };
}

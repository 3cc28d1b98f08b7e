// The determinism guard: every history a suite recorded, replayed against the current workflow
// code — and, on the way, proof that no credential reached any workflow input, signal or result.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Stack } from './stack';
import { TEST_ENV } from './stack';
import { workflowBundle } from './temporal';

/** Replays every identity and group workflow run the stack's server holds; returns how many. */
export async function replayEverything(stack: Stack, extraSecrets: string[] = []): Promise<number> {
  const histories = [];
  for await (const wf of stack.client.workflow.list({
    query: `WorkflowType IN ('identityWorkflow', 'groupWorkflow')`,
  })) {
    histories.push({
      workflowId: wf.workflowId,
      history: await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
    });
  }
  // Secrets stay in the worker: no credential appears anywhere in any recorded history. Payloads
  // arrive encrypted and base64-encoded (or as bytes): search them decrypted and decoded, or the
  // search would see nothing.
  const decoded = await decodePayloadsIn(structuredClone(histories), stack.dataConverter.payloadCodecs ?? []);
  const everything = JSON.stringify(decoded, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
    if (key === 'data' && typeof value === 'string' && /^[A-Za-z0-9+/]+=*$/.test(value) && value.length % 4 === 0) {
      return Buffer.from(value, 'base64').toString('utf8');
    }
    return value;
  });
  // The payloads really were read (an event id is in every identity workflow's signals).
  expect(everything.includes('evt-hire-')).toBe(true);
  const leaked = [...Object.values(TEST_ENV), ...extraSecrets].filter(
    (secret) => everything.includes(secret) || everything.includes(Buffer.from(secret).toString('base64')),
  );
  expect(leaked).toEqual([]);
  const results = [];
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle(), dataConverter: stack.dataConverter },
    histories,
  ))
    results.push(r);
  expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`)).toEqual([]);
  expect(results).toHaveLength(histories.length);
  return histories.length;
}

function isPayload(v: unknown): v is Payload {
  return (
    typeof v === 'object' && v !== null && 'metadata' in v && 'data' in v && typeof (v as Payload).metadata === 'object'
  );
}

/** Every Payload anywhere in `value`, replaced in place by what the codecs decode it to. */
async function decodePayloadsIn<T>(value: T, codecs: PayloadCodec[]): Promise<T> {
  if (!codecs.length || typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (isPayload(v)) {
      // Search attributes are never encoded: a codec that refuses clear payloads leaves them be.
      let out = [v];
      try {
        for (const c of [...codecs].reverse()) out = await c.decode(out);
      } catch {
        out = [v];
      }
      obj[k] = out[0];
    } else if (typeof v === 'object' && v !== null) {
      await decodePayloadsIn(v, codecs);
    }
  }
  return value;
}

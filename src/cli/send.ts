// `scimflow send <event.json>`: signs an event like the HR system would and posts it to the ingress.
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { sign } from '../ingress/signature';

export interface SendOptions {
  url: string;
  secret: string;
}

export async function sendEvent(file: string, opts: SendOptions): Promise<{ status: number; body: unknown }> {
  const raw = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  const body = raw.trim();
  const header = sign(opts.secret, body, Math.floor(Date.now() / 1000));
  const res = await request(opts.url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-scimflow-signature': header },
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.statusCode, body: parsed };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

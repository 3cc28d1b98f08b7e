// A tiny node:http server whose every answer the test scripts: for responses no well-behaved
// SCIM server would send (wrong media type, truncated, oversized, reset, hanging).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RawHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface RawServer {
  url: string;
  /** Every request seen, with its headers (to check what the client sent). */
  seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  handle(h: RawHandler): void;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  let handler: RawHandler = (_req, res) => {
    res.writeHead(500).end();
  };
  const seen: RawServer['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    handle(h) {
      handler = h;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function scimJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/scim+json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    })
    .end(text);
}

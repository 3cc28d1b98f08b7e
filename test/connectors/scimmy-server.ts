// An independent SCIM 2.0 service provider for the generic connector: SCIMMY + SCIMMY Routers
// (express) with an in-memory store, so the connector is not tuned only to our own sandbox.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export const SCIMMY_TOKEN = 'scimmy-test-token';

type Stored = Record<string, unknown> & { id: string };

export interface ScimmyServer {
  /** SCIM base URL, e.g. http://127.0.0.1:1234/scim */
  url: string;
  users: Map<string, Stored>;
  groups: Map<string, Stored>;
  close(): Promise<void>;
}

function plain(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
}

function declare(
  resource: typeof SCIMMY.Resources.User | typeof SCIMMY.Resources.Group,
  store: Map<string, Stored>,
  uniqueKey: 'userName' | 'displayName',
): void {
  const res = SCIMMY.Resources.declare(resource) as unknown as {
    ingress(h: (r: { id?: string }, instance: unknown) => unknown): typeof res;
    egress(h: (r: { id?: string; filter?: { match(v: unknown[]): unknown[] } }) => unknown): typeof res;
    degress(h: (r: { id?: string }) => void): typeof res;
  };
  res
    .ingress((r, instance) => {
      const data = plain(instance);
      const key = String(data[uniqueKey]).toLowerCase();
      for (const s of store.values()) {
        if (s.id !== r.id && String(s[uniqueKey]).toLowerCase() === key) {
          throw new SCIMMY.Types.Error(409, 'uniqueness', `${uniqueKey} ${String(data[uniqueKey])} already exists`);
        }
      }
      const now = new Date().toISOString();
      if (r.id) {
        const cur = store.get(r.id);
        if (!cur) throw new SCIMMY.Types.Error(404, null!, `Resource ${r.id} not found`);
        const next: Stored = { ...data, id: r.id, meta: { ...(cur.meta as object), lastModified: now } };
        store.set(r.id, next);
        return next;
      }
      const id = randomUUID();
      const created: Stored = { ...data, id, meta: { created: now, lastModified: now } };
      store.set(id, created);
      return created;
    })
    .egress((r) => {
      if (r.id) {
        const hit = store.get(r.id);
        if (!hit) throw new SCIMMY.Types.Error(404, null!, `Resource ${r.id} not found`);
        return hit;
      }
      const all = [...store.values()];
      return r.filter ? r.filter.match(all) : all;
    })
    .degress((r) => {
      if (!r.id || !store.delete(r.id)) throw new SCIMMY.Types.Error(404, null!, `Resource ${String(r.id)} not found`);
    });
}

export async function startScimmyServer(): Promise<ScimmyServer> {
  const users = new Map<string, Stored>();
  const groups = new Map<string, Stored>();
  declare(SCIMMY.Resources.User, users, 'userName');
  declare(SCIMMY.Resources.Group, groups, 'displayName');
  SCIMMY.Config.set({ patch: true, filter: true, sort: true, etag: false, bulk: false });
  const app = express();
  app.use(
    '/scim',
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://example.com/scim-auth',
      handler: (req: { header(name: string): string | undefined }) => {
        if (req.header('authorization') !== `Bearer ${SCIMMY_TOKEN}`) throw new Error('Authorization failed');
        return 'test-admin';
      },
    }) as unknown as express.Router,
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scim`,
    users,
    groups,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

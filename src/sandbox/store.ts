// In-memory resource store with RFC 7643 §3.1 `meta`: id (uuid), created/lastModified,
// version as a weak ETag `W/"n"` bumped on every write, location, resourceType.
import { randomUUID } from 'node:crypto';

export type Resource = Record<string, unknown> & { id: string; meta: ResourceMeta };

export interface ResourceMeta {
  resourceType: string;
  created: string;
  lastModified: string;
  location: string;
  version: string;
}

export interface StoreSnapshot {
  resources: Resource[];
  versions: Record<string, number>;
}

/** A derived key (a lower-cased userName, say) or none. */
export type IndexKey = (r: Resource) => string | undefined;

export class ResourceStore {
  private readonly items = new Map<string, Resource>();
  private readonly versions = new Map<string, number>();
  // Secondary indexes kept in step with every write: a uniqueness check per write was a scan of
  // every resource (a 100,000-account app, seeded, made that quadratic).
  private readonly indexes = new Map<string, { key: IndexKey; ids: Map<string, Set<string>> }>();

  constructor(
    readonly resourceType: string,
    /** Builds meta.location from the id; resolved lazily because the port is known only after listen. */
    private readonly locationOf: (id: string) => string,
  ) {}

  get size(): number {
    return this.items.size;
  }

  all(): Resource[] {
    return [...this.items.values()];
  }

  get(id: string): Resource | undefined {
    return this.items.get(id);
  }

  /** Keeps an index of the resources by `key` from now on (built from what is stored). */
  index(name: string, key: IndexKey): void {
    const ids = new Map<string, Set<string>>();
    this.indexes.set(name, { key, ids });
    for (const r of this.items.values()) this.indexed(r, 'add');
  }

  /** The resources whose `name` key is `value`, in no particular order. */
  lookup(name: string, value: string): Resource[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name} on ${this.resourceType}`);
    return [...(index.ids.get(value) ?? [])].map((id) => this.items.get(id)!);
  }

  private indexed(r: Resource, op: 'add' | 'remove'): void {
    for (const { key, ids } of this.indexes.values()) {
      const k = key(r);
      if (k === undefined) continue;
      const set = ids.get(k);
      if (op === 'add') ids.set(k, (set ?? new Set<string>()).add(r.id));
      else if (set) {
        set.delete(r.id);
        if (set.size === 0) ids.delete(k);
      }
    }
  }

  create(data: Record<string, unknown>, now = new Date()): Resource {
    const id = randomUUID();
    const at = now.toISOString();
    const resource = this.stamp(id, data, at, at, 1);
    this.items.set(id, resource);
    this.versions.set(id, 1);
    this.indexed(resource, 'add');
    return resource;
  }

  /** Stores a whole new state for an existing resource; keeps id and created. */
  replace(id: string, data: Record<string, unknown>, now = new Date()): Resource {
    const cur = this.items.get(id);
    if (!cur) throw new Error(`no ${this.resourceType} ${id}`);
    const version = (this.versions.get(id) ?? 1) + 1;
    const resource = this.stamp(id, data, cur.meta.created, now.toISOString(), version);
    this.indexed(cur, 'remove');
    this.items.set(id, resource);
    this.indexed(resource, 'add');
    this.versions.set(id, version);
    return resource;
  }

  delete(id: string): boolean {
    const cur = this.items.get(id);
    if (cur) this.indexed(cur, 'remove');
    this.versions.delete(id);
    return this.items.delete(id);
  }

  clear(): void {
    this.items.clear();
    this.versions.clear();
    for (const { ids } of this.indexes.values()) ids.clear();
  }

  snapshot(): StoreSnapshot {
    return { resources: this.all(), versions: Object.fromEntries(this.versions) };
  }

  restore(snap: StoreSnapshot): void {
    this.clear();
    for (const r of snap.resources) {
      this.items.set(r.id, r);
      this.versions.set(r.id, snap.versions[r.id] ?? 1);
      this.indexed(r, 'add');
    }
  }

  private stamp(
    id: string,
    data: Record<string, unknown>,
    created: string,
    lastModified: string,
    version: number,
  ): Resource {
    const { id: _id, meta: _meta, ...rest } = data;
    return {
      ...rest,
      id,
      meta: {
        resourceType: this.resourceType,
        created,
        lastModified,
        location: this.locationOf(id),
        version: `W/"${version}"`,
      },
    };
  }
}

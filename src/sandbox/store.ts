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

export class ResourceStore {
  private readonly items = new Map<string, Resource>();
  private readonly versions = new Map<string, number>();

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

  create(data: Record<string, unknown>, now = new Date()): Resource {
    const id = randomUUID();
    const at = now.toISOString();
    const resource = this.stamp(id, data, at, at, 1);
    this.items.set(id, resource);
    this.versions.set(id, 1);
    return resource;
  }

  /** Stores a whole new state for an existing resource; keeps id and created. */
  replace(id: string, data: Record<string, unknown>, now = new Date()): Resource {
    const cur = this.items.get(id);
    if (!cur) throw new Error(`no ${this.resourceType} ${id}`);
    const version = (this.versions.get(id) ?? 1) + 1;
    const resource = this.stamp(id, data, cur.meta.created, now.toISOString(), version);
    this.items.set(id, resource);
    this.versions.set(id, version);
    return resource;
  }

  delete(id: string): boolean {
    this.versions.delete(id);
    return this.items.delete(id);
  }

  clear(): void {
    this.items.clear();
    this.versions.clear();
  }

  snapshot(): StoreSnapshot {
    return { resources: this.all(), versions: Object.fromEntries(this.versions) };
  }

  restore(snap: StoreSnapshot): void {
    this.clear();
    for (const r of snap.resources) {
      this.items.set(r.id, r);
      this.versions.set(r.id, snap.versions[r.id] ?? 1);
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

// PATCH (RFC 7644 §3.5.2) for the sandbox apps. Delegates to the SCIM core's applyPatch once it
// is available; this module is the one place that decides how.
import { PATCH_OP_SCHEMA, fail } from './result';

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

/** Validates the PatchOp envelope (RFC 7644 §3.5.2) and returns its operations. */
export function readPatchOp(body: unknown): PatchOperation[] {
  if (typeof body !== 'object' || body === null) fail(400, 'PATCH body must be a PatchOp', 'invalidSyntax');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(PATCH_OP_SCHEMA)) fail(400, `PatchOp must declare schema ${PATCH_OP_SCHEMA}`, 'invalidSyntax');
  const ops = b.Operations;
  if (!Array.isArray(ops) || ops.length === 0) fail(400, 'PatchOp needs a non-empty "Operations" array', 'invalidSyntax');
  return ops.map((o: unknown) => {
    if (typeof o !== 'object' || o === null) fail(400, 'Each operation must be an object', 'invalidSyntax');
    const r = o as Record<string, unknown>;
    const op = typeof r.op === 'string' ? r.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') fail(400, `Unsupported op "${String(r.op)}"`, 'invalidSyntax');
    if (r.path !== undefined && typeof r.path !== 'string') fail(400, '"path" must be a string', 'invalidPath');
    if (op === 'remove' && r.path === undefined) fail(400, 'remove needs a "path"', 'noTarget');
    return { op, ...(r.path !== undefined ? { path: r.path as string } : {}), ...('value' in r ? { value: r.value } : {}) };
  });
}

type Obj = Record<string, unknown>;

/** Returns a new resource with the operations applied. */
export function applyPatchOps(resource: Obj, ops: readonly PatchOperation[]): Obj {
  let out: Obj = structuredClone(resource);
  for (const op of ops) out = applyOne(out, op);
  return out;
}

const VALUE_PATH = /^([\w:.$-]+?)\[\s*(\w+)\s+eq\s+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\](?:\.(\w+))?$/i;

function applyOne(res: Obj, op: PatchOperation): Obj {
  if (op.path === undefined) {
    if (typeof op.value !== 'object' || op.value === null || Array.isArray(op.value)) fail(400, 'Operation without path needs an object value', 'invalidValue');
    for (const [k, v] of Object.entries(op.value as Obj)) applyOne(res, { op: op.op, path: k, value: v });
    return res;
  }
  const vp = VALUE_PATH.exec(op.path);
  if (vp) {
    const [, attr, field, quoted, sub] = vp;
    const raw = quoted!;
    const wanted = raw.startsWith("'") ? raw.slice(1, -1) : (JSON.parse(raw) as string);
    const { parent, key } = locate(res, attr!, true);
    const list = Array.isArray(parent[key]) ? (parent[key] as Obj[]) : [];
    const matches = (item: Obj): boolean => String(item[field!]) === wanted;
    if (op.op === 'remove') {
      if (sub) {
        for (const item of list) if (matches(item)) delete item[sub];
      } else {
        parent[key] = list.filter((i) => !matches(i));
      }
    } else {
      const hit = list.filter(matches);
      if (hit.length === 0) fail(400, `No value matches ${op.path}`, 'noTarget');
      for (const item of hit) {
        if (sub) item[sub] = op.value;
        else Object.assign(item, op.value as Obj);
      }
    }
    return res;
  }
  const { parent, key } = locate(res, op.path, op.op !== 'remove');
  if (op.op === 'remove') {
    delete parent[key];
    return res;
  }
  const existing = parent[key];
  if (op.op === 'add' && Array.isArray(existing)) {
    const incoming = Array.isArray(op.value) ? op.value : [op.value];
    const seen = new Set(existing.map((e) => JSON.stringify(identity(e))));
    for (const v of incoming) if (!seen.has(JSON.stringify(identity(v)))) existing.push(v);
  } else if (op.op === 'add' && isObj(existing) && isObj(op.value)) {
    Object.assign(existing, op.value);
  } else {
    parent[key] = op.value;
  }
  return res;
}

function identity(v: unknown): unknown {
  return isObj(v) && 'value' in v ? v.value : v;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves `a`, `a.b` or `urn:…:User:a.b` to its parent object and key (case-insensitive names). */
function locate(res: Obj, path: string, create: boolean): { parent: Obj; key: string } {
  let parent = res;
  let rest = path;
  const urn = /^(urn:[^[\]]+):([^:]+)$/i.exec(path);
  if (urn && urn[1]!.toLowerCase() !== 'urn:ietf:params:scim:schemas:core:2.0:user' && urn[1]!.toLowerCase() !== 'urn:ietf:params:scim:schemas:core:2.0:group') {
    const ext = findKey(res, urn[1]!) ?? urn[1]!;
    if (!isObj(res[ext])) res[ext] = {};
    parent = res[ext] as Obj;
    rest = urn[2]!;
  } else if (urn) rest = urn[2]!;
  const segs = rest.split('.');
  for (let i = 0; i < segs.length - 1; i++) {
    const k = findKey(parent, segs[i]!) ?? segs[i]!;
    if (!isObj(parent[k])) {
      if (!create) return { parent: {}, key: segs[segs.length - 1]! };
      parent[k] = {};
    }
    parent = parent[k] as Obj;
  }
  const last = segs[segs.length - 1]!;
  return { parent, key: findKey(parent, last) ?? last };
}

function findKey(obj: Obj, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

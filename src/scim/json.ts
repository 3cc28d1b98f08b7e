/**
 * JSON helpers shared by patch application and generation. Resources are JSON documents, so a
 * structural copy of arrays and plain objects is a complete copy.
 */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJson(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (Object.prototype.hasOwnProperty.call(v, k)) out[k] = cloneJson((v as Record<string, unknown>)[k]);
  }
  return out as T;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Exact JSON equality (key order ignored, array order significant). Written for speed: it is the
 * first check on every attribute in generatePatch, and most attributes are unchanged.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    const bv = bo[k];
    if (bv === undefined && !(k in bo)) return false;
    if (!jsonEqual(ao[k], bv)) return false;
    n++;
  }
  for (const _k in bo) n--;
  return n === 0;
}

// Splitting group membership changes into requests of bounded size.
import { PATCH_OP_SCHEMA } from '../urns';
import { type PatchOp, type PatchOperation } from './types';

export interface ChunkOptions {
  /** Most member values one PatchOp may add or remove. */
  maxMembersPerOperation: number;
  /** Multi-valued attributes to split; default `["members"]`. */
  attributes?: readonly string[];
}

/**
 * Splits a PatchOp so that no request carries more than `maxMembersPerOperation` member changes
 * (service providers cap the size of group PATCH requests).
 * The first PatchOp keeps every other operation in its original position; a whole-list
 * `replace members` becomes a replace with the first chunk followed by adds, which leaves the same
 * final membership.
 */
export function chunkPatch(patch: PatchOp, options: ChunkOptions): PatchOp[] {
  const max = options.maxMembersPerOperation;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxMembersPerOperation must be a positive integer');
  const names = new Set((options.attributes ?? ['members']).map((a) => a.toLowerCase()));
  const isMemberPath = (p: string | undefined): boolean => {
    if (p === undefined) return false;
    const head = p.split('[')[0] ?? '';
    return names.has((head.split('.')[0] ?? '').toLowerCase());
  };
  const out: PatchOperation[][] = [[]];
  let count = 0;
  const room = (): number => {
    if (count >= max) {
      out.push([]);
      count = 0;
    }
    return max - count;
  };
  const last = (): PatchOperation[] => out[out.length - 1] as PatchOperation[];
  for (const op of patch.Operations) {
    if (!isMemberPath(op.path)) {
      (out[0] as PatchOperation[]).push(op);
      continue;
    }
    if (op.op === 'remove' || !Array.isArray(op.value) || op.value.length === 0) {
      room();
      last().push(op);
      if (op.op === 'remove' || Array.isArray(op.value) === false) count++;
      continue;
    }
    const values = op.value as unknown[];
    for (let i = 0; i < values.length; ) {
      const slice = values.slice(i, i + room());
      last().push({ op: i === 0 ? op.op : 'add', path: op.path as string, value: slice });
      count += slice.length;
      i += slice.length;
    }
  }
  return out.filter((ops, i) => i === 0 || ops.length > 0).map((ops) => ({ schemas: [PATCH_OP_SCHEMA], Operations: ops }));
}

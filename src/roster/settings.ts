// Roster import settings with their defaults, and the digest the diff's event ids use.
import { createHash } from 'node:crypto';
import type { RosterConfig, ScimflowConfig } from '../config';
import { resolveMapping, type RosterMapping } from '../domain/roster';

export const DEFAULT_ROSTER: RosterConfig = {
  columns: {},
  dateFormat: 'YYYY-MM-DD',
  maxBodyBytes: 64 * 1024 * 1024,
  maxRows: 100_000,
  timeoutMs: 120_000,
};

export function rosterSettings(config: Pick<ScimflowConfig, 'roster'>): RosterConfig & { mapping: RosterMapping } {
  const r = config.roster ?? DEFAULT_ROSTER;
  return { ...r, mapping: resolveMapping(r.columns, r.dateFormat) };
}

/** SHA-256, hex: event ids must not collide between two records of one person. */
export function rosterHash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

// Capability profiles per app kind, and the merge with a live /ServiceProviderConfig.
import type { AppKind, Capabilities, ProfileSource } from '../types';
import { atlassianProfile, atlassianSource } from './atlassian';
import { genericProfile, genericSource } from './generic';
import { jasperProfile, jasperSource } from './jasper';
import { jostleProfile, jostleSource } from './jostle';
import { jumpcloudProfile, jumpcloudSource } from './jumpcloud';

export const PROFILES: Readonly<Record<AppKind, Capabilities>> = {
  generic: genericProfile,
  jasper: jasperProfile,
  jumpcloud: jumpcloudProfile,
  atlassian: atlassianProfile,
  jostle: jostleProfile,
};

export const PROFILE_SOURCES: Readonly<Record<AppKind, ProfileSource>> = {
  generic: genericSource,
  jasper: jasperSource,
  jumpcloud: jumpcloudSource,
  atlassian: atlassianSource,
  jostle: jostleSource,
};

/** Whether an account in the app takes a paid seat as scimflow provisions it (create, or the groups it grants). */
export function takesPaidSeat(profile: Capabilities): boolean {
  return profile.seatTakenBy !== 'none';
}

/** A userName stripped to the characters the profile accepts (all of it where the profile names none). */
export function keepUserNameCharacters(userName: string, profile: Capabilities): string {
  const chars = profile.userName.characters;
  return chars === undefined ? userName : userName.replace(new RegExp(`[^${chars}]`, 'g'), '');
}

/** Whether a userName holds only the characters the profile accepts. */
export function hasUserNameCharacters(userName: string, profile: Capabilities): boolean {
  const chars = profile.userName.characters;
  return chars === undefined || new RegExp(`^[${chars}]*$`).test(userName);
}

/** Kind profile with operator overrides applied (nested objects merged one level deep). */
export function profileFor(kind: AppKind, overrides?: Partial<Capabilities>): Capabilities {
  return mergeCapabilities(PROFILES[kind], overrides ?? {});
}

export function mergeCapabilities(base: Capabilities, over: Partial<Capabilities>): Capabilities {
  const out: Capabilities = { ...base };
  for (const [k, v] of Object.entries(over) as [keyof Capabilities, unknown][]) {
    if (v === undefined) continue;
    const cur = base[k];
    const merged = isPlainObject(cur) && isPlainObject(v) ? { ...cur, ...v } : v;
    (out as unknown as Record<string, unknown>)[k] = merged;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegExp);
}

/**
 * Merges a ServiceProviderConfig (RFC 7643 §5) into a profile. The SPC can only narrow what the
 * vendor documentation grants for patch/etag (a server that says "no" means no); filter attribute
 * restrictions stay as documented, because SPCs only say "filter supported: true" without naming attributes.
 */
export function mergeServiceProviderConfig(profile: Capabilities, spc: unknown): Capabilities {
  if (!isPlainObject(spc)) return profile;
  const flag = (key: string): boolean | undefined => {
    const v = spc[key];
    return isPlainObject(v) && typeof v.supported === 'boolean' ? v.supported : undefined;
  };
  const out: Capabilities = { ...profile };
  const patch = flag('patch');
  if (patch === false) out.patch = false;
  const etag = flag('etag');
  if (etag === false) out.etag = false;
  const filter = spc.filter;
  if (isPlainObject(filter)) {
    if (filter.supported === false)
      out.filter = { ...profile.filter, userAttributes: [], groupAttributes: [], operators: [] };
    if (typeof filter.maxResults === 'number' && filter.maxResults > 0 && profile.pagination.mode !== 'none') {
      out.pagination = {
        ...profile.pagination,
        maxPageSize: Math.min(profile.pagination.maxPageSize, filter.maxResults),
      };
    }
  }
  return out;
}

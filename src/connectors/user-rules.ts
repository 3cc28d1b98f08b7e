// Per-app userName rules and the outgoing shape of a user, applied before any request so an app's
// documented refusal is raised locally (INVALID) instead of costing a round trip.
import { ConnectorError } from './errors';
import { hasUserNameCharacters, keepUserNameCharacters } from './profiles';
import { DEFAULT_CATALOG, primaryEmail, USER_SCHEMA } from '../scim';
import type { Capabilities, ScimUser } from './types';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * Attributes the service provider owns: the catalogue's readOnly ones (RFC 7643 §7 mutability; `id`,
 * `meta`, `groups`), except `schemas`, which the client declares on every write (RFC 7644 §3.3).
 */
const SERVER_OWNED: ReadonlySet<string> = new Set(
  [...DEFAULT_CATALOG.core.values()]
    .filter((d) => d.mutability === 'readOnly' && d.name !== 'schemas')
    .map((d) => d.name),
);

/** Applies the profile's userName rule: derives where the profile says how, refuses otherwise. */
export function applyUserNameRule(
  userName: string,
  profile: Capabilities,
  app: string,
  fallbackEmail?: string,
): string {
  const rule = profile.userName;
  const refuse = (why: string): never => {
    throw new ConnectorError('INVALID', `userName ${why}`, { app, scimType: 'invalidValue' });
  };
  let name = userName;
  if (rule.rule === 'email' && !EMAIL.test(name)) refuse(`must be an email address for ${profile.kind}`);
  if (rule.rule === 'notEmail' && name.includes('@')) {
    if (rule.derive !== 'emailLocalPart') refuse(`must not be an email address for ${profile.kind}`);
    // JumpCloud ("Connector Attribute Mappings"): "Some integrations leverage the email substring for the username".
    name = name.slice(0, name.indexOf('@'));
  }
  if (name === '' && fallbackEmail && rule.derive === 'emailLocalPart')
    name = fallbackEmail.slice(0, fallbackEmail.indexOf('@'));
  if (name === '') refuse('is empty');
  if (!hasUserNameCharacters(name, profile)) {
    if (rule.derive === 'emailLocalPart') name = keepUserNameCharacters(name, profile);
    if (!hasUserNameCharacters(name, profile)) refuse(`"${name}" contains characters ${profile.kind} does not accept`);
  }
  if (rule.maxLength !== undefined && name.length > rule.maxLength)
    refuse(`is longer than ${rule.maxLength} characters`);
  if (name === '') refuse('is empty');
  return name;
}

/** The body to send for a create or full replace: server-owned attributes dropped, schemas declared. */
export function outgoingUser(desired: ScimUser, profile: Capabilities, app: string): ScimUser {
  const out: Record<string, unknown> = {};
  // An app that does not keep externalId (profile.owner by userName) is not sent one: it would drop
  // it, and every later comparison with what it holds would plan the same write again.
  const sendExternalId = profile.owner.by === 'externalId';
  for (const [k, v] of Object.entries(desired)) {
    if (SERVER_OWNED.has(k) || v === undefined || (k === 'externalId' && !sendExternalId)) continue;
    out[k] = v;
  }
  const user = out as ScimUser;
  user.userName = applyUserNameRule(desired.userName, profile, app, primaryEmail(desired));
  const schemas = new Set([USER_SCHEMA, ...(desired.schemas ?? [])]);
  for (const key of Object.keys(user)) if (key.startsWith('urn:')) schemas.add(key);
  user.schemas = [...schemas];
  return user;
}

/** Compares like the app does: userName and emails are caseExact=false (RFC 7643 §4.1.1/§4.1.2), externalId is caseExact. */
export function matchesUser(user: ScimUser, attr: 'userName' | 'externalId' | 'email', value: string): boolean {
  if (attr === 'externalId') return user.externalId === value;
  const want = value.toLowerCase();
  if (attr === 'userName') return typeof user.userName === 'string' && user.userName.toLowerCase() === want;
  return (user.emails ?? []).some((e) => typeof e.value === 'string' && e.value.toLowerCase() === want);
}

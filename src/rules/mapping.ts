// Employee → desired SCIM User, via per-kind default mappings with the app's `attributes` on top. Pure.
import type { Employee } from '../shared/hr-event';
import type { AppKind, AttributeMappingValue } from '../config/types';
import { keepUserNameCharacters, PROFILES } from '../connectors/profiles';
import { compileTemplate, renderTemplate, slug, type CompiledTemplate } from './template';

import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA as CORE_USER_SCHEMA, type ScimUser } from '../scim';

export { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA };
const E = ENTERPRISE_USER_SCHEMA;

/** The desired SCIM User for one app: the SCIM core's User (RFC 7643 §4.1), always active, schemas declared. */
export interface DesiredScimUser extends ScimUser {
  schemas: string[];
  emails?: { value: string; type: 'work'; primary: true }[];
  active: true;
}

export type AttributeMapping = Record<string, AttributeMappingValue>;

/** Default mapping for every kind; per-kind tables below override entries (null removes one). */
export const BASE_MAPPING: Readonly<AttributeMapping> = {
  userName: ['{{userName}}', '{{email}}'],
  externalId: '{{employeeId}}',
  'name.givenName': '{{givenName}}',
  'name.familyName': '{{familyName}}',
  displayName: ['{{displayName}}', '{{givenName}} {{familyName}}'],
  'emails.value': '{{email}}',
  title: '{{title}}',
  userType: '{{employeeType}}',
  [`${E}:employeeNumber`]: '{{employeeId}}',
  [`${E}:department`]: '{{department}}',
  [`${E}:costCenter`]: '{{costCenter}}',
  [`${E}:manager.value`]: '{{managerId}}',
};

/**
 * Per-kind defaults, following each app's profile (src/connectors/profiles, where the sources are):
 *  - Jasper, Atlassian, Jostle: userName is the email (`userName.rule: email`).
 *  - JumpCloud: the email may not be the userName, and only the profile's `userName.characters` are
 *    accepted → slug of the email local part.
 *  - Jasper, Atlassian, Jostle: no enterprise User extension (Jostle: core schema plus its own extension;
 *    its field table has no title): the profiles' `userExtensions`.
 *  - JumpCloud: employeeType → userType, department/costCenter/employeeNumber → enterprise extension.
 */
/** Removes the enterprise extension (apps whose SCIM schema has no enterprise User extension). */
const NO_ENTERPRISE: Readonly<AttributeMapping> = {
  [`${E}:employeeNumber`]: null,
  [`${E}:department`]: null,
  [`${E}:costCenter`]: null,
  [`${E}:manager.value`]: null,
};

export const KIND_MAPPINGS: Readonly<Record<AppKind, Readonly<AttributeMapping>>> = {
  generic: {},
  jasper: { ...NO_ENTERPRISE, userName: '{{email}}', userType: null },
  jumpcloud: { userName: ['{{email | localPart | slug | lower}}', '{{employeeId | slug | lower}}'] },
  atlassian: { ...NO_ENTERPRISE, userName: '{{email}}', userType: null },
  jostle: { ...NO_ENTERPRISE, userName: '{{email}}', userType: null, title: null },
};

/** Attributes scimflow manages itself; a mapping may not target them. */
const RESERVED = new Set(['schemas', 'id', 'meta', 'active', 'groups', 'password', 'emails']);
const MULTI_VALUED = new Set([
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509Certificates',
]);
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

interface ParsedPath {
  schema?: string;
  attr: string;
  sub?: string;
}

function parsePath(path: string): ParsedPath | string {
  let schema: string | undefined;
  let rest = path;
  if (/^urn:/i.test(path)) {
    const i = path.lastIndexOf(':');
    schema = path.slice(0, i);
    rest = path.slice(i + 1);
    if (!/^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[A-Za-z0-9()+,\-.:=@;$_!*'%/?#]+$/.test(schema))
      return 'the schema URN is malformed';
    if (schema.toLowerCase() === CORE_USER_SCHEMA.toLowerCase()) schema = undefined;
  }
  const bits = rest.split('.');
  if (bits.length > 2 || !bits.every((b) => NAME.test(b)))
    return 'expected an attribute path like title, name.givenName or urn:…:User:department';
  return { schema, attr: bits[0] as string, sub: bits[1] };
}

/** Returns a problem description when a SCIM attribute path cannot be a mapping target; undefined when fine. */
export function checkAttributePath(path: string): string | undefined {
  const parsed = parsePath(path);
  if (typeof parsed === 'string') return `"${path}": ${parsed}`;
  if (!parsed.schema) {
    if (parsed.attr === 'emails')
      return parsed.sub === 'value' ? undefined : `"${path}": only emails.value (the primary work email) can be mapped`;
    if (RESERVED.has(parsed.attr)) return `"${path}": ${parsed.attr} is managed by scimflow and cannot be mapped`;
    if (MULTI_VALUED.has(parsed.attr)) return `"${path}": multi-valued attributes cannot be mapped (only emails.value)`;
  }
  return undefined;
}

function mergeMappings(kind: AppKind, overrides: AttributeMapping): [string, AttributeMappingValue][] {
  const merged = new Map<string, AttributeMappingValue>();
  for (const layer of [BASE_MAPPING, KIND_MAPPINGS[kind], overrides]) {
    for (const [k, v] of Object.entries(layer)) merged.set(k, v);
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// Compiled templates are cached: configs are validated at load, so compile errors here mean a bypassed loader.
const cache = new Map<string, CompiledTemplate>();
function compiled(source: string): CompiledTemplate {
  let t = cache.get(source);
  if (!t) {
    t = compileTemplate(source);
    if (cache.size > 10_000) cache.clear();
    cache.set(source, t);
  }
  return t;
}

/** Renders a mapping value: the first alternative that is non-empty after trimming, else undefined. */
export function renderMappingValue(value: AttributeMappingValue, employee: Employee): string | undefined {
  if (value === null) return undefined;
  for (const source of Array.isArray(value) ? value : [value]) {
    const out = renderTemplate(compiled(source), employee).trim();
    if (out !== '') return out;
  }
  return undefined;
}

/** Builds the desired SCIM User for an app of `kind` with the app's attribute `overrides`. Deterministic key order. */
export function buildDesiredUser(employee: Employee, kind: AppKind, overrides: AttributeMapping = {}): DesiredScimUser {
  const core: Record<string, unknown> = {};
  const extensions: Record<string, Record<string, unknown>> = {};
  for (const [path, value] of mergeMappings(kind, overrides)) {
    const rendered = renderMappingValue(value, employee);
    if (rendered === undefined) continue;
    const parsed = parsePath(path);
    if (typeof parsed === 'string') continue;
    if (!parsed.schema && parsed.attr === 'emails') {
      core.emails = [{ value: rendered, type: 'work', primary: true }];
      continue;
    }
    const target = parsed.schema ? (extensions[parsed.schema] ??= {}) : core;
    if (parsed.sub) {
      const existing = target[parsed.attr];
      const obj = existing && typeof existing === 'object' ? (existing as Record<string, unknown>) : {};
      obj[parsed.sub] = rendered;
      target[parsed.attr] = obj;
    } else {
      target[parsed.attr] = rendered;
    }
  }
  let userName = typeof core.userName === 'string' ? core.userName : '';
  // An app that accepts only some characters (its profile's userName.characters) gets only those; when
  // none is left the employee id stands in (slugged: letters and digits are in every such set).
  const profile = PROFILES[kind];
  if (profile.userName.characters !== undefined)
    userName = keepUserNameCharacters(userName, profile) || slug(employee.employeeId).toLowerCase();
  if (userName === '') userName = employee.email;
  const extensionUrns = Object.keys(extensions).sort();
  const user: DesiredScimUser = { schemas: [CORE_USER_SCHEMA, ...extensionUrns], userName, active: true };
  for (const key of Object.keys(core).sort()) {
    if (key === 'userName') continue;
    user[key] = core[key];
  }
  user.active = true;
  for (const urn of extensionUrns) user[urn] = extensions[urn];
  return user;
}

/**
 * The attributes the mapping manages for an app of `kind`: top-level names (`title`, `name`,
 * `emails`) and extension attributes (`urn:…:User:department`). One the record leaves empty is
 * removed downstream, so a field HR clears does not linger in the app.
 */
export function managedAttributes(kind: AppKind, overrides: AttributeMapping = {}): string[] {
  const out = new Set<string>(['externalId']);
  for (const [path, value] of mergeMappings(kind, overrides)) {
    if (value === null) continue;
    const parsed = parsePath(path);
    if (typeof parsed === 'string' || parsed.attr === 'userName') continue;
    out.add(parsed.schema ? `${parsed.schema}:${parsed.attr}` : parsed.attr);
  }
  return [...out].sort();
}

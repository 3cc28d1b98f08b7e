// The SCIM 2.0 resources scimflow exchanges (RFC 7643 §4.1 User, §4.2 Group, §3.1 meta): the one set
// of types the SCIM core, the connectors and the sandbox share. Resources are open — extension
// attributes are keyed by their schema URN (RFC 7643 §3.3) and apps add their own — so every
// shape carries an index signature. What an app answers is checked where it is read
// (src/connectors/scim-connector.ts: an `id`, a ListResponse's `Resources`), not here.

export interface ScimMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
}

/** RFC 7643 §4.1 (plus extension objects keyed by URN). */
export interface ScimUser {
  schemas?: string[];
  id?: string;
  externalId?: string;
  userName: string;
  name?: { formatted?: string; givenName?: string; familyName?: string; middleName?: string; [k: string]: unknown };
  displayName?: string;
  nickName?: string;
  title?: string;
  userType?: string;
  locale?: string;
  active?: boolean;
  emails?: { value: string; type?: string; primary?: boolean; [k: string]: unknown }[];
  groups?: { value: string; display?: string; [k: string]: unknown }[];
  meta?: ScimMeta;
  [k: string]: unknown;
}

/** RFC 7643 §4.2. */
export interface ScimGroup {
  schemas?: string[];
  id?: string;
  externalId?: string;
  displayName: string;
  members?: { value: string; display?: string; type?: string; $ref?: string }[];
  meta?: ScimMeta;
  [k: string]: unknown;
}

/** The `primary` email (RFC 7643 §2.4: at most one value is primary), else the first; undefined when that has no string value. */
export function primaryEmail(resource: object): string | undefined {
  const list = (resource as { emails?: unknown }).emails;
  const emails = Array.isArray(list) ? (list as ({ value?: unknown; primary?: unknown } | null | undefined)[]) : [];
  const e = emails.find((x) => x?.primary === true) ?? emails[0];
  return typeof e?.value === 'string' ? e.value : undefined;
}

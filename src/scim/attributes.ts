import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, SCHEMA_SCHEMA, USER_SCHEMA } from './urns';

/**
 * Attribute metadata in the exact shape of RFC 7643 §7 ("Schema Definition"), so the definitions
 * below can be served verbatim from `/Schemas` (RFC 7644 §4) and drive filter/patch semantics.
 */
export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  schemas?: string[];
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
  meta?: { resourceType: 'Schema'; location?: string };
}

type Opts = Partial<Omit<AttributeDefinition, 'name' | 'type'>>;

function attr(name: string, type: AttributeType, description: string, o: Opts = {}): AttributeDefinition {
  const a: AttributeDefinition = {
    name,
    type,
    multiValued: o.multiValued ?? false,
    description,
    required: o.required ?? false,
    caseExact: o.caseExact ?? false,
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
  };
  if (o.canonicalValues) a.canonicalValues = o.canonicalValues;
  if (o.referenceTypes) a.referenceTypes = o.referenceTypes;
  if (o.subAttributes) a.subAttributes = o.subAttributes;
  return a;
}

/** The value/display/type/primary quartet RFC 7643 §2.4 gives most multi-valued attributes. */
function multi(
  name: string,
  description: string,
  valueType: AttributeType,
  types: string[],
  extra: { referenceTypes?: string[] } = {},
): AttributeDefinition {
  return attr(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      attr(
        'value',
        valueType,
        `Value of the ${name} entry.`,
        extra.referenceTypes ? { referenceTypes: extra.referenceTypes } : {},
      ),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attr(
        'type',
        'string',
        `A label indicating the ${name} entry's function.`,
        types.length ? { canonicalValues: types } : {},
      ),
      attr(
        'primary',
        'boolean',
        'A Boolean value indicating the preferred entry. The primary attribute value "true" MUST appear no more than once.',
      ),
    ],
  });
}

// RFC 7643 §3.1 common attributes. Not part of any schema's "attributes" in §8.7.1, but every
// resource carries them and their mutability governs PATCH (§3.5.2: id and meta are readOnly).
export const COMMON_ATTRIBUTES: AttributeDefinition[] = [
  attr('id', 'string', 'Unique identifier for the SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', 'Identifier for the resource as defined by the provisioning client.', {
    caseExact: true,
  }),
  attr('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr('created', 'dateTime', 'The DateTime that the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      attr('lastModified', 'dateTime', 'The most recent DateTime that the details of this resource were updated.', {
        mutability: 'readOnly',
      }),
      attr('location', 'reference', 'The URI of the resource being returned.', {
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attr('version', 'string', 'The version of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
  // `schemas` (RFC 7643 §3) is a multi-valued URI list the server owns once the resource exists.
  attr('schemas', 'reference', 'The schema URIs the resource conforms to.', {
    multiValued: true,
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    referenceTypes: ['uri'],
  }),
];

/** RFC 7643 §8.7.1, "urn:ietf:params:scim:schemas:core:2.0:User" (attributes of §4.1). */
export const USER_SCHEMA_DEFINITION: SchemaDefinition = {
  schemas: [SCHEMA_SCHEMA],
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr(
      'userName',
      'string',
      'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.',
      {
        required: true,
        uniqueness: 'server',
      },
    ),
    attr('name', 'complex', "The components of the user's real name.", {
      subAttributes: [
        attr(
          'formatted',
          'string',
          'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.',
        ),
        attr('familyName', 'string', 'The family name of the User, or last name in most Western languages.'),
        attr('givenName', 'string', 'The given name of the User, or first name in most Western languages.'),
        attr('middleName', 'string', 'The middle name(s) of the User.'),
        attr('honorificPrefix', 'string', 'The honorific prefix(es) of the User, or title in most Western languages.'),
        attr('honorificSuffix', 'string', 'The honorific suffix(es) of the User, or suffix in most Western languages.'),
      ],
    }),
    attr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', 'string', 'The casual way to address the user in real life.'),
    attr(
      'profileUrl',
      'reference',
      "A fully qualified URL pointing to a page representing the User's online profile.",
      { referenceTypes: ['external'] },
    ),
    attr('title', 'string', 'The user\'s title, such as "Vice President."'),
    attr('userType', 'string', 'Used to identify the relationship between the organization and the user.'),
    attr('preferredLanguage', 'string', "Indicates the User's preferred written or spoken language."),
    attr(
      'locale',
      'string',
      "Used to indicate the User's default location for purposes of localizing items such as currency.",
    ),
    attr(
      'timezone',
      'string',
      "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    ),
    attr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
    attr('password', 'string', "The User's cleartext password.", { mutability: 'writeOnly', returned: 'never' }),
    multi('emails', 'Email addresses for the user.', 'string', ['work', 'home', 'other']),
    multi('phoneNumbers', 'Phone numbers for the User.', 'string', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multi('ims', 'Instant messaging addresses for the User.', 'string', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
    multi('photos', 'URLs of photos of the User.', 'reference', ['photo', 'thumbnail'], {
      referenceTypes: ['external'],
    }),
    attr('addresses', 'complex', 'A physical mailing address for this User.', {
      multiValued: true,
      subAttributes: [
        attr('formatted', 'string', 'The full mailing address, formatted for display or use with a mailing label.'),
        attr('streetAddress', 'string', 'The full street address component.'),
        attr('locality', 'string', 'The city or locality component.'),
        attr('region', 'string', 'The state or region component.'),
        attr('postalCode', 'string', 'The zip code or postal code component.'),
        attr('country', 'string', 'The country name component.'),
        attr('type', 'string', "A label indicating the attribute's function.", {
          canonicalValues: ['work', 'home', 'other'],
        }),
        attr('primary', 'boolean', 'A Boolean value indicating the preferred address.'),
      ],
    }),
    attr(
      'groups',
      'complex',
      'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      {
        multiValued: true,
        mutability: 'readOnly',
        subAttributes: [
          attr('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
          attr('$ref', 'reference', "The URI of the corresponding 'Group' resource to which the user belongs.", {
            mutability: 'readOnly',
            referenceTypes: ['User', 'Group'],
          }),
          attr('display', 'string', 'A human-readable name, primarily used for display purposes.', {
            mutability: 'readOnly',
          }),
          attr('type', 'string', "A label indicating the attribute's function.", {
            mutability: 'readOnly',
            canonicalValues: ['direct', 'indirect'],
          }),
        ],
      },
    ),
    multi('entitlements', 'A list of entitlements for the User that represent a thing the User has.', 'string', []),
    multi('roles', 'A list of roles for the User that collectively represent who the User is.', 'string', []),
    multi('x509Certificates', 'A list of certificates issued to the User.', 'binary', []),
  ],
  meta: { resourceType: 'Schema', location: `/v2/Schemas/${USER_SCHEMA}` },
};

/** RFC 7643 §8.7.1, "urn:ietf:params:scim:schemas:core:2.0:Group" (§4.2). */
export const GROUP_SCHEMA_DEFINITION: SchemaDefinition = {
  schemas: [SCHEMA_SCHEMA],
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', 'A human-readable name for the Group.'),
    attr('members', 'complex', 'A list of members of the Group.', {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attr('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        }),
        attr('type', 'string', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
    }),
  ],
  meta: { resourceType: 'Schema', location: `/v2/Schemas/${GROUP_SCHEMA}` },
};

/** RFC 7643 §8.7.1, enterprise User extension (§4.3). */
export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaDefinition = {
  schemas: [SCHEMA_SCHEMA],
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person.'),
    attr('costCenter', 'string', 'Identifies the name of a cost center.'),
    attr('organization', 'string', 'Identifies the name of an organization.'),
    attr('division', 'string', 'Identifies the name of a division.'),
    attr('department', 'string', 'Identifies the name of a department.'),
    attr('manager', 'complex', "The User's manager.", {
      subAttributes: [
        attr('value', 'string', "The id of the SCIM resource representing the User's manager."),
        attr('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.", {
          referenceTypes: ['User'],
        }),
        attr('displayName', 'string', "The displayName of the User's manager.", { mutability: 'readOnly' }),
      ],
    }),
  ],
  meta: { resourceType: 'Schema', location: `/v2/Schemas/${ENTERPRISE_USER_SCHEMA}` },
};

export const CORE_SCHEMA_DEFINITIONS: readonly SchemaDefinition[] = [
  USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
];

/**
 * Case-insensitive attribute lookup (RFC 7643 §2.1: attribute names are case-insensitive).
 * `core` holds the attributes that live at the top level of a resource (common + core schemas);
 * `extensions` maps a lower-cased extension URN to its attribute table.
 */
export interface AttributeCatalog {
  readonly core: ReadonlyMap<string, AttributeDefinition>;
  readonly coreUrns: ReadonlySet<string>;
  readonly extensions: ReadonlyMap<string, { urn: string; attributes: ReadonlyMap<string, AttributeDefinition> }>;
}

function table(
  defs: readonly AttributeDefinition[],
  into = new Map<string, AttributeDefinition>(),
): Map<string, AttributeDefinition> {
  for (const d of defs) if (!into.has(d.name.toLowerCase())) into.set(d.name.toLowerCase(), d);
  return into;
}

/**
 * Builds a catalog. Schemas whose id contains ":core:" are treated as core (attributes at the top
 * level); all others are extensions (attributes nested under their URN, RFC 7643 §3.3).
 */
export function buildCatalog(schemas: readonly SchemaDefinition[] = CORE_SCHEMA_DEFINITIONS): AttributeCatalog {
  const core = table(COMMON_ATTRIBUTES);
  const coreUrns = new Set<string>();
  const extensions = new Map<string, { urn: string; attributes: ReadonlyMap<string, AttributeDefinition> }>();
  for (const s of schemas) {
    if (/:core:/i.test(s.id)) {
      coreUrns.add(s.id.toLowerCase());
      table(s.attributes, core);
    } else {
      extensions.set(s.id.toLowerCase(), { urn: s.id, attributes: table(s.attributes) });
    }
  }
  return { core, coreUrns, extensions };
}

export const DEFAULT_CATALOG: AttributeCatalog = buildCatalog();

/** Resolves the definition of `[urn:]name[.sub]`; undefined for attributes the catalog does not know. */
export function lookupAttribute(
  catalog: AttributeCatalog,
  urn: string | undefined,
  name: string,
  sub?: string,
): AttributeDefinition | undefined {
  let top: AttributeDefinition | undefined;
  const lname = name.toLowerCase();
  if (urn === undefined || catalog.coreUrns.has(urn.toLowerCase())) {
    top = catalog.core.get(lname);
    if (top === undefined && urn === undefined) {
      // Unprefixed names resolve against extensions too when unambiguous (RFC 7644 §3.10 allows
      // the short form for attributes whose names do not collide).
      for (const ext of catalog.extensions.values()) {
        const hit = ext.attributes.get(lname);
        if (hit) {
          top = hit;
          break;
        }
      }
    }
  } else {
    top = catalog.extensions.get(urn.toLowerCase())?.attributes.get(lname);
  }
  if (sub === undefined || top === undefined) return top;
  return subAttribute(top, sub);
}

const subTables = new WeakMap<AttributeDefinition, Map<string, AttributeDefinition>>();

/** Case-insensitive sub-attribute lookup, memoised per definition (hot in patch generation). */
export function subAttribute(parent: AttributeDefinition, sub: string): AttributeDefinition | undefined {
  const subs = parent.subAttributes;
  if (subs === undefined) return undefined;
  let t = subTables.get(parent);
  if (t === undefined) {
    t = new Map();
    for (const s of subs) {
      t.set(s.name, s);
      t.set(s.name.toLowerCase(), s);
    }
    subTables.set(parent, t);
  }
  return t.get(sub) ?? t.get(sub.toLowerCase());
}

const elementDefs = new WeakMap<AttributeDefinition, AttributeDefinition>();

/** The definition of one value of a multi-valued attribute (same, with multiValued false). */
export function elementDefinition(def: AttributeDefinition): AttributeDefinition {
  if (!def.multiValued) return def;
  let e = elementDefs.get(def);
  if (e === undefined) {
    e = { ...def, multiValued: false };
    elementDefs.set(def, e);
    // The element shares sub-attributes; reuse the parent's lookup table.
    const t = subTables.get(def);
    if (t) subTables.set(e, t);
  }
  return e;
}

/** Returns the extension entry (with canonical URN spelling) or undefined when `urn` is core/unknown. */
type Extension = { urn: string; attributes: ReadonlyMap<string, AttributeDefinition> };
const extensionMemo = new WeakMap<AttributeCatalog, Map<string, Extension | null>>();

export function lookupExtension(catalog: AttributeCatalog, urn: string): Extension | undefined {
  // Memoised by exact spelling: URNs are long and lower-casing one per lookup shows in profiles.
  let m = extensionMemo.get(catalog);
  if (!m) extensionMemo.set(catalog, (m = new Map()));
  let e = m.get(urn);
  if (e === undefined) {
    e = catalog.extensions.get(urn.toLowerCase()) ?? null;
    if (m.size < 256) m.set(urn, e);
  }
  return e ?? undefined;
}

/**
 * Finds a key in `obj` case-insensitively. The exact spelling is tried first because well-formed
 * resources use the schema's casing and this keeps the common case to one property read.
 */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const l = name.toLowerCase();
  for (const k in obj) {
    if (k.length === l.length && k.toLowerCase() === l && Object.prototype.hasOwnProperty.call(obj, k)) return k;
  }
  return undefined;
}

/**
 * Which sub-attribute identifies a value of a multi-valued attribute, for matching current to
 * desired values and for addressing them with a value path. RFC 7643 §2.4 lets `type` label
 * emails/phoneNumbers/addresses/ims/photos/x509Certificates; members/groups/entitlements/roles
 * are sets of `value`s.
 */
const IDENTITY: Record<string, 'type' | 'value'> = {
  emails: 'type',
  phonenumbers: 'type',
  addresses: 'type',
  ims: 'type',
  photos: 'type',
  x509certificates: 'type',
  members: 'value',
  groups: 'value',
  entitlements: 'value',
  roles: 'value',
};

export function identityKey(attrName: string): 'type' | 'value' | undefined {
  return IDENTITY[attrName.toLowerCase()];
}

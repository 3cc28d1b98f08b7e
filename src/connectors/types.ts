// Public types of the connector layer: what the worker configures and what activities call.
import type { RequestPacer } from './rate-limiter';

// The kinds are listed once, with the configuration's types.
import { APP_KINDS, type AppKind } from '../config/types';
export { APP_KINDS, type AppKind };

/** Resolved credentials (secret *values*: never logged, never in a workflow), from the configuration's AuthRef. */
export type Credentials =
  | { type: 'bearer'; token: string }
  | { type: 'apiKey'; key: string; /** default `x-api-key` */ header?: string }
  | { type: 'basic'; username: string; password: string };

export interface Timeouts {
  /** TCP/TLS connect, ms (default 5000). */
  connectMs?: number;
  /** Until the response headers arrive, ms (default 15000). */
  headersMs?: number;
  /** Idle time between body chunks, ms (default 15000). */
  bodyMs?: number;
}

export interface AppConnection {
  /** Instance name from config, e.g. `jasper-prod`; appears in errors and logs. */
  name: string;
  kind: AppKind;
  /** SCIM base URL, e.g. `https://api.jasper.ai/scim/v2`. For atlassian see `atlassian.directoryId`. */
  baseUrl: string;
  auth: Credentials;
  timeouts?: Timeouts;
  /** Largest response body accepted, bytes (default 10 MiB). */
  maxResponseBytes?: number;
  /** Keep-alive connections per app (default 4). */
  connections?: number;
  /** Pace this process's requests to the app (its documented or configured rate limit). */
  requestsPerSecond?: number;
  /** Or pace them with this pacer, whose rate its owner may change (the worker's share of a fleet). */
  pacer?: RequestPacer;
  /** Observes each request's outcome (metrics); sees no bodies or credentials. */
  onResponse?: (e: { app: string; method: string; status?: number; code?: string }) => void;
  /** Overrides for the kind's capability profile (operator knowledge beats vendor docs). */
  capabilities?: Partial<Capabilities>;
  atlassian?: {
    /** SCIM lives at `{baseUrl}/scim/directory/{directoryId}` unless baseUrl already ends with it. */
    directoryId: string;
    /** Jira / JSM REST site, e.g. `https://acme.atlassian.net`; enables `connector.jsm`. */
    jsmBaseUrl?: string;
    /** HTTP Basic `email:api-token` for the REST APIs (SCIM uses the bearer token in `auth`). */
    restAuth?: { type: 'basic'; username: string; password: string };
    serviceDeskId?: string;
  };
}

import type { OwnerRule } from '../domain/ownership';
export type { OwnerRule };

export type FilterOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'pr' | 'gt' | 'ge' | 'lt' | 'le' | 'and' | 'or' | 'not';

export interface Capabilities {
  kind: AppKind;
  /** PATCH on /Users (RFC 7644 §3.5.2); false = every update is a full PUT (RFC 7644 §3.5.1: the whole user). */
  patch: boolean;
  /** PATCH paths may address one value of a multi-valued attribute (`emails[type eq "work"].value`, RFC 7644 §3.5.2); false = replace the whole attribute. */
  patchValuePaths: boolean;
  filter: {
    /** Operators the server evaluates; the connector never sends others. */
    operators: readonly FilterOperator[];
    /** User attributes the server filters on (lower-case compare); others are matched locally. */
    userAttributes: readonly string[];
    groupAttributes: readonly string[];
    /** Only one comparison per filter (no and/or). */
    singleTerm: boolean;
  };
  pagination: {
    mode: 'index' | 'cursor' | 'none';
    /** Largest `count` the server honours. */
    maxPageSize: number;
    /** Whether startIndex/count still apply when a filter is given. */
    withFilter: boolean;
  };
  etag: boolean;
  groups: {
    supported: boolean;
    create: boolean;
    patch: boolean;
    /** Members per PATCH request when adding/removing (chunking). */
    maxMembersPerPatch: number;
  };
  userName: {
    rule: 'any' | 'email' | 'notEmail';
    /** How to derive a userName when the desired one breaks the rule. */
    derive?: 'emailLocalPart';
    /**
     * The only characters the app accepts, as the body of a regular-expression character class
     * (`A-Za-z0-9._-`); always including letters and digits. Derived names are stripped to them; the
     * configuration refuses a userName expression that could produce others.
     */
    characters?: string;
    maxLength?: number;
  };
  /**
   * What takes a paid seat in the app: the account's `create`, its `groupMembership` (groups mapped to
   * paid products), or `none` documented. The configuration's `seatConsuming` default follows it.
   */
  seatTakenBy: 'create' | 'groupMembership' | 'none';
  /** GET /ServiceProviderConfig is served and worth merging. */
  serviceProviderConfig: boolean;
  /** Schema extensions the app accepts on Users. */
  userExtensions: readonly string[];
  /**
   * What identifies an account's owner, for the planner's ownership decision: `externalId` where the
   * app stores and returns the externalId we send (RFC 7643 §3.1, caseExact), otherwise `userName`
   * (compared with `normalizeIdentityKey`, after the profile's userName rule). `userName` also means
   * the app does not keep externalId: the connector neither sends nor looks one up there.
   */
  owner: OwnerRule;
  /** Media type to send on writes. */
  writeContentType: string;
  /** Accept header for every request. */
  accept: string;
}

/** Where a profile's facts come from, and the app's own words for what it cannot do. */
export interface ProfileSource {
  /** The vendor's public documentation the profile quotes. */
  url: string;
  /** Why the app has no SCIM groups (quoted), where it has none. */
  noGroups?: string;
}

/** The SCIM resources are the SCIM core's (src/scim/resources.ts): one set of types on both sides. */
import type { ScimGroup, ScimMeta, ScimUser } from '../scim';
export type { ScimGroup, ScimMeta, ScimUser };

/** A person's identity keys, as the planner observes them. */
export interface IdentityQuery {
  userName: string;
  externalId?: string;
}

export interface UserQuery {
  userName?: string;
  externalId?: string;
  email?: string;
}

export interface JsmCustomer {
  accountId: string;
  emailAddress?: string;
  displayName?: string;
  active?: boolean;
  accountType?: string;
}

/** Jira Service Management REST (Basic auth): what a leaver needs — find the customer, remove it from the desk. */
export interface JsmClient {
  removeCustomers(serviceDeskId: string, accountIds: readonly string[]): Promise<void>;
  listCustomers(serviceDeskId: string, opts?: { query?: string; pageSize?: number }): Promise<JsmCustomer[]>;
}

export interface Connector {
  readonly name: string;
  readonly kind: AppKind;
  /** The capability profile in force (kind profile ← ServiceProviderConfig ← overrides). */
  readonly profile: Capabilities;
  /** Fetches /ServiceProviderConfig (where the profile says it is served) and merges it into `profile`. */
  discover(): Promise<Capabilities>;

  // ---- level-triggered controller primitives: observe, then one request per action ----------

  /**
   * Every account that matches a person's identity keys, for the planner's ownership decision:
   * userName equal under `normalizeIdentityKey` (after the profile's userName rule; a name the rule
   * refuses matches nothing), plus externalId equal exactly where the app keeps and filters it.
   * De-duplicated and sorted by id. Costs `lookupCost(profile)` requests (one `or` GET where the app
   * evaluates it, else one `eq` GET per filterable attribute), never a full listing: UNSUPPORTED when
   * the app cannot filter on userName. Resources carry what the app returns (groups, active,
   * externalId, meta.version).
   */
  lookupUsers(q: IdentityQuery): Promise<ScimUser[]>;
  /** Bare create: one POST (plus one GET when the app answers 201 with Location and no body). 409 → CONFLICT with the scimType. */
  postUser(desired: ScimUser): Promise<ScimUser>;
  /**
   * One PATCH (PUT on PUT-only apps) from the `current` the caller observed, no re-read; If-Match
   * `current.meta.version` where the profile has ETags (412 → PRECONDITION_FAILED: re-observe).
   * `managed` attributes (also `name.middleName`, `urn:…:User:manager`) that `desired` omits are
   * removed. Nothing differs → no request, `changed: false`. `user` is undefined when the app
   * answers without a body (204).
   */
  patchUser(
    id: string,
    current: ScimUser,
    desired: ScimUser,
    opts: { managed: readonly string[] },
  ): Promise<{ user: ScimUser | undefined; changed: boolean }>;
  /**
   * One PATCH `replace active` (no If-Match: it touches nothing else), or on PUT-only apps one PUT of
   * `current` with `active` (If-Match where ETags; a GET first only when `current` is undefined).
   * 404 → NOT_FOUND ("already gone").
   */
  setUserActive(id: string, current: ScimUser | undefined, active: boolean): Promise<{ user: ScimUser | undefined }>;
  /** All groups named `displayName` (normalizeIdentityKey compare), sorted by id; never CONFLICT. One GET where the app filters displayName. */
  findGroups(displayName: string): Promise<ScimGroup[]>;
  /** Bare create: one POST. 409 → CONFLICT. */
  postGroup(displayName: string): Promise<ScimGroup>;
  /** One PATCH `add members`; an existing member is success (RFC 7644 §3.5.2.1). */
  addMember(groupId: string, userId: string): Promise<void>;
  /** One PATCH `remove members[value eq "id"]`; a non-member (400 noTarget, RFC 7644 §3.5.2.2) or a missing group (404) is success. */
  removeMember(groupId: string, userId: string): Promise<void>;

  // ---- find-or-create style operations (used until the controller takes over) --------------

  findUser(q: UserQuery): Promise<ScimUser | undefined>;
  getUser(id: string): Promise<ScimUser>;
  listUsers(opts?: { filter?: string; pageSize?: number; maxResults?: number }): AsyncIterable<ScimUser>;
  /** How many users the app holds (active or not): its ListResponse totalResults from one page of one, else counted by listing. */
  countUsers(): Promise<number>;
  /** Looks up first by userName/externalId; on 409 re-reads and adopts the existing user. */
  createUser(desired: ScimUser): Promise<{ user: ScimUser; created: boolean }>;
  /**
   * PATCH generated (SCIM core generatePatch) from current vs desired — the attributes `desired`
   * carries, plus `managed` ones removed when `desired` omits them — or a full PUT on PUT-only apps;
   * If-Match when the app has ETags; one re-read and re-plan on 412.
   */
  updateUser(
    id: string,
    desired: ScimUser,
    opts?: { managed?: readonly string[] },
  ): Promise<{ user: ScimUser; changed: boolean }>;
  deactivateUser(id: string): Promise<{ user: ScimUser; changed: boolean }>;
  reactivateUser(id: string): Promise<{ user: ScimUser; changed: boolean }>;
  /** Idempotent: `deleted: false` when the user was already gone. */
  deleteUser(id: string): Promise<{ deleted: boolean }>;

  findGroup(displayName: string): Promise<ScimGroup | undefined>;
  createGroup(displayName: string): Promise<{ group: ScimGroup; created: boolean }>;
  addMembers(groupId: string, userIds: readonly string[]): Promise<void>;
  removeMembers(groupId: string, userIds: readonly string[]): Promise<void>;

  /** Present for atlassian connections with `atlassian.jsmBaseUrl` + `restAuth`. */
  readonly jsm: JsmClient | undefined;

  close(): Promise<void>;
}

// The validated, normalised configuration (docs/configuration.md). Types only.
//
// Two halves:
//  - PublicConfig: apps without credentials, rules, approvals, leaver policies. JSON-serialisable and free of
//    secrets: what the worker plans with. (No workflow imports src/config at runtime or takes it as input.)
//  - ScimflowConfig: PublicConfig plus temporal/ingress settings and *secret references* (never secret values).
//    Values come from resolveSecrets()/resolveAppCredentials(), called only in the worker (and the ingress for
//    its webhook secret).

/** The app kinds: one capability profile each (src/connectors/profiles). The one list. */
export const APP_KINDS = ['generic', 'jasper', 'jumpcloud', 'atlassian', 'jostle'] as const;
export type AppKind = (typeof APP_KINDS)[number];

/** A reference to a secret, as written in the file. `inline` only with `allowInlineSecrets: true`. */
export type SecretRef =
  | { ref: 'env'; name: string }
  | { ref: 'file'; path: string } // absolute (relative paths are resolved against the config file at load)
  | { ref: 'inline'; value: string };

/** How an app authenticates, as written: secret *references* (resolved into connector Credentials by secrets.ts). */
export type AuthRef =
  | { type: 'bearer'; token: SecretRef }
  | { type: 'apiKey'; key: SecretRef; header: string } // header defaults to x-api-key
  | { type: 'basic'; username: string; password: SecretRef };

/**
 * Capability overrides: the same shape as Partial<Capabilities> in src/connectors/types.ts (nested objects
 * partial; `userName.characters`, `seatTakenBy`, `accept` and `patchValuePaths` are not configurable). JSON-only, so it can travel in PublicConfig.
 */
export interface CapabilityOverrides {
  patch?: boolean;
  filter?: {
    operators?: ('eq' | 'ne' | 'co' | 'sw' | 'ew' | 'pr' | 'gt' | 'ge' | 'lt' | 'le' | 'and' | 'or' | 'not')[];
    userAttributes?: string[];
    groupAttributes?: string[];
    singleTerm?: boolean;
  };
  pagination?: { mode?: 'index' | 'cursor' | 'none'; maxPageSize?: number; withFilter?: boolean };
  etag?: boolean;
  groups?: { supported?: boolean; create?: boolean; patch?: boolean; maxMembersPerPatch?: number };
  userName?: { rule?: 'any' | 'email' | 'notEmail'; derive?: 'emailLocalPart'; maxLength?: number };
  serviceProviderConfig?: boolean;
  userExtensions?: string[];
  owner?: { by: 'externalId' | 'userName' } | { by: 'attribute'; path: string };
  writeContentType?: string;
}

/** A mapping value: one template, or alternatives (the first that renders non-empty wins); null removes the attribute. */
export type AttributeMappingValue = string | string[] | null;

export interface ApprovalPolicy {
  required: boolean;
  /** Ids/emails allowed to approve; empty = any operator (via `scimflow approve`). */
  approvers: string[];
  timeoutMs: number;
  onTimeout: 'reject' | 'escalate';
  /** Who is asked after the first timeout when onTimeout = escalate (then reject after another timeoutMs). */
  escalateTo: string[];
  /**
   * Decisions typed in the Temporal UI or `scimflow approve --as` (unverified: anyone can type an
   * address): `accept` (the development default) or `refuse` (recommended in production: only a
   * signed approval link from the notification decides).
   */
  unverifiedDecisions: 'accept' | 'refuse';
}

export interface LeaverPolicy {
  deactivate: boolean;
  removeGroups: boolean;
  /** Atlassian only: remove the person as a JSM customer of the configured service desk. Always false elsewhere. */
  jsmCustomerRemoval: boolean;
  /** Hard-delete the downstream account this long after termination; null = never. */
  hardDeleteAfterMs: number | null;
}

export interface PublicJsmConfig {
  baseUrl: string;
  serviceDeskId: string;
}

export interface PublicAppConfig {
  name: string;
  kind: AppKind;
  baseUrl: string;
  rateLimit: { requestsPerSecond: number };
  capabilities: CapabilityOverrides;
  /** The app's overrides only (the per-kind defaults live in src/rules/mapping.ts). */
  attributes: Record<string, AttributeMappingValue>;
  seatConsuming: boolean;
  approval: ApprovalPolicy;
  leaver: LeaverPolicy;
  /** Atlassian: the SCIM directory id. */
  directoryId?: string;
  /** Atlassian: JSM REST (customers) without credentials. */
  jsm?: PublicJsmConfig;
}

export type Condition =
  | { op: 'equals'; value: string; ignoreCase: boolean }
  | { op: 'oneOf'; values: string[]; ignoreCase: boolean }
  | { op: 'pattern'; pattern: string; ignoreCase: boolean }
  | { op: 'exists'; value: boolean }
  | { op: 'not'; condition: Condition };

export interface Grant {
  app: string;
  groups: string[];
}

export interface BirthrightRule {
  name: string;
  /** Employee field → condition; all must hold. Empty = everyone. */
  when: Record<string, Condition>;
  grant: Grant[];
}

export interface PublicConfig {
  apps: Record<string, PublicAppConfig>;
  rules: { birthright: BirthrightRule[] };
  joiner: { allOrNothing: string[] };
}

export interface AppConfig extends PublicAppConfig {
  auth: AuthRef;
  jsm?: PublicJsmConfig & { auth: Extract<AuthRef, { type: 'basic' }> };
}

/** One payload encryption key (docs/security.md): AES-256, base64 of 32 bytes. */
export interface PayloadKeyConfig {
  /** Written into every payload it encrypts (metadata `encryption-key-id`), so keys can rotate. */
  id: string;
  key: SecretRef;
}

export interface EncryptionConfig {
  /** The id of the key new payloads are encrypted with; every listed key decrypts. */
  current: string;
  keys: PayloadKeyConfig[];
  /** Decode payloads that are not encrypted (while a namespace with running workflows migrates). Default false. */
  acceptUnencrypted: boolean;
}

/** TLS to the Temporal frontend; PEM contents come from secret references. */
export interface TemporalTlsConfig {
  /** CA bundle the server certificate must chain to (default: the system roots). */
  ca?: SecretRef;
  /** Client certificate and key (mTLS): both or neither. */
  cert?: SecretRef;
  key?: SecretRef;
  /** The name the server certificate must carry, when it differs from the address's host. */
  serverName?: string;
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Payload encryption (AES-256-GCM); unset = payloads are stored in clear text (a warning at start). */
  encryption?: EncryptionConfig;
  /** true/object: TLS; false: plain text even with an apiKey; unset: TLS exactly when apiKey is set. */
  tls?: boolean | TemporalTlsConfig;
  /** Sent as `Authorization: Bearer <apiKey>`: a Temporal Cloud API key or a JWT for the server's authorizer. */
  apiKey?: SecretRef;
  /** Worker Deployment versioning (docs/versioning.md); unset: unversioned workers. */
  deployment?: { name: string; buildId?: string };
}

/** `scimflow codec-server`: the Temporal UI's remote codec (docs/security.md). */
export interface CodecServerConfig {
  host: string;
  port: number;
  /** Origins whose pages may call it (the Temporal UI's), exactly as the browser sends them. */
  corsOrigins: string[];
  /** Accepted bearer tokens (the UI's passAccessToken sends the signed-in user's). */
  tokens: SecretRef[];
  /** Serve without a token (loopback hosts only; what `scimflow dev` does). Default false. */
  allowUnauthenticated: boolean;
  /** HTTPS (the UI passes an access token only to an https:// codec endpoint). */
  tls?: { cert: SecretRef; key: SecretRef };
}

export interface IngressConfig {
  host: string;
  port: number;
  webhookSecret: SecretRef;
  previousWebhookSecret?: SecretRef;
  maxBodyBytes: number;
  /** Request headers must arrive within this time (default 10 s). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this time (default 10 s). */
  requestTimeoutMs: number;
  /** Connections open at once; more are refused (default 512). */
  maxConnections: number;
  /** Deadline of each Temporal call the ingress makes for a request (default 4 s). */
  temporalTimeoutMs: number;
}

export type NotificationKindName =
  | 'approval-pending'
  | 'approval-escalated'
  | 'approval-expiring'
  | 'approval-decided'
  | 'leaver-attention'
  | 'identity-conflict'
  | 'join-compensated';

/** A Slack-compatible incoming webhook: POST {text, blocks}. The URL is a secret (whoever has it can post). */
export interface WebhookChannel {
  type: 'webhook';
  name: string;
  url: SecretRef;
}

export interface EmailChannel {
  type: 'email';
  name: string;
  smtp: {
    host: string;
    port: number;
    /** `implicit`: TLS from the first byte (465); `starttls`: upgrade, required (587); `none`: loopback relays only. */
    tls: 'implicit' | 'starttls' | 'none';
    username?: string;
    password?: SecretRef;
  };
  from: string;
  /** Approval events go to each of the request's approvers, with their own signed links. */
  toApprovers: boolean;
  /** Fixed recipients (every routed event; approval events without links). */
  to: string[];
}

export type NotificationChannel = WebhookChannel | EmailChannel;

export interface NotificationRoute {
  events: NotificationKindName[];
  /** Only these apps (default: every app). */
  apps?: string[];
  channels: string[];
}

export interface NotificationsConfig {
  /** `approval-expiring` goes out this long before a round ends (0: never). */
  expiringBeforeMs: number;
  /** Signed approve/reject links in approval emails, served by the ingress. */
  links?: {
    /** Where approvers reach the ingress, e.g. https://scimflow.example.com (the page is /approvals/link). */
    baseUrl: string;
    signingKey: SecretRef;
    /** Still accepted while rotating. */
    previousSigningKey?: SecretRef;
    /** A link is valid this long at most (and never past the request's timeout). */
    ttlMs: number;
  };
  channels: Record<string, NotificationChannel>;
  routes: NotificationRoute[];
}

export interface RosterConfig {
  /** Roster field (employeeId, email, givenName, …, startDate) → its column in the file; unmapped fields: a column of their own name. */
  columns: Partial<
    Record<
      | 'employeeId'
      | 'email'
      | 'givenName'
      | 'familyName'
      | 'userName'
      | 'displayName'
      | 'title'
      | 'department'
      | 'managerId'
      | 'location'
      | 'costCenter'
      | 'employeeType'
      | 'startDate',
      string
    >
  >;
  dateFormat: 'YYYY-MM-DD' | 'DD/MM/YYYY' | 'MM/DD/YYYY' | 'DD.MM.YYYY';
  /** Largest roster body the ingress reads (default 64 MiB). */
  maxBodyBytes: number;
  /** Most rows in one roster (default 100,000). */
  maxRows: number;
  /** The ingress's budget for reading the known people and dispatching a roster's events (default 2 min). */
  timeoutMs: number;
}

export interface ScimflowConfig {
  /** Absolute path of the file this was loaded from (for messages). */
  source: string;
  allowInlineSecrets: boolean;
  temporal: TemporalConfig;
  ingress: IngressConfig;
  codecServer: CodecServerConfig;
  apps: Record<string, AppConfig>;
  rules: { birthright: BirthrightRule[] };
  joiner: { allOrNothing: string[] };
  /** The mass-change guard (src/domain/guard.ts); absent: its defaults (1 h, 10 %, at most 50, at least 5). */
  guard?: {
    windowMs: number;
    maxFraction: number;
    maxCount: number;
    minCount: number;
    apps: Record<string, Partial<{ windowMs: number; maxFraction: number; maxCount: number; minCount: number }>>;
  };
  /** Roster imports (docs/configuration.md, "roster"); absent: the defaults (src/roster/settings.ts). */
  roster?: RosterConfig;
  /** Scheduled reconciliation: cron per app (default for every app `cron`). */
  reconcile?: { cron: string; jitterMs: number; apps: Record<string, string> };
  /** Who is told what (docs/configuration.md, "Notifications"); absent: nobody is notified. */
  notifications?: NotificationsConfig;
}

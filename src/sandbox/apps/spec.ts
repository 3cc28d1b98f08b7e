// What distinguishes one emulated app from another: a declarative spec read by ScimApp.
import { APP_KINDS, type AppKind } from '../../config/types';
import type { SandboxResult } from '../result';

/** One sandbox app per app kind (the kinds are listed once, in src/config/types.ts). */
export type SandboxAppName = AppKind;
export const SANDBOX_APPS: readonly SandboxAppName[] = APP_KINDS;

export type ResourceOp = 'list' | 'get' | 'create' | 'replace' | 'patch' | 'delete';

export interface SandboxAppSpec {
  name: SandboxAppName;
  /** SCIM auth style; the secret comes from the sandbox credentials. */
  auth: { type: 'bearer' } | { type: 'apiKey'; header: string };
  userOps: ReadonlySet<ResourceOp>;
  /** undefined = no Groups resource type at all (404 on /Groups). */
  groupOps?: ReadonlySet<ResourceOp>;
  /** undefined = full filter grammar; otherwise one `eq` on the listed attributes. */
  userFilterAttrs?: readonly string[];
  groupFilterAttrs?: readonly string[];
  pagination: {
    /** startIndex/count honoured (RFC 7644 §3.4.2.4). */
    index: boolean;
    /** RFC 9865 cursor paging. */
    cursor: boolean;
    /** Paging still applies when a filter is given. */
    withFilter: boolean;
    defaultCount: number;
    maxCount: number;
  };
  sort: boolean;
  etag: boolean;
  bulk?: { maxOperations: number; maxPayloadSize: number };
  /** POST /Users/.search (RFC 7644 §3.4.3). */
  search: boolean;
  /** /Me (RFC 7644 §3.11). */
  me: boolean;
  /** Which discovery endpoints are served, and whether they need no auth. */
  discovery: { serviceProviderConfig: boolean; resourceTypes: boolean; schemas: boolean; public: boolean };
  /** Response media type; `negotiate` = scim+json unless the client only accepts application/json. */
  responseType: 'negotiate' | 'application/json';
  /** Seat accounting: `create` = every create bills a seat (never refunded within the cycle). */
  seats: 'create' | 'none';
  /** Records an invitation email per created user. */
  invitations: boolean;
  userExtensions: readonly string[];
  /**
   * Whether the app stores and returns a User's externalId (RFC 7643 §3.1). false = accepted on
   * input and silently dropped, as an app does with an attribute it does not map.
   */
  keepsExternalId: boolean;
  /** App-specific validation of a user about to be stored; returns an error result to refuse. */
  validateUser?(user: Record<string, unknown>): SandboxResult | undefined;
}

export const ALL_OPS: ReadonlySet<ResourceOp> = new Set(['list', 'get', 'create', 'replace', 'patch', 'delete']);

// The zod schemas of the workflows' untrusted inputs (signals and Updates), in one module with no
// workflow API and no state: the workflows parse every message with them (a refusal is recorded,
// never thrown), and a test or a client can parse the same way without loading a workflow. Each is
// built on first use (src/shared/lazy-schema.ts): the SDK gives each run its own module graph, and
// most runs never see most of these messages.
import * as z from 'zod/mini';
import { AUDIT_VIA } from '../domain/audit';
import { lazySchema, type LazyOutput } from '../shared/lazy-schema';

// --- observation hints (src/workflows/hints.ts) ---

const resource = () =>
  z.record(z.string(), z.unknown()).check(
    z.refine(
      (r) => typeof r.id === 'string' && r.id !== '' && typeof r.userName === 'string',
      'each resource needs a string id and userName',
    ),
    z.refine((r) => !('password' in r), 'a hint must not carry a password'),
  );

const text = (min: number, max: number) => z.string().check(...(min > 0 ? [z.minLength(min)] : []), z.maxLength(max));

export const ObservationHintsSchema = lazySchema(() =>
  z.strictObject({
    hints: z
      .array(
        z.strictObject({
          app: text(1, 128),
          /** The keys the scan matched on: the lane uses the hint only when they are its own lookup's. */
          userName: text(1, 512),
          externalId: z.optional(text(1, 512)),
          observedAt: z.iso.datetime({ offset: true }),
          /** Every account of the app that had this userName (or externalId) at observedAt; empty: none. */
          resources: z.array(resource()).check(z.maxLength(20)),
        }),
      )
      .check(z.minLength(1), z.maxLength(64)),
  }),
);
export type ObservationHints = LazyOutput<typeof ObservationHintsSchema>;

// --- the mass-change guard (src/workflows/guard.ts) ---

export const PermitRequestSchema = lazySchema(() =>
  z.strictObject({
    id: text(1, 512),
    kind: z.enum(['deactivate', 'delete']),
    accountId: z.optional(text(1, 512)),
    requester: z.optional(text(1, 512)),
    execute: z.optional(z.boolean()),
    reason: z.optional(text(0, 500)),
  }),
);
export type PermitAsk = LazyOutput<typeof PermitRequestSchema>;

export const GuardDecisionCommand = lazySchema(() =>
  z.strictObject({
    decision: z.enum(['release', 'reject']),
    by: z.optional(text(0, 200)),
  }),
);
export const PermitWithdrawCommand = lazySchema(() => z.strictObject({ id: text(1, 512) }));
export const GuardSizeCommand = lazySchema(() => z.strictObject({ accounts: z.int().check(z.minimum(0)) }));

// --- the controller's operator commands (src/workflows/audit.ts, src/workflows/upgrade.ts) ---

const via = () => z.optional(z.enum(AUDIT_VIA));
export const RefreshCommand = lazySchema(() =>
  z.optional(
    z.strictObject({
      reason: z.optional(text(0, 1000)),
      continueAsNew: z.optional(z.boolean()),
      by: z.optional(text(0, 256)),
      via: via(),
    }),
  ),
);
export type RefreshCommand = NonNullable<LazyOutput<typeof RefreshCommand>>;
export const OpsCommand = lazySchema(() =>
  z.optional(
    z.strictObject({
      app: z.optional(text(0, 128)),
      reason: z.optional(text(0, 1000)),
      by: z.optional(text(0, 256)),
      via: via(),
    }),
  ),
);
export type OpsCommand = NonNullable<LazyOutput<typeof OpsCommand>>;

export const UpgradeCommand = lazySchema(() =>
  z.optional(z.strictObject({ reason: z.optional(text(0, 1000)), by: z.optional(text(0, 256)) })),
);

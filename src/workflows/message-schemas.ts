// The zod schemas of the workflows' untrusted inputs (signals and Updates), in one module with no
// workflow API and no state: the workflows parse every message with them (a refusal is recorded,
// never thrown), and a test or a client can parse the same way without loading a workflow. Each is
// built on first use (src/shared/lazy-schema.ts): the SDK gives each run its own module graph, and
// most runs never see most of these messages.
import { z } from 'zod';
import { AUDIT_VIA } from '../domain/audit';
import { lazySchema, type LazyOutput } from '../shared/lazy-schema';

// --- observation hints (src/workflows/hints.ts) ---

const resource = () =>
  z
    .record(z.string(), z.unknown())
    .refine(
      (r) => typeof r.id === 'string' && r.id !== '' && typeof r.userName === 'string',
      'each resource needs a string id and userName',
    )
    .refine((r) => !('password' in r), 'a hint must not carry a password');

export const ObservationHintsSchema = lazySchema(() =>
  z
    .object({
      hints: z
        .array(
          z
            .object({
              app: z.string().min(1).max(128),
              /** The keys the scan matched on: the lane uses the hint only when they are its own lookup's. */
              userName: z.string().min(1).max(512),
              externalId: z.string().min(1).max(512).optional(),
              observedAt: z.iso.datetime({ offset: true }),
              /** Every account of the app that had this userName (or externalId) at observedAt; empty: none. */
              resources: z.array(resource()).max(20),
            })
            .strict(),
        )
        .min(1)
        .max(64),
    })
    .strict(),
);
export type ObservationHints = LazyOutput<typeof ObservationHintsSchema>;

// --- the mass-change guard (src/workflows/guard.ts) ---

export const PermitRequestSchema = lazySchema(() =>
  z.strictObject({
    id: z.string().min(1).max(512),
    kind: z.enum(['deactivate', 'delete']),
    accountId: z.string().min(1).max(512).optional(),
    requester: z.string().min(1).max(512).optional(),
    execute: z.boolean().optional(),
    reason: z.string().max(500).optional(),
  }),
);
export type PermitAsk = LazyOutput<typeof PermitRequestSchema>;

export const GuardDecisionCommand = lazySchema(() =>
  z.strictObject({
    decision: z.enum(['release', 'reject']),
    by: z.string().max(200).optional(),
  }),
);
export const PermitWithdrawCommand = lazySchema(() => z.strictObject({ id: z.string().min(1).max(512) }));
export const GuardSizeCommand = lazySchema(() => z.strictObject({ accounts: z.number().int().min(0) }));

// --- the controller's operator commands (src/workflows/audit.ts, src/workflows/upgrade.ts) ---

const via = () => z.enum(AUDIT_VIA).optional();
export const RefreshCommand = lazySchema(() =>
  z
    .object({
      reason: z.string().max(1000).optional(),
      continueAsNew: z.boolean().optional(),
      by: z.string().max(256).optional(),
      via: via(),
    })
    .strict()
    .optional(),
);
export type RefreshCommand = NonNullable<LazyOutput<typeof RefreshCommand>>;
export const OpsCommand = lazySchema(() =>
  z
    .object({
      app: z.string().max(128).optional(),
      reason: z.string().max(1000).optional(),
      by: z.string().max(256).optional(),
      via: via(),
    })
    .strict()
    .optional(),
);
export type OpsCommand = NonNullable<LazyOutput<typeof OpsCommand>>;

export const UpgradeCommand = lazySchema(() =>
  z
    .object({ reason: z.string().max(1000).optional(), by: z.string().max(256).optional() })
    .strict()
    .optional(),
);

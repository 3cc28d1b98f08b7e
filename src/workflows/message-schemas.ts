// The zod schemas of the workflows' untrusted inputs (signals and Updates), in one module with no
// workflow API and no state: the workflows parse every message with them (a refusal is recorded,
// never thrown), and a test or a client can parse the same way without loading a workflow. Built
// once per workflow run, like every workflow module (the SDK gives each run its own module graph).
import { z } from 'zod';
import { AUDIT_VIA } from '../domain/audit';

// --- observation hints (src/workflows/hints.ts) ---

const Resource = z
  .record(z.string(), z.unknown())
  .refine(
    (r) => typeof r.id === 'string' && r.id !== '' && typeof r.userName === 'string',
    'each resource needs a string id and userName',
  )
  .refine((r) => !('password' in r), 'a hint must not carry a password');

export const ObservationHintsSchema = z
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
            resources: z.array(Resource).max(20),
          })
          .strict(),
      )
      .min(1)
      .max(64),
  })
  .strict();
export type ObservationHints = z.infer<typeof ObservationHintsSchema>;

// --- the mass-change guard (src/workflows/guard.ts) ---

export const PermitRequestSchema = z.strictObject({
  id: z.string().min(1).max(512),
  kind: z.enum(['deactivate', 'delete']),
  accountId: z.string().min(1).max(512).optional(),
  requester: z.string().min(1).max(512).optional(),
  execute: z.boolean().optional(),
  reason: z.string().max(500).optional(),
});
export type PermitAsk = z.infer<typeof PermitRequestSchema>;

export const GuardDecisionCommand = z.strictObject({
  decision: z.enum(['release', 'reject']),
  by: z.string().max(200).optional(),
});
export const PermitWithdrawCommand = z.strictObject({ id: z.string().min(1).max(512) });
export const GuardSizeCommand = z.strictObject({ accounts: z.number().int().min(0) });

// --- the controller's operator commands (src/workflows/audit.ts, src/workflows/upgrade.ts) ---

const via = z.enum(AUDIT_VIA).optional();
export const RefreshCommand = z
  .object({
    reason: z.string().max(1000).optional(),
    continueAsNew: z.boolean().optional(),
    by: z.string().max(256).optional(),
    via,
  })
  .strict()
  .optional();
export const OpsCommand = z
  .object({
    app: z.string().max(128).optional(),
    reason: z.string().max(1000).optional(),
    by: z.string().max(256).optional(),
    via,
  })
  .strict()
  .optional();
export type OpsCommand = NonNullable<z.infer<typeof OpsCommand>>;

export const UpgradeCommand = z
  .object({ reason: z.string().max(1000).optional(), by: z.string().max(256).optional() })
  .strict()
  .optional();

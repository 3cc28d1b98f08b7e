// The HR event contract (docs/hr-events.md). Pure: imported by the ingress, the CLI and workflows.
import { z } from 'zod';

export const HR_EVENT_TYPES = ['hire', 'update', 'terminate', 'rehire', 'cancel'] as const;
export type HrEventType = (typeof HR_EVENT_TYPES)[number];

// Control characters, lone surrogates and U+FFFD (what invalid UTF-8 decodes to) have no place in
// an HR record; they are refused, naming the field, rather than carried into downstream apps.
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const printable = (s: string) => !UNPRINTABLE.test(s);
const PRINTABLE = 'must not contain control characters or invalid UTF-8';
/** Identity keys and names are normalised once, here: NFKC and trimmed (so U+212A KELVIN SIGN is K). */
const text = () =>
  z
    .string()
    .refine(printable, PRINTABLE)
    .transform((s) => s.normalize('NFKC').trim());
const nonEmpty = text().pipe(
  z.string().min(1, 'must be a non-empty string').max(256, 'must be at most 256 characters'),
);
const optionalText = text()
  .pipe(z.string().min(1, 'must be a non-empty string when present').max(256, 'must be at most 256 characters'))
  .optional();

export const EmployeeSchema = z
  .object({
    employeeId: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
        'must be 1-128 characters of letters, digits, ".", "_" or "-" (it becomes part of a workflow id)',
      ),
    // Case-folded: mailbox names are compared case-insensitively everywhere scimflow meets them.
    email: text()
      .transform((s) => s.toLowerCase())
      .pipe(z.email('must be an email address').max(254)),
    givenName: nonEmpty,
    familyName: nonEmpty,
    userName: optionalText,
    displayName: optionalText,
    title: optionalText,
    department: optionalText,
    managerId: optionalText,
    location: optionalText,
    costCenter: optionalText,
    employeeType: optionalText,
  })
  .strict();
export type Employee = z.infer<typeof EmployeeSchema>;

export const HrEventSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
        'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"',
      ),
    type: z.enum(HR_EVENT_TYPES),
    effectiveAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T17:00:00Z' })
      .optional(),
    /** When HR recorded the change; orders decisions (a later termination replaces a pending one). Default: first receipt. */
    recordedAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T17:00:00Z' })
      .optional(),
    /** cancel only: the id of the event it withdraws (default: the pending termination). */
    cancels: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be an event id')
      .optional(),
    employee: EmployeeSchema,
    /** Where the event was derived from: `roster` for the diff of a roster import (docs/hr-events.md, "Roster"). */
    source: z.enum(['roster']).optional(),
  })
  .strict()
  .refine((e) => e.cancels === undefined || e.type === 'cancel', {
    path: ['cancels'],
    message: 'only a cancel event names an event it cancels',
  });
export type HrEvent = z.infer<typeof HrEventSchema>;

/** One `{ path, message }` per bad field, with the path written the way a person would address it. */
export function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
          .join('.')
          .replace(/\.\[/g, '[')
      : '(body)',
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

export function identityWorkflowId(employeeId: string): string {
  return `identity-${employeeId}`;
}

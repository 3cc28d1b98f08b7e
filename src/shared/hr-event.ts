// The HR event contract (docs/hr-events.md). Pure: imported by the ingress, the CLI and workflows.
// Written with zod/mini: the same validation core and the same issues as zod, without the method
// chains whose prototypes every workflow run would install again (the SDK gives each run its own
// module graph; bench/onboarding measured the schemas' construction per run).
import * as z from 'zod/mini';

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
  z.pipe(
    z.string().check(z.refine(printable, PRINTABLE)),
    z.transform((s: string) => s.normalize('NFKC').trim()),
  );
const nonEmpty = z.pipe(
  text(),
  z.string().check(z.minLength(1, 'must be a non-empty string'), z.maxLength(256, 'must be at most 256 characters')),
);
const optionalText = z.optional(
  z.pipe(
    text(),
    z
      .string()
      .check(
        z.minLength(1, 'must be a non-empty string when present'),
        z.maxLength(256, 'must be at most 256 characters'),
      ),
  ),
);

export const EmployeeSchema = z.strictObject({
  employeeId: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
        'must be 1-128 characters of letters, digits, ".", "_" or "-" (it becomes part of a workflow id)',
      ),
    ),
  // Case-folded: mailbox names are compared case-insensitively everywhere scimflow meets them.
  email: z.pipe(
    z.pipe(
      text(),
      z.transform((s: string) => s.toLowerCase()),
    ),
    z.email('must be an email address').check(z.maxLength(254)),
  ),
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
});
export type Employee = z.infer<typeof EmployeeSchema>;

const DATE_TIME = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T17:00:00Z';
export const HrEventSchema = z
  .strictObject({
    id: z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
          'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"',
        ),
      ),
    type: z.enum(HR_EVENT_TYPES),
    effectiveAt: z.optional(z.iso.datetime({ offset: true, message: DATE_TIME })),
    /** When HR recorded the change; orders decisions (a later termination replaces a pending one). Default: first receipt. */
    recordedAt: z.optional(z.iso.datetime({ offset: true, message: DATE_TIME })),
    /** cancel only: the id of the event it withdraws (default: the pending termination). */
    cancels: z.optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be an event id'))),
    employee: EmployeeSchema,
    /** Where the event was derived from: `roster` for the diff of a roster import (docs/hr-events.md, "Roster"). */
    source: z.optional(z.enum(['roster'])),
  })
  .check(
    z.refine((e) => e.cancels === undefined || e.type === 'cancel', {
      path: ['cancels'],
      message: 'only a cancel event names an event it cancels',
    }),
  );
export type HrEvent = z.infer<typeof HrEventSchema>;

/** One `{ path, message }` per bad field, with the path written the way a person would address it. */
export function describeIssues(error: { issues: readonly z.core.$ZodIssue[] }): { field: string; message: string }[] {
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

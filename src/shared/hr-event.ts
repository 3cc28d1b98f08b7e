// The HR event contract (docs/hr-events.md). Pure: imported by the ingress, the CLI and workflows.
import { z } from 'zod';

export const HR_EVENT_TYPES = ['hire', 'update', 'terminate', 'rehire', 'cancel'] as const;
export type HrEventType = (typeof HR_EVENT_TYPES)[number];

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string').max(256, 'must be at most 256 characters');
const optionalText = z.string().trim().min(1, 'must be a non-empty string when present').max(256, 'must be at most 256 characters').optional();

export const EmployeeSchema = z
  .object({
    employeeId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 characters of letters, digits, ".", "_" or "-" (it becomes part of a workflow id)'),
    email: z.email('must be an email address').max(254),
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
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"'),
    type: z.enum(HR_EVENT_TYPES),
    effectiveAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T17:00:00Z' }).optional(),
    employee: EmployeeSchema,
  })
  .strict();
export type HrEvent = z.infer<typeof HrEventSchema>;

/** One `{ path, message }` per bad field, with the path written the way a person would address it. */
export function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') : '(body)',
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

export function identityWorkflowId(employeeId: string): string {
  return `identity-${employeeId}`;
}

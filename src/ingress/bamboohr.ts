// BambooHR's native webhook format, turned into scimflow HR events.
// Source: BambooHR "Webhooks (Global)" — https://documentation.bamboohr.com/docs/webhooks
//  - Security: headers `X-BambooHR-Timestamp` and `X-BambooHR-Signature`, the latter the hex
//    SHA-256 HMAC of the raw body followed by the timestamp, keyed with the webhook's private key.
//  - JSON body: `{ "employees": [ { "id", "action": "Created" | "Updated" | "Deleted",
//    "timestamp", "changedFields": [...], "fields": { <posted field name>: value } } ] }`, where the
//    posted fields (and their names) are chosen when the webhook is configured. The names below are
//    BambooHR's defaults; each also accepts its API alias (firstName, workEmail, …).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { EmployeeSchema, HrEventSchema, describeIssues, type Employee, type HrEvent } from '../shared/hr-event';

export const BAMBOO_SIGNATURE_HEADER = 'x-bamboohr-signature';
export const BAMBOO_TIMESTAMP_HEADER = 'x-bamboohr-timestamp';

export function signBamboo(privateKey: string, rawBody: string | Buffer, timestamp: string): string {
  return createHmac('sha256', privateKey).update(rawBody).update(timestamp).digest('hex');
}

/** Throws a message naming what was wrong; the caller answers 401. Returns the timestamp (unix seconds). */
export function verifyBamboo(
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: Buffer,
  keys: readonly string[],
  nowSeconds: number,
  toleranceSeconds = 300,
): number {
  if (!signature || !timestamp)
    throw new Error(`missing ${BAMBOO_SIGNATURE_HEADER} or ${BAMBOO_TIMESTAMP_HEADER} header`);
  if (!/^[0-9a-f]{64}$/i.test(signature)) throw new Error(`malformed ${BAMBOO_SIGNATURE_HEADER} header`);
  const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Date.parse(timestamp) / 1000;
  if (!Number.isFinite(ts)) throw new Error(`malformed ${BAMBOO_TIMESTAMP_HEADER} header`);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds)
    throw new Error(`${BAMBOO_TIMESTAMP_HEADER} is more than ${toleranceSeconds} s away from now`);
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  for (const key of keys) {
    if (timingSafeEqual(Buffer.from(signBamboo(key, rawBody, timestamp), 'utf8'), given)) return ts;
  }
  throw new Error('signature does not match the request body');
}

const FIELD_ALIASES: Record<keyof Omit<Employee, 'employeeId'> | 'status' | 'terminationDate', string[]> = {
  email: ['Work Email', 'workEmail'],
  givenName: ['First Name', 'firstName'],
  familyName: ['Last Name', 'lastName'],
  userName: [],
  displayName: ['Preferred Name', 'preferredName', 'displayName'],
  title: ['Job Title', 'jobTitle'],
  department: ['Department', 'department'],
  managerId: ['Reporting to', 'supervisorEId', 'supervisorId'],
  location: ['Location', 'location'],
  costCenter: ['Division', 'division'],
  employeeType: ['Employment Status', 'employmentHistoryStatus', 'employmentStatus'],
  status: ['Status', 'status'],
  terminationDate: ['Termination Date', 'terminationDate'],
};

const BambooPayload = z.object({
  employees: z
    .array(
      z.object({
        id: z.union([z.string().min(1), z.number()]).transform(String),
        action: z.enum(['Created', 'Updated', 'Deleted']),
        timestamp: z.string().optional(),
        changedFields: z.array(z.string()).optional(),
        fields: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .min(1, 'must hold at least one employee')
    .max(500, 'must hold at most 500 employees'),
});

function pick(fields: Record<string, unknown>, names: string[]): string | undefined {
  for (const n of names) {
    const v = fields[n];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

export interface TranslateResult {
  events: HrEvent[];
  errors: { field: string; message: string }[];
}

/**
 * Maps each BambooHR employee change to one HR event. Event ids are derived from the employee,
 * the action and BambooHR's timestamp, so a redelivery of the same change has no second effect.
 */
export function translateBamboo(body: unknown, deliveryTimestamp: string): TranslateResult {
  const parsed = BambooPayload.safeParse(body);
  if (!parsed.success) {
    return {
      events: [],
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
    };
  }
  const events: HrEvent[] = [];
  const errors: TranslateResult['errors'] = [];
  parsed.data.employees.forEach((e, index) => {
    const f = e.fields;
    const status = pick(f, FIELD_ALIASES.status);
    const terminated = e.action === 'Deleted' || status?.toLowerCase() === 'inactive';
    const type: HrEvent['type'] = terminated
      ? 'terminate'
      : e.action === 'Created'
        ? 'hire'
        : status && e.changedFields?.some((c) => /status/i.test(c))
          ? 'rehire'
          : 'update';
    const candidate: Record<string, unknown> = { employeeId: e.id };
    for (const [key, names] of Object.entries(FIELD_ALIASES)) {
      if (key === 'status' || key === 'terminationDate' || names.length === 0) continue;
      const v = pick(f, names);
      if (v !== undefined) candidate[key] = v;
    }
    const employee = EmployeeSchema.safeParse(candidate);
    if (!employee.success) {
      for (const i of employee.error.issues)
        errors.push({
          field: `employees[${index}].fields.${String(i.path[0] ?? '')}`,
          message: `${i.message} (BambooHR employee ${e.id}; post Work Email, First Name and Last Name)`,
        });
      return;
    }
    const when = e.timestamp ?? deliveryTimestamp;
    const termDate = type === 'terminate' ? pick(f, FIELD_ALIASES.terminationDate) : undefined;
    const effectiveAt = termDate && /^\d{4}-\d{2}-\d{2}$/.test(termDate) ? `${termDate}T23:59:59Z` : undefined;
    // The event as the ingress would take it from the HR system: checked by the same schema.
    const event = HrEventSchema.safeParse({
      id: `bamboohr-${e.id}-${e.action.toLowerCase()}-${when.replace(/[^0-9A-Za-z]/g, '')}`.slice(0, 128),
      type,
      employee: employee.data,
      ...(effectiveAt ? { effectiveAt } : {}),
    });
    if (!event.success) {
      for (const f of describeIssues(event.error))
        errors.push({ field: `employees[${index}].${f.field}`, message: `${f.message} (BambooHR employee ${e.id})` });
      return;
    }
    events.push(event.data);
  });
  // All or nothing: one bad employee and no event is sent.
  return errors.length ? { events: [], errors } : { events, errors };
}

import { ERROR_SCHEMA } from './urns';

/**
 * RFC 7644 §3.12 scimType values. The HTTP status for each comes from Table 9
 * (uniqueness is 409, sensitive is 403, everything else 400).
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** RFC 7644 §3.12 error response body. `status` is a JSON string there, not a number. */
export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

/**
 * Base class of every error the SCIM core throws. `name` is a literal per class (not derived from
 * `constructor.name`) so it survives bundling and Temporal's failure conversion, which keys on it.
 */
export class ScimError extends Error {
  override readonly name: string = 'ScimError';
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** 0-based character offset into the filter/path text, when the error comes from parsing one. */
  readonly position: number | undefined;

  constructor(status: number, scimType: ScimType | undefined, detail: string, position?: number) {
    super(detail);
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.position = position;
  }

  toJSON(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(this.status) };
    if (this.scimType !== undefined) body.scimType = this.scimType;
    body.detail = this.detail;
    return body;
  }
}

/** Appends the position to the detail so it reaches clients that only see the §3.12 body. */
function at(detail: string, position: number | undefined): string {
  return position === undefined ? detail : `${detail} (at position ${position})`;
}

export class InvalidFilterError extends ScimError {
  override readonly name = 'ScimInvalidFilterError';
  constructor(detail: string, position?: number) {
    super(400, 'invalidFilter', at(detail, position), position);
  }
}
export class TooManyError extends ScimError {
  override readonly name = 'ScimTooManyError';
  constructor(detail: string) {
    super(400, 'tooMany', detail);
  }
}
export class UniquenessError extends ScimError {
  override readonly name = 'ScimUniquenessError';
  constructor(detail: string) {
    super(409, 'uniqueness', detail);
  }
}
export class MutabilityError extends ScimError {
  override readonly name = 'ScimMutabilityError';
  constructor(detail: string) {
    super(400, 'mutability', detail);
  }
}
export class InvalidSyntaxError extends ScimError {
  override readonly name = 'ScimInvalidSyntaxError';
  constructor(detail: string, position?: number) {
    super(400, 'invalidSyntax', at(detail, position), position);
  }
}
export class InvalidPathError extends ScimError {
  override readonly name = 'ScimInvalidPathError';
  constructor(detail: string, position?: number) {
    super(400, 'invalidPath', at(detail, position), position);
  }
}
export class NoTargetError extends ScimError {
  override readonly name = 'ScimNoTargetError';
  constructor(detail: string) {
    super(400, 'noTarget', detail);
  }
}
export class InvalidValueError extends ScimError {
  override readonly name = 'ScimInvalidValueError';
  constructor(detail: string, position?: number) {
    super(400, 'invalidValue', at(detail, position), position);
  }
}
export class InvalidVersError extends ScimError {
  override readonly name = 'ScimInvalidVersError';
  constructor(detail: string) {
    super(400, 'invalidVers', detail);
  }
}
export class SensitiveError extends ScimError {
  override readonly name = 'ScimSensitiveError';
  constructor(detail: string) {
    super(403, 'sensitive', detail);
  }
}
/** RFC 7644 §3.12: 404 carries no scimType. */
export class NotFoundError extends ScimError {
  override readonly name = 'ScimNotFoundError';
  constructor(detail: string) {
    super(404, undefined, detail);
  }
}

/**
 * Structural check, for errors that crossed a realm boundary (e.g. Temporal's workflow sandbox
 * loads its own copy of this module, so `instanceof` against the worker's class fails).
 */
export function isScimError(e: unknown): e is ScimError {
  if (e instanceof ScimError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.status === 'number' &&
    typeof o.detail === 'string' &&
    typeof o.name === 'string' &&
    o.name.startsWith('Scim')
  );
}

import {
  ERROR_SCHEMA,
  InvalidFilterError,
  InvalidPathError,
  InvalidSyntaxError,
  InvalidValueError,
  InvalidVersError,
  MutabilityError,
  NoTargetError,
  NotFoundError,
  ScimError,
  SensitiveError,
  TooManyError,
  UniquenessError,
  isScimError,
} from '../../src/scim';

describe('ScimError (RFC 7644 §3.12)', () => {
  test.each([
    [new InvalidFilterError('f', 3), 400, 'invalidFilter', 'ScimInvalidFilterError'],
    [new TooManyError('t'), 400, 'tooMany', 'ScimTooManyError'],
    [new UniquenessError('u'), 409, 'uniqueness', 'ScimUniquenessError'],
    [new MutabilityError('m'), 400, 'mutability', 'ScimMutabilityError'],
    [new InvalidSyntaxError('s'), 400, 'invalidSyntax', 'ScimInvalidSyntaxError'],
    [new InvalidPathError('p', 0), 400, 'invalidPath', 'ScimInvalidPathError'],
    [new NoTargetError('n'), 400, 'noTarget', 'ScimNoTargetError'],
    [new InvalidValueError('v'), 400, 'invalidValue', 'ScimInvalidValueError'],
    [new InvalidVersError('v'), 400, 'invalidVers', 'ScimInvalidVersError'],
    [new SensitiveError('s'), 403, 'sensitive', 'ScimSensitiveError'],
  ])('%s', (err, status, scimType, name) => {
    expect(err).toBeInstanceOf(ScimError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(status);
    expect(err.scimType).toBe(scimType);
    expect(err.name).toBe(name);
    expect(isScimError(err)).toBe(true);
    expect(err.toJSON()).toEqual({ schemas: [ERROR_SCHEMA], status: String(status), scimType, detail: err.detail });
    expect(JSON.parse(JSON.stringify(err))).toEqual(err.toJSON());
  });

  test('position is part of detail and exposed as a field', () => {
    const e = new InvalidFilterError('unexpected', 7);
    expect(e.position).toBe(7);
    expect(e.detail).toBe('unexpected (at position 7)');
    expect(e.message).toBe(e.detail);
  });

  test('404 has no scimType', () => {
    const e = new NotFoundError('Resource 2819c223 not found');
    expect(e.toJSON()).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: 'Resource 2819c223 not found' });
  });

  test('isScimError recognises errors from another realm by shape', () => {
    expect(isScimError({ name: 'ScimNoTargetError', status: 400, detail: 'x' })).toBe(true);
    expect(isScimError(new Error('x'))).toBe(false);
    expect(isScimError(null)).toBe(false);
  });
});

import fc from 'fast-check';
import {
  InvalidFilterError,
  InvalidPathError,
  and,
  co,
  compileFilter,
  eq,
  filter,
  formatFilter,
  formatPath,
  gt,
  not,
  parseFilter,
  parsePath,
  valuePath,
} from '../../src/scim';
import { filterAst } from './arbitraries';

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"', '\\', '"]', '" or userName pr or userName eq "', ')', '(', '\u0000', '\u2028', 'not (x pr)'),
);

describe('filter properties', () => {
  test('parseFilter(formatFilter(ast)) rebuilds any AST', () => {
    fc.assert(
      fc.property(filterAst, (ast) => {
        const text = formatFilter(ast);
        expect(parseFilter(text)).toEqual(ast);
        expect(formatFilter(parseFilter(text))).toBe(text);
      }),
      { numRuns: 5000, seed: 11 },
    );
  });

  test('the tagged template never lets a value change the structure', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        const f = filter`userName eq ${a} and (title co ${b} or emails[type eq ${a}])`;
        expect(parseFilter(f)).toEqual({
          op: 'and',
          left: { op: 'eq', attr: { name: 'userName' }, value: a },
          right: {
            op: 'or',
            left: { op: 'co', attr: { name: 'title' }, value: b },
            right: {
              op: 'valuePath',
              attr: { name: 'emails' },
              filter: { op: 'eq', attr: { name: 'type' }, value: a },
            },
          },
        });
        const match = compileFilter(filter`userName eq ${a}`);
        expect(match({ userName: a })).toBe(true);
        expect(match({ userName: `${a}x` })).toBe(false);
      }),
      { numRuns: 5000, seed: 12 },
    );
  });

  test('builder functions produce ASTs that survive formatting', () => {
    const scalar = fc.oneof(
      anyString,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(scalar, anyString, fc.date({ noInvalidDate: true }), (v, s, d) => {
        const ast = and(
          eq('userName', v),
          not(co('title', s)),
          valuePath('emails', eq('value', s)),
          gt('meta.lastModified', d),
        );
        expect(parseFilter(formatFilter(ast))).toEqual(ast);
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  test('parseFilter on arbitrary text returns an AST or throws InvalidFilterError with a position inside the text', () => {
    const noisy = fc.oneof(
      anyString,
      fc
        .array(
          fc.constantFrom(
            'userName',
            'eq',
            'and',
            'or',
            'not',
            '(',
            ')',
            '[',
            ']',
            '"x"',
            '1',
            'pr',
            ' ',
            'emails',
            'true',
            '.',
            ':',
            'urn:a:b',
          ),
          { maxLength: 12 },
        )
        .map((p) => p.join(' ')),
    );
    fc.assert(
      fc.property(noisy, (text) => {
        try {
          const ast = parseFilter(text);
          expect(parseFilter(formatFilter(ast))).toEqual(ast);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidFilterError);
          const pos = (e as InvalidFilterError).position as number;
          expect(pos).toBeGreaterThanOrEqual(0);
          expect(pos).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 5000, seed: 14 },
    );
  });

  test('parsePath on arbitrary text returns a path or throws InvalidPathError with a position', () => {
    const noisy = fc.oneof(
      anyString,
      fc
        .array(fc.constantFrom('emails', '[', ']', 'type', 'eq', '"work"', '.value', '.', 'urn:x:y', 'name', ' '), {
          maxLength: 8,
        })
        .map((p) => p.join('')),
    );
    fc.assert(
      fc.property(noisy, (text) => {
        try {
          const p = parsePath(text);
          expect(parsePath(formatPath(p))).toEqual(p);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidPathError);
          expect((e as InvalidPathError).position).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 5000, seed: 15 },
    );
  });
});

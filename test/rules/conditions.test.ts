import { evaluateCondition, ruleMatches } from '../../src/rules';
import type { Condition } from '../../src/config/types';
import type { Employee } from '../../src/shared/hr-event';

const eq = (value: string, ignoreCase = false): Condition => ({ op: 'equals', value, ignoreCase });
const oneOf = (values: string[], ignoreCase = false): Condition => ({ op: 'oneOf', values, ignoreCase });
const pattern = (p: string, ignoreCase = false): Condition => ({ op: 'pattern', pattern: p, ignoreCase });
const not = (condition: Condition): Condition => ({ op: 'not', condition });
const exists = (value: boolean): Condition => ({ op: 'exists', value });

describe('evaluateCondition', () => {
  it.each<[string, Condition, string | undefined, boolean]>([
    ['equals matches exactly', eq('Engineering'), 'Engineering', true],
    ['equals is case-sensitive by default', eq('Engineering'), 'engineering', false],
    ['equals ignoreCase', eq('Engineering', true), 'ENGINEERING', true],
    ['equals on a missing field', eq('Engineering'), undefined, false],
    ['equals does not match a prefix', eq('Eng'), 'Engineering', false],
    ['oneOf hit', oneOf(['Support', 'Customer Success']), 'Customer Success', true],
    ['oneOf miss', oneOf(['Support', 'Customer Success']), 'Sales', false],
    ['oneOf ignoreCase', oneOf(['Support'], true), 'support', true],
    ['oneOf on a missing field', oneOf(['Support']), undefined, false],
    ['pattern hit (unanchored)', pattern('lead'), 'Tech lead', true],
    ['pattern is case-sensitive by default', pattern('lead'), 'Tech Lead', false],
    ['pattern ignoreCase', pattern('^senior\\b', true), 'Senior Engineer', true],
    ['pattern anchored miss', pattern('^senior\\b', true), 'Not Senior', false],
    ['pattern word boundary', pattern('\\b(lead|head)\\b', true), 'Leader', false],
    ['pattern on a missing field', pattern('.*'), undefined, false],
    ['not equals on a different value', not(eq('Contractor')), 'Employee', true],
    ['not equals on the value', not(eq('Contractor')), 'Contractor', false],
    ['not equals on a missing field', not(eq('Contractor')), undefined, true],
    ['not not', not(not(eq('A'))), 'A', true],
    ['not oneOf', not(oneOf(['A', 'B'])), 'C', true],
    ['exists true with a value', exists(true), 'x', true],
    ['exists true without', exists(true), undefined, false],
    ['exists false without', exists(false), undefined, true],
    ['exists false with a value', exists(false), 'x', false],
  ])('%s', (_name, condition, value, expected) => {
    expect(evaluateCondition(condition, value)).toBe(expected);
  });
});

describe('ruleMatches', () => {
  const jane: Employee = {
    employeeId: 'E1',
    email: 'jane@example.com',
    givenName: 'Jane',
    familyName: 'Doe',
    department: 'Engineering',
    title: 'Staff Engineer',
    location: 'Berlin',
    employeeType: 'Employee',
    costCenter: 'CC-100',
  };

  it.each<[string, Record<string, Condition>, boolean]>([
    ['an empty when matches everyone', {}, true],
    ['one condition that holds', { department: eq('Engineering') }, true],
    [
      'all conditions hold',
      { department: eq('Engineering'), location: oneOf(['Berlin', 'London']), costCenter: pattern('^CC-1') },
      true,
    ],
    ['one of several fails', { department: eq('Engineering'), location: eq('London') }, false],
    ['a condition on a field the employee lacks', { managerId: eq('E0') }, false],
    ['not on a field the employee lacks', { managerId: not(exists(true)) }, true],
    ['employeeType excludes contractors', { employeeType: not(eq('contractor', true)) }, true],
  ])('%s', (_name, when, expected) => {
    expect(ruleMatches({ when }, jane)).toBe(expected);
  });
});

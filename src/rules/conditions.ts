// Birthright rule conditions over Employee fields. Pure and deterministic.
import type { Employee } from '../shared/hr-event';
import type { BirthrightRule, Condition } from '../config/types';

const regexCache = new Map<string, RegExp>();
function regex(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : '-'}${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(pattern, ignoreCase ? 'iu' : 'u');
    if (regexCache.size > 1_000) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

function fold(s: string, ignoreCase: boolean): string {
  return ignoreCase ? s.toLowerCase() : s;
}

/** Evaluates one condition against a field value (undefined when the employee has no such field). */
export function evaluateCondition(condition: Condition, value: string | undefined): boolean {
  switch (condition.op) {
    case 'equals':
      return value !== undefined && fold(value, condition.ignoreCase) === fold(condition.value, condition.ignoreCase);
    case 'oneOf':
      return (
        value !== undefined &&
        condition.values.some((v) => fold(v, condition.ignoreCase) === fold(value, condition.ignoreCase))
      );
    case 'pattern':
      return value !== undefined && regex(condition.pattern, condition.ignoreCase).test(value);
    case 'exists':
      return (value !== undefined && value !== '') === condition.value;
    case 'not':
      return !evaluateCondition(condition.condition, value);
  }
}

/** True when every condition of the rule holds (an empty `when` matches everyone). */
export function ruleMatches(rule: Pick<BirthrightRule, 'when'>, employee: Employee): boolean {
  return Object.entries(rule.when).every(([field, condition]) =>
    evaluateCondition(condition, (employee as Record<string, string | undefined>)[field]),
  );
}

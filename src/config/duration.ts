// Duration strings ("72h", "30m", "10s", "1d12h", "250ms") → milliseconds. Pure.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const WHOLE = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+)(ms|s|m|h|d|w)/g;

export class DurationError extends Error {
  override readonly name = 'DurationError';
  /** The message without the text that was parsed (configuration errors never quote values). */
  readonly reason: string;
  constructor(message: string, reason?: string) {
    super(message);
    this.reason = reason ?? message;
  }
}

const HOW = 'use e.g. 72h, 30m, 10s, 1d12h, 250ms (units ms, s, m, h, d, w)';

/**
 * Parses a duration: one or more `<integer><unit>` groups, units ms, s, m, h, d (24h), w (7d), largest first
 * is not required but each unit may appear once. `parseDuration('72h') === 259_200_000`.
 * Throws DurationError on anything else (empty, negative, decimals, spaces, unknown units, zero total).
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string' || !WHOLE.test(text)) {
    throw new DurationError(`"${String(text)}" is not a duration: ${HOW}`, `not a duration: ${HOW}`);
  }
  const seen = new Set<string>();
  let total = 0;
  for (const match of text.matchAll(PART)) {
    const unit = match[2] as Unit;
    if (seen.has(unit))
      throw new DurationError(
        `"${text}" is not a duration: unit "${unit}" appears twice`,
        `not a duration: unit "${unit}" appears twice`,
      );
    seen.add(unit);
    total += Number(match[1]) * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(total)) throw new DurationError(`"${text}" is too long a duration`, 'too long a duration');
  if (total <= 0) throw new DurationError(`"${text}" must be longer than zero`, 'a duration must be longer than zero');
  return total;
}

/** Formats milliseconds back into the largest-units form ("259200000" → "3d"); the inverse of parseDuration. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new DurationError(`${ms} is not a positive whole number of milliseconds`);
  let rest = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}

// Option-value parsers for commander: a bad value is a usage error (exit 2) naming the option, not
// a failure later on. Each returns the value it was given, so an action reads it as before.
import { userInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { parseAge, parseSince } from './format';

/** `30m`, `1h`, `2d`… (see parseAge). */
export function durationValue(value: string): string {
  try {
    parseAge(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

/** 1, 2, 3… */
export function positiveIntegerValue(value: string): string {
  if (!/^\s*[1-9]\d*\s*$/.test(value))
    throw new InvalidArgumentError(`expected a positive whole number, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** A TCP port, 0–65535. */
export function portValue(value: string): string {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535)
    throw new InvalidArgumentError(`expected a port number (0-65535), got ${JSON.stringify(value)}`);
  return String(n);
}

/** An ISO date/time, or a duration back from now (`--since 2024-05-01`, `--since 7d`). */
export function sinceValue(value: string): string {
  try {
    parseSince(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

/** Who runs the command, for the audit trail when `--as` is not given. */
export function osUser(): string {
  try {
    return userInfo().username || process.env.USER || 'operator';
  } catch {
    return process.env.USER ?? 'operator';
  }
}

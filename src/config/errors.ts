// ConfigError: every configuration problem (file, syntax, schema, cross-reference, unresolved secret).
import { isAbsolute, relative } from 'node:path';
import type { ConfigIssue } from './schema';

export interface ConfigErrorDetail extends ConfigIssue {
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    /** The config file (relative to the cwd when inside it). */
    readonly file: string,
    /** One entry per problem: dotted key path, message, and the YAML position when known. */
    readonly errors: ConfigErrorDetail[],
    headline?: string,
  ) {
    super(
      `${headline ?? `Invalid configuration in ${file}`}:\n` +
        formatConfigErrors(errors)
          .map((line) => `  - ${line}`)
          .join('\n'),
    );
  }
}

/** A path for messages: relative to the cwd when inside it, else absolute. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** One line per problem, `path (line L, column C): message` — for CLI output. */
export function formatConfigErrors(errors: readonly ConfigErrorDetail[]): string[] {
  return errors.map(
    (e) => `${e.path}${e.line !== undefined ? ` (line ${e.line}, column ${e.column ?? 1})` : ''}: ${e.message}`,
  );
}

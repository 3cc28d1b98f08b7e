// Reads a roster incrementally: CSV (csv-parse, streaming) or a JSON array of objects (split object
// by object, so no whole-document parse). Every row is validated (src/domain/roster.ts) and only
// the compact validated records are kept: memory grows with the number of employees, not with the
// size or shape of the file. Nothing here dispatches anything.
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import {
  DuplicateCheck,
  missingColumns,
  readRow,
  type RosterEntry,
  type RosterIssue,
  type RosterMapping,
} from '../domain/roster';

export type RosterFormat = 'csv' | 'json';

export interface ReadRosterOptions {
  mapping: RosterMapping;
  maxRows: number;
  /** Issues kept (the rest are counted). */
  maxIssues?: number;
  /** Largest single JSON object / CSV record, in characters. */
  maxRecordChars?: number;
}

export interface RosterRead {
  entries: RosterEntry[];
  issues: RosterIssue[];
  /** Issues beyond `maxIssues`, not listed. */
  moreIssues: number;
  rows: number;
}

/** The format a file name or Content-Type says. */
export function rosterFormat(nameOrType: string): RosterFormat | undefined {
  const s = nameOrType.toLowerCase();
  if (/(^|\/|\.)csv($|;|\s)|text\/csv|application\/csv/.test(s)) return 'csv';
  if (/json/.test(s)) return 'json';
  return undefined;
}

class RosterSyntaxError extends Error {}

/** Each element of a top-level JSON array, as it is complete (strings, escapes and nesting respected). */
export async function* jsonArrayElements(
  source: AsyncIterable<Buffer | string>,
  maxChars: number,
): AsyncGenerator<unknown> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let state = 'before' as 'before' | 'between' | 'after';
  let depth = 0;
  let inString = false;
  let escape = false;
  let parts: string[] = [];
  let size = 0;
  const feed = function* (text: string): Generator<unknown> {
    let start = depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (depth > 0) {
        if (inString) {
          if (escape) escape = false;
          else if (c === '\\') escape = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            parts.push(text.slice(start, i + 1));
            const json = parts.join('');
            parts = [];
            size = 0;
            start = -1;
            try {
              yield JSON.parse(json) as unknown;
            } catch (err) {
              throw new RosterSyntaxError(`invalid JSON in the roster: ${(err as Error).message}`);
            }
          }
        }
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\ufeff') continue;
      if (state === 'before') {
        if (c !== '[') throw new RosterSyntaxError('a JSON roster is an array of employee objects: [ {…}, {…} ]');
        state = 'between';
      } else if (state === 'between') {
        if (c === ',') continue;
        if (c === ']') state = 'after';
        else if (c === '{') {
          depth = 1;
          start = i;
        } else
          throw new RosterSyntaxError('a JSON roster is an array of employee objects: every element must be an object');
      } else throw new RosterSyntaxError('unexpected content after the roster array');
    }
    if (depth > 0 && start >= 0) {
      const piece = text.slice(start);
      size += piece.length;
      if (size > maxChars) throw new RosterSyntaxError(`a roster element is longer than ${maxChars} characters`);
      parts.push(piece);
    }
  };
  for await (const chunk of source)
    yield* feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  yield* feed(decoder.decode());
  if ((state as string) !== 'after' || depth > 0)
    throw new RosterSyntaxError(
      state === 'before' ? 'the roster is empty' : 'the roster JSON ends before its array does',
    );
}

/** Reads and validates every row. Syntax errors and row limits end the read with one issue. */
export async function readRoster(
  source: Readable | AsyncIterable<Buffer | string>,
  format: RosterFormat,
  opts: ReadRosterOptions,
): Promise<RosterRead> {
  const maxIssues = opts.maxIssues ?? 100;
  const out: RosterRead = { entries: [], issues: [], moreIssues: 0, rows: 0 };
  const dup = new DuplicateCheck(opts.mapping);
  const issue = (list: RosterIssue[]) => {
    for (const i of list) {
      if (out.issues.length < maxIssues) out.issues.push(i);
      else out.moreIssues++;
    }
  };
  const take = (raw: unknown) => {
    out.rows++;
    if (out.rows > opts.maxRows)
      throw new RosterSyntaxError(`the roster has more than ${opts.maxRows} rows (roster.maxRows)`);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      issue([{ field: `rows[${out.rows}]`, message: 'must be an object of column → value' }]);
      return;
    }
    const r = readRow(raw as Record<string, unknown>, out.rows, opts.mapping);
    if ('issues' in r) return issue(r.issues);
    const d = dup.check(r.entry);
    if (d.length) return issue(d);
    // Once any row is bad nothing is dispatched: stop keeping records, keep validating.
    if (out.issues.length === 0) out.entries.push(r.entry);
  };
  try {
    if (format === 'json') {
      for await (const el of jsonArrayElements(source, opts.maxRecordChars ?? 64 * 1024)) take(el);
    } else {
      let headerChecked = false;
      const parser = parse({
        bom: true,
        trim: true,
        skip_empty_lines: true,
        max_record_size: opts.maxRecordChars ?? 64 * 1024,
        columns: (header: string[]) => {
          headerChecked = true;
          const names = header.map((h) => String(h).trim());
          const missing = missingColumns(names, opts.mapping);
          if (missing.length) {
            issue(missing);
            throw new RosterSyntaxError('missing columns');
          }
          const seen = new Set<string>();
          for (const n of names) {
            if (seen.has(n)) {
              issue([{ field: `columns.${n}`, message: `the column "${n}" appears twice` }]);
              throw new RosterSyntaxError('duplicate column');
            }
            seen.add(n);
          }
          return names;
        },
      });
      const feeding = (async () => {
        try {
          for await (const chunk of source) {
            if (parser.destroyed) return;
            if (!parser.write(chunk)) await new Promise((r) => (parser.once('drain', r), parser.once('close', r)));
          }
          parser.end();
        } catch (err) {
          parser.destroy(err as Error);
        }
      })();
      for await (const record of parser) take(record);
      await feeding;
      if (!headerChecked) throw new RosterSyntaxError('the roster is empty (no header row)');
    }
  } catch (err) {
    if (err instanceof RosterSyntaxError) {
      if (err.message !== 'missing columns' && err.message !== 'duplicate column')
        issue([{ field: out.rows ? `rows[${out.rows}]` : '(body)', message: err.message }]);
    } else if ((err as { code?: string }).code?.startsWith('CSV_')) {
      const e = err as Error & { code: string; lines?: number };
      issue([
        {
          field: `rows[${out.rows + 1}]`,
          message: `malformed CSV${e.lines ? ` at line ${e.lines}` : ''}: ${e.message}`,
        },
      ]);
    } else throw err;
  }
  if (out.issues.length || out.moreIssues) out.entries = [];
  return out;
}

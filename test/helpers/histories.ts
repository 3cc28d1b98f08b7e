// The replay corpus (test/fixtures/histories/<version>/): recorded histories of released workflow
// code, replayed against the current code so a change that would break a running workflow fails a
// test instead of a person's lifecycle. Written by scripts/record-histories.ts, read by
// test/workflows/replay-corpus.test.ts.
//
// Format: each file is `History.toJSON()` of @temporalio/proto (protobufjs' JSON form: enum names,
// int64 as strings, bytes as base64, timestamps as { seconds, nanos }), read back with
// `History.fromObject`. Not the SDK's historyToJSON/historyFromJSON: with this lock file
// @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8, and those
// two helpers throw "type must be a Type".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import {
  DefaultLogger,
  Runtime,
  Worker,
  makeTelemetryFilterString,
  type ReplayWorkerOptions,
} from '@temporalio/worker';
import { DEV_WEBHOOK_SECRET } from '../../src/cli/dev-env';
import { DEV_CREDENTIALS } from '../../src/sandbox/credentials';
import { secretForms } from '../../src/shared/scrub';
import { TEST_ENV } from './stack';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export const CORPUS_ROOT = join(__dirname, '..', 'fixtures', 'histories');

export interface CorpusEntry {
  /** The file, relative to the corpus root: `<version>/<scenario>.json`. */
  file: string;
  workflowId: string;
  workflowType: string;
  description: string;
}

export interface CorpusManifest {
  version: string;
  recordedAt: string;
  /** The build that recorded it (package version + commit). */
  buildId: string;
  histories: (CorpusEntry & { runId: string; events: number })[];
}

/** Every committed history, of every recorded version. */
export function loadCorpus(root = CORPUS_ROOT): (CorpusEntry & { history: History })[] {
  const out: (CorpusEntry & { history: History })[] = [];
  let versions: string[];
  try {
    versions = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return out;
  }
  for (const version of versions) {
    const manifest = JSON.parse(readFileSync(join(root, version, 'index.json'), 'utf8')) as CorpusManifest;
    for (const h of manifest.histories) {
      out.push({
        file: h.file,
        workflowId: h.workflowId,
        workflowType: h.workflowType,
        description: h.description,
        history: readHistory(join(root, h.file)),
      });
    }
  }
  return out;
}

/** A history file of the corpus. */
export function readHistory(path: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path, 'utf8')));
}

/** A history as the corpus stores it. */
export function historyJson(history: History): Record<string, unknown> {
  return temporal.api.history.v1.History.fromObject(history).toJSON();
}

// ---- secrets -------------------------------------------------------------------------------

/** The sandbox's credentials and the webhook secrets: none may appear in a committed history. */
export function corpusSecrets(): string[] {
  const { atlassianRestEmail: _email, ...tokens } = DEV_CREDENTIALS;
  return [...new Set([...Object.values(tokens), DEV_WEBHOOK_SECRET, TEST_ENV.SCIMFLOW_WEBHOOK_SECRET])];
}

/**
 * The secrets found in a history file's text — as written, URL-encoded, base64 or JSON-escaped, and
 * inside every payload once decoded (payload data is base64 in the JSON, so a secret in an activity
 * argument would not show in the raw text).
 */
export function findSecrets(text: string, secrets = corpusSecrets()): string[] {
  const texts = [text];
  for (const m of text.matchAll(/"data"\s*:\s*"([A-Za-z0-9+/=_-]+)"/g))
    texts.push(Buffer.from(m[1]!, 'base64').toString('utf8'));
  return secrets.filter((s) => secretForms(s).some((form) => texts.some((t) => t.includes(form))));
}

// ---- replay and what failed ----------------------------------------------------------------

export interface ReplayFailure {
  file: string;
  workflowId: string;
  /** The first event the code disagreed with, as `#<id> <EventType> (<what>)`. */
  firstMismatch: string;
  error: string;
}

export function quietRuntime(): void {
  try {
    // A replay that fails is the point of some tests: core's WARN about the failed task is noise.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch {
    // already installed in this process
  }
}

/** Replays every history; one line per failure, naming the file and the first mismatching event. */
export async function replayAll(
  entries: (CorpusEntry & { history: History })[],
  options: ReplayWorkerOptions,
): Promise<{ replayed: number; failures: ReplayFailure[] }> {
  quietRuntime();
  const failures: ReplayFailure[] = [];
  let replayed = 0;
  // Replayed under the workflow id it ran with: the code may put it into what it sends (the guard's
  // permit ids do), and a verdict recorded for one id never answers another. Runs are replayed one
  // at a time, in order, so each result is matched to its history by position (two runs of one
  // workflow id, before and after continue-as-new, are two files).
  let i = 0;
  for await (const r of Worker.runReplayHistories(
    options,
    entries.map((e) => ({ workflowId: e.workflowId, history: e.history })),
  )) {
    const entry = entries[i++]!;
    if (r.workflowId !== entry.workflowId)
      throw new Error(`replay results out of order: ${r.workflowId} for ${entry.file}`);
    replayed++;
    if (!r.error) continue;
    const error = r.error instanceof Error ? r.error.message : String(r.error);
    failures.push({
      file: entry.file,
      workflowId: entry.workflowId,
      error,
      firstMismatch: await firstMismatch(entry.history, error, options, entry.workflowId),
    });
  }
  return { replayed, failures };
}

/** `#12 EVENT_TYPE_TIMER_STARTED (timer 3, 1s)`: an event, in words. */
export function describeEvent(e: HistoryEvent | undefined): string {
  if (!e) return '(no such event)';
  const type = eventTypeName(e);
  const a = e.activityTaskScheduledEventAttributes;
  const t = e.timerStartedEventAttributes;
  const m = e.markerRecordedEventAttributes;
  const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
  const s = e.workflowExecutionSignaledEventAttributes;
  const what = a
    ? `activity ${a.activityType?.name ?? '?'}`
    : t
      ? `timer ${t.timerId}, ${Number(t.startToFireTimeout?.seconds ?? 0)}s`
      : m
        ? `marker ${m.markerName}`
        : c
          ? `child ${c.workflowType?.name ?? '?'} ${c.workflowId ?? ''}`
          : s
            ? `signal ${s.signalName}`
            : undefined;
  return `#${String(e.eventId)} ${type}${what ? ` (${what})` : ''}`;
}

function eventTypeName(e: HistoryEvent): string {
  // The event's attributes name its type; the numeric enum would need the proto tables.
  const attr = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  return attr
    ? attr.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase())
    : `type ${String(e.eventType)}`;
}

/**
 * The first event the code disagrees with: the event the nondeterminism error names
 * (`HistoryEvent(id: 12, …)`), else found by replaying ever longer prefixes of the history — each
 * ending just before a workflow task starts, so every command decided before it has met its event
 * — in one replay worker: the first prefix that fails holds the mismatch, in the events that the
 * workflow task before its end produced.
 */
export async function firstMismatch(
  history: History,
  error: string,
  options: ReplayWorkerOptions,
  workflowId = 'replayed',
): Promise<string> {
  const events = history.events ?? [];
  const named = /HistoryEvent\(id:\s*(\d+)/.exec(error);
  if (named) {
    const id = Number(named[1]);
    return describeEvent(events.find((e) => Number(e.eventId) === id));
  }
  const cuts = events.map((e, i) => (e.workflowTaskStartedEventAttributes && i > 0 ? i : -1)).filter((i) => i > 0);
  cuts.push(events.length);
  const prefixes = cuts.map((n) => ({
    workflowId,
    history: temporal.api.history.v1.History.create({ events: events.slice(0, n) }),
  }));
  let failing: number | undefined;
  let k = 0;
  for await (const r of Worker.runReplayHistories(options, prefixes)) {
    if (r.error && failing === undefined) failing = cuts[k];
    k++;
  }
  if (failing === undefined) return '(every prefix replays: the failure is in the last workflow task)';
  const previous = [...cuts].reverse().find((n) => n < failing!) ?? 0;
  const slice = events.slice(previous, failing);
  // The events after the last completed workflow task of the slice are that task's commands.
  const completed = slice.map((e) => Boolean(e.workflowTaskCompletedEventAttributes)).lastIndexOf(true);
  return describeEvent(slice[completed + 1] ?? slice.at(-1));
}

/** A failure, as a test prints it. */
export function formatFailure(f: ReplayFailure): string {
  return `${f.file}: first mismatching event ${f.firstMismatch}\n    ${f.error.split('\n')[0]}`;
}

// POST /webhooks/hr/roster: a full employee snapshot (CSV or a JSON array), signed like every
// scimflow webhook. Order: content type → signature header and timestamp (before any byte is read)
// → the body, streamed through the MAC into a private temporary file, within roster.maxBodyBytes →
// the MAC → only then is the roster parsed, incrementally, every row validated (400 naming row and
// column; nothing sent) → the known people → the diff → its events dispatched, each like a single
// event. Re-sending a roster is safe: the diff and its event ids are deterministic.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { diffRoster, type RosterMapping, type RosterPlan } from '../domain/roster';
import { readRoster, rosterFormat } from '../roster/parse';
import { rosterHash } from '../roster/settings';
import { forEachLimit, type KnownPeople } from '../roster/temporal';
import type { HrEvent } from '../shared/hr-event';
import { SIGNATURE_HEADER, SignatureError, replayKey, streamingVerifier } from './signature';

export const ROSTER_ROUTE = '/webhooks/hr/roster';
/** Items listed in the answer (the counts are always complete). */
const MAX_LISTED = 1_000;

export interface RosterRouteSettings {
  mapping: RosterMapping;
  maxBodyBytes: number;
  maxRows: number;
  /** Budget for the known people and every dispatch. */
  timeoutMs: number;
  /** The people scimflow knows (running controllers' records in force). */
  /** The known people; `employeeIds`: the roster's, looked up directly as well as listed. */
  known(signal: AbortSignal, employeeIds: readonly string[]): Promise<KnownPeople>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the route borrows from the ingress (server.ts): its signature settings, replay cache and dispatch. */
export interface RosterRouteContext {
  secrets: readonly string[];
  now(): number;
  tolerance: number;
  closing: AbortSignal;
  replay(key: string, expires: number, work: () => Promise<Reply>): Promise<Reply>;
  dispatchOne(event: HrEvent, deadline: number, log: FastifyBaseLogger): Promise<{ ok: boolean }>;
  errorBody(code: string, message: string, fields?: { field: string; message: string }[]): unknown;
  unavailable(message: string): Reply;
}

/** The answer's summary of a plan. */
function planBody(plan: RosterPlan, rows: number) {
  return {
    rows,
    counts: plan.counts,
    items: plan.items.slice(0, MAX_LISTED).map((i) => ({
      change: i.change,
      employeeId: i.employeeId,
      id: i.event.id,
      ...(i.row ? { row: i.row } : {}),
      ...(i.fields ? { fields: i.fields } : {}),
    })),
    ...(plan.items.length > MAX_LISTED ? { omitted: plan.items.length - MAX_LISTED } : {}),
    kept: plan.kept.slice(0, MAX_LISTED),
  };
}

export function registerRosterRoute(
  app: FastifyInstance,
  ctx: RosterRouteContext,
  settings: RosterRouteSettings,
): void {
  void app.register(async (scope) => {
    // This route reads its body itself, as a stream: no buffering parser, no global body limit.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    scope.post(ROSTER_ROUTE, async (req, reply) => {
      const send = (r: Reply) => {
        for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
        return reply.code(r.status).send(r.body);
      };
      const stream = req.body as Readable | undefined;
      const format = rosterFormat(String(req.headers['content-type'] ?? ''));
      if (!format || !stream)
        return send({
          status: 415,
          body: ctx.errorBody('unsupported_media_type', 'Content-Type must be text/csv or application/json'),
        });
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > settings.maxBodyBytes) {
        reply.header('connection', 'close');
        return send({
          status: 413,
          body: ctx.errorBody(
            'body_too_large',
            `roster body exceeds ${settings.maxBodyBytes} bytes (roster.maxBodyBytes)`,
          ),
        });
      }
      const header = req.headers[SIGNATURE_HEADER];
      let verifier: ReturnType<typeof streamingVerifier>;
      try {
        verifier = streamingVerifier(Array.isArray(header) ? header[0] : header, ctx.secrets, ctx.now(), ctx.tolerance);
      } catch (err) {
        if (err instanceof SignatureError)
          return send({ status: 401, body: ctx.errorBody(`signature_${err.code}`, err.message) });
        throw err;
      }
      // The handler may take a while (known people, hundreds of dispatches): the socket must outlive it.
      req.raw.socket?.setTimeout(settings.timeoutMs + 10_000);
      const dir = await mkdtemp(join(tmpdir(), 'scimflow-roster-'));
      const file = join(dir, 'roster');
      try {
        // Body → MAC and a file only this process can read; nothing is parsed before the MAC holds.
        const out = createWriteStream(file, { mode: 0o600 });
        let size = 0;
        let tooLarge = false;
        for await (const chunk of stream) {
          const b = chunk as Buffer;
          size += b.length;
          if (size > settings.maxBodyBytes) {
            tooLarge = true;
            break;
          }
          verifier.update(b);
          if (!out.write(b)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'close');
        if (tooLarge) {
          reply.header('connection', 'close');
          return send({
            status: 413,
            body: ctx.errorBody(
              'body_too_large',
              `roster body exceeds ${settings.maxBodyBytes} bytes (roster.maxBodyBytes)`,
            ),
          });
        }
        let sig;
        try {
          sig = verifier.verify();
        } catch (err) {
          if (err instanceof SignatureError)
            return send({ status: 401, body: ctx.errorBody(`signature_${err.code}`, err.message) });
          throw err;
        }
        const result = await ctx.replay(`${ROSTER_ROUTE}:${replayKey(sig)}`, sig.t + ctx.tolerance, async () => {
          const read = await readRoster(createReadStream(file), format, {
            mapping: settings.mapping,
            maxRows: settings.maxRows,
          });
          if (read.issues.length) {
            const more = read.moreIssues ? ` (and ${read.moreIssues} more)` : '';
            return {
              status: 400,
              body: ctx.errorBody(
                'invalid_roster',
                `invalid roster, nothing was sent: ${read.issues.map((i) => i.field).join(', ')}${more}`,
                read.issues,
              ),
            };
          }
          const end = Date.now() + settings.timeoutMs;
          const budget = AbortSignal.any([ctx.closing, AbortSignal.timeout(settings.timeoutMs)]);
          let known: KnownPeople;
          try {
            known = await settings.known(
              budget,
              read.entries.map((e) => e.employee.employeeId),
            );
          } catch (err) {
            req.log.error({ err: String(err) }, 'roster: known people unavailable');
            return ctx.unavailable('the lifecycle engine is unavailable; nothing was sent, retry later');
          }
          if (known.unreadable.length) {
            return ctx.unavailable(
              `${known.unreadable.length} controller(s) did not answer (e.g. ${known.unreadable.slice(0, 3).join(', ')}): nothing was sent, retry later`,
            );
          }
          const plan = diffRoster(read.entries, known.records, { hash: rosterHash });
          let failed = 0;
          await forEachLimit(plan.items, 16, async (item) => {
            const res = await ctx.dispatchOne(item.event, Math.min(end, Date.now() + settings.timeoutMs), req.log);
            if (!res.ok) failed++;
          });
          if (failed) {
            return ctx.unavailable(
              `${failed} of ${plan.items.length} events could not be sent; send the same roster again (events already accepted have no second effect)`,
            );
          }
          return { status: 200, body: planBody(plan, read.rows) };
        });
        return send(result);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

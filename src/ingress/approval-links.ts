// The approver's page behind a signed approval link (src/notify/links.ts): GET shows the request
// and two buttons (nothing is decided on GET: mail scanners open links), POST records the decision
// through the controller's validated `decide` Update, marked `via: 'verified-link'` with the token
// as proof (the worker checks it again, and the controller takes a request's decision once, so a
// link works once). A used, expired, altered or foreign link gets a refusal page (HTML, 4xx).
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { describePerson, formatWhen, summarizeRequest } from '../domain/approval-context';
import type { ApprovalRequest } from '../domain/approvals';
import { LINK_PATH, verifyLink, type LinkClaims } from '../notify/links';
import { identityWorkflowId } from '../shared/hr-event';
import { decideUpdate, stateQuery } from '../workflows/definitions';

/** What the page needs from the controllers. */
export interface ApprovalDesk {
  /** The request as the person's controller holds it now (undefined: no such person or request). */
  find(employeeId: string, requestId: string): Promise<ApprovalRequest | undefined>;
  decide(
    employeeId: string,
    d: {
      app: string;
      requestId: string;
      approver: string;
      decision: 'approve' | 'reject';
      comment?: string;
      proof: string;
    },
  ): Promise<{ ok: true } | { ok: false; message: string }>;
}

export interface ApprovalLinkOptions {
  /** Link keys, current first (notifications.links.signingKey, …previousSigningKey). */
  keys: readonly string[];
  desk: ApprovalDesk;
  /** ms since the epoch */
  now?: () => number;
}

export function temporalApprovalDesk(client: Client, timeoutMs = 10_000): ApprovalDesk {
  return {
    async find(employeeId, requestId) {
      try {
        const view = await client.withDeadline(Date.now() + timeoutMs, () =>
          client.workflow.getHandle(identityWorkflowId(employeeId)).query(stateQuery),
        );
        return view.approvals.find((r) => r.id === requestId);
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
        throw err;
      }
    },
    async decide(employeeId, d) {
      try {
        await client.withDeadline(Date.now() + timeoutMs, () =>
          client.workflow.getHandle(identityWorkflowId(employeeId)).executeUpdate(decideUpdate, {
            args: [
              {
                app: d.app,
                decision: d.decision,
                approver: d.approver,
                requestId: d.requestId,
                via: 'verified-link',
                verified: true,
                proof: d.proof,
                ...(d.comment ? { comment: d.comment } : {}),
              },
            ],
          }),
        );
        return { ok: true };
      } catch (err) {
        // Only a refusal by the controller is an answer; anything else (Temporal down, a timeout) is the caller's 5xx.
        if ((err as Error).name !== 'WorkflowUpdateFailedError') throw err;
        const cause = (err as { cause?: { message?: string } }).cause;
        return { ok: false, message: cause?.message ?? (err as Error).message };
      }
    },
  };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — scimflow</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem} table{border-collapse:collapse;margin:1rem 0} th{text-align:left;padding:.2rem 1rem .2rem 0;color:#57606a;font-weight:600}
td{padding:.2rem 0} textarea{width:100%;min-height:4rem;font:inherit} .buttons{display:flex;gap:1rem;margin-top:1rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:1px solid #d0d7de;cursor:pointer}
.approve{background:#1f883d;color:#fff;border-color:#1f883d} .reject{background:#cf222e;color:#fff;border-color:#cf222e}
.refused{border-left:4px solid #cf222e;padding-left:1rem} .done{border-left:4px solid #1f883d;padding-left:1rem} .note{color:#57606a;font-size:.9rem}
</style></head><body>${body}</body></html>`;
}

function refusal(reply: FastifyReply, status: number, title: string, text: string) {
  return send(
    reply,
    status,
    page(
      title,
      `<div class="refused"><h1>${esc(title)}</h1><p>${esc(text)}</p></div><p class="note">Nothing was decided. If you still need to decide, use the newest approval email or ask an operator.</p>`,
    ),
  );
}

function send(reply: FastifyReply, status: number, html: string) {
  return (
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      // The token is in the URL: never cached, never sent on as a Referer, never framed.
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      )
      .send(html)
  );
}

function facts(r: ApprovalRequest, claims: LinkClaims): string {
  const c = r.context;
  const rows: [string, string][] = [
    ['Person', `${c?.displayName ?? claims.emp}${describePerson(c) ? ` — ${describePerson(c)}` : ''}`],
    ['Seat', `${r.app} (${r.purpose === 'reactivate' ? 'reactivation' : 'new account'})`],
    ['Rule', c?.rules.join(', ') || '(none)'],
    ['Approvers', r.approvers.join(', ')],
    ['Deadline', formatWhen(r.deadline)],
    ['You', claims.apr],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

const STATUS_WORD: Record<string, string> = {
  approved: 'approved',
  rejected: 'rejected',
  expired: 'timed out',
  withdrawn: 'withdrawn (the seat is no longer wanted)',
};

export function registerApprovalLinks(app: FastifyInstance, opts: ApprovalLinkOptions): void {
  const now = opts.now ?? Date.now;

  /** The link's claims, or the refusal page already sent. */
  const check = (reply: FastifyReply, token: unknown): LinkClaims | FastifyReply => {
    const v =
      typeof token === 'string' ? verifyLink(token, opts.keys, now()) : ({ ok: false, reason: 'malformed' } as const);
    if (v.ok) return v.claims;
    if (v.reason === 'expired')
      return refusal(reply, 410, 'This link has expired', `It was valid until ${formatWhen(v.claims!.exp)}.`);
    return refusal(reply, 403, 'This link is not valid', 'It was altered, cut short, or not issued by this scimflow.');
  };
  const isClaims = (x: LinkClaims | FastifyReply): x is LinkClaims => typeof (x as LinkClaims).req === 'string';

  /** The request, or the refusal page already sent: a link is for a pending request its approver may still decide. */
  const pending = async (reply: FastifyReply, claims: LinkClaims): Promise<ApprovalRequest | FastifyReply> => {
    const r = await opts.desk.find(claims.emp, claims.req);
    if (!r || r.app !== claims.app)
      return refusal(reply, 404, 'This request no longer exists', 'There is nothing left to decide.');
    if (r.status !== 'pending')
      return refusal(
        reply,
        409,
        'This link has been used',
        `The request is already ${STATUS_WORD[r.status] ?? r.status}${r.decidedBy ? ` by ${r.decidedBy}` : ''}.`,
      );
    if (!r.approvers.some((a) => a.toLowerCase() === claims.apr.toLowerCase()))
      return refusal(reply, 403, 'This link is not valid', 'It names someone who does not decide this request.');
    return r;
  };
  const isRequest = (x: ApprovalRequest | FastifyReply): x is ApprovalRequest =>
    typeof (x as ApprovalRequest).status === 'string';

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 8_192 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );

    scope.get(LINK_PATH, async (req, reply) => {
      const q = req.query as { t?: unknown; d?: unknown };
      const claims = check(reply, q.t);
      if (!isClaims(claims)) return claims;
      const r = await pending(reply, claims);
      if (!isRequest(r)) return r;
      const preferred = q.d === 'reject' ? 'reject' : 'approve';
      const button = (d: 'approve' | 'reject') =>
        `<button type="submit" name="decision" value="${d}" class="${d}"${d === preferred ? ' autofocus' : ''}>${d === 'approve' ? 'Approve' : 'Reject'}</button>`;
      return send(
        reply,
        200,
        page(
          'Seat approval',
          `<h1>${esc(summarizeRequest(r).split(';')[0]!)}</h1>${facts(r, claims)}
<form method="post" action="${LINK_PATH}">
<input type="hidden" name="t" value="${esc(String(q.t))}">
<label for="comment">Comment (optional)</label><textarea id="comment" name="comment" maxlength="1000"></textarea>
<div class="buttons">${button('approve')}${button('reject')}</div>
</form>
<p class="note">Signed in as ${esc(claims.apr)} by this link. It works once, until ${esc(formatWhen(claims.exp))}.</p>`,
        ),
      );
    });

    scope.post(LINK_PATH, async (req, reply) => {
      const body = (req.body ?? {}) as { t?: unknown; decision?: unknown; comment?: unknown };
      const claims = check(reply, body.t);
      if (!isClaims(claims)) return claims;
      if (body.decision !== 'approve' && body.decision !== 'reject')
        return refusal(reply, 400, 'No decision', 'Choose Approve or Reject.');
      const r = await pending(reply, claims);
      if (!isRequest(r)) return r;
      const comment =
        typeof body.comment === 'string' && body.comment.trim() ? body.comment.trim().slice(0, 1000) : undefined;
      const res = await opts.desk.decide(claims.emp, {
        app: claims.app,
        requestId: claims.req,
        approver: claims.apr,
        decision: body.decision,
        proof: String(body.t),
        ...(comment ? { comment } : {}),
      });
      if (!res.ok) {
        // The controller refused: most often someone decided in the meantime (a link works once).
        const used = /already/.test(res.message);
        return refusal(
          reply,
          used ? 409 : 403,
          used ? 'This link has been used' : 'The decision was refused',
          used ? 'The request was decided already.' : res.message,
        );
      }
      const word = body.decision === 'approve' ? 'Approved' : 'Rejected';
      return send(
        reply,
        200,
        page(
          `${word}`,
          `<div class="done"><h1>${word}</h1><p>${esc(summarizeRequest(r).split(';')[0]!)}: ${body.decision === 'approve' ? 'the seat is created in a moment' : 'no seat is created'}.</p></div>${facts(r, claims)}<p class="note">Recorded as a verified decision by ${esc(claims.apr)}.</p>`,
        ),
      );
    });
  });
}

// Signed approve/reject links: an HMAC-SHA256 over the claims (approver, person, app, request,
// expiry) with a key only the worker (which signs) and the ingress (which checks) hold. The token
// is `<claims, base64url JSON>.<signature, base64url>`; the signature is checked before the claims
// are parsed. A link says who it is for; the controller still decides whether it can be used
// (the request must be pending: a link is used once, because a request is decided once).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  v: 1;
  /** employeeId */
  emp: string;
  app: string;
  /** request id */
  req: string;
  /** approver */
  apr: string;
  /** expiry, ms since the epoch */
  exp: number;
}

export type LinkCheck =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'altered' | 'expired'; claims?: LinkClaims };

/** The page approvers open (served by the ingress). */
export const LINK_PATH = '/approvals/link';

function mac(key: string, body: string): Buffer {
  return createHmac('sha256', key).update(`scimflow-approval-link.v1.${body}`).digest();
}

export function signLink(key: string, claims: Omit<LinkClaims, 'v'>): string {
  const body = Buffer.from(JSON.stringify({ v: 1, ...claims })).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** Checks the signature against every key (current first, then one being rotated out), then the expiry. */
export function verifyLink(token: string, keys: readonly string[], now: number): LinkCheck {
  const m = /^([A-Za-z0-9_-]{1,1400})\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const [, body, sig] = m as unknown as [string, string, string];
  const given = Buffer.from(sig, 'base64url');
  if (!keys.some((k) => timingSafeEqual(mac(k, body), given))) return { ok: false, reason: 'altered' };
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    claims?.v !== 1 ||
    typeof claims.exp !== 'number' ||
    ![claims.emp, claims.app, claims.req, claims.apr].every((x) => typeof x === 'string' && x !== '')
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (now >= claims.exp) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

export function linkUrl(baseUrl: string, token: string, decision?: 'approve' | 'reject'): string {
  return `${baseUrl.replace(/\/+$/, '')}${LINK_PATH}?t=${token}${decision ? `&d=${decision}` : ''}`;
}

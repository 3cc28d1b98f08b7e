// Webhook signatures: `X-Scimflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// The timestamp is inside the MAC so a captured request cannot be replayed with a fresh `t`, and the
// 5-minute window bounds how long a captured request is worth anything at all (same scheme as Stripe's).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-scimflow-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureFailure = 'missing' | 'malformed' | 'expired' | 'future' | 'mismatch';

export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(
    readonly code: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

export function sign(secret: string, rawBody: string | Buffer, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

interface ParsedHeader {
  t: number;
  v1: string[];
}

function parseHeader(header: string): ParsedHeader | undefined {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      // One timestamp only: with two, which one the MAC covers would be ambiguous.
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return undefined;
      v1.push(value.toLowerCase());
    }
    // Unknown schemes (v0, v2…) are ignored so the header format can evolve.
  }
  if (t === undefined || v1.length === 0) return undefined;
  return { t, v1 };
}

/** What a valid signature header says once parsed: the signed timestamp and the MAC that matched (lower-case hex). */
export interface VerifiedSignature {
  t: number;
  mac: string;
}

/**
 * The identity of a signed request for the replay cache: its parsed timestamp and its canonical MAC.
 * Spellings of one header (`t=0<t>`, unknown schemes, extra `v1=` entries, reordered parts, spaces,
 * upper-case hex) verify the same MAC over the same body, so they share one key.
 */
export function replayKey(sig: VerifiedSignature): string {
  return `${sig.t}:${sig.mac}`;
}

/**
 * Verifies a signature against any of `secrets` (two may be valid while a secret is rotated).
 * Throws SignatureError; returns the signed timestamp on success.
 */
export function verify(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): number {
  return verifySignature(header, rawBody, secrets, nowSeconds, toleranceSeconds).t;
}

/** verify(), returning the parsed timestamp and the matching MAC (for replayKey). */
export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifiedSignature {
  const v = streamingVerifier(header, secrets, nowSeconds, toleranceSeconds);
  v.update(rawBody);
  return v.verify();
}

/**
 * verifySignature() for a body read as a stream (the roster route): the header and its timestamp
 * are checked before any byte is read (missing, malformed, expired, future), the MAC once the body
 * has been fed through `update`. Nothing of the body needs to be kept for it.
 */
export function streamingVerifier(
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): { update(chunk: Buffer): void; verify(): VerifiedSignature } {
  if (!header) throw new SignatureError('missing', `missing ${SIGNATURE_HEADER} header`);
  const parsed = parseHeader(header);
  if (!parsed)
    throw new SignatureError(
      'malformed',
      `malformed ${SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex sha256>`,
    );
  if (nowSeconds - parsed.t > toleranceSeconds)
    throw new SignatureError('expired', `signature timestamp is older than ${toleranceSeconds} s`);
  if (parsed.t - nowSeconds > toleranceSeconds)
    throw new SignatureError('future', `signature timestamp is more than ${toleranceSeconds} s in the future`);
  const macs = secrets.map((s) => createHmac('sha256', s).update(`${parsed.t}.`));
  return {
    update(chunk) {
      for (const m of macs) m.update(chunk);
    },
    verify() {
      for (const m of macs) {
        const expected = Buffer.from(m.digest('hex'), 'utf8');
        for (const candidate of parsed.v1)
          if (timingSafeEqual(expected, Buffer.from(candidate, 'utf8'))) return { t: parsed.t, mac: candidate };
      }
      throw new SignatureError('mismatch', 'signature does not match the request body');
    },
  };
}

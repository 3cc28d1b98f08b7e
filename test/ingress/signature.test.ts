import { SignatureError, sign, verify } from '../../src/ingress/signature';

const secret = 'test-secret-0123456789';
const body = Buffer.from('{"id":"e1"}');
const now = 1_800_000_000;

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof SignatureError ? err.code : `unexpected ${String(err)}`;
  }
}

describe('webhook signatures', () => {
  it('accepts a signature made with the secret over "<t>.<body>"', () => {
    expect(verify(sign(secret, body, now), body, [secret], now)).toBe(now);
  });
  it('accepts the previous secret during a rotation', () => {
    expect(verify(sign('old-secret-0123456789', body, now), body, [secret, 'old-secret-0123456789'], now)).toBe(now);
  });
  it('refuses a missing, malformed, tampered, stale or future signature', () => {
    expect(code(() => verify(undefined, body, [secret], now))).toBe('missing');
    expect(code(() => verify('v1=abc', body, [secret], now))).toBe('malformed');
    expect(code(() => verify('t=abc,v1=' + 'a'.repeat(64), body, [secret], now))).toBe('malformed');
    expect(code(() => verify(sign(secret, body, now), Buffer.from('{"id":"e2"}'), [secret], now))).toBe('mismatch');
    expect(code(() => verify(sign('another-secret-xyz', body, now), body, [secret], now))).toBe('mismatch');
    expect(code(() => verify(sign(secret, body, now - 301), body, [secret], now))).toBe('expired');
    expect(code(() => verify(sign(secret, body, now + 301), body, [secret], now))).toBe('future');
  });
  it('binds the timestamp into the MAC: a fresh t with an old v1 fails', () => {
    const old = sign(secret, body, now - 1000);
    const v1 = old.split('v1=')[1];
    expect(code(() => verify(`t=${now},v1=${v1}`, body, [secret], now))).toBe('mismatch');
  });
});

// Payload encryption keys as written in the configuration (or the variable/file it names): base64
// (standard or URL-safe, padding optional) of exactly 32 bytes, e.g. `openssl rand -base64 32`.
export const PAYLOAD_KEY_BYTES = 32;
export const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The key's bytes, or why the text is not a key (the value itself is never quoted). */
export function decodePayloadKey(text: string): { ok: true; key: Buffer } | { ok: false; problem: string } {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t))
    return {
      ok: false,
      problem: `must be base64 of ${PAYLOAD_KEY_BYTES} random bytes (e.g. openssl rand -base64 32); it has characters base64 does not use`,
    };
  const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== PAYLOAD_KEY_BYTES)
    return {
      ok: false,
      problem: `must be base64 of exactly ${PAYLOAD_KEY_BYTES} bytes for AES-256 (it decodes to ${key.length}; e.g. openssl rand -base64 32)`,
    };
  return { ok: true, key };
}

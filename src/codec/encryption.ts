// AES-256-GCM over every Temporal payload (docs/security.md, "Payload encryption"). Runs in the
// worker's and clients' main thread (never in workflow code): the Temporal server, its database
// and anyone who reads history see `binary/encrypted` payloads only.
//
// An encrypted payload: metadata `encoding: binary/encrypted`, `encryption-key-id: <id>`,
// `encryption-cipher: AES-256-GCM`; data = 12-byte nonce ‖ ciphertext ‖ 16-byte tag, where the
// plaintext is the whole original Payload (metadata and data) as protobuf. The key id and cipher
// are the additional authenticated data: changing either, or any byte of the data, fails the tag.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
export const CIPHER = 'AES-256-GCM';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export interface KeyRing {
  /** The id new payloads are encrypted with. */
  current: string;
  /** Every key that may decrypt, by id (the current one included). */
  keys: ReadonlyMap<string, Buffer>;
  /** Pass payloads that are not encrypted through (migration only). Default false: refused. */
  acceptUnencrypted?: boolean;
}

/** A payload that cannot be decrypted: unknown key, tampered with, or (when refused) not encrypted. */
export class PayloadDecryptionError extends ValueError {
  override readonly name: string = 'PayloadDecryptionError';
}

function aad(keyId: string): Buffer {
  return utf8(`scimflow/${CIPHER}/${keyId}`);
}

export function isEncrypted(p: Payload): boolean {
  return text(p.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly current: Buffer;

  constructor(private readonly ring: KeyRing) {
    const key = ring.keys.get(ring.current);
    if (!key)
      throw new Error(
        `the current payload key "${ring.current}" is not among the configured keys (${[...ring.keys.keys()].join(', ')})`,
      );
    for (const [id, k] of ring.keys)
      if (k.length !== 32) throw new Error(`payload key "${id}" is ${k.length} bytes; AES-256 needs 32`);
    this.current = key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encryptOne(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decryptOne(p));
  }

  encryptOne(payload: Payload): Payload {
    const id = this.ring.current;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id), [CIPHER_METADATA]: utf8(CIPHER) },
      data,
    };
  }

  decryptOne(payload: Payload): Payload {
    if (!isEncrypted(payload)) {
      if (this.ring.acceptUnencrypted) return payload;
      throw new PayloadDecryptionError(
        `refused a payload that is not encrypted (encoding ${text(payload.metadata?.encoding) ?? 'none'}): it did not come from a holder of the payload keys. ` +
          'While a namespace with running workflows migrates to encryption, set temporal.encryption.acceptUnencrypted: true.',
      );
    }
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    const cipherName = text(payload.metadata?.[CIPHER_METADATA]) ?? CIPHER;
    if (cipherName !== CIPHER)
      throw new PayloadDecryptionError(`payload cipher ${cipherName} is not supported (only ${CIPHER})`);
    if (!id) throw new PayloadDecryptionError(`encrypted payload without ${KEY_ID_METADATA}`);
    const key = this.ring.keys.get(id);
    if (!key)
      throw new PayloadDecryptionError(
        `payload encrypted with key "${id}", which is not configured (configured: ${[...this.ring.keys.keys()].join(', ')}): add it to temporal.encryption.keys`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`encrypted payload (key "${id}") is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload (key "${id}") failed authentication: it was altered, or encrypted with another key under the same id`,
      );
    }
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}

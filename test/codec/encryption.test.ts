// The payload codec on its own: round trip, key rotation, tampering, and the configuration that
// feeds it (key lengths refused at load, naming the setting).
import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeFailure, encodeFailure } from '@temporalio/common/lib/internal-non-workflow';
import { failureConverter } from '../../src/codec/failure-converter';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../src/codec/encryption';
import { ConfigError, parseConfigText } from '../../src/config';
import { dataConverter, keyRing } from '../../src/temporal/options';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const person = { employeeId: 'E1', email: 'ada.lovelace@example.com', givenName: 'Ada', familyName: 'Lovelace' };
const payload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const value = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);
const str = (u: Uint8Array | null | undefined) => Buffer.from(u ?? []).toString('utf8');

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k1]]) });

  it('round-trips payloads; what is stored says binary/encrypted and the key id, and holds no plaintext', async () => {
    const inputs = [
      payload(person),
      payload('x'),
      payload(undefined),
      payload(null),
      payload({ big: 'y'.repeat(100_000) }),
    ];
    const encoded = await codec.encode(inputs);
    for (const e of encoded) {
      expect(str(e.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(str(e.metadata![KEY_ID_METADATA])).toBe('k1');
      expect(Object.keys(e.metadata!).sort()).toEqual(['encoding', 'encryption-cipher', 'encryption-key-id']);
      expect(Buffer.from(e.data!).toString('latin1')).not.toMatch(/lovelace|json\/plain/i);
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map(value)).toEqual([person, 'x', undefined, null, { big: 'y'.repeat(100_000) }]);
    // The original metadata (encoding json/plain, …) comes back exactly.
    expect(decoded.map((d) => str(d.metadata!.encoding))).toEqual(inputs.map((i) => str(i.metadata!.encoding)));
    // A fresh nonce each time: the same value never encrypts the same way twice.
    const [a, b] = await codec.encode([payload(person), payload(person)]);
    expect(Buffer.compare(a!.data!, b!.data!)).not.toBe(0);
  });

  it('rotation: encrypts with the current key; payloads of an older key still decode while it is listed', async () => {
    const old = await codec.encode([payload(person)]);
    const rotated = new EncryptionCodec({
      current: 'k2',
      keys: new Map([
        ['k2', k2],
        ['k1', k1],
      ]),
    });
    const fresh = await rotated.encode([payload(person)]);
    expect(str(fresh[0]!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect((await rotated.decode([...old, ...fresh])).map(value)).toEqual([person, person]);
    // Once k1 is dropped, its payloads are refused with a message naming the missing key.
    const dropped = new EncryptionCodec({ current: 'k2', keys: new Map([['k2', k2]]) });
    await expect(dropped.decode(old)).rejects.toThrow(
      /encrypted with key "k1", which is not configured \(configured: k2\)/,
    );
    expect(value((await dropped.decode(fresh))[0]!)).toEqual(person);
  });

  it('detects tampering: a flipped bit, a swapped key id, truncation, another key under the same id', async () => {
    const [good] = await codec.encode([payload(person)]);
    const flip = (i: number) => {
      const data = Buffer.from(good!.data!);
      data[i] = data[i]! ^ 1;
      return { ...good!, data };
    };
    for (const i of [0, 12, 40, good!.data!.length - 1])
      await expect(codec.decode([flip(i)])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([{ ...good!, data: good!.data!.subarray(0, 20) }])).rejects.toThrow(/truncated/);
    // The key id is authenticated: relabelling a k1 payload as k2 (both configured) fails.
    const both = new EncryptionCodec({
      current: 'k1',
      keys: new Map([
        ['k1', k1],
        ['k2', k1],
      ]),
    });
    await expect(
      both.decode([{ ...good!, metadata: { ...good!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } }]),
    ).rejects.toThrow(/failed authentication/);
    const impostor = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k2]]) });
    await expect(impostor.decode([good!])).rejects.toBeInstanceOf(PayloadDecryptionError);
  });

  it('refuses payloads that are not encrypted unless acceptUnencrypted (migration)', async () => {
    await expect(codec.decode([payload(person)])).rejects.toThrow(/not encrypted \(encoding json\/plain\)/);
    const migrating = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k1]]), acceptUnencrypted: true });
    expect(value((await migrating.decode([payload(person)]))[0]!)).toEqual(person);
  });
});

describe('failures', () => {
  it('travel as "Encoded failure": message and stack trace inside an encrypted payload, restored on decode', async () => {
    const codec = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k1]]) });
    const err = ApplicationFailure.nonRetryable('cannot create ada.lovelace@example.com: userName taken', 'CONFLICT');
    const failure = failureConverter.errorToFailure(err, defaultPayloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const encoded = await encodeFailure([codec], failure);
    expect(str(encoded.encodedAttributes!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(encoded)).not.toMatch(/lovelace/);
    const back = failureConverter.failureToError(await decodeFailure([codec], encoded), defaultPayloadConverter);
    expect(back.message).toBe('cannot create ada.lovelace@example.com: userName taken');
    expect((back as ApplicationFailure).type).toBe('CONFLICT');
  });
});

describe('temporal.encryption in the configuration', () => {
  const yaml = (encryption: string, extra = '') => `
allowInlineSecrets: true
temporal:
  encryption:
${encryption}
ingress: { webhookSecret: "\${SCIMFLOW_WEBHOOK_SECRET}" }
apps: {}
${extra}`;
  const keyB64 = k1.toString('base64');

  it('resolves keys from an environment variable or the file its _FILE variable names', () => {
    const parsed = parseConfigText(
      yaml(`    current: a\n    keys: [{ id: a, key: "\${PK}" }, { id: b, key: "\${PK_OLD}" }]`),
      '/virtual/c.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const ring = keyRing(parsed.config, { PK: keyB64, PK_OLD_FILE: '/secrets/old' }, (p) =>
      p === '/secrets/old' ? `${k2.toString('base64url')}\n` : '',
    );
    expect(ring!.current).toBe('a');
    expect(ring!.keys.get('a')).toEqual(k1);
    expect(ring!.keys.get('b')).toEqual(k2);
    expect(dataConverter(parsed.config, { PK: keyB64, PK_OLD: k2.toString('base64') }).payloadCodecs).toHaveLength(1);
  });

  it('refuses a key of the wrong length, naming the setting (never the value)', () => {
    const parsed = parseConfigText(yaml(`    current: a\n    keys: [{ id: a, key: "\${PK}" }]`), '/virtual/c.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const short = randomBytes(16).toString('base64');
    let err: unknown;
    try {
      dataConverter(parsed.config, { PK: short });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).errors).toEqual([
      {
        path: 'temporal.encryption.keys[0].key',
        message: expect.stringMatching(/exactly 32 bytes .*decodes to 16.*the value from PK/),
      },
    ]);
    expect((err as Error).message).not.toContain(short);
    expect(() => dataConverter(parsed.config, { PK: 'not base64!' })).toThrow(
      /temporal\.encryption\.keys\[0\]\.key: must be base64/,
    );
    expect(() => dataConverter(parsed.config, {})).toThrow(/SCIMFLOW|PK is not set/);
  });

  it('refuses, at load: an inline key of the wrong length, an unknown current key, duplicate ids', () => {
    const bad = parseConfigText(
      yaml(
        `    current: c\n    keys: [{ id: a, key: "${randomBytes(31).toString('base64')}" }, { id: a, key: "${keyB64}" }]`,
      ),
      '/virtual/c.yaml',
    );
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.map((e) => `${e.path}: ${e.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^temporal\.encryption\.keys\[1\]\.id: key id "a" is listed twice/),
        expect.stringMatching(/^temporal\.encryption\.current: names no key/),
      ]),
    );
    const short = parseConfigText(
      yaml(`    current: a\n    keys: [{ id: a, key: "${randomBytes(31).toString('base64')}" }]`),
      '/virtual/c.yaml',
    );
    expect(short.ok ? [] : short.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      expect.stringMatching(/^temporal\.encryption\.keys\[0\]\.key: must be base64 of exactly 32 bytes/),
    ]);
  });

  it('without temporal.encryption there is no codec and failures are written in clear (and the processes warn)', () => {
    const parsed = parseConfigText(`ingress: { webhookSecret: "\${W}" }\napps: {}\n`, '/virtual/c.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(dataConverter(parsed.config, {})).toEqual({});
  });
});

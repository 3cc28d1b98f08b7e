// The scrubber: no credential, or any piece of one, survives into an error message, whatever its
// length, however often it is repeated, in the forms servers echo it, and across the 500-character cut.
import { errorFromStatus } from '../../src/connectors/errors';
import { REDACTED, scrub, scrubAndTruncate } from '../../src/shared/scrub';

const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('scrub', () => {
  it('removes a secret wherever it occurs, every time it occurs', () => {
    const out = scrub(`bad token ${TOKEN}; you sent ${TOKEN}${TOKEN} (x=${TOKEN})`, [TOKEN]);
    expect(out).not.toContain(TOKEN);
    expect(out.split(REDACTED)).toHaveLength(5);
    expect(out).toBe(`bad token ${REDACTED}; you sent ${REDACTED}${REDACTED} (x=${REDACTED})`);
  });

  it('removes URL-encoded, base64 and JSON-escaped forms', () => {
    const secret = 'p@ss w/rd+"x"&y';
    const forms = [
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, '+'),
      encodeURIComponent(secret).toLowerCase(),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      JSON.stringify(secret).slice(1, -1),
    ];
    for (const form of forms) {
      const out = scrub(`echo: ${form} end`, [secret]);
      expect([form, out]).toEqual([form, `echo: ${REDACTED} end`]);
    }
  });

  it('removes 1–3 character secrets only as whole tokens (never letter by letter)', () => {
    expect(scrub('invalid password: x', ['x'])).toBe(`invalid password: ${REDACTED}`);
    expect(scrub('key "ab" refused; ab,ab', ['ab'])).toBe(`key "${REDACTED}" refused; ${REDACTED},${REDACTED}`);
    expect(scrub('pw=a1b', ['a1b'])).toBe(`pw=${REDACTED}`);
    // Inside words they stay: blanking every "a" would reveal the secret by elimination.
    expect(scrub('about a cab', ['a'])).toBe(`about ${REDACTED} cab`);
    expect(scrub('xabx', ['ab'])).toBe('xabx');
    // Punctuation secrets are tokens too.
    expect(scrub('got "$!" back', ['$!'])).toBe(`got "${REDACTED}" back`);
  });

  it('removes secrets of 4+ characters even inside words, and longer secrets before shorter ones', () => {
    expect(scrub('userpass1234!', ['pass1234'])).toBe(`user${REDACTED}!`);
    expect(scrub('key=abcdefgh', ['abcd', 'abcdefgh'])).toBe(`key=${REDACTED}`);
  });

  it('ignores empty secrets', () => {
    expect(scrub('nothing here', ['', 'zz-not-there'])).toBe('nothing here');
  });
});

describe('scrubAndTruncate', () => {
  it('a token straddling the 500-character cut leaves no part of itself', () => {
    for (const offset of [480, 490, 495, 499, 500]) {
      const text = `${'x'.repeat(offset)}${TOKEN} trailing`;
      const out = scrubAndTruncate(text, [TOKEN], 500);
      for (let n = 4; n <= TOKEN.length; n++) expect(out).not.toContain(TOKEN.slice(0, n));
      expect(out.length).toBeLessThanOrEqual(500 + 1);
    }
  });

  it('removes a secret the server itself cut short at the end of its message', () => {
    expect(scrubAndTruncate(`invalid token ${TOKEN.slice(0, 12)}`, [TOKEN])).toBe(`invalid token ${REDACTED}`);
    // Short coincidences (< 4 characters) are kept.
    expect(scrubAndTruncate('ends with to', [TOKEN])).toBe('ends with to');
  });

  it('is what errorFromStatus applies to a SCIM error detail (scrub before the cut)', () => {
    for (const offset of [490, 495, 498]) {
      const detail = `${'d'.repeat(offset)}${TOKEN}`;
      const err = errorFromStatus(400, {
        app: 'a',
        method: 'POST',
        path: '/Users',
        body: { detail },
        secrets: [TOKEN],
      });
      for (let n = 4; n <= TOKEN.length; n++) expect(err.message).not.toContain(TOKEN.slice(0, n));
      expect(JSON.stringify(err.toJSON())).not.toContain(TOKEN.slice(0, 4));
    }
    const jira = errorFromStatus(401, {
      app: 'a',
      method: 'GET',
      path: '/rest',
      body: { errorMessages: ['bad', `token ${TOKEN}`] },
      secrets: [TOKEN],
    });
    expect(jira.message).toContain(`token ${REDACTED}`);
  });
});

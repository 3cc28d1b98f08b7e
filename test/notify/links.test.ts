// Signed approval links: bound to what they name, refused when altered, foreign or expired.
import { linkUrl, signLink, verifyLink } from '../../src/notify/links';

const KEY = 'k'.repeat(32);
const claims = { emp: 'E1', app: 'jasper', req: 'jasper-abc', apr: 'lead@example.com', exp: 2_000 };

describe('approval links', () => {
  it('verify with the key they were signed with, until they expire', () => {
    const t = signLink(KEY, claims);
    expect(verifyLink(t, [KEY], 1_999)).toEqual({ ok: true, claims: { v: 1, ...claims } });
    expect(verifyLink(t, ['other'.repeat(8), KEY], 1_000).ok).toBe(true); // a rotated-out key still checks
    expect(verifyLink(t, [KEY], 2_000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('an altered claim, an altered signature or a foreign key is refused as altered', () => {
    const t = signLink(KEY, claims);
    const [body, sig] = t.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ v: 1, ...claims, apr: 'mallory@example.com' })).toString('base64url');
    expect(verifyLink(`${forged}.${sig}`, [KEY], 0)).toEqual({ ok: false, reason: 'altered' });
    const flipped = `${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(verifyLink(flipped, [KEY], 0)).toEqual({ ok: false, reason: 'altered' });
    expect(verifyLink(signLink('f'.repeat(32), claims), [KEY], 0)).toEqual({ ok: false, reason: 'altered' });
    expect(verifyLink(t.slice(0, -3), [KEY], 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLink('', [KEY], 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('the same claims sign to the same token (a retried notice carries the same link)', () => {
    expect(signLink(KEY, claims)).toBe(signLink(KEY, claims));
    expect(linkUrl('https://scimflow.example.com/', 'tok', 'approve')).toBe(
      'https://scimflow.example.com/approvals/link?t=tok&d=approve',
    );
  });
});

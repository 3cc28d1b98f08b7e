// Removing credentials from text that leaves the process (error messages that end up in Temporal
// history, logs). Pure: no I/O, safe to import anywhere outside workflows.
//
// Rules (docs/operations.md, "Secrets in errors and logs"):
//  - Each secret is looked for as written and in the forms a server is likely to echo it in:
//    URL-encoded (a query string or form body echoed back), base64 (a Basic header or a token
//    echoed as bytes), and JSON-escaped (an echoed JSON string).
//  - A secret of SUBSTRING_MIN (4) characters or more is replaced wherever it occurs, even inside a
//    word. A shorter one (1–3 characters) is replaced only where it stands as a whole token, i.e.
//    not touching a letter or digit on either side: replacing every "a" of a message would make the
//    secret obvious by elimination, and would destroy the message besides. Such a secret is far too
//    short to be a real credential (the configuration refuses short shared secrets), so this is
//    a last line of defence, not a guarantee.
//  - Scrub before cutting: `scrubAndTruncate` scrubs the whole text, then cuts it, then removes a
//    trailing fragment that is the beginning of a secret (the text may itself have been cut by the
//    server in the middle of an echoed credential).
export const REDACTED = '[redacted]';
/** Secrets at least this long are scrubbed anywhere; shorter ones only as whole tokens. */
export const SUBSTRING_MIN = 4;
/** The shortest trailing fragment of a secret that is removed after a cut. */
const FRAGMENT_MIN = 4;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms of one secret that are searched for, longest first (so a longer form is replaced whole). */
export function secretForms(secret: string): string[] {
  if (!secret) return [];
  const forms = new Set<string>([secret]);
  const url = encodeURIComponent(secret);
  forms.add(url);
  forms.add(url.replace(/%20/g, '+'));
  // Lower-case percent escapes are as valid as upper-case ones.
  forms.add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter(Boolean).sort((a, b) => b.length - a.length);
}

/** Replaces every secret (in every form of secretForms) in `text` by "[redacted]". */
export function scrub(text: string, secrets: readonly string[]): string {
  if (!text) return text;
  const long: string[] = [];
  const short: string[] = [];
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length === 0) continue;
    for (const form of secretForms(s)) (form.length >= SUBSTRING_MIN ? long : short).push(form);
  }
  let out = text;
  // Longest first: a secret that contains another is replaced whole.
  for (const form of [...new Set(long)].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED);
  if (short.length) {
    const alternatives = [...new Set(short)]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|');
    // Not touching a letter or digit on either side.
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'gu'), REDACTED);
  }
  return out;
}

/** Scrubs, then cuts to `max` characters (adding "…"), then removes a trailing beginning of a secret. */
export function scrubAndTruncate(text: string, secrets: readonly string[], max = 500): string {
  const clean = scrub(text, secrets);
  if (clean.length <= max) return stripTrailingFragment(clean, secrets);
  return `${stripTrailingFragment(clean.slice(0, max), secrets)}…`;
}

/** If `text` ends with the first FRAGMENT_MIN+ characters of a secret (in any form), replaces that part. */
function stripTrailingFragment(text: string, secrets: readonly string[]): string {
  let best = 0;
  for (const s of secrets) {
    if (typeof s !== 'string') continue;
    for (const form of secretForms(s)) {
      for (let n = Math.min(form.length - 1, text.length); n >= FRAGMENT_MIN && n > best; n--) {
        if (text.endsWith(form.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
  }
  return best ? `${text.slice(0, text.length - best)}${REDACTED}` : text;
}

// Auth strategies. Headers are built once at construction; the secret values are kept so that
// anything we put into an error message can be scrubbed of them (defence in depth: we never
// interpolate headers into messages in the first place).
import type { Credentials } from './types';

export interface AuthStrategy {
  readonly headers: Readonly<Record<string, string>>;
  /** Every string that must never appear in logs or errors. */
  readonly secrets: readonly string[];
  readonly describe: string;
}

export function authStrategy(auth: Credentials): AuthStrategy {
  switch (auth.type) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${auth.token}` }, secrets: [auth.token], describe: 'bearer' };
    case 'apiKey': {
      // JumpCloud: "A JumpCloud API key that will be used in the custom x api key header" (JumpCloud page, Prerequisites).
      const header = (auth.header ?? 'x-api-key').toLowerCase();
      return { headers: { [header]: auth.key }, secrets: [auth.key], describe: `api key (${header})` };
    }
    case 'basic': {
      // Atlassian REST: Basic base64(email:api-token) (Atlassian guide, Authentication).
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return { headers: { authorization: `Basic ${encoded}` }, secrets: [auth.password, encoded], describe: 'basic' };
    }
  }
}

// Secrets of any length, and their URL-encoded / base64 forms (src/shared/scrub.ts).
export { scrub } from '../shared/scrub';

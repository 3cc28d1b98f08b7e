// The `notifications:` section: strict, cross-checked, secrets as references resolved only where needed.
import { stringify } from 'yaml';
import {
  listSecretRefs,
  parseConfigText,
  resolveLinkKeys,
  resolveNotificationSecrets,
  type ScimflowConfig,
} from '../../src/config';
import { baseConfig } from './helpers';

const NOTIFICATIONS = {
  links: { baseUrl: 'https://scimflow.example.com/', signingKey: '${LINK_KEY}' },
  channels: {
    chat: { webhook: { url: '${SLACK_URL}' } },
    mail: {
      email: {
        smtp: { host: 'smtp.example.com', username: 'scimflow', password: '${SMTP_PASSWORD}' },
        from: 'scimflow@example.com',
        to: ['IT-Ops@example.com'],
      },
    },
  },
  routes: [
    { events: ['approval-pending', 'approval-decided'], apps: ['jasper'], channels: ['mail', 'chat'] },
    { events: ['leaver-attention'], channels: ['chat'] },
  ],
};

function parse(edit: (c: Record<string, unknown>) => void) {
  const c = baseConfig();
  c.notifications = structuredClone(NOTIFICATIONS);
  edit(c);
  return parseConfigText(stringify(c), '/virtual/scimflow.yaml');
}
const ok = (r: ReturnType<typeof parse>): ScimflowConfig => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};
const errors = (r: ReturnType<typeof parse>) => (r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`));

describe('notifications configuration', () => {
  it('normalises channels, routes and links (defaults: starttls on 587, toApprovers, 12h warning, 72h links)', () => {
    const c = ok(parse(() => undefined));
    expect(c.notifications).toEqual({
      expiringBeforeMs: 12 * 3_600_000,
      links: {
        baseUrl: 'https://scimflow.example.com',
        signingKey: { ref: 'env', name: 'LINK_KEY' },
        ttlMs: 72 * 3_600_000,
      },
      channels: {
        chat: { type: 'webhook', name: 'chat', url: { ref: 'env', name: 'SLACK_URL' } },
        mail: {
          type: 'email',
          name: 'mail',
          smtp: {
            host: 'smtp.example.com',
            port: 587,
            tls: 'starttls',
            username: 'scimflow',
            password: { ref: 'env', name: 'SMTP_PASSWORD' },
          },
          from: 'scimflow@example.com',
          toApprovers: true,
          to: ['it-ops@example.com'],
        },
      },
      routes: [
        { events: ['approval-pending', 'approval-decided'], apps: ['jasper'], channels: ['mail', 'chat'] },
        { events: ['leaver-attention'], channels: ['chat'] },
      ],
    });
    expect(c.apps.jasper!.approval.unverifiedDecisions).toBe('accept');
    expect(listSecretRefs(c).map((s) => s.path)).toEqual(
      expect.arrayContaining([
        'notifications.links.signingKey',
        'notifications.channels.chat.webhook.url',
        'notifications.channels.mail.email.smtp.password',
      ]),
    );
  });

  it('refuses unknown channels, events and apps, clear-text SMTP off loopback, and refuse without links — naming each field', () => {
    const r = parse((c) => {
      const n = c.notifications as typeof NOTIFICATIONS;
      n.routes = [{ events: ['approval-pending'], apps: ['nope'], channels: ['pager'] }];
      (n.channels.mail.email.smtp as Record<string, unknown>).tls = 'none';
    });
    expect(errors(r)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^notifications\.routes\[0\]\.channels\[0\]: unknown channel "pager"/),
        expect.stringMatching(/^notifications\.routes\[0\]\.apps\[0\]: unknown app "nope"/),
        expect.stringMatching(
          /^notifications\.channels\.mail\.email\.smtp\.tls: tls: none is only for a relay on loopback/,
        ),
      ]),
    );
    expect(
      errors(parse((c) => ((c.notifications as typeof NOTIFICATIONS).routes[0]!.events = ['approval-exploded'])))[0],
    ).toMatch(/^notifications\.routes\[0\]\.events\[0\]: expected one of approval-pending/);
    const refuse = parse((c) => {
      delete (c.notifications as Partial<typeof NOTIFICATIONS>).links;
      (c.approvals as Record<string, Record<string, unknown>>).jasper!.unverifiedDecisions = 'refuse';
    });
    expect(errors(refuse)).toEqual([
      'approvals.jasper.unverifiedDecisions: refuse needs notifications.links (a signed link is then the only way to decide)',
    ]);
  });

  it('resolves its secrets in the worker; the ingress gets the link keys only; a short key is refused without quoting it', () => {
    const c = ok(parse(() => undefined));
    const env = { LINK_KEY: 'k'.repeat(32), SLACK_URL: 'https://hooks.slack.com/services/T/B/x', SMTP_PASSWORD: 'pw' };
    const s = resolveNotificationSecrets(c, env);
    expect(s.channels).toEqual({ chat: { url: env.SLACK_URL }, mail: { password: 'pw' } });
    expect([...s.linkKeys]).toEqual([env.LINK_KEY]);
    expect(JSON.stringify(s)).toBe('"[redacted]"');
    expect([...resolveLinkKeys(c, { LINK_KEY: env.LINK_KEY })]).toEqual([env.LINK_KEY]);
    expect(() => resolveLinkKeys(c, { LINK_KEY: 'short' })).toThrow(
      /notifications\.links\.signingKey.*at least 24 characters/s,
    );
    expect(() => resolveNotificationSecrets(c, { LINK_KEY: env.LINK_KEY })).toThrow(/SLACK_URL is not set/);
  });
});

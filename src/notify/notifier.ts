// The worker's notifier: routes an event to its channels (config `notifications:`), renders it,
// signs each approver's links, and sends — a Slack-compatible webhook (POST JSON {text, blocks}) or
// an email over SMTP. Each delivery has a key (event id + channel + recipient): a key that was
// delivered is never delivered again, across the activity's retries (the caller keeps the set) and
// within this process (a bounded memory of recent keys).
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { request } from 'undici';
import { ConfigError } from '../config/errors';
import { isLoopbackHost } from '../config/schema';
import type { EmailChannel, NotificationsConfig } from '../config/types';
import type { NotificationSecrets } from '../config/secrets';
import {
  APPROVAL_KINDS,
  type NotificationEvent,
  type NotificationKind,
  type NotificationRouting,
} from '../domain/notifications';
import { linkUrl, signLink } from './links';
import { renderEmail, renderWebhook, type Links } from './render';

export interface Delivery {
  key: string;
  channel: string;
  send(): Promise<void>;
}

export interface Notifier {
  /** What this configuration routes for `app` (undefined: nothing). Travels in the app's desire. */
  routing(app: string): NotificationRouting | undefined;
  /** Sends every delivery of `event` not in `done`, calling `delivered` after each; throws if any failed (after trying all). */
  deliver(event: NotificationEvent, done: ReadonlySet<string>, delivered: (key: string) => void): Promise<void>;
  close(): Promise<void>;
}

const WEBHOOK_TIMEOUT_MS = 10_000;
const REMEMBERED = 10_000;

/** Where a webhook may post: https, or http to loopback (a local relay, the tests). Checked when the worker starts. */
function checkWebhookUrl(name: string, url: string): void {
  const u = URL.canParse(url) ? new URL(url) : undefined;
  if (!u || !(u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname)))) {
    throw new ConfigError('notifications', [
      {
        path: `notifications.channels.${name}.webhook.url`,
        message: 'must be an https:// URL (http:// only to loopback); the value is not shown',
      },
    ]);
  }
}

async function postWebhook(url: string, body: unknown): Promise<void> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: WEBHOOK_TIMEOUT_MS,
    bodyTimeout: WEBHOOK_TIMEOUT_MS,
  });
  await res.body.text().catch(() => '');
  // The URL is a secret: the error names the status only.
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`webhook answered ${res.statusCode}`);
}

export function createNotifier(
  config: NotificationsConfig,
  secrets: NotificationSecrets,
  opts: { linkKey?: string } = {},
): Notifier {
  const transports = new Map<string, Transporter>();
  for (const c of Object.values(config.channels)) {
    if (c.type === 'webhook') checkWebhookUrl(c.name, secrets.channels[c.name]?.url ?? '');
  }
  const transport = (c: EmailChannel) => {
    let t = transports.get(c.name);
    if (!t) {
      const password = secrets.channels[c.name]?.password;
      t = nodemailer.createTransport({
        host: c.smtp.host,
        port: c.smtp.port,
        secure: c.smtp.tls === 'implicit',
        requireTLS: c.smtp.tls === 'starttls',
        ignoreTLS: c.smtp.tls === 'none',
        ...(c.smtp.username ? { auth: { user: c.smtp.username, pass: password ?? '' } } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
      transports.set(c.name, t);
    }
    return t;
  };
  const linkKey = opts.linkKey ?? secrets.linkKeys[0];
  const sent = new Set<string>();
  const remember = (key: string) => {
    sent.add(key);
    if (sent.size > REMEMBERED) sent.delete(sent.values().next().value!);
  };

  const channelsFor = (kind: NotificationKind, apps: string[]) => {
    const out = new Set<string>();
    for (const r of config.routes) {
      if (!r.events.includes(kind)) continue;
      if (r.apps && !apps.some((a) => r.apps!.includes(a))) continue;
      for (const ch of r.channels) if (config.channels[ch]) out.add(ch);
    }
    return [...out].sort();
  };

  /** The approver's own links, for a request that is still open (and only with a key). */
  const linksFor = (e: NotificationEvent, approver: string): Links | undefined => {
    const r = e.request;
    if (!config.links || !linkKey || !r || !e.app || r.status !== 'pending' || e.kind === 'approval-decided')
      return undefined;
    const expiresAt = Math.min(e.at + config.links.ttlMs, r.expiresAt);
    const token = signLink(linkKey, { emp: e.employeeId, app: e.app, req: r.id, apr: approver, exp: expiresAt });
    return {
      approve: linkUrl(config.links.baseUrl, token, 'approve'),
      reject: linkUrl(config.links.baseUrl, token, 'reject'),
      expiresAt,
    };
  };

  const deliveries = (e: NotificationEvent): Delivery[] => {
    const apps = e.app ? [e.app] : (e.apps ?? []);
    const out: Delivery[] = [];
    for (const name of channelsFor(e.kind, apps)) {
      const c = config.channels[name]!;
      if (c.type === 'webhook') {
        const url = secrets.channels[name]?.url ?? '';
        out.push({ key: `${e.id}|${name}`, channel: name, send: () => postWebhook(url, renderWebhook(e)) });
        continue;
      }
      const approvers =
        APPROVAL_KINDS.includes(e.kind) && c.toApprovers
          ? (e.request?.approvers ?? []).map((a) => a.toLowerCase())
          : [];
      const recipients = [...new Set([...approvers, ...c.to])];
      for (const to of recipients) {
        const links = approvers.includes(to) ? linksFor(e, to) : undefined;
        const mail = renderEmail(e, links);
        // The same event to the same person always has the same Message-ID: a mail system that sees it twice can tell.
        const messageId = `<${createHash('sha256').update(`${e.id}|${to}`).digest('hex').slice(0, 32)}@scimflow>`;
        out.push({
          key: `${e.id}|${name}|${to}`,
          channel: name,
          send: async () => {
            await transport(c).sendMail({
              from: c.from,
              to,
              subject: mail.subject,
              text: mail.text,
              html: mail.html,
              messageId,
              headers: { 'X-Scimflow-Event': e.id },
            });
          },
        });
      }
    }
    return out;
  };

  return {
    routing(app) {
      const events = new Set<NotificationKind>();
      for (const r of config.routes) {
        if (r.apps && !r.apps.includes(app)) continue;
        if (!r.channels.some((ch) => config.channels[ch])) continue;
        for (const k of r.events) events.add(k);
      }
      return events.size ? { events: [...events].sort(), expiringBeforeMs: config.expiringBeforeMs } : undefined;
    },
    async deliver(event, done, delivered) {
      const failures: string[] = [];
      for (const d of deliveries(event)) {
        if (done.has(d.key) || sent.has(d.key)) continue;
        try {
          await d.send();
          remember(d.key);
          delivered(d.key);
        } catch (err) {
          failures.push(`${d.channel}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (failures.length) throw new Error(`notification ${event.id} not delivered to ${failures.join('; ')}`);
    },
    async close() {
      for (const t of transports.values()) t.close();
    },
  };
}

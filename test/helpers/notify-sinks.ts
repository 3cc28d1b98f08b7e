// Where notifications land in tests: a real SMTP server (smtp-server, parsed with mailparser) and a
// Slack-compatible incoming-webhook receiver, both on 127.0.0.1. Either can be told to fail.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  event: string;
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
  /** Refuse every message (451) while true. */
  failing: boolean;
  /** Every AUTH seen (user, password), to prove the password secret reached the worker. */
  logins: { user: string; pass: string }[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, mails: [], failing: false, logins: [], close: async () => undefined };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      sink.logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      cb(null, { user: auth.username });
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m: ParsedMail) => {
          if (sink.failing) return cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
          const to = Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : (m.to?.text ?? '');
          sink.mails.push({
            to,
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            messageId: m.messageId ?? '',
            event: String(m.headers.get('x-scimflow-event') ?? ''),
          });
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

export interface WebhookSink {
  url: string;
  posts: { text: string; blocks?: unknown[] }[];
  /** Answer 500 while true. */
  failing: boolean;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const sink: WebhookSink = { url: '', posts: [], failing: false, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (sink.failing || req.method !== 'POST' || req.headers['content-type'] !== 'application/json') {
        res.writeHead(500).end('no');
        return;
      }
      sink.posts.push(JSON.parse(body) as WebhookSink['posts'][number]);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/hook`;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

/** The approve/reject links of a mail (text part). */
export function linksIn(mail: Mail): { approve?: string; reject?: string } {
  const approve = /Approve: (\S+)/.exec(mail.text)?.[1];
  const reject = /Reject:\s+(\S+)/.exec(mail.text)?.[1];
  return { ...(approve ? { approve } : {}), ...(reject ? { reject } : {}) };
}

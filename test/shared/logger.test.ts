// Secrets never reach a log line: the logger redacts every place one could surface.
import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from '../../src/shared/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream), lines };
}

describe('log redaction', () => {
  it('censors tokens, keys, passwords, secrets and auth headers wherever they sit', () => {
    const { log, lines } = capture();
    log.info({ token: 't-1', apiKey: 'k-1', password: 'p-1', secret: 's-1', webhookSecret: 'w-1' }, 'top level');
    log.info({ app: { token: 't-2', auth: { token: 't-3', key: 'k-3' } } }, 'nested');
    log.info(
      { req: { headers: { authorization: 'Bearer t-4', 'x-api-key': 'k-4', 'x-scimflow-signature': 't=1,v1=abc' } } },
      'request',
    );
    log.info({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 'headers');
    const out = lines.join('');
    for (const secret of [
      't-1',
      'k-1',
      'p-1',
      's-1',
      'w-1',
      't-2',
      't-3',
      'k-3',
      'Bearer t-4',
      'k-4',
      'v1=abc',
      'dXNlcjpwYXNz',
    ])
      expect(out).not.toContain(secret);
    expect(out.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(12);
  });
});

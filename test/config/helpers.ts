import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A small valid config as data; tests change a copy and write it out. */
export function baseConfig(): Record<string, unknown> {
  return {
    ingress: { webhookSecret: '${HOOK_SECRET}' },
    apps: {
      generic: {
        kind: 'generic',
        baseUrl: 'http://127.0.0.1:7100/generic/scim/v2',
        auth: { type: 'bearer', token: '${GENERIC_TOKEN}' },
      },
      jasper: {
        kind: 'jasper',
        baseUrl: 'http://127.0.0.1:7100/jasper/scim/v2',
        auth: { type: 'bearer', token: 'file:secrets/jasper.token' },
      },
      jumpcloud: {
        kind: 'jumpcloud',
        baseUrl: 'http://127.0.0.1:7100/jumpcloud/scim/v2',
        auth: { type: 'apiKey', key: '${JC_KEY}' },
        rateLimit: { requestsPerSecond: 3 },
      },
    },
    rules: {
      birthright: [
        { name: 'everyone', when: {}, grant: [{ app: 'generic', groups: ['all-staff'] }, 'jumpcloud'] },
        {
          name: 'engineering',
          when: { department: 'Engineering' },
          grant: [{ app: 'jasper', groups: ['engineering'] }],
        },
      ],
    },
    approvals: { jasper: { approvers: ['it-lead@example.com'], timeout: '72h' } },
    joiner: { allOrNothing: ['generic', 'jumpcloud'] },
  };
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'scimflow-config-'));
  write(name: string, content: string): string {
    const file = join(this.path, name);
    writeFileSync(file, content);
    return file;
  }
  writeYaml(name: string, data: unknown): string {
    return this.write(name, stringify(data));
  }
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

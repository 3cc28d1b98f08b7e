// docker-compose.yml cannot be run here (no Docker engine), so its shape is checked instead:
// every service is runnable, the ports match the development stack and the README, and no
// secret is written into the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; build?: unknown; ports?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> | string[] }>;
};

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('runs Temporal on PostgreSQL, the Temporal UI, and scimflow worker + ingress built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['ingress', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(services.temporal!.environment!.DB).toMatch(/^postgres/);
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services.worker!.build).toBe('.');
    expect(services.ingress!.build).toBe('.');
  });

  it('every service either names an image or is built, and depends only on services that exist', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect([name, Boolean(svc.image || svc.build)]).toEqual([name, true]);
      const deps = Array.isArray(svc.depends_on) ? (svc.depends_on as string[]) : Object.keys(svc.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services)).toContain(dep);
    }
  });

  it('uses the same ports as `npm start`', () => {
    expect(services.temporal!.ports).toContain('7233:7233');
    expect(services['temporal-ui']!.ports).toContain('8233:8080');
    expect(services.ingress!.ports).toContain('8080:8080');
  });

  it('registers every search attribute the workflows use', async () => {
    const { SEARCH_ATTRIBUTES } = await import('../../src/workflows/search-attributes');
    const command = JSON.stringify(services['temporal-setup']);
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) expect(command).toContain(`--name ${name} --type ${type}`);
  });

  it('takes secrets from the environment, never inline', () => {
    for (const svc of Object.values(services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (/SECRET|TOKEN|KEY/.test(key)) expect(String(value)).toMatch(/^\$\{/);
      }
    }
  });

  it('the Dockerfile runs the scimflow CLI that the compose services call', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/scimflow.mjs"\]/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});

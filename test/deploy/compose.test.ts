// docker-compose.yml cannot be run here (no Docker engine), so its shape is checked instead:
// every service is runnable and health-checked, Temporal is the server image on a schema set up by
// the admin tools (no development auto-setup image), every published port is bound to loopback,
// every secret the configuration references is provided — as a file, never as a value — and the
// names are spelt the same in the configuration, compose and the docs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FILE_ENV_SUFFIX, listSecretRefs, loadConfig } from '../../src/config';

const root = join(__dirname, '..', '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  ports?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  healthcheck?: { test?: string[] | string };
  volumes?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition?: string }> | string[];
  restart?: string;
}
const compose = parse(composeText) as {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
};
const services = compose.services;
const config = loadConfig(join(root, 'config', 'scimflow.yaml'));

describe('docker-compose.yml', () => {
  it('runs Temporal’s server image on PostgreSQL, its schema set up by the admin tools, the UI, and scimflow worker + ingress built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual([
      'ingress',
      'postgresql',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
    expect(services.temporal!.image).toMatch(/^temporalio\/server:\d/);
    expect(services.temporal!.environment!.DB).toBe('postgres12');
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:\d/);
    expect(services['temporal-setup']!.image).toMatch(/^temporalio\/admin-tools:\d/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services.worker!.build).toBe('.');
    expect(services.ingress!.build).toBe('.');
  });

  it('mirrors `npm run cluster`: one partition per scim-<app> queue from the current dynamic config, several worker replicas', async () => {
    const { DYNAMIC_CONFIG_HEADER, temporalDynamicConfig } = await import('../../scripts/cluster');
    const temporal = services.temporal!;
    const mount = (temporal.volumes ?? []).find((v) => v.startsWith('./config/temporal-dynamicconfig.yaml:'));
    expect(mount).toBeDefined();
    expect(mount!.split(':')[1]).toBe(temporal.environment!.DYNAMIC_CONFIG_FILE_PATH);
    // The committed file is what the generator makes for config/scimflow.yaml's apps (regenerate after adding one).
    const committed = readFileSync(join(root, 'config', 'temporal-dynamicconfig.yaml'), 'utf8');
    expect(committed).toBe(temporalDynamicConfig(Object.keys(config.apps), DYNAMIC_CONFIG_HEADER));
    const dc = parse(committed) as Record<string, { value: unknown; constraints?: { taskQueueName?: string } }[]>;
    expect(dc['matching.numTaskqueueReadPartitions']!.map((e) => e.constraints?.taskQueueName).sort()).toEqual(
      Object.keys(config.apps)
        .map((a) => `scim-${a}`)
        .sort(),
    );
    expect(services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.worker!.ports).toBeUndefined();
  });

  it('uses no auto-setup (development) image anywhere', () => {
    for (const [name, svc] of Object.entries(services))
      expect([name, svc.image ?? '']).not.toEqual([name, expect.stringMatching(/auto-setup/)]);
    expect(composeText).not.toMatch(/temporalio\/auto-setup/);
  });

  it('sets up both schemas with temporal-sql-tool in a one-shot service the server waits for', () => {
    const schema = services['temporal-schema']!;
    const script = JSON.stringify(schema.command);
    for (const db of ['temporal', 'temporal_visibility']) {
      expect(script).toContain(`--db ${db} setup-schema -v 0.0`);
      expect(script).toMatch(
        new RegExp(`--db ${db} update-schema -d [^;]*/${db === 'temporal' ? 'temporal' : 'visibility'}/versioned`),
      );
    }
    expect(schema.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgresql' });
    expect(schema.restart).toBe('no');
    expect(services.temporal!.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect((schema.depends_on as Record<string, { condition: string }>).postgresql!.condition).toBe('service_healthy');
  });

  it('every service either names an image or is built, and depends only on services that exist', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect([name, Boolean(svc.image || svc.build)]).toEqual([name, true]);
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services)).toContain(dep);
    }
  });

  it('binds every published port to 127.0.0.1, on the same ports as `npm start`', () => {
    const published = Object.entries(services).flatMap(([name, svc]) =>
      (svc.ports ?? []).map((p) => [name, String(p)] as const),
    );
    expect(published.length).toBeGreaterThan(0);
    for (const [name, p] of published)
      expect([name, p]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
    expect(services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(services['temporal-ui']!.ports).toEqual(['127.0.0.1:8233:8080']);
    expect(services.ingress!.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(services.postgresql!.ports).toBeUndefined();
    // Inside its container the ingress listens on every interface, explicitly (its default is loopback).
    expect(services.ingress!.environment!.SCIMFLOW_INGRESS_HOST).toBe('0.0.0.0');
  });

  it('health-checks the database, Temporal, the worker and the ingress (/healthz)', () => {
    for (const name of ['postgresql', 'temporal', 'worker', 'ingress'])
      expect([name, services[name]!.healthcheck?.test]).toEqual([name, expect.anything()]);
    expect(JSON.stringify(services.ingress!.healthcheck!.test)).toContain('http://127.0.0.1:8080/healthz');
    expect(JSON.stringify(services.worker!.healthcheck!.test)).toContain(
      `http://127.0.0.1:${services.worker!.environment!.SCIMFLOW_METRICS_PORT}/metrics`,
    );
    expect(JSON.stringify(services.temporal!.healthcheck!.test)).toContain('cluster');
  });

  it('registers the namespace and every search attribute the workflows use', async () => {
    const { SEARCH_ATTRIBUTES } = await import('../../src/workflows/search-attributes');
    const command = JSON.stringify(services['temporal-setup']);
    expect(command).toContain('namespace create --namespace default');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
      expect(command).toContain(`--name ${name} --type ${type}`);
  });

  it('provides every secret the configuration references, to the process that resolves it, as a compose secret file', () => {
    const topLevel = compose.secrets ?? {};
    const refs = listSecretRefs(config);
    expect(refs.length).toBeGreaterThan(0);
    for (const { path, ref } of refs) {
      expect([path, ref.ref]).toEqual([path, 'env']);
      if (ref.ref !== 'env') continue;
      // Webhook secrets are resolved by the ingress; app credentials by the worker.
      const svc = services[path.startsWith('ingress.') ? 'ingress' : 'worker']!;
      const env = svc.environment ?? {};
      expect([path, env[ref.name]]).toEqual([path, undefined]);
      const file = env[`${ref.name}${FILE_ENV_SUFFIX}`];
      expect([path, file]).toEqual([path, expect.stringMatching(/^\/run\/secrets\/[a-z_]+$/)]);
      const secret = file!.slice('/run/secrets/'.length);
      expect([path, svc.secrets]).toEqual([path, expect.arrayContaining([secret])]);
      expect([path, topLevel[secret]?.file]).toEqual([path, `./secrets/${secret}`]);
    }
    // …and the worker is not given the webhook secret, nor the ingress the app tokens.
    expect(services.worker!.secrets).not.toContain('webhook_secret');
    expect(services.ingress!.secrets).toEqual(['webhook_secret', 'payload_key']);
    // The payload key: both encrypt what they hand Temporal (docs/security.md).
    expect(services.ingress!.environment!.SCIMFLOW_PAYLOAD_KEY_FILE).toBe('/run/secrets/payload_key');
  });

  it('never writes a secret value: secret variables name files, and there is no default database password', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (/SECRET|TOKEN|KEY|PASSWORD|PWD/.test(key))
          expect([name, key, String(value)]).toEqual([
            name,
            expect.stringMatching(/_FILE$/),
            expect.stringMatching(/^\/run\/secrets\//),
          ]);
      }
    }
    expect(services.postgresql!.environment).toEqual({
      POSTGRES_USER: 'temporal',
      POSTGRES_PASSWORD_FILE: '/run/secrets/temporal_db_password',
    });
    for (const name of ['temporal', 'temporal-schema']) {
      expect(services[name]!.secrets).toContain('temporal_db_password');
      expect(JSON.stringify([services[name]!.entrypoint, services[name]!.command])).toContain(
        '$$(cat /run/secrets/temporal_db_password)',
      );
    }
    expect(composeText).not.toMatch(/POSTGRES_(PASSWORD|PWD):\s*\S/);
  });

  it('spells each variable one way in the configuration, compose and the docs', () => {
    const docs = [
      'README.md',
      'docs/hr-events.md',
      'docs/configuration.md',
      'docs/operations.md',
      'config/scimflow.yaml',
      'docker-compose.yml',
    ]
      .map((f) => readFileSync(join(root, f), 'utf8'))
      .join('\n');
    // The rotation secret and the JSM token: the names the configuration uses.
    expect(docs).not.toContain('SCIMFLOW_PREVIOUS_WEBHOOK_SECRET');
    expect(docs).not.toContain('SCIMFLOW_ATLASSIAN_API_TOKEN');
    expect(readFileSync(join(root, 'config', 'scimflow.yaml'), 'utf8')).toContain(
      '${SCIMFLOW_WEBHOOK_SECRET_PREVIOUS}',
    );
    expect(composeText).toContain('SCIMFLOW_WEBHOOK_SECRET_PREVIOUS_FILE');
    expect(composeText).toContain('SCIMFLOW_ATLASSIAN_JSM_TOKEN_FILE');
  });

  it('the Dockerfile runs the scimflow CLI that the compose services call, and leaves the secrets out of the image', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/scimflow.mjs"\]/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).not.toMatch(/COPY (\.|secrets)/);
    expect(readFileSync(join(root, '.dockerignore'), 'utf8')).toMatch(/^secrets\/?$/m);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\/?secrets\/?$/m);
  });
});

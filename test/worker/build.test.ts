// The build id a worker reports and the bundle it loads (src/worker/build.ts).
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitCommit, newerSource, packageVersion, prebuiltBundle, resolveBuildId } from '../../src/worker/build';

/** A copy of the project as the Docker image holds it: no .git. */
function imageLike(): string {
  const root = mkdtempSync(join(tmpdir(), 'scimflow-build-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'scimflow', version: '9.8.7' }));
  mkdirSync(join(root, 'src', 'workflows'), { recursive: true });
  writeFileSync(join(root, 'src', 'workflows', 'identity.ts'), 'export {};\n');
  return root;
}

describe('resolveBuildId', () => {
  it('SCIMFLOW_BUILD_ID, else the configured one, else version+commit in this checkout', () => {
    expect(resolveBuildId({ env: { SCIMFLOW_BUILD_ID: ' 1.2.3+ci ' }, configured: 'cfg' })).toBe('1.2.3+ci');
    expect(resolveBuildId({ env: {}, configured: 'cfg' })).toBe('cfg');
    expect(resolveBuildId({ env: {} })).toMatch(
      new RegExp(`^${packageVersion().replaceAll('.', '\\.')}\\+[0-9a-f]{12}(\\.dirty)?$`),
    );
  });

  it('without git: the version and the prebuilt bundle’s hash (two bundles, two ids), else the version alone', () => {
    const root = imageLike();
    expect(gitCommit(root)).toBeUndefined();
    expect(resolveBuildId({ env: {}, root })).toBe('9.8.7');
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'workflow-bundle.js'), 'one');
    const a = resolveBuildId({ env: {}, root });
    writeFileSync(join(root, 'dist', 'workflow-bundle.js'), 'two');
    const b = resolveBuildId({ env: {}, root });
    expect(a).toMatch(/^9\.8\.7\+bundle\.[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });
});

describe('the prebuilt bundle', () => {
  it('SCIMFLOW_WORKFLOW_BUNDLE must exist', () => {
    expect(() => prebuiltBundle({ SCIMFLOW_WORKFLOW_BUNDLE: '/nonexistent/bundle.js' })).toThrow(/no such file/);
    const root = imageLike();
    const file = join(root, 'b.js');
    writeFileSync(file, '');
    expect(prebuiltBundle({ SCIMFLOW_WORKFLOW_BUNDLE: file })).toEqual({ codePath: file });
  });

  it('says when a source file is newer than the bundle (a checkout that forgot to rebuild)', () => {
    const root = imageLike();
    const bundle = join(root, 'bundle.js');
    writeFileSync(bundle, '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src', 'workflows', 'identity.ts'), past, past);
    expect(newerSource(bundle, root)).toBeUndefined();
    utimesSync(bundle, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(newerSource(bundle, root)).toBe(join(root, 'src', 'workflows', 'identity.ts'));
  });
});

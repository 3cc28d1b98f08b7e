// What code a worker runs: its build id (docs/versioning.md) and the workflow bundle it loads.
//
// The build id names the workflow code in Temporal: every workflow task records it, a run lists
// every build that worked on it in its `BuildIds` search attribute, and with Worker Deployments
// (configuration `temporal.deployment`) it is the Deployment Version's build id.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../dev/temporal-cli';

/** Where `npm run build:workflows` writes the prebuilt workflow bundle. */
export const PREBUILT_BUNDLE = join(projectRoot, 'dist', 'workflow-bundle.js');

export function packageVersion(root = projectRoot): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The short commit of this checkout (`+dirty` with uncommitted changes to tracked files), if it is a git checkout of its own. */
export function gitCommit(root = projectRoot): string | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 3000,
    }).trim();
  try {
    const [top, head] = git('rev-parse', '--show-toplevel', '--short=12', 'HEAD').split('\n');
    // Not the commit of some enclosing repository this copy happens to sit in.
    if (!top || !head || realpathSync(top) !== realpathSync(root)) return undefined;
    let dirty = false;
    try {
      git('diff', '--quiet', 'HEAD', '--', 'src', 'package.json');
    } catch {
      dirty = true;
    }
    return dirty ? `${head}.dirty` : head;
  } catch {
    return undefined;
  }
}

/**
 * `SCIMFLOW_BUILD_ID`, else the configured one, else `<package version>+<commit>`. Without git (a
 * Docker image built without SCIMFLOW_BUILD_ID): `<package version>+bundle.<sha256 of the prebuilt
 * bundle>`, so two images with different workflow code never share a build id; with neither, the
 * package version alone.
 */
export function resolveBuildId(
  opts: { env?: NodeJS.ProcessEnv; configured?: string; root?: string; bundlePath?: string } = {},
): string {
  const fromEnv = (opts.env ?? process.env).SCIMFLOW_BUILD_ID?.trim();
  if (fromEnv) return fromEnv;
  if (opts.configured) return opts.configured;
  const version = packageVersion(opts.root);
  const commit = gitCommit(opts.root);
  if (commit) return `${version}+${commit}`;
  const bundle = opts.bundlePath ?? (opts.root ? join(opts.root, 'dist', 'workflow-bundle.js') : PREBUILT_BUNDLE);
  if (existsSync(bundle))
    return `${version}+bundle.${createHash('sha256').update(readFileSync(bundle)).digest('hex').slice(0, 12)}`;
  return version;
}

/**
 * The prebuilt bundle (`{ codePath }` for Worker.create): `SCIMFLOW_WORKFLOW_BUNDLE` (which must
 * exist), else dist/workflow-bundle.js when present; undefined: bundle from source.
 */
export function prebuiltBundle(env: NodeJS.ProcessEnv = process.env): { codePath: string } | undefined {
  const named = env.SCIMFLOW_WORKFLOW_BUNDLE?.trim();
  if (named) {
    if (!existsSync(named))
      throw new Error(
        `SCIMFLOW_WORKFLOW_BUNDLE=${named}: no such file (npm run build:workflows writes ${PREBUILT_BUNDLE})`,
      );
    return { codePath: named };
  }
  return existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : undefined;
}

/**
 * A source file under src/ changed after the bundle was built (a development checkout that forgot
 * `npm run build:workflows`): its path, else undefined. In the image the bundle is built after the
 * sources are copied, so it is never older than them.
 */
export function newerSource(bundlePath: string, root = projectRoot): string | undefined {
  const built = statSync(bundlePath).mtimeMs;
  const walk = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      } else if (e.name.endsWith('.ts') && statSync(p).mtimeMs > built) return p;
    }
    return undefined;
  };
  try {
    return walk(join(root, 'src'));
  } catch {
    return undefined;
  }
}

// `scimflow --version`: the package version, and the git commit when this is a git checkout.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../dev/temporal-cli';

export function versionString(root = projectRoot): string {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  let commit = '';
  try {
    // Only asked for with --version; a copy without .git (the Docker image) or without git prints the version alone.
    const [top, head] = execFileSync('git', ['rev-parse', '--show-toplevel', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .trim()
      .split('\n');
    // Not the commit of some enclosing repository this copy happens to sit in.
    if (top && head && realpathSync(top) === realpathSync(root)) commit = head;
  } catch {
    // no git
  }
  return commit ? `${version} (commit ${commit})` : version;
}

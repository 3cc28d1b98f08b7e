// Locates Temporal's time-skipping test server (the Java one) the same way
// scripts/ensure-test-server.mjs does (that script also builds it from Maven Central).
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { projectRoot } from './temporal-cli';

/** Keep in step with TEST_SERVER_VERSION in scripts/ensure-test-server.mjs (a test checks they agree). */
export const TEST_SERVER_VERSION = '1.31.0';

export interface FoundTestServer {
  path: string;
  source: 'TEMPORAL_TEST_SERVER_PATH' | '.temporal/test-server';
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The lookup order, in one place: $TEMPORAL_TEST_SERVER_PATH (which must then be an executable),
 * else the wrapper in <root>/.temporal/test-server/bin, if every jar of its classpath still exists.
 */
export function findTestServer(
  env: NodeJS.ProcessEnv = process.env,
  root: string = projectRoot,
): FoundTestServer | undefined {
  const fromEnv = env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} is not an executable file`);
    return { path: resolve(fromEnv), source: 'TEMPORAL_TEST_SERVER_PATH' };
  }
  const dir = join(root, '.temporal', 'test-server');
  const wrapper = join(dir, 'bin', 'temporal-test-server');
  const classpathFile = join(dir, 'classpath.txt');
  if (!isExecutable(wrapper) || !existsSync(classpathFile)) return undefined;
  const jars = readFileSync(classpathFile, 'utf8').trim().split(delimiter).filter(Boolean);
  if (!jars.some((j) => j.endsWith(`temporal-test-server-${TEST_SERVER_VERSION}.jar`))) return undefined;
  return jars.every((j) => existsSync(j)) ? { path: wrapper, source: '.temporal/test-server' } : undefined;
}

export function requireTestServer(): string {
  const found = findTestServer();
  if (!found) {
    throw new Error(
      'The Temporal time-skipping test server was not found (TEMPORAL_TEST_SERVER_PATH, .temporal/test-server/bin/temporal-test-server). ' +
        'Run `node scripts/ensure-test-server.mjs` (or `npm test`, which does it for you): it resolves it from Maven Central with mvn (needs Java 17+ and Maven).',
    );
  }
  return found.path;
}

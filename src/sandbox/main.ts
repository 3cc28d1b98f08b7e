// Standalone sandbox: `npx tsx src/sandbox/main.ts` (env: SANDBOX_HOST, SANDBOX_PORT, SANDBOX_SNAPSHOT,
// SANDBOX_REQUEST_LOG_LIMIT: requests kept per app in /_admin/<app>/requests, default 2000).
import { startSandbox } from './server';
import { SANDBOX_APPS } from './apps/spec';

async function main(): Promise<void> {
  const port = process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : 7100;
  const sandbox = await startSandbox({
    host: process.env.SANDBOX_HOST ?? '127.0.0.1',
    port,
    ...(process.env.SANDBOX_SNAPSHOT ? { snapshotFile: process.env.SANDBOX_SNAPSHOT } : {}),
    ...(process.env.SANDBOX_REQUEST_LOG_LIMIT
      ? { requestLogLimit: Number(process.env.SANDBOX_REQUEST_LOG_LIMIT) }
      : {}),
    logger: process.env.SANDBOX_LOG === '1',
  });
  console.log(`sandbox listening on ${sandbox.url}`);
  for (const name of SANDBOX_APPS) console.log(`  ${name.padEnd(10)} ${sandbox.app(name).scimUrl}`);
  console.log(`  atlassian REST ${sandbox.atlassianRestUrl}/rest   admin ${sandbox.url}/_admin`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

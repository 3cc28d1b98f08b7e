// `npm run build:workflows`: bundles the workflows (src/workflows/index.ts) into
// dist/workflow-bundle.js, which `scimflow worker` loads when present (else it bundles from source).
import { relative } from 'node:path';
import { buildWorkflowBundle } from '../src/worker/bundle';

buildWorkflowBundle({ ...(process.argv[2] ? { out: process.argv[2] } : {}) }).then(
  (r) =>
    process.stdout.write(
      `wrote ${relative(process.cwd(), r.path)} (${(r.bytes / 1024).toFixed(0)} KiB, sha256 ${r.sha256.slice(0, 16)}…)\n`,
    ),
  (err: unknown) => {
    process.stderr.write(`build:workflows failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

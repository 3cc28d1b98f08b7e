// Every committed history (test/fixtures/histories/<version>/, recorded by `npm run record:histories`)
// replays against the current workflow code. A change that alters what a running workflow does —
// without `patched()` (src/workflows/patches.ts) — fails here, naming the history file and the
// first event the new code disagrees with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../../src/worker/build';
import { CORPUS_ROOT, corpusSecrets, findSecrets, formatFailure, loadCorpus, replayAll } from '../helpers/histories';
import { workflowBundle } from '../helpers/temporal';

const corpus = loadCorpus();

describe('the replay corpus', () => {
  it('holds every scenario for the current version', () => {
    const current = corpus
      .filter((h) => h.file.startsWith(`${packageVersion()}/`))
      .map((h) => h.file.replace(/^.*\//, '').replace(/\.json$/, ''));
    expect(current.sort()).toEqual(
      [
        'continue-as-new-first-run',
        'continue-as-new-next-run',
        'future-termination-cancelled',
        'group-workflow',
        'hire-approval-approved',
        'hire-approval-rejected-compensated',
        'hire-with-groups',
        'leaver',
        'mover',
        'needs-attention-retry',
        'rehire',
        'roster-adopt-with-hints',
        'upgrade-signal',
      ].sort(),
    );
    expect(new Set(corpus.map((h) => h.workflowType))).toEqual(new Set(['identityWorkflow', 'groupWorkflow']));
  });

  it('contains no secret: no sandbox token, no webhook secret, in any form, payloads decoded', () => {
    const leaks = corpus.flatMap((h) =>
      findSecrets(readFileSync(join(CORPUS_ROOT, h.file), 'utf8')).map((s) => `${h.file}: ${s.slice(0, 4)}…`),
    );
    expect(leaks).toEqual([]);
  });

  it('the secret check finds a token inside an encoded payload (negative control)', () => {
    const [token] = corpusSecrets();
    const payload = Buffer.from(
      JSON.stringify({ app: 'generic', headers: { authorization: `Bearer ${token}` } }),
    ).toString('base64');
    expect(findSecrets(`{"payloads":[{"data":"${payload}"}]}`)).toEqual([token]);
  });

  it('replays every history against the current workflow code', async () => {
    const { replayed, failures } = await replayAll(corpus, { workflowBundle: await workflowBundle() });
    expect(failures.map(formatFailure)).toEqual([]);
    expect(replayed).toBe(corpus.length);
  }, 120_000);
});

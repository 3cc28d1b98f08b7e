// The replay corpus is a guard that bites: the identity controller with one command-changing edit
// — an extra one-second timer at the start of its loop — no longer replays the recorded histories
// (a nondeterminism error naming the file and the first event that differs), and the same edit
// behind `patched()` replays every one of them cleanly. The edited code is a bundled copy of
// src/workflows/identity.ts (test/helpers/variants.ts); the real file is never touched.
import { DeterminismViolationError } from '@temporalio/workflow';
import { loadCorpus, quietRuntime, replayAll, type ReplayFailure } from '../helpers/histories';
import { upgradeVariants } from '../helpers/upgrade-wiring';
import { bundleVariant, type Edit } from '../helpers/variants';

const LOOP_START = `  async run(): Promise<void> {
    const maxHistory = this.input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY;
    for (;;) {
`;
const IMPORTS = `import {
  ApplicationFailure,`;

const extraSleep: Edit[] = [
  { file: 'workflows/identity.ts', find: IMPORTS, replace: `import {\n  patched,\n  ApplicationFailure,` },
  { file: 'workflows/identity.ts', find: LOOP_START, replace: `${LOOP_START}      await sleep('1 second');\n` },
];
const extraSleepPatched: Edit[] = [
  extraSleep[0]!,
  {
    file: 'workflows/identity.ts',
    find: LOOP_START,
    replace: `${LOOP_START}      if (patched('guard-test-extra-sleep')) await sleep('1 second');\n`,
  },
];

const corpus = loadCorpus();
const identityHistories = corpus.filter((h) => h.workflowType === 'identityWorkflow');
const bundles = new Map<Edit[], ReturnType<typeof bundleVariant>>();
const bundle = (edits: Edit[]) => bundles.get(edits) ?? bundles.set(edits, bundleVariant(edits)).get(edits)!;

beforeAll(quietRuntime);

describe('the replay guard', () => {
  it('has identity histories to guard', () => {
    expect(identityHistories.length).toBeGreaterThanOrEqual(8);
  });

  it('an unpatched command-changing edit fails to replay: nondeterminism, naming the file and the first mismatching event', async () => {
    // A few kinds, of every recorded version: a hire, a run continued from another, a leaver (each
    // failure is located by replaying prefixes: not free).
    const versions = new Set(identityHistories.map((h) => h.file.split('/')[0]));
    const some = identityHistories.filter((h) =>
      /\/(hire-with-groups|continue-as-new-next-run|leaver)\.json$/.test(h.file),
    );
    expect(some).toHaveLength(3 * versions.size);
    const { failures } = await replayAll(some, { workflowBundle: await bundle(extraSleep) });
    // Every recorded controller began its first task by asking for the desired state; the edit starts a timer first.
    expect(failures.map((f) => f.file).sort()).toEqual(some.map((h) => h.file).sort());
    const hire = failures.find((f) => f.file.endsWith('/hire-with-groups.json')) as ReplayFailure;
    expect(hire.error).toMatch(/nondetermin/i);
    expect(hire.firstMismatch).toMatch(/^#\d+ \w+/);
    // The recorded event the timer met instead: the local activity marker of the rules' `desire`.
    expect(hire.firstMismatch).toMatch(/ActivityTaskScheduled \(activity desire\)/);
    process.stdout.write(
      `unpatched edit → ${hire.file}: first mismatching event ${hire.firstMismatch}\n  ${hire.error.split('\n')[0]}\n`,
    );
  }, 120_000);

  it('the replay error is a DeterminismViolationError', async () => {
    const { Worker } = await import('@temporalio/worker');
    const [h] = identityHistories;
    const err = await Worker.runReplayHistory({ workflowBundle: await bundle(extraSleep) }, h!.history, h!.file).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeterminismViolationError);
  }, 120_000);

  it('the same edit behind patched() replays every history cleanly', async () => {
    const { replayed, failures } = await replayAll(identityHistories, {
      workflowBundle: await bundle(extraSleepPatched),
    });
    expect(failures).toEqual([]);
    expect(replayed).toBe(identityHistories.length);
  }, 120_000);

  describe('the upgrade signal (src/workflows/upgrade.ts) behind its patch', () => {
    const wired = upgradeVariants().after;
    it('the controller wired to it replays every recorded history', async () => {
      const { replayed, failures } = await replayAll(corpus, { workflowBundle: await bundle(wired) });
      expect(failures).toEqual([]);
      expect(replayed).toBe(corpus.length);
    }, 120_000);
  });
});

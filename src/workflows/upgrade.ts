// The `upgrade` signal (`scimflow upgrade`, docs/versioning.md): the controller continues-as-new at
// its next quiet moment, so its new run starts with a history of the current code only. Until it
// does, its history holds commands of the build it began on, and every `patched()` branch that
// build could take must stay.
//
// Wired into the controller (src/workflows/identity.ts) by three lines:
//   import { listenForUpgrade, upgradeRequested } from './upgrade';
//   listenForUpgrade((entry) => this.record(entry), () => this.inputs++);   // in the constructor
//   … || upgradeRequested()) break;                                           // the loop's continue-as-new test
//
// The flag is module state: each workflow run has its own copy of every workflow module (the SDK
// gives each run its own module cache), and a new run starts without it.
import { patched, setHandler } from '@temporalio/workflow';
import { upgradeSignal, type LogEntry } from './definitions';
import { UpgradeCommand } from './message-schemas';
import { PATCHES } from './patches';

let requested = false;

/**
 * Handles `upgrade`: records it and wakes the controller's loop, which then continues as new.
 * Behind a patch: a history from before the handler existed may hold an `upgrade` that was then
 * ignored, and must replay as it ran.
 */
export function listenForUpgrade(record: (entry: Omit<LogEntry, 'at'>) => void, wake: () => unknown): void {
  setHandler(upgradeSignal, (raw: unknown) => {
    if (!patched(PATCHES.upgradeSignal)) return;
    const parsed = UpgradeCommand.safeParse(raw ?? undefined);
    if (!parsed.success) {
      record({
        kind: 'invalid-message',
        detail: `upgrade refused: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      });
      return;
    }
    if (requested) return;
    requested = true;
    const cmd = parsed.data ?? {};
    record({
      kind: 'operator',
      detail: `upgrade: continuing as new onto the current workflow code${cmd.reason ? `: ${cmd.reason}` : ''}`,
      ...(cmd.by ? { by: cmd.by } : {}),
    });
    wake();
  });
}

/** An `upgrade` was received: the loop continues as new at its next quiet moment. */
export function upgradeRequested(): boolean {
  return requested;
}

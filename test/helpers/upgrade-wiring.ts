// The three lines that wire the `upgrade` signal (src/workflows/upgrade.ts) into the controller,
// as edits of src/workflows/identity.ts — so tests can run the controller with and without them
// whichever way the real file is today (docs/versioning.md, "scimflow upgrade").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Edit } from './variants';

const FILE = 'workflows/identity.ts';

export const UPGRADE_WIRING: Edit[] = [
  {
    file: FILE,
    find: "import { migrateState } from './state';\n",
    replace:
      "import { migrateState } from './state';\nimport { listenForUpgrade, upgradeRequested } from './upgrade';\n",
  },
  {
    file: FILE,
    find: '    setHandler(auditQuery, () => this.state.audit);\n',
    replace:
      '    setHandler(auditQuery, () => this.state.audit);\n' +
      '    listenForUpgrade(\n' +
      '      (entry) => this.record(entry),\n' +
      '      () => this.inputs++,\n' +
      '    );\n',
  },
  {
    file: FILE,
    find: 'if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistory) break;',
    replace:
      'if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistory || upgradeRequested())\n' +
      '        break;',
  },
];

const reversed = (edits: Edit[]): Edit[] => edits.map((e) => ({ file: e.file, find: e.replace, replace: e.find }));

/** Whether src/workflows/identity.ts already has the three lines. */
export function identityIsWired(): boolean {
  return readFileSync(join(__dirname, '..', '..', 'src', FILE), 'utf8').includes('listenForUpgrade(');
}

/** Edits that give the controller before the wiring and after it, from the file as it is now. */
export function upgradeVariants(): { before: Edit[]; after: Edit[] } {
  return identityIsWired() ? { before: reversed(UPGRADE_WIRING), after: [] } : { before: [], after: UPGRADE_WIRING };
}

/** The wiring without its patch: what the guard test shows must not be shipped. */
export const UNGUARDED: Edit = {
  file: 'workflows/upgrade.ts',
  find: '    if (!patched(PATCHES.upgradeSignal)) return;\n',
  replace: '',
};

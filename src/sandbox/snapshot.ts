// Optional persistence of the sandbox state to one JSON file: loaded at start, written
// (atomically, debounced) after writes and on close. For demos that survive restarts.
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { AtlassianRestState } from './atlassian-rest';
import type { ScimAppState } from './scim-app';

export interface SandboxSnapshot {
  version: 1;
  apps: Record<string, ScimAppState>;
  atlassianRest?: AtlassianRestState;
}

export function loadSnapshot(file: string): SandboxSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as SandboxSnapshot;
  if (parsed.version !== 1) throw new Error(`sandbox snapshot ${file}: unsupported version ${String(parsed.version)}`);
  return parsed;
}

export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly collect: () => SandboxSnapshot,
    private readonly debounceMs = 200,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const data = JSON.stringify(this.collect());
    this.writing = this.writing.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, data, 'utf8');
      await rename(tmp, this.file);
    });
    await this.writing;
  }
}

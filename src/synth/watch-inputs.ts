/**
 * What a synthesis reads besides `.projenrc.ts` and `package.json`: the folders of its template
 * sources. `create-msb-app watch` passes a file path in {@link WATCH_INPUTS_ENV} to each synthesis it
 * runs; the synthesis writes the folders there, and the watcher watches them from then on. Without
 * the variable (every other synthesis) nothing is written.
 */
import * as fs from 'node:fs';

/** Environment variable naming the file a synthesis writes its template folders to. */
export const WATCH_INPUTS_ENV = 'MSB_WATCH_INPUTS';

/** What the file holds. */
export interface WatchInputs {
  /** Absolute folders whose files are inputs (a template source's root and its templates folder). */
  readonly dirs: string[];
}

/** Writes the folders when the watcher asked for them; a failure to write only loses watching them. */
export function reportWatchInputs(dirs: string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = env[WATCH_INPUTS_ENV];
  if (!file) return;
  try {
    fs.writeFileSync(file, JSON.stringify({ dirs: [...new Set(dirs)].sort() } satisfies WatchInputs));
  } catch {
    // the watcher keeps the folders it knew
  }
}

/** Reads what the last synthesis wrote; `undefined` when it wrote nothing (it failed before). */
export function readWatchInputs(file: string): WatchInputs | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { dirs?: unknown };
    return Array.isArray(data.dirs) && data.dirs.every((d) => typeof d === 'string') ? { dirs: data.dirs as string[] } : undefined;
  } catch {
    return undefined;
  }
}

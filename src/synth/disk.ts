/**
 * Every change synthesis makes to the project's files goes through here: a file is written to a
 * temporary sibling and renamed into place (a crash or a full disk never leaves a half-written
 * output), and a filesystem error becomes a plain message that names the file and what to do.
 *
 * Temporary siblings are named `.<name>.msb-tmp-<pid>-<random>`; the next synthesis removes any
 * that a crash left behind (it holds the project's lock, so no other synthesis is writing them).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markMsbError } from '../validation';

/** The filesystem calls that change files, replaceable in tests to simulate a full disk. */
export interface DiskOps {
  writeFileSync(file: string, data: string, options: { mode: number; flag: string }): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, options: { force: boolean; recursive: boolean }): void;
  mkdirSync(dir: string, options: { recursive: true }): void;
  chmodSync(file: string, mode: number): void;
  fsyncFile(file: string): void;
}

const realOps: DiskOps = {
  writeFileSync: (file, data, options) => fs.writeFileSync(file, data, options),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (file, options) => fs.rmSync(file, options),
  mkdirSync: (dir, options) => {
    fs.mkdirSync(dir, options);
  },
  chmodSync: (file, mode) => fs.chmodSync(file, mode),
  fsyncFile: (file) => {
    const fd = fs.openSync(file, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

let ops: DiskOps = realOps;

/**
 * Replaces some filesystem calls (tests simulate ENOSPC, EACCES, ... with it); `undefined` restores
 * the real ones.
 */
export function useDiskOps(replacement?: Partial<DiskOps>): void {
  ops = replacement ? { ...realOps, ...replacement } : realOps;
}

/** The filesystem calls in use. */
export function diskOps(): DiskOps {
  return ops;
}

// Test-only crash points. `MSB_TEST_KILL_AT=<n>` makes the process SIGKILL itself just before its
// n-th change to the disk (1-based); `MSB_TEST_KILL_AT=0` kills nothing and prints every point as
// `msb-kill-point <n> <what>` on stderr, so a test can count them. Unset (always, outside the crash
// tests) these cost one comparison per change.
const KILL_AT_ENV = 'MSB_TEST_KILL_AT';
let killCounter = 0;

/** Marks one change to the disk: a crash point for the crash tests. */
export function killPoint(what: string): void {
  const at = process.env[KILL_AT_ENV];
  if (at === undefined || at === '') return;
  killCounter += 1;
  const n = Number(at);
  if (n === 0) process.stderr.write(`msb-kill-point ${killCounter} ${what}\n`);
  else if (killCounter === n) process.kill(process.pid, 'SIGKILL');
}

/** A filesystem error during synthesis, told plainly: which file, what happened, what to do. */
export class DiskWriteError extends Error {
  constructor(
    /** The file, relative to the project. */
    public readonly file: string,
    /** The system error code, e.g. "ENOSPC". */
    public readonly code: string,
    detail: string,
  ) {
    super(`Synthesis could not write ${file}: ${detail}`);
    markMsbError(this);
    this.name = 'DiskWriteError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

const ADVICE: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC). Free some space and run "npx projen" again',
  EDQUOT: 'the disk quota is exhausted (EDQUOT). Free some space and run "npx projen" again',
  EACCES: 'permission denied (EACCES). Make the file and its folder writable by you (or run as their owner) and run "npx projen" again',
  EPERM: 'operation not permitted (EPERM). Check the file\'s owner and attributes (e.g. chattr +i) and run "npx projen" again',
  EROFS: 'the file system is read-only (EROFS). Run synthesis on a writable copy of the project',
  ENOTDIR: 'a part of its path is a file, not a folder (ENOTDIR). Move that file away and run "npx projen" again',
  EISDIR: 'a folder is in the way (EISDIR). Move that folder away and run "npx projen" again',
  EMFILE: 'too many open files (EMFILE). Close some programs and run "npx projen" again',
  EIO: 'an input/output error (EIO). Check the disk and run "npx projen" again',
};

/**
 * Turns a filesystem error into a {@link DiskWriteError}; other errors are returned unchanged. Files
 * already renamed into place are complete, and the next synthesis recognises them as its own.
 */
export function explainDiskError(e: unknown, file: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const advice = ADVICE[code] ?? `${(e as Error).message.split('\n')[0]}. Fix the cause and run "npx projen" again`;
  return new DiskWriteError(file, code, `${advice}. No file was left half-written.`);
}

const TEMP_MARK = '.msb-tmp-';
const TEMP_RE = /^\..+\.msb-tmp-\d+-[0-9a-f]+$/;

/** The temporary sibling a file is written to before it is renamed into place. */
export function tempSibling(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Whether a name is one of those temporary siblings. */
export function isTempName(name: string): boolean {
  return TEMP_RE.test(name);
}

/**
 * Writes `data` to `file` (absolute) through a temporary sibling and a rename, with `mode`.
 * `rel` names the file in errors. Throws {@link DiskWriteError} for filesystem errors.
 */
export function writeAtomic(file: string, rel: string, data: string, mode: number): void {
  const tmp = tempSibling(file);
  let created = false;
  try {
    ops.mkdirSync(path.dirname(file), { recursive: true });
    killPoint(`write ${rel} (temporary)`);
    created = true;
    if (process.env[KILL_AT_ENV]) {
      // The crash tests also stop half-way through the temporary file.
      const half = Math.floor(data.length / 2);
      ops.writeFileSync(tmp, data.slice(0, half), { mode: 0o600, flag: 'wx' });
      killPoint(`write ${rel} (temporary, half written)`);
      fs.appendFileSync(tmp, data.slice(half));
    } else {
      ops.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    }
    ops.chmodSync(tmp, mode);
    ops.fsyncFile(tmp);
    killPoint(`rename ${rel}`);
    ops.renameSync(tmp, file);
    created = false;
  } catch (e) {
    if (created) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // the next synthesis removes it
      }
    }
    throw explainDiskError(e, rel);
  }
}

/** Removes `file` (absolute; a file, or a folder with what it holds). */
export function removeFile(file: string, rel: string): void {
  if (!fs.existsSync(file) && !isLink(file)) return;
  killPoint(`remove ${rel}`);
  try {
    ops.rmSync(file, { force: true, recursive: true });
  } catch (e) {
    throw explainDiskError(e, rel);
  }
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Removes the temporary siblings a crashed synthesis left in `dirs` (absolute). Returns the removed
 * paths. Only names of the form `.<name>.msb-tmp-<pid>-<hex>` are touched.
 */
export function removeStaleTemps(dirs: Iterable<string>): string[] {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!isTempName(name)) continue;
      const abs = path.join(dir, name);
      try {
        if (!fs.lstatSync(abs).isFile()) continue;
        fs.rmSync(abs, { force: true });
        removed.push(abs);
      } catch {
        // left for the next run
      }
    }
  }
  return removed;
}

/**
 * One synthesis of a project at a time: `.projen/msb.lock` is created atomically (a complete file
 * hard-linked into place, which fails when the lock exists) and holds the holder's pid, host and
 * start time. A second synthesis waits for it, then fails naming the holder; a lock whose holder
 * is dead (killed, crashed) is taken over at once.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { explainDiskError } from './disk';
import { markMsbError } from '../validation';

/** The lock file, relative to the project. */
export const LOCK_FILE = '.projen/msb.lock';

/** How long a second synthesis waits for the first, by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** What the lock file holds. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly started: string;
  /** Tells two holders with the same pid apart. */
  readonly nonce: string;
}

/** Another synthesis of the project held the lock for longer than the wait. */
export class SynthesisLockError extends Error {
  constructor(public readonly holder: LockHolder | undefined, lockFile: string, waitedMs: number) {
    super(
      `Another synthesis of this project is running (${
        holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'holder unknown'
      }); waited ${Math.round(waitedMs / 1000)} s for ${lockFile}. Run "npx projen" again when it has finished` +
        (holder ? `, or if process ${holder.pid} is not a synthesis, remove ${lockFile}.` : `, or remove ${lockFile}.`),
    );
    markMsbError(this);
    this.name = 'SynthesisLockError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Whether a process is alive (a zombie counts as dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.nonce === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** The lock of one synthesis, from {@link acquireLock}; {@link release} it in a `finally`. */
export class SynthesisLock {
  private released = false;
  private readonly onExit: () => void;

  /** @internal Use {@link acquireLock}. */
  constructor(
    private readonly file: string,
    private readonly me: LockHolder,
    private readonly createdDir: boolean,
  ) {
    this.onExit = () => this.release();
    process.on('exit', this.onExit);
  }

  /** Removes the lock if it is still this synthesis's (and `.projen/` if the lock created it and it is empty). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    if (readHolder(this.file)?.nonce === this.me.nonce) {
      try {
        fs.rmSync(this.file, { force: true });
      } catch {
        // a dead holder's lock is taken over by the next synthesis
      }
    }
    if (this.createdDir) {
      try {
        fs.rmdirSync(path.dirname(this.file));
      } catch {
        // not empty: synthesis wrote into it
      }
    }
  }
}

/** Takes the lock of the project in `outdir`, waiting up to `timeoutMs` for another holder. */
export function acquireLock(outdir: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): SynthesisLock {
  const lockFile = path.join(outdir, LOCK_FILE);
  const dir = path.dirname(lockFile);
  const createdDir = !fs.existsSync(dir);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  const start = Date.now();
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw explainDiskError(e, LOCK_FILE);
  }
  for (;;) {
    if (tryCreate(lockFile, me)) {
      removeLeftovers(lockFile);
      return new SynthesisLock(lockFile, me, createdDir);
    }
    const holder = readHolder(lockFile);
    if (isStale(lockFile, holder)) {
      takeOver(lockFile, holder);
      continue;
    }
    const waited = Date.now() - start;
    if (waited >= timeoutMs) throw new SynthesisLockError(holder, LOCK_FILE, waited);
    sleep(Math.min(50, timeoutMs - waited));
  }
}

/** Creates the lock with its whole content in one step; false when it exists. */
function tryCreate(lockFile: string, me: LockHolder): boolean {
  const tmp = `${lockFile}.${me.pid}-${me.nonce}`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(me) + '\n', { flag: 'wx' });
    fs.linkSync(tmp, lockFile);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw explainDiskError(e, LOCK_FILE);
  } finally {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // harmless leftover, named after a pid
    }
  }
}

function isStale(lockFile: string, holder: LockHolder | undefined): boolean {
  if (!holder) {
    // Unreadable: only a crash between creation and content could make it, which linking rules
    // out; treat an old one as stale, a fresh one as being replaced.
    try {
      return Date.now() - fs.statSync(lockFile).mtimeMs > 2000;
    } catch {
      return false; // gone: try again
    }
  }
  if (holder.host !== os.hostname()) return false; // cannot tell; wait for it
  if (holder.pid === process.pid) return true; // a crashed process with the same pid left it
  return !alive(holder.pid);
}

/**
 * Removes a stale lock without removing a live one that replaced it meanwhile: the lock is renamed
 * aside, checked, and linked back if it turned out to be someone else's.
 */
function takeOver(lockFile: string, stale: LockHolder | undefined): void {
  const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return; // gone already: try again
  }
  const moved = readHolder(aside);
  if (stale && moved && moved.nonce !== stale.nonce) {
    try {
      fs.linkSync(aside, lockFile);
    } catch {
      // a third synthesis took it; it holds it now
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Removes `msb.lock.<pid>-<nonce>` and `msb.lock.stale-<pid>-<hex>` files of dead processes. */
function removeLeftovers(lockFile: string): void {
  const base = path.basename(lockFile);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(lockFile));
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(`${base}.`) ? /^(?:stale-)?(\d+)-[0-9a-f]+$/.exec(name.slice(base.length + 1)) : null;
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      fs.rmSync(path.join(path.dirname(lockFile), name), { force: true });
    }
  }
}

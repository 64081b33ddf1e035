/**
 * Routes the writes of every projen file of a project (create-msb-app's outputs and projen's own
 * `.projen/files.json`, `.projen/tasks.json`, ...) through the atomic write, in this order:
 *
 * 1. at the first file, render every file, and if anything will change write the journal of
 *    pending checksums (and remove files an earlier crashed synthesis created that are no longer
 *    produced);
 * 2. each file is renamed into place when projen synthesizes it (unchanged files are left alone);
 * 3. after all of them (and projen's post-synthesis hooks), the files named `last` (the record of
 *    checksums) are written, then the journal is removed.
 *
 * The override is per file instance and removed after synthesis, so projen itself is not patched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolve } from 'projen/lib/_resolve';
import { FileBase, IResolver } from 'projen/lib/file';
import { Project } from 'projen/lib/project';
import { getFilePermissions } from 'projen/lib/util';
import { removeFile, writeAtomic } from './disk';
import { JOURNAL_FILE, PendingJournal, readJournal, removeJournal, sha256, writeJournal } from './journal';

interface Action {
  readonly file?: FileBase;
  readonly rel: string;
  readonly abs: string;
  readonly kind: 'write' | 'remove' | 'keep';
  readonly content?: string;
  readonly mode: number;
  readonly previous?: string;
}

const resolver: IResolver = { resolve: (obj, options) => resolve(obj, options) };

/** Writes one synthesis of a project; see the module comment for the order. */
export class SynthesisWriter {
  private plan?: Map<string, Action>;
  private journalWritten = false;
  private readonly earlier: PendingJournal | undefined;
  private readonly installed: FileBase[] = [];

  constructor(
    private readonly project: Project,
    private readonly last: readonly string[],
  ) {
    this.earlier = readJournal(project.outdir);
  }

  /** Makes every file of the project write through this writer until {@link uninstall}. */
  install(): void {
    for (const file of this.project.files) {
      Object.defineProperty(file, 'synthesize', { value: () => this.synthesizeFile(file), configurable: true, writable: true });
      this.installed.push(file);
    }
  }

  /** Restores projen's own `synthesize` on the files. */
  uninstall(): void {
    for (const file of this.installed.splice(0)) delete (file as { synthesize?: unknown }).synthesize;
  }

  /** Writes what was held back (the record), then removes the journal. Call after a successful synthesis. */
  finish(): void {
    const plan = this.planned();
    for (const rel of this.last) {
      const a = plan.get(rel);
      if (a) this.apply(a);
    }
    if (this.journalWritten || this.earlier || fs.existsSync(path.join(this.project.outdir, JOURNAL_FILE))) {
      removeJournal(this.project.outdir);
    }
  }

  private synthesizeFile(file: FileBase): void {
    const a = this.planned().get(file.path) ?? this.planOne(file);
    if (this.last.includes(a.rel)) return;
    this.apply(a);
  }

  private planned(): Map<string, Action> {
    if (this.plan) return this.plan;
    const plan = new Map<string, Action>();
    for (const file of this.project.files) plan.set(file.path, this.planOne(file));
    this.plan = plan;

    // Files a crashed synthesis created that this one no longer produces: removed if unchanged.
    const orphans: Action[] = [];
    for (const [rel, hashes] of Object.entries(this.earlier?.files ?? {})) {
      if (plan.has(rel) || !isSafeRelative(rel)) continue;
      const abs = path.join(this.project.outdir, rel);
      const onDisk = tryRead(abs);
      if (onDisk !== undefined && hashes.includes(sha256(onDisk))) orphans.push({ rel, abs, kind: 'remove', mode: 0 });
    }

    const pending: Record<string, string> = {};
    for (const a of plan.values()) if (a.kind === 'write') pending[a.rel] = sha256(a.content!);
    const changes = [...plan.values()].some((a) => a.kind !== 'keep') || orphans.length > 0;
    if (changes) {
      writeJournal(this.project.outdir, pending, this.earlier);
      this.journalWritten = true;
    }
    for (const o of orphans) this.apply(o);
    return plan;
  }

  private planOne(file: FileBase): Action {
    const rel = file.path;
    const abs = path.join(this.project.outdir, rel);
    const content = (file as unknown as { synthesizeContent(r: IResolver): string | undefined }).synthesizeContent(resolver);
    const mode = parseInt(getFilePermissions({ readonly: file.readonly, executable: file.executable }), 8);
    const previous = tryRead(abs);
    if (content === undefined) return { file, rel, abs, kind: previous === undefined && !exists(abs) ? 'keep' : 'remove', mode, previous };
    if (previous === content && modeOf(abs) === mode) return { file, rel, abs, kind: 'keep', content, mode, previous };
    return { file, rel, abs, kind: 'write', content, mode, previous };
  }

  private apply(a: Action): void {
    if (a.kind === 'write') writeAtomic(a.abs, a.rel, a.content!, a.mode);
    else if (a.kind === 'remove') removeFile(a.abs, a.rel);
    if (a.file) {
      // What projen's FileBase.synthesize records, for post-synthesis hooks (`changed`, `diff()`).
      const state = a.file as unknown as { _changed?: boolean; _previousContent?: string; _newContent?: string };
      state._changed = a.kind !== 'keep';
      state._previousContent = a.previous;
      state._newContent = a.content;
    }
  }
}

function tryRead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function modeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o777; // eslint-disable-line no-bitwise
  } catch {
    return undefined;
  }
}

/** A journal path that stays inside the project (the journal is a file anyone could edit). */
export function isSafeRelative(rel: string): boolean {
  return rel !== '' && !path.isAbsolute(rel) && !path.normalize(rel).split(path.sep).includes('..');
}

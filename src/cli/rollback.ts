/**
 * Leaves nothing behind on failure: a directory the command created is removed; in a directory
 * that existed, every file it may touch is snapshotted first and restored (or removed) afterwards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Snapshot {
  readonly content?: Buffer;
  readonly mode?: number;
}

/** Records what the command is about to change so that {@link Rollback.restore} can undo it. */
export class Rollback {
  private readonly files = new Map<string, Snapshot>();
  private readonly dirs = new Set<string>();
  private createdRoot?: string;

  /**
   * The command creates `dir`: restore removes it whole. Pass the outermost folder that did not
   * exist before, so that the missing parents it makes go too.
   */
  createdDirectory(dir: string): void {
    this.createdRoot = dir;
  }

  /** Snapshots files (relative to `root`) before they may be written, created or removed. */
  guardFiles(root: string, rels: readonly string[]): void {
    for (const rel of rels) {
      const file = path.resolve(root, rel);
      if (this.files.has(file)) continue;
      try {
        const st = fs.lstatSync(file);
        this.files.set(file, st.isFile() ? { content: fs.readFileSync(file), mode: st.mode } : {});
      } catch {
        this.files.set(file, {});
      }
    }
  }

  /** Folders (relative to `root`) removed on restore when they do not exist now. */
  guardDirectories(root: string, rels: readonly string[]): void {
    for (const rel of rels) {
      const dir = path.resolve(root, rel);
      if (!fs.existsSync(dir)) this.dirs.add(dir);
    }
  }

  /** Undoes everything recorded; best effort, never throws. */
  restore(): void {
    if (this.createdRoot) {
      fs.rmSync(this.createdRoot, { recursive: true, force: true });
      return;
    }
    for (const [file, snap] of this.files) {
      try {
        if (snap.content === undefined) {
          if (fs.existsSync(file) && fs.lstatSync(file).isFile()) fs.rmSync(file, { force: true });
          continue;
        }
        if (fs.existsSync(file)) fs.chmodSync(file, 0o644);
        fs.writeFileSync(file, snap.content);
        if (snap.mode !== undefined) fs.chmodSync(file, snap.mode % 0o10000);
      } catch {
        // keep restoring the others
      }
    }
    for (const dir of [...this.dirs].sort((a, b) => b.length - a.length)) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

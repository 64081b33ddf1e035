/**
 * Leaves nothing behind on failure. A directory the command created is removed whole. In a
 * directory that existed, everything there is snapshotted first (not a list of the files the
 * command means to touch): on restore, what was added is removed, what was changed or removed is
 * put back byte for byte with its mode. Big folders the install rewrites (`node_modules`) are not
 * copied: they are moved aside before the install and moved back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

type Entry =
  | { readonly kind: 'file'; readonly content: Buffer; readonly mode: number }
  | { readonly kind: 'dir'; readonly mode: number }
  | { readonly kind: 'link'; readonly target: string }
  /** A folder that is not walked (`.git`): kept if it was there, removed if it was not. */
  | { readonly kind: 'opaque' };


/** Records the state of a directory so that {@link Rollback.restore} can bring it back. */
export class Rollback {
  private readonly entries = new Map<string, Entry>();
  private root?: string;
  private createdRoot?: string;
  private readonly aside = new Map<string, string>();

  /**
   * The command creates `dir`: restore removes it whole. Pass the outermost folder that did not
   * exist before, so that the missing parents it makes go too.
   */
  createdDirectory(dir: string): void {
    this.createdRoot = dir;
  }

  /**
   * Snapshots everything under `dir` (which exists). Folders named in `opaque` (at any depth, e.g.
   * `.git` and the family's install folders) are not read: they are kept as they are, or removed
   * when the command made them.
   */
  snapshot(dir: string, opaque: readonly string[] = ['.git']): void {
    const skip = new Set(opaque);
    this.root = dir;
    this.entries.clear();
    const walk = (abs: string, rel: string) => {
      for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        const p = path.join(abs, e.name);
        const r = rel ? `${rel}/${e.name}` : e.name;
        const st = fs.lstatSync(p);
        if (st.isSymbolicLink()) {
          this.entries.set(r, { kind: 'link', target: fs.readlinkSync(p) });
        } else if (st.isDirectory() && skip.has(e.name)) {
          this.entries.set(r, { kind: 'opaque' });
        } else if (st.isDirectory()) {
          this.entries.set(r, { kind: 'dir', mode: st.mode });
          walk(p, r);
        } else if (st.isFile()) {
          this.entries.set(r, { kind: 'file', content: fs.readFileSync(p), mode: st.mode });
        }
      }
    };
    walk(dir, '');
  }

  /**
   * Moves `rel` (e.g. `node_modules`) out of the way before a step rewrites it; {@link restore} moves
   * it back, {@link commit} deletes it. Nothing happens when it does not exist.
   */
  moveAside(rel: string): void {
    if (!this.root) return;
    const from = path.join(this.root, rel);
    if (!fs.existsSync(from)) return;
    const to = path.join(this.root, `.${rel.replace(/\//g, '-')}.msb-aside-${process.pid}`);
    fs.renameSync(from, to);
    this.aside.set(rel, to);
    this.entries.set(path.basename(to), { kind: 'opaque' });
  }

  /**
   * Like {@link moveAside}, then puts a copy back in place for the step to update instead of
   * rebuilding it: folders are made anew and files inside them are hard links to the moved-aside
   * ones (no data copied); files in its first two levels (e.g. `node_modules/.package-lock.json` and
   * `node_modules/.pnpm/lock.yaml`, which the tools rewrite in place) are copied. For tools that replace package folders rather than write into
   * existing files (npm, pnpm). {@link restore} still puts the untouched original back.
   * Returns false (and leaves the folder moved aside) when hard links cannot be made there.
   */
  linkAside(rel: string): boolean {
    if (!this.root) return false;
    const from = path.join(this.root, rel);
    if (!fs.existsSync(from)) return false;
    this.moveAside(rel);
    const aside = this.aside.get(rel)!;
    try {
      cloneTree(aside, from, 2);
      return true;
    } catch {
      fs.rmSync(from, { recursive: true, force: true });
      return false;
    }
  }

  /** The command succeeded: drops what was moved aside. */
  commit(): void {
    for (const [rel, to] of this.aside) {
      const back = path.join(this.root!, rel);
      // A step that did not recreate it (e.g. skipped): the original goes back where it was.
      if (!fs.existsSync(back)) fs.renameSync(to, back);
      else fs.rmSync(to, { recursive: true, force: true });
    }
    this.aside.clear();
  }

  /** Undoes everything; best effort, never throws. */
  restore(): void {
    if (this.createdRoot) {
      fs.rmSync(this.createdRoot, { recursive: true, force: true });
      return;
    }
    const root = this.root;
    if (!root) return;
    const quiet = (fn: () => void) => {
      try {
        fn();
      } catch {
        // keep restoring the rest
      }
    };
    // 1. Remove what was added (deepest first is not needed: a new folder goes whole).
    const removeAdded = (abs: string, rel: string) => {
      let list: fs.Dirent[] = [];
      quiet(() => (list = fs.readdirSync(abs, { withFileTypes: true })));
      for (const e of list) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        const p = path.join(abs, e.name);
        const before = this.entries.get(r);
        const isDir = e.isDirectory() && !e.isSymbolicLink();
        if (!before || (before.kind === 'dir') !== isDir && before.kind !== 'opaque') {
          quiet(() => fs.rmSync(p, { recursive: true, force: true }));
        } else if (before.kind === 'dir') {
          removeAdded(p, r);
        }
      }
    };
    removeAdded(root, '');
    // 2. Put back what was moved aside.
    for (const [rel, to] of this.aside) {
      quiet(() => fs.rmSync(path.join(root, rel), { recursive: true, force: true }));
      quiet(() => fs.renameSync(to, path.join(root, rel)));
    }
    this.aside.clear();
    // 3. Recreate folders and files that were changed or removed.
    for (const [rel, entry] of this.entries) {
      const p = path.join(root, rel);
      if (entry.kind === 'dir') quiet(() => fs.mkdirSync(p, { recursive: true, mode: entry.mode % 0o10000 }));
    }
    for (const [rel, entry] of this.entries) {
      const p = path.join(root, rel);
      if (entry.kind === 'file') {
        quiet(() => {
          const same = fs.existsSync(p) && fs.lstatSync(p).isFile() && fs.readFileSync(p).equals(entry.content);
          if (!same) {
            if (fs.existsSync(p)) fs.chmodSync(p, 0o644);
            fs.writeFileSync(p, entry.content);
          }
          fs.chmodSync(p, entry.mode % 0o10000);
        });
      } else if (entry.kind === 'link') {
        quiet(() => {
          let current: string | undefined;
          try {
            current = fs.readlinkSync(p);
          } catch {
            current = undefined;
          }
          if (current !== entry.target) {
            fs.rmSync(p, { recursive: true, force: true });
            fs.symlinkSync(entry.target, p);
          }
        });
      } else if (entry.kind === 'dir') {
        quiet(() => fs.chmodSync(p, entry.mode % 0o10000));
      }
    }
  }
}

/**
 * Recreates `from` at `to`: folders made, symlinks recreated, files copied in the first `copyDepth`
 * levels (lockfiles and manifests a tool rewrites in place: `.package-lock.json`, `.pnpm/lock.yaml`,
 * `.modules.yaml`) and hard-linked below.
 */
function cloneTree(from: string, to: string, copyDepth: number): void {
  fs.mkdirSync(to, { mode: fs.statSync(from).mode % 0o10000 });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dest = path.join(to, e.name);
    if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dest);
    else if (e.isDirectory()) cloneTree(src, dest, copyDepth - 1);
    else if (copyDepth > 0) fs.copyFileSync(src, dest);
    else fs.linkSync(src, dest);
  }
}

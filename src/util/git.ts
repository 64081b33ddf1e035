/**
 * The short commit of a project's git repository, for the image tag fallback. Read from `.git`
 * without spawning git where the layout is the usual one (a `.git` folder or a worktree's `.git`
 * file, a branch ref loose or packed, or a detached HEAD); otherwise `git rev-parse --short HEAD`.
 * Any failure means "no commit": the caller falls back.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SHORT = 7;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** The short commit of HEAD of the repository holding `dir`, or undefined (no repository, no commit, error). */
export function gitShortCommit(dir: string): string | undefined {
  try {
    const gitDir = findGitDir(path.resolve(dir));
    if (!gitDir) return undefined;
    const read = readHead(gitDir);
    if (read !== 'unknown') return read?.slice(0, SHORT);
  } catch {
    // fall through to git itself
  }
  try {
    const out = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return /^[0-9a-f]{4,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** The git directory of `dir` or its nearest ancestor. */
function findGitDir(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    const st = fs.statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return dotGit;
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      return m ? path.resolve(d, m[1].trim()) : undefined;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** HEAD's commit; undefined when the branch has no commit yet; 'unknown' when the layout is not the usual one. */
function readHead(gitDir: string): string | undefined | 'unknown' {
  const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  if (SHA.test(head)) return head;
  const ref = /^ref:\s*(refs\/\S+)$/.exec(head)?.[1];
  if (!ref) return 'unknown';
  // A worktree's refs live in the common directory.
  const commonFile = path.join(gitDir, 'commondir');
  const common = fs.existsSync(commonFile) ? path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim()) : gitDir;
  for (const base of [gitDir, common]) {
    const loose = path.join(base, ref);
    if (fs.existsSync(loose)) {
      const sha = fs.readFileSync(loose, 'utf8').trim();
      return SHA.test(sha) ? sha : 'unknown';
    }
  }
  const packed = path.join(common, 'packed-refs');
  if (fs.existsSync(packed)) {
    for (const line of fs.readFileSync(packed, 'utf8').split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && SHA.test(sha)) return sha;
    }
  }
  // reftable and other layouts: ask git; a fresh repository (no commit) has no ref file either.
  return fs.existsSync(path.join(common, 'reftable')) ? 'unknown' : undefined;
}

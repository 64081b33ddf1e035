/**
 * Synthesis writes only regular files inside the project: before anything is written, every part
 * of every output path is checked, and a symbolic link (to a folder outside the project, to a file,
 * or dangling) stops synthesis with its name and target.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markMsbError } from '../validation';

/** An output path that passes through a symbolic link. */
export class OutputPathError extends Error {
  constructor(public readonly problems: readonly { path: string; target: string }[]) {
    super(
      'Synthesis stopped; no file was changed.\n' +
        problems
          .map((p) => `  - ${p.path} is a symbolic link to ${p.target}: synthesis writes only regular files inside the project; remove the link`)
          .join('\n'),
    );
    markMsbError(this);
    this.name = 'OutputPathError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Checks each part of each path (relative to `outdir`); throws {@link OutputPathError} naming every
 * link found. A part that does not exist yet is fine (synthesis creates it as a folder or file).
 */
export function checkOutputPaths(outdir: string, relPaths: Iterable<string>): void {
  const found = new Map<string, string>();
  const checked = new Set<string>();
  for (const rel of relPaths) {
    const parts = path.normalize(rel).split(path.sep).filter((p) => p !== '' && p !== '.');
    let current = '';
    for (const part of parts) {
      current = current ? path.join(current, part) : part;
      if (checked.has(current)) continue;
      checked.add(current);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(path.join(outdir, current));
      } catch {
        break; // does not exist: nothing below it exists either
      }
      if (stat.isSymbolicLink()) {
        found.set(current.split(path.sep).join('/'), describeTarget(outdir, current));
        break;
      }
    }
  }
  if (found.size > 0) {
    throw new OutputPathError([...found].sort(([a], [b]) => a.localeCompare(b)).map(([p, target]) => ({ path: p, target })));
  }
}

function describeTarget(outdir: string, rel: string): string {
  const abs = path.join(outdir, rel);
  let target: string;
  try {
    target = fs.readlinkSync(abs);
  } catch {
    return 'an unreadable target';
  }
  const resolved = path.resolve(path.dirname(abs), target);
  const inside = !path.relative(outdir, resolved).startsWith('..') && !path.isAbsolute(path.relative(outdir, resolved));
  const exists = fs.existsSync(abs);
  const where = !exists ? ' (which does not exist)' : inside ? ' (inside the project)' : ' (outside the project)';
  return `${target}${where}`;
}

/**
 * What the Go family reads from the project: go.mod (module path, `go` line), whether go.sum
 * exists (copied with go.mod before `go mod download`) and whether the project vendors its modules
 * (`vendor/modules.txt`: the build uses vendor/ and downloads nothing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GoModFacts {
  /** The `module` path, when go.mod has one. */
  readonly module?: string;
  /** The `go` line, e.g. `1.26` or `1.26.1`. */
  readonly go?: string;
  readonly hasGoMod: boolean;
  readonly hasGoSum: boolean;
  readonly vendored: boolean;
}

/** Parses go.mod's `module` and `go` directives (comments and blocks aside). */
export function parseGoMod(text: string): { module?: string; go?: string } {
  const out: { module?: string; go?: string } = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const m = /^module\s+"?([^"\s]+)"?$/.exec(line);
    if (m) out.module = m[1];
    const g = /^go\s+([0-9]+\.[0-9]+(?:\.[0-9]+)?)$/.exec(line);
    if (g) out.go = g[1];
  }
  return out;
}

export function readGoMod(dir: string): GoModFacts {
  const file = path.join(dir, 'go.mod');
  const exists = (f: string) => fs.existsSync(path.join(dir, f));
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  return {
    ...(text === undefined ? {} : parseGoMod(text)),
    hasGoMod: text !== undefined,
    hasGoSum: exists('go.sum'),
    vendored: exists('vendor/modules.txt'),
  };
}

/** The catalog line (`major.minor`) of a go.mod `go` version. */
export function goLineOf(version: string | undefined): string | undefined {
  const m = /^([0-9]+)\.([0-9]+)/.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

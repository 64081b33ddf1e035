/**
 * Node.js workspaces (npm/yarn `workspaces` in package.json, pnpm's pnpm-workspace.yaml): which
 * packages a repository holds, which of them depend on which, and which are apps. Turborepo and Nx
 * layouts are these plus their own config: nothing else is read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isRelativePath, normalizePath } from '../../../validation';
import { PackageJson, readPackageJson } from '../package-json';

/** How the workspace is declared. */
export type WorkspaceKind = 'npm' | 'pnpm' | 'yarn';

/** One package of a workspace. */
export interface WorkspacePackage {
  /** Its folder, relative to the repository root, with `/` separators (e.g. `apps/web`). */
  readonly dir: string;
  /** Its package.json `name` (the folder's last segment when it has none). */
  readonly name: string;
  readonly pkg: PackageJson;
  /** Names of the workspace packages it depends on (dependencies, devDependencies, optionalDependencies). */
  readonly internalDeps: readonly string[];
  /** Names of the workspace packages it needs at run time (dependencies, optionalDependencies). */
  readonly runtimeInternalDeps: readonly string[];
}

/** A workspace root: its declaration and its packages. */
export interface Workspace {
  readonly root: string;
  /** Which file declares it: package.json `workspaces` (npm or yarn) or pnpm-workspace.yaml. */
  readonly kind: WorkspaceKind;
  /** The glob patterns as declared. */
  readonly patterns: readonly string[];
  /** Every package the patterns match (a folder with a package.json), sorted by folder. */
  readonly packages: readonly WorkspacePackage[];
}

/** The workspace patterns a root declares and by which file; undefined when it is no workspace root. */
export function workspacePatterns(root: string): { kind: WorkspaceKind; patterns: string[] } | undefined {
  const pnpmFile = path.join(root, 'pnpm-workspace.yaml');
  if (fs.existsSync(pnpmFile)) {
    let doc: unknown;
    try {
      doc = parseYaml(fs.readFileSync(pnpmFile, 'utf8'));
    } catch {
      doc = undefined;
    }
    const list = (doc as { packages?: unknown } | undefined)?.packages;
    return { kind: 'pnpm', patterns: Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [] };
  }
  const pkg = readPackageJson(root) as (PackageJson & { workspaces?: unknown }) | undefined;
  const ws = pkg?.workspaces;
  const list = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
  if (!Array.isArray(list)) return undefined;
  const kind: WorkspaceKind = fs.existsSync(path.join(root, 'yarn.lock')) || fs.existsSync(path.join(root, '.yarnrc.yml')) ? 'yarn' : 'npm';
  return { kind, patterns: list.filter((x): x is string => typeof x === 'string') };
}

/** Reads a workspace root; undefined when `root` declares no workspace. */
export function readWorkspace(root: string): Workspace | undefined {
  const declared = workspacePatterns(root);
  if (!declared) return undefined;
  const include = declared.patterns.filter((p) => !p.startsWith('!'));
  const exclude = declared.patterns.filter((p) => p.startsWith('!')).map((p) => globRegExp(p.slice(1)));
  const dirs = new Set<string>();
  for (const pattern of include) {
    for (const dir of expandPattern(root, pattern)) {
      if (!exclude.some((re) => re.test(dir))) dirs.add(dir);
    }
  }
  const raw = [...dirs].filter((d) => isRelativePath(d)).sort().flatMap((dir) => {
    const pkg = readPackageJson(path.join(root, dir));
    return pkg ? [{ dir, pkg, name: typeof pkg.name === 'string' && pkg.name ? pkg.name : path.posix.basename(dir) }] : [];
  });
  const names = new Set(raw.map((p) => p.name));
  const packages = raw.map((p) => {
    const internal = (deps: (Record<string, string> | undefined)[]) =>
      [...new Set(deps.flatMap((d) => Object.keys(d ?? {})).filter((n) => names.has(n) && n !== p.name))].sort();
    return {
      ...p,
      internalDeps: internal([p.pkg.dependencies, p.pkg.devDependencies, p.pkg.optionalDependencies]),
      runtimeInternalDeps: internal([p.pkg.dependencies, p.pkg.optionalDependencies]),
    };
  });
  return { root, kind: declared.kind, patterns: declared.patterns, packages };
}

/** The workspace package in a folder (relative to the root). */
export function findPackage(ws: Workspace, dir: string): WorkspacePackage | undefined {
  const norm = normalizePath(dir);
  return ws.packages.find((p) => p.dir === norm);
}

/**
 * The workspace packages `app` needs, dependencies first (a topological order: each package comes
 * after the packages it depends on), without the app itself. `runtimeOnly` follows only
 * `dependencies`/`optionalDependencies` (what the image needs at run time); otherwise devDependencies
 * too (what the build needs).
 */
export function internalClosure(ws: Workspace, app: WorkspacePackage, runtimeOnly = false): WorkspacePackage[] {
  const byName = new Map(ws.packages.map((p) => [p.name, p]));
  const order: WorkspacePackage[] = [];
  const seen = new Set<string>([app.name]);
  const visit = (p: WorkspacePackage) => {
    for (const dep of runtimeOnly ? p.runtimeInternalDeps : p.internalDeps) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      const d = byName.get(dep);
      if (!d) continue;
      visit(d);
      order.push(d);
    }
  };
  visit(app);
  return order;
}

/** Names of the workspace packages that depend on `p` (it is a library to them). */
export function dependentsOf(ws: Workspace, p: WorkspacePackage): string[] {
  return ws.packages.filter((q) => q.internalDeps.includes(p.name)).map((q) => q.name);
}

/** Folders (relative, `/`-separated) a workspace pattern such as `apps/*`, `packages/**` or `tools/cli` matches. */
function expandPattern(root: string, pattern: string): string[] {
  const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!isRelativePath(clean.replace(/\*+/g, 'x'))) return [];
  const segments = clean.split('/');
  let current = [''];
  for (const seg of segments) {
    const next: string[] = [];
    for (const base of current) {
      if (seg === '**') {
        next.push(...walk(root, base, 4));
      } else if (seg.includes('*')) {
        const re = globRegExp(seg);
        for (const entry of listDirs(root, base)) if (re.test(entry)) next.push(join(base, entry));
      } else if (isDir(path.join(root, base, seg))) {
        next.push(join(base, seg));
      }
    }
    current = next;
  }
  return current.filter((d) => d !== '' && fs.existsSync(path.join(root, d, 'package.json')));
}

function join(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}

function isDir(p: string): boolean {
  try {
    // A symbolic link is not followed: a workspace folder must lie inside the repository.
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function listDirs(root: string, base: string): string[] {
  try {
    return fs.readdirSync(path.join(root, base), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function walk(root: string, base: string, depth: number): string[] {
  const out = [base];
  if (depth === 0) return out;
  for (const d of listDirs(root, base)) out.push(...walk(root, join(base, d), depth - 1));
  return out;
}

function globRegExp(glob: string): RegExp {
  const clean = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  const re = clean.split('/').map((s) => (s === '**' ? '.*' : s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))).join('/');
  return new RegExp(`^${re}$`);
}

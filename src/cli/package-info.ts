/**
 * Facts about this package: its version, where it runs from, and the versions of the tools a
 * generated project depends on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tooling } from '../contract/family-cli';
import { readJsonFile } from '../util/json';

/** Root folder of this package (holds package.json). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

interface OwnPackageJson {
  version: string;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

let cached: OwnPackageJson | undefined;
function ownPackageJson(): OwnPackageJson {
  cached ??= readJsonFile<OwnPackageJson>(path.join(PACKAGE_ROOT, 'package.json'), 'the package.json of create-msb-app');
  return cached;
}

/** This package's version. */
export function ownVersion(): string {
  return ownPackageJson().version;
}

/**
 * The default `--lib`: a spec the new project can install that gives it this very library.
 * - From a checkout (not under `node_modules`): a `file:` spec to it.
 * - From an installation (npx, a local install): where the package manager recorded it came from.
 *   A tarball or folder (`npx --package ./create-msb-app-0.3.0.tgz`) becomes a `file:` spec to it,
 *   a git or URL source is kept, a registry download is the running version.
 * - Without such a record: the running version, except 0.0.0 (an unreleased build that no
 *   registry has), which becomes a `file:` spec to the installed folder.
 */
export function defaultLibSpec(root: string = PACKAGE_ROOT, version: string = ownVersion()): string {
  if (!root.split(path.sep).includes('node_modules')) return `file:${root}`;
  const source = installSource(root);
  if (source?.startsWith('file:')) {
    const p = source.slice('file:'.length);
    return fs.existsSync(p) ? `file:${p}` : `file:${root}`;
  }
  if (source && !isRegistryTarball(source)) return source;
  if (!source && version === UNRELEASED_VERSION) return `file:${root}`;
  return version;
}

/** The version of a build that was never released (projen's placeholder). */
const UNRELEASED_VERSION = '0.0.0';

/**
 * Where the installed package at `root` came from, as recorded by the package manager that
 * installed it (local files only, no registry call): a `file:` spec with an absolute path, a URL or
 * git spec, or `undefined` when nothing says.
 */
export function installSource(root: string): string | undefined {
  // npm 7+: the lockfiles of the project (or npx cache folder) above node_modules.
  for (let dir = path.dirname(root); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const key = path.relative(dir, root).split(path.sep).join('/');
    if (!key.startsWith('node_modules/')) continue;
    for (const lockfile of ['node_modules/.package-lock.json', 'npm-shrinkwrap.json', 'package-lock.json']) {
      const resolved = lockfileEntry(path.join(dir, lockfile), key)?.resolved;
      if (typeof resolved === 'string' && resolved !== '') return absoluteSpec(resolved, dir);
    }
  }
  // npm 6 and older wrote it into the installed package.json.
  const own = readJson(path.join(root, 'package.json')) as { _resolved?: unknown } | undefined;
  if (typeof own?._resolved === 'string' && own._resolved !== '') {
    const segments = root.split(path.sep);
    return absoluteSpec(own._resolved, segments.slice(0, segments.lastIndexOf('node_modules')).join(path.sep) || path.sep);
  }
  // pnpm names the store folder after the source: node_modules/.pnpm/create-msb-app@file+..._hash/.
  const store = root.split(path.sep).find((segment) => /^create-msb-app@(?:file|link)\+/.test(segment));
  if (store) return `file:${root}`;
  return undefined;
}

function lockfileEntry(file: string, key: string): { resolved?: unknown } | undefined {
  const lock = readJson(file) as { packages?: Record<string, { resolved?: unknown }> } | undefined;
  return lock?.packages?.[key];
}

/** `file:` specs are made absolute (npm records them relative to the folder of the lockfile). */
function absoluteSpec(resolved: string, base: string): string {
  if (resolved.startsWith('file:')) return `file:${path.resolve(base, resolved.slice('file:'.length))}`;
  // A folder dependency is recorded by its path alone.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(resolved)) return `file:${path.resolve(base, resolved)}`;
  return resolved;
}

/** A tarball URL of a registry: `https://registry.npmjs.org/create-msb-app/-/create-msb-app-1.2.3.tgz`. */
function isRegistryTarball(spec: string): boolean {
  return /^https?:\/\/.*\/-\/[^/]+\.tgz(?:[?#].*)?$/.test(spec);
}

function readJson(file: string): unknown {
  try {
    return readJsonFile(file, file, 'any');
  } catch {
    return undefined;
  }
}

/**
 * The definition's tooling: `lib` and the versions of the dev dependencies of a generated project,
 * taken from this package's own manifest so that they move together.
 */
export function tooling(lib: string): Tooling {
  const own = ownPackageJson();
  const any: Record<string, string | undefined> = { ...own.dependencies, ...own.devDependencies, ...own.peerDependencies };
  return {
    lib,
    versions: {
      projen: own.peerDependencies?.projen ?? any.projen ?? '*',
      constructs: own.peerDependencies?.constructs ?? any.constructs ?? '^10',
      sucrase: caret(any.sucrase ?? '^3.35.0'),
      typescript: caret(any.typescript ?? '^5'),
    },
  };
}

function caret(spec: string): string {
  return /^\d/.test(spec) ? `^${spec}` : spec;
}

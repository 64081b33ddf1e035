/**
 * The one reader of a Node.js project's package.json: what the image labels, the build stage, the
 * warnings and verify read from it (version, description, repository, `file:` dependencies).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonFileError, describe, readJsonFile } from '../../util/json';
import { isRelativePath, normalizePath } from '../../validation';

/** The parts of package.json the Node.js family reads (synthesis, adoption, verify). */
export interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  type?: string;
  packageManager?: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  description?: string;
  repository?: string | { url?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Reads package.json; `undefined` when there is none. Throws a named error for bad JSON or a field of the wrong type. */
export function loadPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) return undefined;
  const pkg = readJsonFile<Record<string, unknown>>(file, 'package.json');
  const problems: string[] = [];
  const expect = (field: string, value: unknown, type: 'string' | 'object', ofStrings = false) => {
    if (value === undefined) return;
    const actual = describe(value);
    if (actual !== type) {
      problems.push(`"${field}" must be a${type === 'object' ? 'n object' : ' string'}, but holds ${actual === 'null' ? 'null' : `a${actual === 'array' || actual === 'object' ? 'n' : ''} ${actual}`}`);
      return;
    }
    if (ofStrings) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') problems.push(`"${field}.${k}" must be a string, but holds ${describe(v)}`);
      }
    }
  };
  for (const f of ['name', 'version', 'main', 'type', 'packageManager']) expect(f, pkg[f], 'string');
  for (const f of ['scripts', 'dependencies', 'devDependencies']) expect(f, pkg[f], 'object', true);
  expect('engines', pkg.engines, 'object');
  if (describe(pkg.engines) === 'object') expect('engines.node', (pkg.engines as Record<string, unknown>).node, 'string');
  if (problems.length > 0) throw new JsonFileError(`package.json (${file}) has fields of the wrong type: ${problems.join('; ')}.`, file);
  return pkg as PackageJson;
}

/**
 * The same, for synthesis: `undefined` when package.json is missing, not JSON or of the wrong shape
 * (synthesis then uses no package.json facts; adoption and verify report the problem by name).
 */
export function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return loadPackageJson(dir);
  } catch {
    return undefined;
  }
}

/**
 * The `file:` dependencies of a package.json, split into paths inside the project (relative,
 * normalized, sorted: the build copies them before the install) and specs pointing outside it (the
 * build context cannot hold them).
 */
export function fileDependencies(pkg: PackageJson | undefined): { inside: string[]; outside: string[] } {
  const specs = [pkg?.dependencies, pkg?.devDependencies, pkg?.optionalDependencies]
    .flatMap((d) => Object.values(d ?? {}))
    .filter((s): s is string => typeof s === 'string' && s.startsWith('file:'));
  const inside = new Set<string>();
  const outside = new Set<string>();
  for (const spec of specs) {
    const p = normalizePath(spec.slice('file:'.length));
    if (isRelativePath(p)) inside.add(p);
    else outside.add(spec);
  }
  return { inside: [...inside].sort(), outside: [...outside].sort() };
}

/** The source URL of a package.json `repository` (git+, .git and github: shorthands resolved). */
export function repositoryUrl(repo: PackageJson['repository']): string | undefined {
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (!url || typeof url !== 'string') return undefined;
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^github:/, 'https://github.com/');
}

/** What the image metadata takes from package.json. */
export function packageMetadata(pkg: PackageJson | undefined): { version?: string; description?: string; sourceUrl?: string } {
  return {
    version: typeof pkg?.version === 'string' ? pkg.version : undefined,
    description: typeof pkg?.description === 'string' && pkg.description ? pkg.description : undefined,
    sourceUrl: repositoryUrl(pkg?.repository),
  };
}

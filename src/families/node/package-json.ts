/**
 * The one reader of a Node.js project's package.json: what the image labels, the build stage, the
 * warnings and verify read from it (version, description, repository, `file:` dependencies).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRelativePath, normalizePath } from '../../validation';

/** The parts of package.json the Node.js family reads. */
export interface PackageJson {
  version?: string;
  description?: string;
  repository?: string | { url?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Reads `<dir>/package.json`; undefined when it is missing or not JSON. */
export function readPackageJson(dir: string): PackageJson | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as PackageJson) : undefined;
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

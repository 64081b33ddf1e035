/**
 * Facts about this package: its version, where it runs from, and the versions of the tools a
 * generated project depends on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ToolVersions } from './scaffold';

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
  cached ??= JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackageJson;
  return cached;
}

/** This package's version. */
export function ownVersion(): string {
  return ownPackageJson().version;
}

/**
 * The default `--lib`: the running version when this package runs from an installation (a
 * `node_modules` folder, as with npx); a `file:` spec to its folder when it runs from a checkout.
 */
export function defaultLibSpec(root: string = PACKAGE_ROOT, version: string = ownVersion()): string {
  const installed = root.split(path.sep).includes('node_modules');
  return installed ? version : `file:${root}`;
}

/**
 * Versions of the dev dependencies of a generated project, taken from this package's own
 * manifest so that they move together.
 */
export function toolVersions(lib: string, nodeVersion: string): ToolVersions {
  const own = ownPackageJson();
  const any = { ...own.dependencies, ...own.devDependencies, ...own.peerDependencies };
  return {
    lib,
    projen: own.peerDependencies?.projen ?? any.projen ?? '*',
    constructs: own.peerDependencies?.constructs ?? any.constructs ?? '^10',
    sucrase: caret(any.sucrase ?? '^3.35.0'),
    typescript: caret(any.typescript ?? '^5'),
    nodeTypes: `^${nodeVersion}`,
  };
}

function caret(spec: string): string {
  return /^\d/.test(spec) ? `^${spec}` : spec;
}

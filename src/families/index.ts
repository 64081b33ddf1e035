/**
 * The table of runtime families. A family is a folder under src/families/<name>/ (its props type,
 * catalog, resolution, templates under templates/<name>/) and one entry here.
 */
import type { RuntimeFamily } from './family';
import { goFamily } from './go';
import type { GoRuntimeOptions } from './go/options';
import { javaFamily } from './java';
import type { JavaRuntimeOptions } from './java/options';
import { nodeFamily } from './node';
import type { NodeRuntimeOptions } from './node/options';
import { pythonFamily } from './python';
import type { PythonRuntimeOptions } from './python/options';
import { staticFamily } from './static';
import type { StaticRuntimeOptions } from './static/options';

export type { RuntimeFamily, FamilyResolution, DockerignoreSection, FamilyCi, CiToolchain } from './family';
export type { VerifyProfile } from './verify-profile';
export type { NodeRuntimeOptions } from './node/options';
export type { StaticRuntimeOptions } from './static/options';
export type { GoRuntimeOptions } from './go/options';
export type { JavaRuntimeOptions } from './java/options';
export type { PythonRuntimeOptions, PythonPackageManager, PythonServer } from './python/options';

/**
 * `runtime` of the App props: a union tagged by `family` (JSON can express it, so org templates can
 * set it); `family` defaults to `node`.
 */
export type RuntimeOptions = NodeRuntimeOptions | StaticRuntimeOptions | PythonRuntimeOptions | GoRuntimeOptions | JavaRuntimeOptions;

/** Every runtime family, by the `runtime.family` value that selects it. */
export const FAMILIES: Readonly<Record<string, RuntimeFamily>> = {
  node: nodeFamily,
  static: staticFamily,
  python: pythonFamily,
  go: goFamily,
  java: javaFamily,
};

/** The family names, in table order. */
export function familyNames(): string[] {
  return Object.keys(FAMILIES);
}

/** Looks up a family; undefined when the table has none of that name. */
export function findFamily(name: string): RuntimeFamily | undefined {
  return Object.prototype.hasOwnProperty.call(FAMILIES, name) ? FAMILIES[name] : undefined;
}

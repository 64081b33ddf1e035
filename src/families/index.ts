/**
 * The table of runtime families: the one place a family is registered. A family is a folder under
 * src/families/<name>/ (its resolution, catalog and policy; its CLI side under cli/, its verify
 * profile under verify/), its props type under src/contract/options/, its templates under
 * templates/<name>/, and one entry here (see CONTRIBUTING.md, "How to add a runtime family").
 *
 * Synthesis reads the families' synthesis part only; the CLI and verify parts are loaded on first use
 * (`import()`), so a synthesis never loads a family's CLI or verify code.
 */
import { goFamily } from './go';
import { javaFamily } from './java';
import { nodeFamily } from './node';
import { pythonFamily } from './python';
import { staticFamily } from './static';
import type { RuntimeFamily } from '../contract/family';
import type { FamilyCli } from '../contract/family-cli';
import type { VerifyProfile } from '../contract/verify-profile';

export type { RuntimeFamily, FamilyResolution, DockerignoreSection, FamilyCi, CiToolchain } from '../contract/family';
export type { VerifyProfile } from '../contract/verify-profile';
export type * from '../contract/options';

/** A family's entry in the table. */
export interface FamilyRegistration {
  /** What synthesis uses: resolution, Dockerfile, .dockerignore, CI. */
  readonly family: RuntimeFamily;
  /**
   * Its CLI side (detection, adoption, new projects); none for a family that is only adopted through
   * its definition (the static family: the CLI cannot tell a prebuilt binary's project).
   */
  readonly cli?: () => Promise<FamilyCli>;
  /** How verify checks its images. */
  readonly verify: () => Promise<VerifyProfile>;
}

/**
 * Every runtime family, by the `runtime.family` value that selects it; table order is detection order
 * on ties. Typed as written (`satisfies`), so the CLI's flags keep each family's option types.
 */
export const FAMILY_TABLE = {
  node: { family: nodeFamily, cli: async () => (await import('./node/cli')).nodeCli, verify: async () => (await import('./node/verify')).nodeVerifyProfile },
  static: { family: staticFamily, verify: async () => (await import('./static/verify')).staticVerifyProfile },
  python: { family: pythonFamily, cli: async () => (await import('./python/cli')).pythonCli, verify: async () => (await import('./python/verify')).pythonVerifyProfile },
  go: { family: goFamily, cli: async () => (await import('./go/cli')).goCli, verify: async () => (await import('./go/verify')).goVerifyProfile },
  java: { family: javaFamily, cli: async () => (await import('./java/cli')).javaCli, verify: async () => (await import('./java/verify')).javaVerifyProfile },
} as const satisfies Readonly<Record<string, FamilyRegistration>>;

/** The table as the lookups read it, by any name. */
const REGISTRATIONS: Readonly<Record<string, FamilyRegistration>> = FAMILY_TABLE;

/** The registration of `name`; undefined when the table has none of that name. */
export function findRegistration(name: string): FamilyRegistration | undefined {
  return Object.prototype.hasOwnProperty.call(REGISTRATIONS, name) ? REGISTRATIONS[name] : undefined;
}

/** The synthesis part of every family, by name. */
export const FAMILIES: Readonly<Record<string, RuntimeFamily>> = Object.fromEntries(
  Object.entries(REGISTRATIONS).map(([name, r]) => [name, r.family]),
);

/** The family names, in table order. */
export function familyNames(): string[] {
  return Object.keys(REGISTRATIONS);
}

/** Looks up a family; undefined when the table has none of that name. */
export function findFamily(name: string): RuntimeFamily | undefined {
  return findRegistration(name)?.family;
}

/** The CLI side of every family that has one, in table order. */
export async function loadFamilyClis(): Promise<readonly FamilyCli[]> {
  return Promise.all(Object.values(REGISTRATIONS).flatMap((r) => (r.cli ? [r.cli()] : [])));
}

/** The verify profile of every family, in table order. */
export async function loadVerifyProfiles(): Promise<readonly VerifyProfile[]> {
  return Promise.all(Object.values(REGISTRATIONS).map((r) => r.verify()));
}

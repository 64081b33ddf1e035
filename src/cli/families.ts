/**
 * The CLI's view of the family table (src/families/index.ts): the families' CLI sides, loaded once
 * by {@link loadCliFamilies} when a command starts (a synthesis never loads them). Nothing in src/cli
 * names a language; the table is the one place a family is registered.
 */
import type { OptionDecls } from './command';
import type { FamilyCli } from '../contract/family-cli';
import { FAMILY_TABLE, loadFamilyClis } from '../families';

type Table = typeof FAMILY_TABLE;
/** The CLI side of a family of the table, typed as the family declares it. */
type CliOf<K extends keyof Table> = Table[K] extends { readonly cli: () => Promise<infer C> } ? C : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * The flags the families add to `create`, as each declares them: names and types reach the
 * command's values (each family's object is declared `satisfies FamilyCli`, which keeps them).
 */
export type FamilyOptions = UnionToIntersection<{ [K in keyof Table]: OptionsOf<CliOf<K>> }[keyof Table]>;

type OptionsOf<C> = C extends { readonly options: infer O extends OptionDecls } ? O : never;

let loaded: readonly FamilyCli[] | undefined;

/** Loads the families' CLI sides (once; table order). */
export async function loadCliFamilies(): Promise<readonly FamilyCli[]> {
  loaded ??= await loadFamilyClis();
  return loaded;
}

/** The families' CLI sides, once {@link loadCliFamilies} has run (every command awaits it first). */
export function cliFamilies(): readonly FamilyCli[] {
  if (!loaded) throw new Error('the family CLIs are not loaded: await loadCliFamilies() first');
  return loaded;
}

/** The family of a `--language` value, or `undefined`. */
export function findFamilyCli(name: string): FamilyCli | undefined {
  return cliFamilies().find((f) => f.name === name);
}

/**
 * The family whose project `dir` holds, or `undefined`: the strongest claim wins (ties: table order),
 * so a Python, Go or Java project with projen's package.json is not taken for a Node.js project.
 */
export function detectFamily(dir: string, families: readonly FamilyCli[] = cliFamilies()): FamilyCli | undefined {
  let best: { family: FamilyCli; strength: number } | undefined;
  for (const family of families) {
    const d = family.detect(dir);
    if (d && (!best || d.strength > best.strength)) best = { family, strength: d.strength };
  }
  return best?.family;
}

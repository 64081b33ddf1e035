/**
 * The runtime families the CLI knows, by `--language` value. A family adds itself here with its
 * `FamilyCli` (src/families/<name>/cli/); nothing else in src/cli names a language.
 */
import type { OptionDecls } from './command';
import type { FamilyCli } from '../contract/family-cli';
import { goCli } from '../families/go/cli';
import { javaCli } from '../families/java/cli';
import { nodeCli } from '../families/node/cli';
import { pythonCli } from '../families/python/cli';

const TABLE = [nodeCli, pythonCli, goCli, javaCli] as const;

export const CLI_FAMILIES: readonly FamilyCli[] = TABLE;

type WithOptions = { readonly options: OptionDecls };

/** The options of a list of families, merged in order. */
type MergedOptions<T extends readonly WithOptions[]> = T extends readonly [infer F extends WithOptions, ...infer R extends readonly WithOptions[]]
  ? F['options'] & MergedOptions<R>
  : unknown;

/**
 * The flags the families add to `create`, as each declares them: names and types reach the
 * command's values (each family's object is declared `satisfies FamilyCli`, which keeps them).
 */
export type FamilyOptions = MergedOptions<typeof TABLE>;

/** The family of a `--language` value, or `undefined`. */
export function findFamilyCli(name: string): FamilyCli | undefined {
  return CLI_FAMILIES.find((f) => f.name === name);
}

/**
 * The family whose project `dir` holds, or `undefined`: the strongest claim wins (ties: table order),
 * so a Python, Go or Java project with projen's package.json is not taken for a Node.js project.
 */
export function detectFamily(dir: string, families: readonly FamilyCli[] = CLI_FAMILIES): FamilyCli | undefined {
  let best: { family: FamilyCli; strength: number } | undefined;
  for (const family of families) {
    const d = family.detect(dir);
    if (d && (!best || d.strength > best.strength)) best = { family, strength: d.strength };
  }
  return best?.family;
}

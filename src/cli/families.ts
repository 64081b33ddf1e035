/**
 * The runtime families the CLI knows, by `--language` value. A family adds itself here with its
 * `FamilyCli` (src/families/<name>/cli/); nothing else in src/cli names a language.
 */
import type { FamilyCli } from '../contract/family-cli';
import { goCli } from '../families/go/cli';
import { javaCli } from '../families/java/cli';
import { nodeCli } from '../families/node/cli';
import { pythonCli } from '../families/python/cli';

export const CLI_FAMILIES: readonly FamilyCli[] = [nodeCli, pythonCli, goCli, javaCli];

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

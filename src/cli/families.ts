/**
 * The runtime families the CLI knows, by `--language` value. A family adds itself here with its
 * `FamilyCli` (src/families/<name>/cli/); nothing else in src/cli names a language.
 */
import type { FamilyCli } from '../families/family-cli';
import { nodeCli } from '../families/node/cli';

export const CLI_FAMILIES: readonly FamilyCli[] = [nodeCli];

/** The family of a `--language` value, or `undefined`. */
export function findFamilyCli(name: string): FamilyCli | undefined {
  return CLI_FAMILIES.find((f) => f.name === name);
}

/** The family whose project `dir` holds, or `undefined`. */
export function detectFamily(dir: string): FamilyCli | undefined {
  return CLI_FAMILIES.find((f) => f.detect(dir));
}

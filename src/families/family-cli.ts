/**
 * What a runtime family supplies to the CLI: whether a folder holds a project of this family, what
 * can be inferred from it (adoption), and the sample files of a new project. The CLI flow (flags,
 * prompts, rollback, install, synthesis) never names a language; it asks the family.
 */

/** One inferred setting and why it was inferred (shown to the user). */
export interface Inferred<T> {
  readonly value: T;
  /** e.g. `from package.json "scripts.start"` */
  readonly reason: string;
}

/** The CLI side of a runtime family. Owned by src/cli; filled in per family under src/families/<name>/. */
export interface FamilyCli {
  /** True when `dir` holds a project of this family (e.g. a package.json for Node). */
  detect(dir: string): boolean;
}

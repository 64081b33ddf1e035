/**
 * What a runtime family tells `create-msb-app verify` (src/verify): which executables must not be in
 * its runtime image, its own checks on the image's file list, what the runtime image needs (for the
 * size report), how the dependency layer is recognised (for the rebuild check), how to render the
 * single-stage equivalent, and, optionally, how to print the uid with the image's own interpreter.
 * verify itself names no language: it asks the profile of the project's family.
 *
 * A part that does not apply to a family (a prebuilt binary has no dependency install and no build)
 * returns {@link NotApplicable} with the reason, and the report says so.
 *
 * This file holds types only (and one error class), so a family can import it without loading verify.
 */
import type { VerifyModel } from './record';

/** The outcome of one check (verify's `CheckResult`). */
export interface ProfileCheck {
  /** Stable identifier, e.g. `no-dev-dependencies`. */
  readonly id: string;
  /** What was checked, as a sentence. */
  readonly title: string;
  readonly ok: boolean;
  /** What was found (the evidence, or why it failed). */
  readonly detail: string;
}

/** A part of verify that does not apply to a family, and why (printed in the report). */
export interface NotApplicable {
  readonly notApplicable: string;
}

/** One Dockerfile instruction as verify's parser gives it. */
export interface DockerfileInstruction {
  /** Upper-case keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** Everything after the keyword, continuations joined. */
  readonly args: string;
  /** The instruction as written, for re-rendering. */
  readonly text: string;
}

/** One build stage as verify's parser gives it. */
export interface DockerfileStage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly DockerfileInstruction[];
}

/** An executable that must not be in the runtime image. */
export interface ForbiddenExecutable {
  /** Shown in the report, e.g. `npm`. */
  readonly name: string;
  /** What it is; checks are grouped by kind (`no-package-manager`, `no-compiler`). */
  readonly kind: 'package manager' | 'compiler';
  /** Matches its absolute path in the image's file list. */
  readonly pattern: RegExp;
}

/** What a family read from the project beyond the recorded model (e.g. Node.js: devDependencies). */
export type FamilyFacts = Readonly<Record<string, unknown>>;

/** What a profile gets to look at. */
export interface ProfileContext {
  /** Absolute project directory (the build context). */
  readonly dir: string;
  /** Absolute path of the Dockerfile. */
  readonly dockerfile: string;
  readonly model: VerifyModel;
  /** The Dockerfile's stages, in order. */
  readonly stages: readonly DockerfileStage[];
  /** What {@link VerifyProfile.readFacts} returned. */
  readonly familyFacts: FamilyFacts;
}

/** One thing the runtime image needs, and where it is measured (never in the runtime image itself). */
export interface NeededSource {
  /** Path in the runtime image, e.g. `/app/dist`. */
  readonly path: string;
  readonly kind: 'dependencies' | 'app';
  /** Build stage holding it (measured in that stage's filesystem, at `src`); none: the build context. */
  readonly stage?: string;
  /** Path in the stage (absolute) or in the build context (relative). */
  readonly src: string;
}

/** What the runtime image needs, as the family knows it (verify adds what the runtime stage copies). */
export interface NeededSpec {
  /** Needed whatever the runtime stage copies (e.g. production dependencies of the dependency stage). */
  readonly sources: readonly NeededSource[];
  /**
   * A copy into the runtime stage that is never needed (e.g. a stage's whole dependency folder, which
   * holds the development dependencies too). Copies from a stage named by a `dependencies` source
   * are already counted and skipped by verify.
   */
  notNeeded?(copy: { readonly stage?: string; readonly src: string }): boolean;
}

/** The dependency install, for the rebuild check and the layer view of the size report. */
export interface DependencyInstall {
  /** Install commands that must come from the cache after a source-only change. */
  readonly commands: readonly string[];
  /** Source files the rebuild check may change (by file name). */
  readonly sourceFile: RegExp;
  /** Folders never copied for the rebuild check (besides `.git`). */
  readonly skipDirs: readonly string[];
  /** Whether an image history entry (its `created_by`) is a dependency layer. */
  isDependencyLayer(createdBy: string): boolean;
  /** The line appended to a source file to change it (a comment of the language). */
  comment(text: string): string;
}

/** How to print the uid and gid with the image's own interpreter (the fallback of the uid check). */
export interface InterpreterUid {
  /**
   * The entrypoint to run and its arguments, from the image's configured ENTRYPOINT; it must print
   * `<uid> <gid>` on one line. `undefined` when the image has no such interpreter.
   */
  command(entrypoint: readonly string[]): { readonly entrypoint: string; readonly args: readonly string[] } | undefined;
}

/** What a family recognises in files synthesized before the model was recorded. */
export interface LegacyRecognition {
  /** Its package manager, when it has one. */
  readonly packageManager?: string;
  /** The stage names of that older output. */
  readonly stages: { readonly dependencies?: string; readonly build?: string };
}

/** The image run with the pod's settings (memory limit, env, uid, read-only root filesystem), for a family's pod checks. */
export interface PodRun {
  /** What the Deployment sets: the memory limit (bytes, and as written) and the literal env. */
  readonly settings: { readonly memoryBytes?: number; readonly memory?: string; readonly env: Readonly<Record<string, string>> };
  /** The image's configured ENTRYPOINT. */
  readonly entrypoint: readonly string[];
  /** Runs `entrypoint args...` in a new container with the pod's settings; resolves with its exit code and output. */
  run(entrypoint: string, args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;
}

/** A family's answers to verify. Registered as `verify` on the family (src/families). */
export interface VerifyProfile {
  /** The `runtime.family` value this profile verifies, e.g. `node`. */
  readonly family: string;
  /** Package managers and compilers that must not be in the runtime image. */
  readonly forbiddenExecutables: readonly ForbiddenExecutable[];
  /** Prints the uid with the image's interpreter when /proc cannot be read. @default - none (a binary has no interpreter) */
  readonly interpreterUid?: InterpreterUid;
  /**
   * Reads what the family needs beyond the model and stops early, with a {@link VerifyProfileError}
   * the user can act on, when the build cannot work (e.g. a dependency outside the build context).
   */
  readFacts(dir: string, model: VerifyModel): FamilyFacts;
  /** The family's checks on the runtime image's file list. */
  fileChecks(files: readonly string[], ctx: ProfileContext): ProfileCheck[];
  /** What the runtime image needs, for the size report. */
  needed(ctx: ProfileContext): NeededSpec;
  /** The dependency install, or why there is none. */
  dependencyInstall(ctx: ProfileContext): DependencyInstall | NotApplicable;
  /** The single-stage equivalent of the Dockerfile (builder, every dependency, sources, build), or why there is none. */
  singleStage(ctx: ProfileContext): { readonly dockerfile: string } | NotApplicable;
  /**
   * The family's checks on the image run with the pod's settings (e.g. Node.js: the heap limit
   * against the memory limit). @default - none
   */
  podChecks?(pod: PodRun): Promise<ProfileCheck[]>;
  /**
   * Recognises this family's output in a project synthesized before the model was recorded, from
   * the commands of its RUN instructions. @default - never (a family newer than the recorded model)
   */
  recognizeLegacy?(runCommands: readonly string[]): LegacyRecognition | undefined;
}

/** A problem a profile found that the user can act on (printed without a stack, exit code 1). */
export class VerifyProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyProfileError';
  }
}

/** Whether a profile answer is {@link NotApplicable}. */
export function isNotApplicable(x: object): x is NotApplicable {
  return typeof (x as NotApplicable).notApplicable === 'string';
}

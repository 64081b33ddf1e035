/**
 * A runtime family (Node.js today; Python, Go and Java next): everything language-specific, behind
 * one interface. The app model, the Kubernetes component, the hand-edit guard, the org templates and
 * the CLI flow never name a language; they ask the family. A family is one folder under
 * src/families/<name>/ plus its templates under templates/<name>/, registered in
 * src/families/index.ts (see CONTRIBUTING.md, "How to add a runtime family").
 */
import type { AppProps } from './app-props';
import type { AppModel, FamilyResolution } from './model';
import type { RuntimeStagePolicy } from './policy';

export type { FamilyResolution };
import type { Problems } from '../validation';

/** A section of `.dockerignore` a family adds, e.g. its dependency folders. */
export interface DockerignoreSection {
  readonly comment: string;
  readonly patterns: readonly string[];
}

/** A toolchain a CI job sets up for the project's tests (Node.js is always set up: the tooling needs it). */
export type CiToolchain = 'node' | 'python' | 'go' | 'java';

/**
 * What a CI workflow runs for a family, whatever the CI service: the toolchains, the install and the
 * project's own tests. Plain data; a provider (src/ci/) turns it into its steps.
 */
export interface FamilyCi {
  /** Toolchains and their versions, e.g. `{ go: '1.26' }`. */
  readonly toolchains: Readonly<Partial<Record<CiToolchain, string>>>;
  /** Commands run at the repository root: the dependencies of the tests and the tooling (`create-msb-app verify`). */
  readonly install: readonly string[];
  /** Commands that run the project's tests, in the App's folder; empty when the project states none (see `note`). */
  readonly test: readonly string[];
  /** Why `test` is empty, for the workflow's comments. */
  readonly note?: string;
  /**
   * A file of the build context the image build copies but cannot make itself (the static family's
   * prebuilt binary): the workflow must make it (`ci.prepare`), for one platform only.
   */
  readonly prebuilt?: string;
}

/** A health check the runtime image runs on itself, in exec form (no shell), with docker's timing. */
export interface ExecHealthcheck {
  /** The command, exec form. */
  readonly cmd: readonly string[];
  /** e.g. `30s`. */
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  /** Failures before it do not count: the startup probe's budget, e.g. `60s`. */
  readonly startPeriod: string;
}

/** What {@link RuntimeFamily.podEnv} reads. */
export interface PodEnvInput {
  readonly runtime: FamilyResolution;
  /** Env baked into the image (the definition's `env`). */
  readonly imageEnv: Readonly<Record<string, string>>;
  /** The definition's `kubernetes.env`. */
  readonly podEnv: Readonly<Record<string, string>>;
  /** The container's memory limit (a Kubernetes quantity, possibly invalid: validation reports it). */
  readonly memoryLimit: string;
}

export interface RuntimeFamily {
  /** The `runtime.family` value that selects this family, e.g. `node`. */
  readonly name: string;
  /** One line for docs and `--help`. */
  readonly description: string;
  /**
   * Its Dockerfile: the main template templates/<name>/Dockerfile.hbs with its partials
   * (templates/<name>/partials/, then templates/shared/partials/), and the stages it writes (the
   * last one is the runtime stage).
   */
  readonly dockerfile: {
    /** Stage names in order, e.g. `base`, `prod-deps`, `build`, `runtime`. */
    readonly stages: (model: AppModel) => readonly string[];
    /** Stages the runtime stage may copy from (from their working directory only). */
    readonly copyFrom: (model: AppModel) => readonly string[];
    /** Template context the family's partials read, besides the common one. */
    readonly context: (model: AppModel) => Record<string, unknown>;
    /**
     * What the runtime stage may hold beyond the common rules (an ENTRYPOINT in one exact form, extra
     * COPY source stages...): allow-list data, judged on the parsed Dockerfile.
     * @default - the common rules only
     */
    readonly policy?: (model: AppModel) => RuntimeStagePolicy;
    /**
     * Which stage installs the dependencies, which builds, and (with `slim`) which holds the traced
     * dependency tree the runtime stage copies instead of the dependency stage's (verify measures
     * them and builds the full image for the comparison).
     * @default - none: the runtime stage only
     */
    readonly roles?: (model: AppModel) => { readonly dependencies?: string; readonly build?: string; readonly traced?: string };
    /**
     * How the runtime stage runs the app in exec form.
     * @default - CMD is the model's `cmd`; the base image's ENTRYPOINT is kept
     */
    readonly exec?: (model: AppModel) => { readonly entrypoint?: readonly string[]; readonly cmd: readonly string[] };
  };
  /** `.dockerignore` additions and secret-bearing files (kept out of the context and never copied). */
  readonly dockerignore: {
    readonly sections: readonly DockerignoreSection[];
    /** Folders that hold installed dependencies (never in the build context). */
    readonly dependencyDirs: readonly string[];
    readonly secretFiles: readonly string[];
  };
  /**
   * The family has a slim mode (`slim`: only the traced files of its dependency tree).
   * @default false
   */
  readonly slim?: boolean;
  /**
   * Reads what the family needs from the project folder (e.g. package.json); passed to {@link resolve}.
   * `appPath` is the App's folder in a workspace (the App's `path`), relative to `projectDir`.
   */
  readFacts(projectDir: string, appPath?: string): unknown;
  /** Adds a problem for every invalid family setting of the (merged) props. */
  validate(props: AppProps, facts: unknown, p: Problems): void;
  /**
   * Resolves the props to images, uid/gid, CMD and what the stages copy; never throws (bad values
   * fall back to defaults, {@link validate} reports them).
   */
  resolve(props: AppProps, facts: unknown): FamilyResolution;
  /**
   * Env the family sets in the Deployment's container (never in the image), e.g. the Node.js heap
   * size from the memory limit; the result replaces the same names of `kubernetes.env`, so the
   * family merges the user's own value itself. Pure, never throws.
   * @default - none
   */
  podEnv?(input: PodEnvInput): Record<string, string>;
  /** What a CI workflow installs and which tests it runs (`ci` of the App props). */
  ci(model: AppModel, facts: unknown): FamilyCi;
  /**
   * The health check the runtime image can run on itself without a shell (Node.js: its own fetch of
   * the health path), for the image's HEALTHCHECK and the compose file's; undefined when the image
   * has no HTTP client or the probes are TCP.
   * @default - none
   */
  healthcheck?(model: AppModel): ExecHealthcheck | undefined;
  /** Problems of the resolved model that only the family can judge (e.g. a build script name). */
  validateModel?(model: AppModel, p: Problems): void;
  /**
   * What would break the image build although the definition is valid. `missingCopies` are the
   * common warnings (copied paths not found); the family places them among its own.
   */
  buildWarnings(model: AppModel, projectDir: string, missingCopies: readonly string[]): string[];
}

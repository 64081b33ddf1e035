/**
 * What a runtime family supplies to the CLI: whether a folder holds a project of this family, what
 * can be inferred from it (adoption), its own settings and flags, the sample files of a new project
 * and how dependencies are installed. The CLI flow (flags, prompts, rollback, install, synthesis)
 * never names a language; it asks the family.
 */
import type { ExecOptions } from '../util/exec';

/** One inferred value and where it was read from (shown to the user), e.g. `{ value: 'pnpm', from: 'pnpm-lock.yaml' }`. */
export interface Inferred<T> {
  readonly value: T;
  readonly from: string;
}

/**
 * A family's claim on a folder: how strongly its files say "a project of mine" and which file says
 * so. The CLI adopts the strongest claim (ties: table order), so the order is data, not code: a
 * language manifest (`pyproject.toml`, `go.mod`, `pom.xml`) outranks a `package.json`, which an
 * adopted project of any family also has (projen's tooling).
 */
export interface Detection {
  readonly strength: number;
  /** The file that decided, shown to the user, e.g. `pyproject.toml`. */
  readonly from: string;
}

/** Strengths of {@link Detection}: a manifest that only Node.js tooling writes, and a language's own manifest. */
export const DETECTION_STRENGTH = {
  /** A package.json: a Node.js project, or the projen tooling of a project in another language. */
  nodeManifest: 10,
  /** The language's own manifest (pyproject.toml, requirements.txt, go.mod, pom.xml, build.gradle). */
  languageManifest: 100,
} as const;

/** What adopting an existing project found out. */
export interface Adoption {
  /** App name, e.g. from package.json "name". */
  readonly name?: Inferred<string>;
  /** The project's version (image tag default). */
  readonly version?: string;
  /** Inferred values by setting key (`port`, and the family's own settings). */
  readonly inferred: Readonly<Record<string, Inferred<unknown> | undefined>>;
  /** A value the project states that no setting accepts, by setting key (e.g. a Node.js line without a runtime image). */
  readonly mismatch?: Readonly<Record<string, Inferred<string> | undefined>>;
  readonly build?: Inferred<{ script: string; outDir: string }>;
  readonly entrypoint?: Inferred<string>;
  /** Without a build: what the runtime image copies. */
  readonly files?: Inferred<string[]>;
  /** The family's own runtime props beyond its settings (e.g. a framework's CMD arguments), written into the definition. */
  readonly runtimeProps?: Readonly<Record<string, string | boolean | readonly string[]>>;
  /** Env the image needs to run (e.g. a framework's bind address), written into the definition. */
  readonly env?: Readonly<Record<string, string>>;
  /** Lines shown under "Inferred:" (label, value, where from). */
  readonly rows: readonly (readonly [string, string | undefined, string | undefined])[];
  /** Things the project does that the generated image does not. */
  readonly notes: readonly string[];
  /** One line each, shown as warnings: what the project's start command does that the image does not (e.g. a process manager). */
  readonly warnings?: readonly string[];
  /**
   * The inferred entrypoint is in doubt (e.g. a build output file without a source): interactive
   * adoption asks among `choices`; `--yes` fails naming them. `--entrypoint` settles it.
   */
  readonly unsureEntrypoint?: { readonly reason: string; readonly choices: readonly { readonly value: string; readonly hint?: string }[] };
  /** Why the entrypoint could not be found (named error when nothing else gives it). */
  readonly noEntrypoint?: string;
}

/** A package of a workspace root, and whether it is an app. */
export interface WorkspaceMember {
  /** Its folder, relative to the root, with `/` separators, e.g. `apps/web`. */
  readonly dir: string;
  /** Its name in the workspace (what `--app` names besides the folder), e.g. package.json "name". */
  readonly name: string;
  /** Whether it is an app: only apps are adopted. */
  readonly app: boolean;
  /** Why it is an app, or why not (shown), e.g. `"start" script`. */
  readonly reason: string;
}

/**
 * What a family found at a workspace (monorepo) root: its packages, which are apps, and what applies
 * to every app. The CLI lists them, adopts the chosen apps (each with {@link FamilyCli.adopt}) into
 * one `.projenrc.ts` at the root, one App per app, and installs once at the root.
 */
export interface WorkspaceAdoption {
  /** The root (absolute). */
  readonly root: string;
  /** What declares it, shown as "the <kind> workspace", e.g. `pnpm`. */
  readonly kind: string;
  /** Its package patterns as declared, e.g. `apps/*`. */
  readonly patterns: readonly string[];
  /** Every package the patterns match, in the order shown. */
  readonly members: readonly WorkspaceMember[];
  /** What the root says for every app (label, value, where from), e.g. the package manager. */
  readonly shared: readonly (readonly [string, string, string])[];
  /** Why this workspace cannot be adopted, named after the packages are listed; undefined when it can. */
  readonly unsupported?: string;
  /** Flag values every app's settings take unless the flag is given, by option name (e.g. `package-manager`). */
  readonly flagDefaults: Readonly<Record<string, string>>;
  /** The root's own name (e.g. package.json "name" without its scope), the project name before the folder's. */
  readonly name?: string;
  /** When no package is an app: the rule for an app, after "No app to adopt in <root>: ". */
  readonly noApp: string;
  /** The same in short, shown where the valid `--app` values would be listed. */
  readonly noAppShort: string;
}

/** The definition's tooling: the specs a project needs to run `.projenrc.ts`. */
export interface Tooling {
  /** npm spec of create-msb-app, e.g. `^0.3.0` or `file:vendor/create-msb-app-0.3.0.tgz`. */
  readonly lib: string;
  /** Versions of the tools a project needs, from this package's own manifest. */
  readonly versions: Readonly<Record<string, string>>;
}

/** What the family sees of the definition being made. */
export interface FamilyDefinition {
  readonly name: string;
  readonly port: number;
  readonly healthCheckPath: string | false;
  readonly runtime: Readonly<Record<string, string>>;
  readonly build: { readonly script: string; readonly outDir: string } | false;
  readonly entrypoint: string;
  /** `tag` only when the definition sets one (else the project's version tags the image). */
  readonly image: { readonly repository: string; readonly tag?: string };
  /** Extra dev dependencies (e.g. an org template package): name -> spec. */
  readonly extraDevDependencies: Readonly<Record<string, string>>;
}

/** The CLI side of a runtime family, under src/families/<name>/cli/. */
export interface FamilyCli {
  /** The `runtime.family` value and `--language` value, e.g. `node`. */
  readonly name: string;
  /** Shown to users, e.g. `Node.js`. */
  readonly label: string;
  /** The version of a new project (its first image tag). */
  readonly newProjectVersion: string;
  /**
   * The build of a new project (`false`: the sample runs its sources).
   * @default - the common default (`build` script writing `dist/`)
   */
  readonly newProjectBuild?: { readonly script: string; readonly outDir: string } | false;
  /** Flags the family adds to `create` (e.g. `--node-version`). */
  readonly options: Readonly<Record<string, OptionDecl>>;
  /** Its settings, resolved by the same loop as the common ones; their values land in `runtime`. */
  readonly settings: readonly Setting[];
  /** What the runtime image always gets, named in `.projenrc.ts` next to `files` (e.g. `package.json and node_modules`). */
  readonly alwaysCopied: string;
  /** Folders the install writes (e.g. `node_modules`), moved aside during an adoption and moved back on failure. */
  readonly installFolders: readonly string[];
  /**
   * What declares a workspace of this family, for the error when `--app` is given elsewhere, e.g.
   * `package.json "workspaces" or pnpm-workspace.yaml`. Set it with {@link adoptWorkspace}.
   */
  readonly workspaceManifests?: string;
  /**
   * True when the install of an adoption updates the project's installed folders rather than
   * rewriting files in them (npm, pnpm): they are then kept in place as hard-link copies (fast; the
   * originals are moved aside for a rollback) instead of installed again from nothing.
   */
  updatesInstallInPlace?(runtime: Readonly<Record<string, string>>): boolean;
  /** Whether `dir` holds a project of this family, and how strongly (see {@link Detection}). */
  detect(dir: string): Detection | undefined;
  /** Reads an existing project; throws an error naming the file and what is wrong with it. */
  adopt(dir: string): Adoption;
  /**
   * Reads a workspace (monorepo) root of this family, e.g. npm or pnpm workspaces; undefined when
   * `dir` (a folder {@link detect} claims) declares none. At a workspace root the CLI adopts its apps
   * (see {@link WorkspaceAdoption}) instead of the folder as one project.
   * @default - the family has no workspaces: the folder is one project
   */
  adoptWorkspace?(dir: string): WorkspaceAdoption | undefined;
  /** The `runtime` props of `.projenrc.ts` and the App, and the comment above them. */
  runtimeProps(runtime: Readonly<Record<string, string>>): { readonly props: Record<string, string>; readonly comment: readonly string[] };
  /** The entrypoint when nothing states one: with a build, inside its output folder. */
  defaultEntrypoint(build: { readonly outDir: string } | false): string;
  /** The command line that runs the build script, e.g. `pnpm run build` (shown in comments). */
  buildCommand(runtime: Readonly<Record<string, string>>, script: string): string;
  /** The tool that installs dependencies, e.g. `pnpm` (shown in progress). */
  installer(runtime: Readonly<Record<string, string>>): string;
  /** The command that installs dependencies, e.g. `pnpm install` (shown in the next steps). */
  installCommand(runtime: Readonly<Record<string, string>>): string;
  /** Files of a new project besides the definition (path -> content); written only where absent. */
  newProjectFiles(def: FamilyDefinition, tooling: Tooling): Record<string, string>;
  /** Adoption without an install: adds the missing dev dependencies to the project's manifest; returns the manifest's path when it changed. */
  addDevDependencies(dir: string, def: FamilyDefinition, tooling: Tooling): string | undefined;
  /** Installs dependencies (with, when adopting, the missing dev dependencies); returns the manifest's path when it changed. */
  install(dir: string, mode: 'new' | 'adopt', def: FamilyDefinition, tooling: Tooling, exec: Pick<ExecOptions, 'env' | 'signal'>): Promise<string | undefined>;
}

/** One option of a command. */
export interface OptionDecl {
  readonly type: 'string' | 'boolean';
  /** One-letter alias, e.g. `p` for `-p`. */
  readonly short?: string;
  /** Placeholder of the value in help, e.g. `<port>`. */
  readonly value?: string;
  readonly description: string;
  /** The default as shown in help and the README (computed from the defaults table, never a literal here). */
  readonly default?: string;
  /** May be given several times (values collected in order). */
  readonly multiple?: boolean;
}

/** What a setting's functions see. */
export interface SettingContext {
  readonly interactive: boolean;
  readonly mode: 'new' | 'adopt';
  /** Absolute target directory. */
  readonly dir: string;
  /** Where the command was started; relative paths in flags resolve against it. */
  readonly cwd: string;
  /** What adoption found (adoptions only). */
  readonly adoption?: Adoption;
  /** The name the directory suggests (a DNS label, possibly empty). */
  readonly directoryName: string;
  /** The version of the project (new projects: the family's first version). */
  readonly version?: string;
  /** `npm_config_user_agent` of the package manager that started the command. */
  readonly userAgent?: string;
  /** Values resolved so far, by key (rows are resolved in table order). */
  readonly values: Record<string, unknown>;
}

/** A prompt of a setting. */
export interface SettingPrompt {
  readonly type: 'input' | 'select';
  readonly message: string;
  readonly choices?: (ctx: SettingContext) => { name: string; hint?: string }[];
  /** An empty answer means "none" (no value). */
  readonly optional?: boolean;
}

/** One row of the settings table. */
export interface Setting<T = unknown> {
  /** Key of the value (`port`, `nodeVersion`). */
  readonly key: string;
  /** Option name of the flag, without dashes (`health-path`). */
  readonly flag?: string;
  readonly prompt?: SettingPrompt;
  /** The value the existing project states. */
  infer?(ctx: SettingContext): T | undefined;
  /** The default; `undefined` when there is none. */
  default(ctx: SettingContext): T | undefined;
  /** Text (flag or answer) to value; throws a {@link CliError} naming `label`, the text and what is valid. */
  validate(text: string, ctx: SettingContext, label: string): T;
  /** The value as prompt text. @default String(value) */
  show?(value: T): string;
  /**
   * Why the project's own statement cannot be used (e.g. a Node.js line without a runtime image):
   * an error without a prompt, a note in the prompt's message with one.
   */
  blocked?(ctx: SettingContext): { readonly error: string; readonly note: string } | undefined;
  /** The error when nothing gives a value and there is no prompt. @default - the value stays undefined */
  missing?(ctx: SettingContext): string;
}

/** A failure the user can act on; `main` prints the message and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code. @default 1 */
    public readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The error message for a flag with a bad value: names the flag, the value and what is valid. */
export function badFlag(flag: string, value: unknown, expected: string): CliError {
  return new CliError(`Invalid ${flag} ${JSON.stringify(value)}: expected ${expected}.`);
}

/**
 * The declaration of `create`: its options (with every family's flags, typed as each family declares
 * them), the values its steps get, what it needs from the caller and what it returns.
 */
import type { ParsedArgs } from './command';
import type { Definition } from './definition';
import type { FamilyOptions } from './families';
import type { PromptFn } from './prompts';
import type { Reporter } from './reporter';
import { DEFAULTS } from '../contract/defaults';
import type { FamilyCli } from '../contract/family-cli';

/** The options of `create`, the families' flags among them (table order). */
export function createOptions(families: readonly FamilyCli[]) {
  // Every family's flags, typed as the families declare them.
  const familyOptions: FamilyOptions = Object.assign({}, ...families.map((f) => f.options));
  return {
    'name': { type: 'string', value: '<name>', description: 'App name (DNS-1123 label, e.g. orders-api)', default: 'the directory name as a DNS label' },
    'language': { type: 'string', value: '<family>', description: `Runtime family: ${families.map((f) => f.name).join(', ')}`, default: `detected, else ${DEFAULTS.family}` },
    ...familyOptions,
    'port': { type: 'string', value: '<port>', description: 'Port the app listens on (1-65535)', default: `${DEFAULTS.port}, or inferred` },
    'entrypoint': { type: 'string', value: '<file>', description: 'Script the image runs (CMD), relative to the project, e.g. dist/main.js', default: 'inferred (start scripts, "main", the framework\'s build output)' },
    'health-path': { type: 'string', value: '<path>', description: 'HTTP path of the probes', default: DEFAULTS.healthCheckPath },
    'image': { type: 'string', value: '<repo[:tag]>', description: 'Image repository and tag; a tag given here is written into .projenrc.ts, without one synthesis tags the image', default: `<name>; tag: the version, else ${DEFAULTS.gitTagPrefix}<git commit>, else ${DEFAULTS.imageTag}` },
    'slim': { type: 'boolean', description: 'Slim runtime image (Node.js): only the dependency files the entrypoint loads, traced in the build; prove it with verify' },
    'ci': { type: 'string', value: '<provider>', description: 'Generate a CI workflow: github (tests, cached image builds and verify on pull requests; signed, attested, digest-pinned releases)' },
    'compose': { type: 'boolean', description: 'Local dev loop: compose.yaml runs each app the way its pod runs (read-only root, no capabilities, the Deployment\'s env) and rebuilds it on change (docker compose watch)' },
    'template': { type: 'string', short: 't', value: '<source>', description: 'Org template: a folder, or an npm package with an optional version, range or file: path (e.g. @acme/msb-template@^2)' },
    'lib': { type: 'string', value: '<npm spec>', description: 'create-msb-app the project depends on: a version, range, file: path or tarball (a file: path outside the project is copied into vendor/)', default: 'this version (from a checkout or a tarball: a copy in vendor/)' },
    'app': { type: 'string', multiple: true, value: '<name|path>', description: 'At a workspace root: an app to adopt, by package name or folder (repeatable or comma-separated)', default: 'asked; with --yes every app found' },
    'yes': { type: 'boolean', short: 'y', description: 'Take the default for everything not given; never prompt' },
    'skip-install': { type: 'boolean', description: 'Do not install dependencies (all files are still generated)' },
    'skip-git': { type: 'boolean', description: 'Do not initialise a git repository' },
    'force': { type: 'boolean', short: 'f', description: 'Use a non-empty directory; replace files create-msb-app would generate' },
    'help': { type: 'boolean', short: 'h', description: 'Show this help' },
    'version': { type: 'boolean', short: 'v', description: 'Show the version' },
  } as const;
}

/** The options of `create`. */
export type CreateOptions = ReturnType<typeof createOptions>;

/** The flags of `create` as parsed from its declaration (a name it does not declare does not compile). */
export type CreateArgs = Pick<ParsedArgs<CreateOptions>, 'values' | 'positionals'>;

/** Where the command runs and how it talks to its user. */
export interface CreateContext {
  /** Directory the command was started in. */
  readonly cwd: string;
  /** Whether prompts may be shown (a TTY on stdin and no `--yes`). */
  readonly interactive: boolean;
  readonly prompt: PromptFn;
  readonly reporter: Reporter;
  /** Aborted on Ctrl-C: stops a running install and rolls back. */
  readonly signal?: AbortSignal;
  /** Environment for child processes and the user agent. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** What the command did. */
export interface CreateResult {
  readonly dir: string;
  readonly mode: 'new' | 'adopt';
  readonly definition: Definition;
  /** Files written besides the generated outputs, relative to `dir`. */
  readonly written: string[];
  readonly installed: boolean;
  readonly gitInitialised: boolean;
  /** At a workspace root: the apps adopted (folder and name) and those named but not adopted. */
  readonly apps?: readonly { readonly path: string; readonly name: string }[];
  readonly skipped?: readonly string[];
}

/**
 * The commands of `create-msb-app`, declared once: `create` (the default), `verify`, `watch` and `lock`. Parsing,
 * `--help` and the README options table come from these declarations; every default shown is read
 * from the defaults table or the families.
 */
import type { LockIo } from './lock';
import { DEFAULTS } from '../contract/defaults';
import { BASE_IMAGE_LOCK_FILE } from '../contract/record';
import type { VerifyIo } from '../verify';
import { CommandDecl, defineCommand } from './command';
import { CreateContext, create } from './create';
import { CLI_FAMILIES, type FamilyOptions } from './families';
import { DEFAULT_DEBOUNCE_MS, type WatchIo, watch } from './watch';
import { VERIFY_DETAILS, VERIFY_FOOTER, VERIFY_OPTIONS } from '../verify/options';

/** What a command gets from {@link runCli}. */
export interface CommandContext {
  readonly create: CreateContext;
  readonly verify: VerifyIo;
  readonly watch: WatchIo;
  readonly lock: LockIo;
}

/** The name users type. */
export const PROGRAM = 'create-msb-app';

/** Every family's flags, in table order (typed as the families declare them). */
const familyOptions: FamilyOptions = Object.assign({}, ...CLI_FAMILIES.map((f) => f.options));

export const createCommand = defineCommand({
  name: 'create',
  description: 'Create a service, or adopt the project in [dir]',
  details: `Creates a service with a multi-stage distroless Dockerfile, its debug twin, .dockerignore and
Kubernetes manifests, all from one typed definition (.projenrc.ts). When [dir] already holds a
project (${CLI_FAMILIES.map((f) => f.label).join(', ')}), it is adopted: its files stay, only the definition and its outputs are added.
Without a TTY on stdin, or with --yes, it never prompts.`,
  args: [{ name: 'dir', description: 'target directory (an existing project is adopted)', default: `prompt, else ${DEFAULTS.projectDirectory}` }],
  options: {
    'name': { type: 'string', value: '<name>', description: 'App name (DNS-1123 label, e.g. orders-api)', default: 'the directory name as a DNS label' },
    'language': { type: 'string', value: '<family>', description: `Runtime family: ${CLI_FAMILIES.map((f) => f.name).join(', ')}`, default: `detected, else ${DEFAULTS.family}` },
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
  },
  footer: `Commands:
  ${PROGRAM} [create] [dir]   this command (the default)
  ${PROGRAM} verify [dir]     build Dockerfile and Dockerfile.debug with docker or podman, check the
                                images and print a size report (see ${PROGRAM} verify --help)
  ${PROGRAM} watch [dir]      synthesize again on every change of .projenrc.ts, package.json or the
                                templates (see ${PROGRAM} watch --help)
  ${PROGRAM} lock [dir]       pin the base images by digest in ${BASE_IMAGE_LOCK_FILE} (see ${PROGRAM} lock --help)

Examples:
  npx ${PROGRAM} orders-api
  npx ${PROGRAM} orders-api --yes --package-manager pnpm --port 3000
  npx ${PROGRAM} . --image registry.example.com/team/orders-api:1.0.0`,
  async run(args, ctx: CommandContext) {
    await create(args, ctx.create);
    return 0;
  },
});

export const verifyCommand = defineCommand({
  name: 'verify',
  description: 'Build and check the images of a project',
  usageExitCode: 2,
  details: VERIFY_DETAILS(PROGRAM),
  args: [{ name: 'dir', description: 'the project', default: '.' }],
  // declared once, with verify: its parser reads the same table
  options: VERIFY_OPTIONS,
  footer: VERIFY_FOOTER,
  async run(args, ctx: CommandContext) {
    // Loaded only for this command.
    const { runVerify } = await import('../verify');
    return runVerify([...args.argv], ctx.verify);
  },
});

export const watchCommand = defineCommand({
  name: 'watch',
  description: 'Synthesize a project again on every change of its definition',
  details: `Synthesizes the project in [dir] (its default task, as npx projen does), then again whenever
.projenrc.ts, package.json or a folder of its template sources changes, printing which generated files
were written and how many stayed unchanged. A definition that does not synthesize prints the error,
writes nothing and watching goes on. Each synthesis takes the project's synthesis lock. Ctrl-C stops.`,
  args: [{ name: 'dir', description: 'the project', default: '.' }],
  options: {
    debounce: { type: 'string', value: '<ms>', description: 'Quiet time after the last change before synthesizing (editor save bursts)', default: String(DEFAULT_DEBOUNCE_MS) },
    help: { type: 'boolean', short: 'h', description: 'Show this help' },
  },
  async run(args, ctx: CommandContext) {
    return watch({ dir: args.positionals[0], debounce: args.values.debounce }, ctx.watch);
  },
});

export const lockCommand = defineCommand({
  name: 'lock',
  description: `Pin the base images by digest (${BASE_IMAGE_LOCK_FILE})`,
  details: `Synthesizes the project in [dir] (the repository root of a workspace: one lock covers every App),
resolves the tags of its builder, runtime and debug images to the digests their registries serve now
(the multi-arch index where there is one) and writes them to ${BASE_IMAGE_LOCK_FILE}, then synthesizes again:
every FROM line becomes <image>:<tag>@sha256:<digest>. Runtime and debug are resolved as a pair.
Without --update, only images the lock does not hold yet are resolved. An image the definition pins by
digest itself (baseImages.*) is left alone. Credentials come from $REGISTRY_AUTH_FILE,
\${XDG_RUNTIME_DIR}/containers/auth.json or ~/.docker/config.json (podman login / docker login).
A registry that cannot be reached, a missing tag or refused access stops with an error naming the
image and what to do, and ${BASE_IMAGE_LOCK_FILE} stays as it was.`,
  args: [{ name: 'dir', description: 'the project', default: '.' }],
  options: {
    update: { type: 'boolean', description: 'Resolve every base image again and print the pins that moved' },
    timeout: { type: 'string', value: '<seconds>', description: 'Time limit of each registry request', default: String(DEFAULTS.registryTimeoutSeconds) },
    help: { type: 'boolean', short: 'h', description: 'Show this help' },
  },
  footer: `Exit codes: 0 the lock holds every base image (written or already up to date), 1 an error
(nothing written).

Examples:
  npx ${PROGRAM} lock
  npx ${PROGRAM} lock --update     # or: npx projen image:lock --update`,
  async run(args, ctx: CommandContext) {
    // Loaded only for this command.
    const { lock } = await import('./lock');
    return lock({ dir: args.positionals[0], update: args.values.update === true, timeout: args.values.timeout }, ctx.lock);
  },
});

/** Every command; the first is the default. */
export const COMMANDS: readonly CommandDecl<CommandContext>[] = [createCommand, verifyCommand, watchCommand, lockCommand];

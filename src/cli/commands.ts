/**
 * The commands of `create-msb-app`, declared once: `create` (the default) and `verify`. Parsing,
 * `--help` and the README options table come from these declarations; every default shown is read
 * from the defaults table or the families.
 */
import { DEFAULTS } from '../model/defaults';
import type { VerifyIo } from '../verify';
import { CommandDecl, OptionDecl, defineCommand } from './command';
import { CreateContext, create } from './create';
import { CLI_FAMILIES } from './families';

/** What a command gets from {@link runCli}. */
export interface CommandContext {
  readonly create: CreateContext;
  readonly verify: VerifyIo;
}

/** The name users type. */
export const PROGRAM = 'create-msb-app';

const familyOptions: Record<string, OptionDecl> = Object.assign({}, ...CLI_FAMILIES.map((f) => f.options));

export const createCommand = defineCommand<CommandContext>({
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
    'health-path': { type: 'string', value: '<path>', description: 'HTTP path of the probes', default: DEFAULTS.healthCheckPath },
    'image': { type: 'string', value: '<repo[:tag]>', description: 'Image repository and tag; a tag given here is written into .projenrc.ts, without one synthesis tags the image', default: `<name>; tag: the version, else ${DEFAULTS.gitTagPrefix}<git commit>, else ${DEFAULTS.imageTag}` },
    'template': { type: 'string', short: 't', value: '<source>', description: 'Org template: a folder, or an npm package with an optional version, range or file: path (e.g. @acme/msb-template@^2)' },
    'lib': { type: 'string', value: '<npm spec>', description: 'create-msb-app the project depends on: a version, range, file: path or tarball (a file: path outside the project is copied into vendor/)', default: 'this version (from a checkout or a tarball: a copy in vendor/)' },
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

Examples:
  npx ${PROGRAM} orders-api
  npx ${PROGRAM} orders-api --yes --package-manager pnpm --port 3000
  npx ${PROGRAM} . --image registry.example.com/team/orders-api:1.0.0`,
  async run(args, ctx) {
    await create(args, ctx.create);
    return 0;
  },
});

export const verifyCommand = defineCommand<CommandContext>({
  name: 'verify',
  description: 'Build and check the images of a project',
  usageExitCode: 2,
  details: `Builds Dockerfile and Dockerfile.debug of a project made by ${PROGRAM} with docker or podman
(whichever is installed and running), then checks the images:
  - the runtime image answers HTTP 200 on the health path (or /) over 127.0.0.1
  - run with the Deployment's settings (uid, read-only root, tmpfs /tmp, no capabilities, memory
    limit, env), its probes pass within the startup budget, it exits within the grace period after
    SIGTERM and (Node.js) its heap limit is below the memory limit
  - it runs as the non-root uid, has no shell and no package manager
  - the debug image has a shell
  - the runtime image holds no devDependencies, no sources it does not run, no .env, no tests
  - after a source-only change (in a temporary copy), the dependency install comes from the build cache
and prints sizes: runtime vs debug vs the single-stage equivalent. Writes .msb/verify-report.json and
.msb/verify-report.svg.`,
  args: [{ name: 'dir', description: 'the project', default: '.' }],
  options: {
    'engine': { type: 'string', value: '<docker|podman>', description: 'Container engine', default: 'the first that answers' },
    'no-run': { type: 'boolean', description: 'Build and inspect only; do not start containers' },
    'no-pod-parity': { type: 'boolean', description: "Skip the run with the Deployment's settings (probes, SIGTERM, read-only root, memory)" },
    'env-file': { type: 'string', value: '<file>', description: 'Env file for the pod-parity run: values the Deployment takes from ConfigMaps/Secrets' },
    'no-single-stage': { type: 'boolean', description: 'Skip the single-stage build (size report without it)' },
    'keep-images': { type: 'boolean', description: 'Keep the images built (localhost/msb-verify/<name>:runtime, :debug, ...)' },
    'ca-cert': { type: 'string', value: '<file>', description: 'Pass a CA bundle as the ca_cert build secret (TLS-intercepting proxy)' },
    'secret': { type: 'string', multiple: true, value: '<id=..,src=..>', description: 'Pass a build secret (repeatable), e.g. id=npmrc,src=$HOME/.npmrc' },
    'pull': { type: 'string', value: '<always|missing|never>', description: 'Base image pull policy', default: "the engine's" },
    'network': { type: 'string', value: '<mode>', description: 'Network of the build steps, e.g. host' },
    'verbose': { type: 'boolean', description: 'Show the whole build output' },
    'help': { type: 'boolean', short: 'h', description: 'Show this help' },
  },
  footer: 'Exit code: 0 when every check passes, 1 when one fails or the build fails, 2 for bad options.',
  async run(args, ctx) {
    // Loaded only for this command.
    const { runVerify } = await import('../verify');
    return runVerify([...args.argv], ctx.verify);
  },
});

/** Every command; the first is the default. */
export const COMMANDS: readonly CommandDecl<CommandContext>[] = [createCommand, verifyCommand];

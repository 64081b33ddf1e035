/**
 * Command-line arguments: parsing (node:util parseArgs) and the help text.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_NODE_VERSION, nodeVersions, packageManagerNames } from '../index';
import { CliError } from './errors';

/** The command line as given; nothing is validated or defaulted here. */
export interface CliArgs {
  /** Target directory (positional). */
  readonly dir?: string;
  readonly name?: string;
  readonly nodeVersion?: string;
  readonly packageManager?: string;
  readonly port?: string;
  readonly healthPath?: string;
  readonly image?: string;
  readonly template?: string;
  readonly lib?: string;
  readonly yes: boolean;
  readonly skipInstall: boolean;
  readonly skipGit: boolean;
  readonly force: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

const OPTIONS = {
  'name': { type: 'string' },
  'node-version': { type: 'string' },
  'package-manager': { type: 'string', short: 'p' },
  'port': { type: 'string' },
  'health-path': { type: 'string' },
  'image': { type: 'string' },
  'template': { type: 'string', short: 't' },
  'lib': { type: 'string' },
  'yes': { type: 'boolean', short: 'y' },
  'skip-install': { type: 'boolean' },
  'skip-git': { type: 'boolean' },
  'force': { type: 'boolean', short: 'f' },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean', short: 'v' },
} as const;

/** Parses argv (without the node and script paths); unknown flags and extra positionals are errors. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/\s*To specify a positional argument.*$/s, '')}\nRun "create-msb-app --help" for the options.`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length > 1) {
    throw new CliError(`Expected at most one directory, got ${positionals.map((p) => JSON.stringify(p)).join(', ')}.\nRun "create-msb-app --help" for the options.`);
  }
  return {
    dir: positionals[0],
    name: v.name,
    nodeVersion: v['node-version'],
    packageManager: v['package-manager'],
    port: v.port,
    healthPath: v['health-path'],
    image: v.image,
    template: v.template,
    lib: v.lib,
    yes: v.yes ?? false,
    skipInstall: v['skip-install'] ?? false,
    skipGit: v['skip-git'] ?? false,
    force: v.force ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
}

/** The text `--help` prints. */
export function helpText(): string {
  const versions = nodeVersions().join(', ');
  const pms = packageManagerNames().join(', ');
  return `Usage: create-msb-app [dir] [options]

Creates a service with a multi-stage distroless Dockerfile, its debug twin, .dockerignore and
Kubernetes manifests, all from one typed definition (.projenrc.ts). When [dir] already holds a
package.json, the project is adopted: its files stay, only the definition and its outputs are added.

Options:
  --name <name>              App name (DNS label, e.g. orders-api)   default: the directory name
  --node-version <major>     Node.js line: ${versions}               default: ${DEFAULT_NODE_VERSION}, or inferred
  -p, --package-manager <pm> ${pms}                         default: inferred from the lockfile
  --port <port>              Port the app listens on (1-65535)      default: 8080, or inferred
  --health-path <path>       HTTP path of the probes                default: /healthz
  --image <repo[:tag]>       Image repository and tag               default: <name>:<version>
  -t, --template <source>    Org template: a folder, or an npm package with an optional version or range
                             (e.g. @acme/msb-template@^2), holding templates/ and msb-template.json
  --lib <npm spec>           create-msb-app version the project depends on
                             (a version, range, file: path or tarball)  default: this version
  -y, --yes                  Take the default for everything not given; never prompt
  --skip-install             Do not install dependencies (all files are still generated)
  --skip-git                 Do not initialise a git repository
  -f, --force                Use a non-empty directory; replace files create-msb-app would generate
  -h, --help                 Show this help
  -v, --version              Show the version

Without a TTY on stdin, or with --yes, it never prompts.

Subcommand:
  create-msb-app verify [dir]   Build Dockerfile and Dockerfile.debug with docker or podman, check the
                                images and print a size report (see create-msb-app verify --help)

Examples:
  npx create-msb-app orders-api
  npx create-msb-app orders-api --yes --package-manager pnpm --port 3000
  npx create-msb-app . --image registry.example.com/team/orders-api:1.0.0
`;
}

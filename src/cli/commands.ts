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
import { create } from './create';
import { type CreateContext, createOptions } from './create-command';
import { loadCliFamilies } from './families';
import { DEFAULT_DEBOUNCE_MS, type WatchIo, watch } from './watch';
import type { FamilyCli } from '../contract/family-cli';
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

/** The `create` command of the families' CLI sides (their flags and names, in table order). */
export function defineCreateCommand(families: readonly FamilyCli[]) {
  return defineCommand({
    name: 'create',
    description: 'Create a service, or adopt the project in [dir]',
    details: `Creates a service with a multi-stage distroless Dockerfile, its debug twin, .dockerignore and
Kubernetes manifests, all from one typed definition (.projenrc.ts). When [dir] already holds a
project (${families.map((f) => f.label).join(', ')}), it is adopted: its files stay, only the definition and its outputs are added.
Without a TTY on stdin, or with --yes, it never prompts.`,
    args: [{ name: 'dir', description: 'target directory (an existing project is adopted)', default: `prompt, else ${DEFAULTS.projectDirectory}` }],
    options: createOptions(families),
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
}

/** The `create` command. */
export type CreateCommand = ReturnType<typeof defineCreateCommand>;

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

/** Every command, `create` (the default) first; loads the families' CLI sides. */
export async function loadCommands(): Promise<readonly CommandDecl<CommandContext>[]> {
  return [defineCreateCommand(await loadCliFamilies()), verifyCommand, watchCommand, lockCommand];
}


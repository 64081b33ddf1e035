/**
 * Turns flags, what was inferred from an existing project and prompt answers into one
 * {@link Definition}. Order for every setting: flag, then prompt (its default being the inferred
 * value), then the inferred value, then the default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_NODE_VERSION, PackageManagerName, isImageTag, nodeVersions, packageManagerNames } from '../index';
import { CliArgs } from './args';
import { Definition } from './definition';
import { CliError } from './errors';
import { ProjectFacts } from './infer';
import { PromptFn } from './prompts';
import {
  asPromptCheck,
  checkHealthPath,
  checkImage,
  checkName,
  checkNodeVersion,
  checkPackageManager,
  checkPort,
  toAppName,
} from './rules';
import { TemplateSource, parseTemplate } from './template-source';

/** How answers are obtained. */
export interface AskContext {
  /** Whether prompts may be shown. */
  readonly interactive: boolean;
  readonly prompt: PromptFn;
  /** Directory relative paths in flags are resolved against. */
  readonly cwd: string;
  /** `npm_config_user_agent` of the package manager that started the command, if any. */
  readonly userAgent?: string;
}

/** The target of the command. */
export interface Target {
  /** Absolute directory. */
  readonly dir: string;
  /** `adopt` when the directory holds a package.json. */
  readonly mode: 'new' | 'adopt';
  /** Default app name (from the directory or package.json). */
  readonly defaultName: string;
}

/** Resolves every setting; throws a {@link CliError} naming the first bad flag. */
export async function resolveDefinition(args: CliArgs, target: Target, facts: ProjectFacts | undefined, ask: AskContext): Promise<Definition> {
  // Flags first: a bad flag fails before any question is asked.
  const flags = {
    name: args.name !== undefined ? checkName(args.name) : undefined,
    nodeVersion: args.nodeVersion !== undefined ? checkNodeVersion(args.nodeVersion) : undefined,
    packageManager: args.packageManager !== undefined ? checkPackageManager(args.packageManager) : undefined,
    port: args.port !== undefined ? checkPort(args.port) : undefined,
    healthPath: args.healthPath !== undefined ? checkHealthPath(args.healthPath) : undefined,
    template: args.template !== undefined ? parseTemplate(args.template, target.dir, ask.cwd) : undefined,
  };
  const version = facts ? facts.version : '0.1.0';
  const defaultTag = version && isImageTag(version) ? version : 'latest';
  const flagImage = args.image !== undefined ? checkImage(args.image, defaultTag) : undefined;

  const input = async (name: string, message: string, initial: string, check: (v: string) => unknown): Promise<string> =>
    ask.prompt({ name, type: 'input', message, initial, validate: asPromptCheck(check) });
  const select = async (name: string, message: string, choices: { name: string; hint?: string }[], initial: string): Promise<string> =>
    ask.prompt({ name, type: 'select', message, choices, initial });

  // Name
  const defaultName = facts?.name?.value ?? target.defaultName;
  let name = flags.name;
  if (name === undefined) {
    if (ask.interactive) name = checkName(await input('name', 'App name', defaultName || 'msb-app', checkName), 'name');
    else if (defaultName) name = defaultName;
    else throw new CliError(`Cannot derive an app name from ${JSON.stringify(path.basename(target.dir))}: pass --name (a DNS-1123 label such as "orders-api").`);
  }

  // Node.js line
  let nodeVersion = flags.nodeVersion;
  if (nodeVersion === undefined) {
    const inferred = facts?.nodeVersion?.value;
    const mismatch = facts?.nodeVersionMismatch;
    if (ask.interactive) {
      const choices = nodeVersions().slice().reverse().map((v) => ({ name: v, hint: v === DEFAULT_NODE_VERSION ? '(default, LTS)' : undefined }));
      nodeVersion = await select('nodeVersion', mismatch ? `Node.js version (${mismatch.from} says ${JSON.stringify(mismatch.value)}, which has no runtime image)` : 'Node.js version', choices, inferred ?? DEFAULT_NODE_VERSION);
      nodeVersion = checkNodeVersion(nodeVersion, 'Node.js version');
    } else if (mismatch) {
      throw new CliError(
        `The project asks for Node.js ${JSON.stringify(mismatch.value)} (${mismatch.from}), which matches none of the Node.js lines with distroless runtime images: ` +
          `${nodeVersions().map((v) => `"${v}"`).join(', ')}. Pass --node-version to choose one (or update ${mismatch.from}).`,
      );
    } else {
      nodeVersion = inferred ?? DEFAULT_NODE_VERSION;
    }
  }

  // Package manager
  let packageManager: PackageManagerName | undefined = flags.packageManager;
  if (packageManager === undefined) {
    const initial = facts?.packageManager?.value ?? userAgentPackageManager(ask.userAgent) ?? 'npm';
    packageManager = ask.interactive
      ? checkPackageManager(await select('packageManager', 'Package manager', packageManagerNames().map((n) => ({ name: n })), initial), 'package manager')
      : initial;
  }

  // Port
  let port = flags.port;
  if (port === undefined) {
    const initial = facts?.port?.value ?? 8080;
    port = ask.interactive ? checkPort(await input('port', 'Port the app listens on', String(initial), checkPort), 'port') : initial;
  }

  // Health check path
  let healthPath = flags.healthPath;
  if (healthPath === undefined) {
    healthPath = ask.interactive ? checkHealthPath(await input('healthPath', 'Health check path', '/healthz', checkHealthPath), 'health check path') : '/healthz';
  }

  // Image
  let image = flagImage;
  if (image === undefined) {
    const initial = `${name}:${defaultTag}`;
    image = ask.interactive
      ? checkImage(await input('image', 'Image repository[:tag]', initial, (v) => checkImage(v, defaultTag)), defaultTag, 'image')
      : { repository: name, tag: defaultTag };
  }

  // Org template
  let template: TemplateSource | undefined = flags.template;
  if (template === undefined && ask.interactive) {
    const answer = (await input('template', 'Org template (folder or npm package; empty for the built-in templates)', '', (v) => v.trim() === '' || parseTemplate(v.trim(), target.dir, ask.cwd))).trim();
    if (answer) template = parseTemplate(answer, target.dir, ask.cwd);
  }

  // Build and entrypoint: inferred for existing projects, the sample's for new ones.
  let build: Definition['build'];
  let entrypoint: string;
  let files: string[] | undefined;
  if (target.mode === 'new') {
    build = { script: 'build', outDir: 'dist' };
    entrypoint = 'dist/index.js';
  } else {
    build = facts?.build?.value ?? false;
    entrypoint = facts?.entrypoint?.value ?? (build ? `${build.outDir}/index.js` : 'index.js');
    if (!facts?.entrypoint && !build && !fs.existsSync(path.join(target.dir, entrypoint))) {
      const why = facts?.notes.find((n) => n.startsWith('start script runs'));
      throw new CliError(
        'Cannot tell how the app starts: package.json has no "main" and no "start" script of the form "node <file>" naming a file in the project, and there is no index.js' +
          `${why ? ` (${why.replace(/:.*$/, '')})` : ''}. Add a "start" script (e.g. "node server.js") and run the command again.`,
      );
    }
    if (!build) files = facts?.files?.value.length ? facts.files.value : undefined;
  }

  return {
    name,
    port,
    healthCheckPath: healthPath,
    nodeVersion,
    packageManager,
    build,
    entrypoint,
    ...(files ? { files } : {}),
    image,
    ...(template ? { template } : {}),
  };
}

/** The package manager that ran the command (`pnpm create msb-app`, `yarn create msb-app`). */
export function userAgentPackageManager(userAgent: string | undefined): PackageManagerName | undefined {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return name && (packageManagerNames() as string[]).includes(name) ? (name as PackageManagerName) : undefined;
}

/** The default name for a directory: its base name made into a DNS label. */
export function nameFromDirectory(dir: string): string {
  return toAppName(path.basename(dir));
}

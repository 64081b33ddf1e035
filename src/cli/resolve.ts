/**
 * Turns flags, what was inferred from an existing project and prompt answers into one
 * {@link Definition}, through one table of settings (see settings.ts): the common rows here, the
 * family's own rows (e.g. the Node.js line) from the family.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Definition } from './definition';
import { CliError } from './errors';
import { PromptFn } from './prompts';
import { ImageRef, checkHealthPath, checkImage, checkName, checkPort, toAppName } from './rules';
import { FlagValues, Setting, SettingContext, flagErrors, resolveSettings, validateFlags } from './settings';
import { TemplateSource, parseTemplate } from './template-source';
import type { Adoption, FamilyCli } from '../families/family-cli';
import { DEFAULTS } from '../model/defaults';

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
  /** `adopt` when the directory holds a project of a family. */
  readonly mode: 'new' | 'adopt';
}


/** The common settings; the family's rows go after `name`. */
export const COMMON_SETTINGS: { readonly before: readonly Setting[]; readonly after: readonly Setting[] } = {
  before: [
    {
      key: 'name',
      flag: 'name',
      prompt: { type: 'input', message: 'App name' },
      infer: (ctx) => ctx.adoption?.name?.value,
      default: (ctx) => ctx.directoryName || (ctx.interactive ? toAppName(DEFAULTS.projectDirectory) : undefined),
      validate: (text, _ctx, label) => checkName(text, label),
      missing: (ctx) => `Cannot derive an app name from ${JSON.stringify(path.basename(ctx.dir))}: pass --name (a DNS-1123 label such as "orders-api").`,
    },
  ],
  after: [
    {
      key: 'port',
      flag: 'port',
      prompt: { type: 'input', message: 'Port the app listens on' },
      infer: (ctx) => ctx.adoption?.inferred.port?.value as number | undefined,
      default: () => DEFAULTS.port,
      validate: (text, _ctx, label) => checkPort(text, label),
    },
    {
      key: 'healthPath',
      flag: 'health-path',
      prompt: { type: 'input', message: 'Health check path' },
      default: () => DEFAULTS.healthCheckPath,
      validate: (text, _ctx, label) => checkHealthPath(text, label),
    },
    {
      key: 'image',
      flag: 'image',
      prompt: { type: 'input', message: 'Image repository[:tag] (without a tag, the app version tags the image)' },
      // No tag unless one is given: synthesis tags the image with the app version (or the git commit).
      default: (ctx): ImageRef => ({ repository: ctx.values.name as string }),
      show: (v) => ((v as ImageRef).tag === undefined ? (v as ImageRef).repository : `${(v as ImageRef).repository}:${(v as ImageRef).tag}`),
      validate: (text, _ctx, label) => checkImage(text, label),
    },
    {
      key: 'template',
      flag: 'template',
      prompt: { type: 'input', message: 'Org template (folder or npm package; empty for the built-in templates)', optional: true },
      default: () => undefined,
      validate: (text, ctx) => parseTemplate(text.trim(), ctx.dir, ctx.cwd),
    },
  ],
};

/** The whole table for a family, in the order of the prompts. */
export function settingsTable(family: FamilyCli): readonly Setting[] {
  return [...COMMON_SETTINGS.before, ...family.settings, ...COMMON_SETTINGS.after];
}

/** Resolves every setting; throws one {@link CliError} naming every bad flag. */
export async function resolveDefinition(
  flags: FlagValues,
  target: Target,
  family: FamilyCli,
  adoption: Adoption | undefined,
  ask: AskContext,
  /** Flag errors found before (e.g. `--language`), reported with the others. */
  earlier: readonly string[] = [],
): Promise<Definition> {
  const ctx: SettingContext = {
    interactive: ask.interactive,
    mode: target.mode,
    dir: target.dir,
    cwd: ask.cwd,
    adoption,
    directoryName: nameFromDirectory(target.dir),
    version: adoption ? adoption.version : family.newProjectVersion,
    userAgent: ask.userAgent,
    values: {},
  };
  const table = settingsTable(family);
  if (earlier.length > 0) {
    throw flagErrors([...earlier, ...validateFlags(table, flags, ctx).errors]);
  }
  const v = await resolveSettings(table, flags, ctx, ask.prompt);

  // Build and entrypoint: inferred for existing projects, the sample's for new ones.
  let build: Definition['build'];
  let entrypoint: string;
  let files: string[] | undefined;
  if (target.mode === 'new') {
    build = family.newProjectBuild === undefined ? { ...DEFAULTS.build } : family.newProjectBuild;
    entrypoint = family.defaultEntrypoint(build);
  } else {
    build = adoption?.build?.value ?? false;
    entrypoint = adoption?.entrypoint?.value ?? family.defaultEntrypoint(build);
    if (!adoption?.entrypoint && !build && !fs.existsSync(path.join(target.dir, entrypoint))) {
      throw new CliError(adoption?.noEntrypoint ?? `Cannot tell how the app starts: ${entrypoint} does not exist.`);
    }
    if (!build) files = adoption?.files?.value.length ? adoption.files.value : undefined;
  }

  const runtime = Object.fromEntries(family.settings.map((s) => [s.key, String(v[s.key])]));
  const template = v.template as TemplateSource | undefined;
  return {
    name: v.name as string,
    port: v.port as number,
    healthCheckPath: v.healthPath as string,
    family: family.name,
    runtime,
    build,
    entrypoint,
    ...(files ? { files } : {}),
    image: v.image as ImageRef,
    ...(template ? { template } : {}),
  };
}

/** The default name for a directory: its base name made into a DNS label. */
export function nameFromDirectory(dir: string): string {
  return toAppName(path.basename(dir));
}

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
import { toAppName } from '../validation';
import { ImageRef, checkCiProvider, checkHealthPath, checkImage, checkName, checkPort } from './rules';
import { FlagValues, Setting, SettingContext, flagErrors, resolveSettings, validateFlags } from './settings';
import { TemplateSource, parseTemplate } from './template-source';
import { DEFAULTS } from '../contract/defaults';
import type { Adoption, FamilyCli } from '../contract/family-cli';

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
      infer: (ctx) => ctx.adoption?.inferred.healthPath?.value as string | undefined,
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
      // opt-in, never asked: a workflow only when --ci names a provider
      key: 'ci',
      flag: 'ci',
      default: () => undefined,
      validate: (text, _ctx, label) => checkCiProvider(text, label),
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
  let files: readonly string[] | undefined;
  let runtimeExtra: Definition['runtimeExtra'];
  let env: Definition['env'];
  if (target.mode === 'new') {
    build = family.newProjectBuild === undefined ? { ...DEFAULTS.build } : family.newProjectBuild;
    entrypoint = family.defaultEntrypoint(build);
  } else {
    build = adoption?.build?.value ?? false;
    entrypoint = typeof flags.entrypoint === 'string' ? checkEntrypoint(flags.entrypoint) : adoption?.entrypoint?.value ?? family.defaultEntrypoint(build);
    const unsure = adoption?.unsureEntrypoint;
    if (unsure && typeof flags.entrypoint !== 'string') entrypoint = await chooseEntrypoint(entrypoint, unsure, ask);
    if (typeof flags.entrypoint !== 'string' && !adoption?.entrypoint && !build && !fs.existsSync(path.join(target.dir, entrypoint))) {
      throw new CliError(adoption?.noEntrypoint ?? `Cannot tell how the app starts: ${entrypoint} does not exist.`);
    }
    if (adoption?.files?.value.length) files = adoption.files.value;
    // The framework's CMD arguments belong to its entrypoint only.
    if (adoption?.entrypoint && entrypoint === adoption.entrypoint.value) {
      if (adoption.runtimeProps && Object.keys(adoption.runtimeProps).length > 0) runtimeExtra = adoption.runtimeProps;
      if (adoption.env && Object.keys(adoption.env).length > 0) env = adoption.env;
    }
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
    ...(runtimeExtra ? { runtimeExtra } : {}),
    ...(env ? { env } : {}),
    image: v.image as ImageRef,
    ...(template ? { template } : {}),
    ...(typeof v.ci === 'string' ? { ci: v.ci } : {}),
  };
}

/** `--entrypoint`: a relative path inside the project. */
function checkEntrypoint(value: string): string {
  const p = value.replace(/\\/g, '/').replace(/^\.\//, '');
  if (p === '' || p.startsWith('/') || p.split('/').includes('..')) {
    throw new CliError(`Invalid --entrypoint ${JSON.stringify(value)}: expected a path relative to the project, inside it (e.g. "dist/main.js").`);
  }
  return p;
}

/** An entrypoint in doubt: asked about, or (without prompts) an error naming the choices. */
async function chooseEntrypoint(
  inferred: string,
  unsure: NonNullable<Adoption['unsureEntrypoint']>,
  ask: AskContext,
): Promise<string> {
  const listed = unsure.choices.map((c) => `${c.value}${c.hint ? ` (${c.hint})` : ''}`);
  if (!ask.interactive) {
    throw new CliError(
      `Cannot tell which file starts the app: ${unsure.reason}. ` +
      `${listed.length > 0 ? `Choices: ${listed.join(', ')}. ` : ''}` +
      `Pass --entrypoint <file> (e.g. --entrypoint ${unsure.choices[0]?.value ?? inferred}), or add a "start" script such as "node ${unsure.choices[0]?.value ?? inferred}", and run the command again.`,
    );
  }
  const other = '(another file)';
  const answer = await ask.prompt({
    name: 'entrypoint',
    type: 'select',
    message: `${unsure.reason}. Which file starts the app?`,
    choices: [...unsure.choices.map((c) => ({ name: c.value, hint: c.hint })), ...(unsure.choices.some((c) => c.value === inferred) ? [] : [{ name: inferred, hint: '(as inferred)' }]), { name: other }],
    initial: unsure.choices[0]?.value ?? inferred,
  });
  if (answer !== other) return answer;
  const typed = await ask.prompt({
    name: 'entrypointFile',
    type: 'input',
    message: 'Entrypoint (relative to the project, e.g. dist/main.js)',
    validate: (v) => (v.trim() !== '' && !v.trim().startsWith('/') && !v.split('/').includes('..')) || 'Enter a path inside the project',
  });
  return checkEntrypoint(typed.trim());
}

/** The default name for a directory: its base name made into a DNS label. */
export function nameFromDirectory(dir: string): string {
  return toAppName(path.basename(dir));
}

/**
 * The command's flow, in order (each step is a function below, over one {@link CreateRun}):
 * 1. find the target: a new directory, or an existing project to adopt;
 * 2. infer what the existing project already says, and show it;
 * 3. resolve every setting (flags, prompts, inferred values, defaults) into one definition;
 * 4. check it with the library and look for files it would replace, before writing anything;
 * 5. write the project files and `.projenrc.ts`, install, synthesize, initialise git;
 * 6. print what was made and the next commands.
 * Any failure in step 5 restores what was there before.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Adoption, FamilyCli, FamilyDefinition, Tooling, WorkspaceAdoption } from '../contract/family-cli';
import { OUTPUT_PATHS, RECORD_FILE, TemplateError } from '../index';
import type { CreateArgs, CreateContext, CreateResult } from './create-command';
import { Definition, OWN_TEMPLATE_FOLDER, buildProject, familyDefinition, renderProjenrc, synthesize } from './definition';
import { CancelledError, CliError, asCliError } from './errors';
import { cliFamilies, detectFamily, findFamilyCli, loadCliFamilies } from './families';
import { VENDOR_FOLDER, checkLib, vendorLib } from './lib-spec';
import { defaultLibSpec, tooling } from './package-info';
import { Reporter } from './reporter';
import { AskContext, Target, resolveDefinition } from './resolve';
import { Rollback } from './rollback';
import { adoptWorkspace, appFlagValues } from './workspace';
import { DEFAULTS } from '../contract/defaults';
import { exec, ExecAbortedError } from '../util/exec';
import { JsonFileError, readJsonIfValid } from '../util/json';

export type { CreateArgs, CreateContext, CreateResult };


/** One run of the command: what every step reads, and what the steps before it filled in. */
interface CreateRun {
  readonly args: CreateArgs;
  readonly ctx: CreateContext;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Reporter;
  readonly ask: AskContext;
  readonly force: boolean;
  readonly skipInstall: boolean;
  /** The directory, and whether its project is adopted. */
  readonly target: Target;
  /** The family whose project the directory holds (adoption), if any. */
  readonly detected: FamilyCli | undefined;
  /** The workspace the detected family reads at the target, whose apps are adopted instead. */
  readonly workspace: WorkspaceAdoption | undefined;
  /** `--language`, else the detected family, else the default. */
  family: FamilyCli;
  /** Bad flags found before the settings are resolved, reported with theirs. */
  readonly flagErrors: string[];
  /** The create-msb-app spec the project depends on (unset when `--lib` is bad: a flag error). */
  lib?: string;
  /** What the existing project says (adoption only). */
  adoption?: Adoption;
  /** A template folder outside the project, copied into it. */
  templateCopy?: string;
  /** The paths the first synthesis generates. */
  outputs: string[];
  /** Files written besides the generated outputs, relative to the target. */
  readonly written: string[];
  installed: boolean;
  gitInitialised: boolean;
  /** The image the first synthesis tags (the definition's tag, else the version or the git commit). */
  image?: string;
}

/** A run from the definition on. */
interface ResolvedRun extends CreateRun {
  def: Definition;
}

/** A run from the writing on. */
interface WritingRun extends ResolvedRun {
  /** The tooling the project's files name. */
  readonly tools: Tooling;
  readonly famDef: FamilyDefinition;
  /** Restores the target on failure. */
  readonly rollback: Rollback;
}

/** Runs the whole command. */
export async function create(args: CreateArgs, ctx: CreateContext): Promise<CreateResult> {
  await loadCliFamilies();
  const run = await findTarget(args, ctx);
  // A workspace root (e.g. npm or pnpm workspaces): its apps are adopted, one App each.
  if (run.workspace) return adoptWorkspace(args, ctx, run.detected!, run.workspace);
  for (const step of [rejectAppFlag, chooseFamily, checkLibFlag, showProject]) step(run);
  const resolved = await resolveAll(run);
  for (const step of [placeTemplate, checkBeforeWriting]) step(resolved);
  await writeOrRestore(resolved, [writeFiles, install, generate, initGit]);
  printSummary(resolved);
  return result(resolved);
}

/** 1. The target: the directory (argument, `--name`, prompt or default) and what it holds. */
async function findTarget(args: CreateArgs, ctx: CreateContext): Promise<CreateRun> {
  const env = ctx.env ?? process.env;
  let dirArg = args.positionals[0];
  if (dirArg === undefined) {
    const name = args.values.name;
    if (name !== undefined) dirArg = name;
    else if (ctx.interactive) dirArg = (await ctx.prompt({ name: 'dir', type: 'input', message: 'Project directory', initial: DEFAULTS.projectDirectory, validate: (v) => v.trim() !== '' || 'Enter a directory' })).trim();
    else dirArg = DEFAULTS.projectDirectory;
  }
  const dir = path.resolve(ctx.cwd, dirArg);
  const force = args.values.force === true;
  const detected = inspectTarget(dir, force);
  return {
    args,
    ctx,
    env,
    out: ctx.reporter,
    ask: { interactive: ctx.interactive, prompt: ctx.prompt, cwd: ctx.cwd, userAgent: env.npm_config_user_agent },
    force,
    skipInstall: args.values['skip-install'] === true,
    target: { dir, mode: detected ? 'adopt' : 'new' },
    detected,
    workspace: detected?.adoptWorkspace?.(dir),
    family: detected ?? findFamilyCli(DEFAULTS.family)!,
    flagErrors: [],
    outputs: [],
    written: [],
    installed: false,
    gitInitialised: false,
  };
}

/** `--app` chooses apps of a workspace root only. */
function rejectAppFlag(run: CreateRun): void {
  if (appFlagValues(run.args.values.app).length > 0) {
    const manifests = cliFamilies().flatMap((f) => (f.workspaceManifests ? [f.workspaceManifests] : [])).join('; ');
    throw new CliError(`--app chooses apps in a workspace root, but ${run.target.dir} declares no workspace (${manifests}).`);
  }
}

/** The family: `--language`, else the one whose project is there, else the default. */
function chooseFamily(run: CreateRun): void {
  const language = run.args.values.language;
  if (language === undefined) return;
  const named = findFamilyCli(language);
  if (!named) run.flagErrors.push(`Invalid --language ${JSON.stringify(language)}: expected one of ${cliFamilies().map((f) => `"${f.name}"`).join(', ')}.`);
  else run.family = named;
}

/** `--lib`, else this package: what the project depends on. */
function checkLibFlag(run: CreateRun): void {
  try {
    run.lib = checkLib(run.args.values.lib ?? defaultLibSpec(), run.ctx.cwd, run.target.dir);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    run.flagErrors.push(e.message);
  }
}

/** 2. What the project already says (adoption), shown; or the new project's directory. */
function showProject(run: CreateRun): void {
  const { out, target } = run;
  if (target.mode !== 'adopt') {
    out.info(`Creating a new project in ${target.dir}`);
    return;
  }
  let adoption: Adoption;
  try {
    adoption = run.family.adopt(target.dir);
  } catch (e) {
    if (e instanceof JsonFileError || e instanceof CliError) throw new CliError(`Cannot adopt ${target.dir}: ${e.message}`);
    throw e;
  }
  run.adoption = adoption;
  out.info(`Adopting the existing project in ${target.dir}. Inferred:`);
  for (const [label, value, from] of adoption.rows) out.info(`  ${label.padEnd(16)} ${value ?? '(not found; default used)'}${from ? `  from ${from}` : ''}`);
  for (const note of adoption.notes) out.info(`  note: ${note}`);
  for (const warning of adoption.warnings ?? []) out.info(`  warning: ${warning}`);
}

/** 3. One definition (every bad flag reported at once). */
async function resolveAll(run: CreateRun): Promise<ResolvedRun> {
  let def = await resolveDefinition(run.args.values, run.target, run.family, run.adoption, run.ask, run.flagErrors);
  if (run.args.values.slim) def = { ...def, slim: true };
  if (run.args.values.compose) def = { ...def, compose: true };
  abortCheck(run.ctx.signal);
  return Object.assign(run, { def });
}

/** A template folder outside the project is copied into it, so the definition can find it anywhere. */
function placeTemplate(run: ResolvedRun): void {
  const { def } = run;
  if (def.template?.kind === 'folder' && (def.template.path.startsWith('..') || path.isAbsolute(def.template.path))) {
    run.templateCopy = path.resolve(run.target.dir, def.template.path);
    run.def = { ...def, template: { kind: 'folder', path: OWN_TEMPLATE_FOLDER } };
  }
}

/** 4. Check before writing: the definition with the library, and the files it would replace. */
function checkBeforeWriting(run: ResolvedRun): void {
  const { def, templateCopy } = run;
  // A template that is copied in or installed later cannot be loaded yet; the rest is checked now.
  run.outputs = checkDefinition(templateCopy || def.template?.kind === 'package' ? { ...def, template: undefined } : def, run.target.dir);
  checkConflicts(run.target, run.outputs, run.force, templateCopy);
}

/**
 * 5. Makes the directory, vendors the library when needed, then runs the steps, checking for a
 * cancel after each; a failure or a cancel anywhere restores what was there before.
 */
async function writeOrRestore(run: ResolvedRun, steps: readonly ((run: WritingRun) => Promise<void>)[]): Promise<void> {
  const { target, ctx } = run;
  const rollback = new Rollback();
  const existed = fs.existsSync(target.dir);
  const createdRoot = existed ? undefined : topmostMissing(target.dir);
  if (createdRoot) rollback.createdDirectory(createdRoot);
  else rollback.snapshot(target.dir, ['.git', ...run.family.installFolders]);
  try {
    makeDirectory(target.dir);
    const vendored = await vendorLib(run.lib!, target.dir, { signal: ctx.signal, env: run.env });
    if (vendored.written) run.written.push(vendored.written);
    const writing: WritingRun = Object.assign(run, { tools: tooling(vendored.lib), famDef: familyDefinition(run.def), rollback });
    for (const step of steps) {
      await step(writing);
      abortCheck(ctx.signal);
    }
    rollback.commit();
  } catch (e) {
    rollback.restore();
    if (e instanceof CancelledError || e instanceof ExecAbortedError || ctx.signal?.aborted) {
      throw new CancelledError(`Cancelled; ${createdRoot ? `${createdRoot} was removed` : `the files in ${target.dir} were restored`}.`);
    }
    throw asCliError(e);
  }
}

/** The definition, the new project's files and, for an adoption without an install, the dev dependencies. */
async function writeFiles(run: WritingRun): Promise<void> {
  const { target, family, def, famDef, tools, written } = run;
  await run.out.step('Writing the definition and project files', () => {
    if (target.mode === 'new') written.push(...writeOnce(target.dir, family.newProjectFiles(famDef, tools)));
    if (run.templateCopy) {
      fs.cpSync(run.templateCopy, path.join(target.dir, OWN_TEMPLATE_FOLDER), { recursive: true });
      written.push(`${OWN_TEMPLATE_FOLDER}/`);
    }
    fs.writeFileSync(path.join(target.dir, '.projenrc.ts'), renderProjenrc(def));
    written.push('.projenrc.ts');
    const manifest = target.mode === 'adopt' && run.skipInstall ? family.addDevDependencies(target.dir, famDef, tools) : undefined;
    if (manifest) written.push(manifest);
  });
}

/** The dependencies, unless `--skip-install`. */
async function install(run: WritingRun): Promise<void> {
  if (run.skipInstall) return;
  const { target, family, def, rollback } = run;
  // The project's own installed folders are moved aside, not copied, and moved back on failure;
  // a tool that updates them in place gets a hard-link copy to update (no reinstall).
  if (target.mode === 'adopt') {
    const keep = family.updatesInstallInPlace?.(def.runtime) === true;
    for (const folder of family.installFolders) {
      if (!keep || !rollback.linkAside(folder)) rollback.moveAside(folder);
    }
  }
  const changed = await run.out.step(`Installing dependencies with ${family.installer(def.runtime)}`, () =>
    family.install(target.dir, target.mode, run.famDef, run.tools, { env: run.env, signal: run.ctx.signal }).catch((e) => {
      throw asCliError(e);
    }));
  run.installed = true;
  if (target.mode === 'adopt' && changed) run.written.push(changed);
}

/** The first synthesis: Dockerfiles, .dockerignore and the manifests. */
async function generate(run: WritingRun): Promise<void> {
  const { def } = run;
  await run.out.step('Generating Dockerfile, Dockerfile.debug, .dockerignore and k8s/', () => {
    try {
      run.image = synthesize(def, run.target.dir, { force: run.force }).image;
    } catch (e) {
      const templateFlag = run.args.values.template;
      if (e instanceof TemplateError && templateFlag !== undefined) {
        const hint = def.template?.kind === 'package' && run.skipInstall ? ' A template package must be installed: drop --skip-install.' : '';
        throw new CliError(`Invalid --template ${JSON.stringify(templateFlag)}: ${e.message.replace(/\.$/, '')}.${hint}`);
      }
      throw asCliError(e);
    }
  });
}

/** A git repository, unless `--skip-git` or the target is inside one already. */
async function initGit(run: WritingRun): Promise<void> {
  const { target, out } = run;
  if (run.args.values['skip-git'] || (await insideGitRepository(target.dir))) return;
  run.gitInitialised = await out.step('Initialising a git repository', async () => {
    try {
      await exec('git', ['init', '-q'], { cwd: target.dir, signal: run.ctx.signal, purpose: 'initialise a git repository' });
      return true;
    } catch (e) {
      if (e instanceof ExecAbortedError) throw new CancelledError();
      out.info(`  (skipped: ${(e as Error).message.split('\n')[0]})`);
      return false;
    }
  });
}

/** Writes the files that do not exist yet; returns the paths written. A file of the user's is never replaced. */
function writeOnce(dir: string, files: Record<string, string>): string[] {
  const written: string[] = [];
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    if (fs.existsSync(file)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { flag: 'wx' });
    written.push(rel);
  }
  return written;
}

/** Decides between a new project and adoption (the family whose project is there); rejects what cannot be a target. */
function inspectTarget(dir: string, force: boolean): FamilyCli | undefined {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) throw new CliError(`${dir} exists and is not a directory: choose another [dir].`);
  checkWritable(dir);
  if (!stat) return undefined;
  const family = detectFamily(dir);
  if (family) return family;
  const entries = fs.readdirSync(dir).filter((e) => e !== '.git');
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
    throw new CliError(
      `The directory ${dir} is not empty (${shown}) and holds no project to adopt (${cliFamilies().map((f) => f.label).join(', ')}). ` +
        'Choose an empty or new directory, or pass --force to create the project there (existing files are kept).',
    );
  }
  return undefined;
}

/** The directory, or the nearest folder above it that exists, must be writable. */
function checkWritable(dir: string): void {
  let probe = dir;
  while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  try {
    fs.accessSync(probe, fs.constants.W_OK);
  } catch {
    throw new CliError(`Cannot write to ${probe} (permission denied): choose a [dir] you can write to.`);
  }
}

/** The outermost folder of `dir` that does not exist yet: what creating `dir` makes. */
function topmostMissing(dir: string): string {
  let top = dir;
  while (!fs.existsSync(path.dirname(top)) && path.dirname(top) !== top) top = path.dirname(top);
  return top;
}

function makeDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(`Cannot create ${dir}${err.code === 'EACCES' || err.code === 'EPERM' ? ' (permission denied)' : `: ${err.message}`}. Choose a [dir] you can write to.`);
  }
}

/** Validates the definition with the library in memory; returns the generated paths. */
function checkDefinition(def: Definition, dir: string): string[] {
  try {
    const { app } = buildProject(def, dir);
    return Object.keys(app.outputs()).sort();
  } catch (e) {
    throw asCliError(e);
  }
}

/** Files the first synthesis would replace that create-msb-app did not write, and a template folder of the user's. */
function checkConflicts(target: Target, outputs: string[], force: boolean, templateCopy: string | undefined): void {
  // The project's own template folder is the user's: a template from elsewhere never replaces it.
  if (templateCopy && fs.existsSync(path.join(target.dir, OWN_TEMPLATE_FOLDER))) {
    throw new CliError(
      `${target.dir} already has ${OWN_TEMPLATE_FOLDER}/, where the template ${templateCopy} would be copied. ` +
        `Move it away, or copy the template into the project yourself and pass --template ./${OWN_TEMPLATE_FOLDER}.`,
    );
  }
  if (force) return;
  const recorded = readRecordedFiles(target.dir);
  const clashes = [...outputs, '.projenrc.ts'].filter((p) => fs.existsSync(path.join(target.dir, p)) && !recorded.has(p));
  if (clashes.length === 0) return;
  throw new CliError(
    `${target.dir} already has ${clashes.join(', ')}, which create-msb-app would replace. ` +
      'Move them away (a Dockerfile you wrote can be expressed in .projenrc.ts afterwards), or pass --force to replace them.',
  );
}

function readRecordedFiles(dir: string): Set<string> {
  const record = readJsonIfValid(path.join(dir, RECORD_FILE)) as { files?: Record<string, string> } | undefined;
  return new Set(Object.keys(record?.files ?? {}));
}

async function insideGitRepository(dir: string): Promise<boolean> {
  try {
    const { stdout } = await exec('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir });
    return stdout.trim() === 'true';
  } catch {
    return false;
  }
}

function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** 6. What was made and the next commands. */
function printSummary(run: ResolvedRun): void {
  const { out, def, target } = run;
  const rel = path.relative(run.ctx.cwd, target.dir) || '.';
  const image = run.image ?? def.image.repository;
  out.info('');
  out.info(`Done. ${target.mode === 'new' ? 'Created' : 'Adopted'} ${def.name} in ${target.dir}:`);
  out.info('  .projenrc.ts           the definition: edit it, then run npx projen');
  out.info(`  ${OUTPUT_PATHS.dockerfile.padEnd(22)} multi-stage build, distroless non-root runtime`);
  out.info(`  ${OUTPUT_PATHS.debugDockerfile.padEnd(22)} the same with a busybox shell`);
  out.info(`  ${`${OUTPUT_PATHS.base}/`.padEnd(22)} ${run.outputs.filter((o) => o.startsWith(`${OUTPUT_PATHS.base}/`)).map((o) => path.basename(o)).join(', ')}`);
  out.info(`  ${`${OUTPUT_PATHS.debugOverlay}/`.padEnd(22)} runs the debug image`);
  const compose = run.outputs.includes(DEFAULTS.compose.file);
  if (compose) out.info(`  ${DEFAULTS.compose.file.padEnd(22)} the local dev loop: the image run the way the pod runs`);
  if (fs.existsSync(path.join(target.dir, VENDOR_FOLDER))) out.info(`  ${`${VENDOR_FOLDER}/`.padEnd(22)} create-msb-app itself, so the image build can install it`);
  out.info('');
  out.info('Next steps:');
  if (rel !== '.') out.info(`  cd ${rel}`);
  if (!run.installed) out.info(`  ${run.family.installCommand(def.runtime)}`);
  const steps: [string, string][] = [
    ['npx projen', 'after editing .projenrc.ts'],
    [`docker build -f Dockerfile -t ${image} .`, 'or podman build'],
    [`docker build -f Dockerfile.debug -t ${image}-debug .`, 'the debug image'],
    ['kubectl apply -k k8s/base', 'or k8s/overlays/debug'],
    ...(compose ? [['docker compose watch', 'build, run on 127.0.0.1, rebuild on change'] as [string, string]] : []),
  ];
  const width = Math.max(...steps.map(([c]) => c.length));
  for (const [command, note] of steps) out.info(`  ${command.padEnd(width)}  # ${note}`);
}

/** What the command did. */
function result(run: ResolvedRun): CreateResult {
  const { target, def: definition, written, installed, gitInitialised } = run;
  return { dir: target.dir, mode: target.mode, definition, written, installed, gitInitialised };
}

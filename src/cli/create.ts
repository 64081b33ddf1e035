/**
 * The command's flow, in order:
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
import { HandEditError, MsbValidationError, OUTPUT_PATHS, RECORD_FILE, formatProblem, packageManagerNames, findPackageManager } from '../index';
import { CliArgs } from './args';
import { Definition, OWN_TEMPLATE_FOLDER, buildProject, renderProjenrc, synthesize } from './definition';
import { CancelledError, CliError } from './errors';
import { run } from './exec';
import { PackageJson, ProjectFacts, inferProject, readPackageJson } from './infer';
import { defaultLibSpec, toolVersions } from './package-info';
import { PromptFn } from './prompts';
import { Reporter } from './reporter';
import { AskContext, Target, nameFromDirectory, resolveDefinition } from './resolve';
import { Rollback } from './rollback';
import { definitionDevDeps, newProjectFiles, writeOnce } from './scaffold';

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
}


/** Runs the whole command. */
export async function create(args: CliArgs, ctx: CreateContext): Promise<CreateResult> {
  const env = ctx.env ?? process.env;
  const out = ctx.reporter;
  const ask: AskContext = { interactive: ctx.interactive, prompt: ctx.prompt, cwd: ctx.cwd, userAgent: env.npm_config_user_agent };

  // 1. Target
  let dirArg = args.dir;
  if (dirArg === undefined) {
    if (args.name !== undefined) dirArg = args.name;
    else if (ctx.interactive) dirArg = (await ctx.prompt({ name: 'dir', type: 'input', message: 'Project directory', initial: 'msb-app', validate: (v) => v.trim() !== '' || 'Enter a directory' })).trim();
    else dirArg = 'msb-app';
  }
  const target = inspectTarget(path.resolve(ctx.cwd, dirArg), args.force);
  const lib = checkLib(args.lib ?? defaultLibSpec(), ctx.cwd, target.dir);

  // 2. What the project already says
  let facts: ProjectFacts | undefined;
  if (target.mode === 'adopt') {
    let pkg: PackageJson;
    try {
      pkg = readPackageJson(target.dir)!;
    } catch (e) {
      throw new CliError(`Cannot adopt ${target.dir}: ${(e as Error).message}`);
    }
    facts = inferProject(target.dir, pkg);
    out.info(`Adopting the existing project in ${target.dir}. Inferred:`);
    for (const line of describeFacts(facts)) out.info(`  ${line}`);
    for (const note of facts.notes) out.info(`  note: ${note}`);
  } else {
    out.info(`Creating a new project in ${target.dir}`);
  }

  // 3. One definition
  let def = await resolveDefinition(args, target, facts, ask);
  if (ctx.signal?.aborted) throw new CancelledError();
  // A template folder outside a new project is copied into it, so the definition can find it anywhere.
  let templateCopy: string | undefined;
  if (def.template?.kind === 'folder' && (def.template.path.startsWith('..') || path.isAbsolute(def.template.path))) {
    templateCopy = path.resolve(target.dir, def.template.path);
    def = { ...def, template: { kind: 'folder', path: OWN_TEMPLATE_FOLDER } };
  }

  // 4. Check before writing
  // A template that is copied in or installed later cannot be loaded yet; the rest is checked now.
  const outputs = checkDefinition(templateCopy || def.template?.kind === 'package' ? { ...def, template: undefined } : def, target.dir);
  checkConflicts(target, outputs, args.force);

  // 5. Write, install, synthesize
  const rollback = new Rollback();
  const guarded = [...outputs, '.projenrc.ts', 'package.json', '.gitignore', '.gitattributes', ...lockfiles(),
    RECORD_FILE, '.projen/tasks.json', '.projen/files.json', '.projen/deps.json',
    ...(target.mode === 'new' ? Object.keys(newProjectFiles(def, toolVersions(lib, def.nodeVersion))) : [])];
  const createdDirs = ['node_modules', '.projen', 'k8s', 'src', '.git', OWN_TEMPLATE_FOLDER];
  const existed = fs.existsSync(target.dir);
  const createdRoot = existed ? undefined : topmostMissing(target.dir);
  if (createdRoot) {
    rollback.createdDirectory(createdRoot);
  } else {
    rollback.guardFiles(target.dir, guarded);
    rollback.guardDirectories(target.dir, createdDirs);
  }

  const written: string[] = [];
  let installed = false;
  let gitInitialised = false;
  try {
    makeDirectory(target.dir);
    const versions = toolVersions(lib, def.nodeVersion);
    await out.step('Writing the definition and project files', () => {
      if (target.mode === 'new') written.push(...writeOnce(target.dir, newProjectFiles(def, versions)));
      if (templateCopy) {
        fs.cpSync(templateCopy, path.join(target.dir, OWN_TEMPLATE_FOLDER), { recursive: true });
        written.push(`${OWN_TEMPLATE_FOLDER}/`);
      }
      fs.writeFileSync(path.join(target.dir, '.projenrc.ts'), renderProjenrc(def));
      written.push('.projenrc.ts');
      if (target.mode === 'adopt' && args.skipInstall) {
        if (addDevDependencies(target.dir, devDepsToAdd(def, versions, facts!.packageJson))) written.push('package.json');
      }
    });
    abortCheck(ctx.signal);

    if (!args.skipInstall) {
      const pm = def.packageManager;
      const add = target.mode === 'adopt' ? devDepsToAdd(def, versions, facts!.packageJson) : {};
      await out.step(`Installing dependencies with ${pm}`, () => install(pm, target.dir, add, env, ctx.signal));
      installed = true;
      if (target.mode === 'adopt' && Object.keys(add).length > 0) written.push('package.json');
    }
    abortCheck(ctx.signal);

    await out.step('Generating Dockerfile, Dockerfile.debug, .dockerignore and k8s/', () => {
      try {
        synthesize(def, target.dir, { force: args.force });
      } catch (e) {
        if (e instanceof Error && e.name === 'TemplateError' && args.template !== undefined) {
          const hint = def.template?.kind === 'package' && args.skipInstall ? ' A template package must be installed: drop --skip-install.' : '';
          throw new CliError(`Invalid --template ${JSON.stringify(args.template)}: ${e.message}.${hint}`);
        }
        throw asCliError(e);
      }
    });
    abortCheck(ctx.signal);

    if (!args.skipGit && !(await insideGitRepository(target.dir))) {
      gitInitialised = await out.step('Initialising a git repository', async () => {
        try {
          await run('git', ['init', '-q'], { cwd: target.dir, signal: ctx.signal, purpose: 'initialise a git repository' });
          return true;
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          out.info(`  (skipped: ${(e as Error).message.split('\n')[0]})`);
          return false;
        }
      });
    }
  } catch (e) {
    rollback.restore();
    if (e instanceof CancelledError) throw new CancelledError(`Cancelled; ${createdRoot ? `${createdRoot} was removed` : `the files in ${target.dir} were restored`}.`);
    throw e;
  }

  // 6. Next steps
  printSummary(out, { dir: target.dir, cwd: ctx.cwd, def, outputs, installed, mode: target.mode, lib });
  return { dir: target.dir, mode: target.mode, definition: def, written, installed, gitInitialised };
}

/** Decides between a new project and adoption; rejects what cannot be a target. */
function inspectTarget(dir: string, force: boolean): Target {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) throw new CliError(`${dir} exists and is not a directory: choose another [dir].`);
  checkWritable(dir);
  const defaultName = nameFromDirectory(dir);
  if (stat && fs.existsSync(path.join(dir, 'package.json'))) return { dir, mode: 'adopt', defaultName };
  if (stat) {
    const entries = fs.readdirSync(dir).filter((e) => e !== '.git');
    if (entries.length > 0 && !force) {
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
      throw new CliError(
        `The directory ${dir} is not empty (${shown}) and holds no package.json to adopt. ` +
          'Choose an empty or new directory, or pass --force to create the project there (existing files are kept).',
      );
    }
  }
  return { dir, mode: 'new', defaultName };
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

/** `--lib`: a non-empty npm spec; a `file:` spec must point at something that exists. */
/**
 * Validates `--lib`. A `file:` path is resolved from the working directory; inside the project it is
 * written relative to it, so the image build (whose context is the project) can install it.
 */
function checkLib(spec: string, cwd: string, projectDir: string): string {
  const s = spec.trim();
  if (s === '' || /\s/.test(s)) throw new CliError(`Invalid --lib ${JSON.stringify(spec)}: expected an npm spec such as "0.3.0", "^0.3.0", "file:../create-msb-app" or "file:./create-msb-app-0.3.0.tgz".`);
  if (s.startsWith('file:')) {
    const p = path.resolve(cwd, s.slice('file:'.length));
    if (!fs.existsSync(p)) throw new CliError(`Invalid --lib ${JSON.stringify(spec)}: ${p} does not exist. Expected a file: path to a create-msb-app checkout or tarball.`);
    const rel = path.relative(projectDir, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? `file:${rel.split(path.sep).join('/')}` : `file:${p}`;
  }
  return s;
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

/** Files the first synthesis would replace that create-msb-app did not write. */
function checkConflicts(target: Target, outputs: string[], force: boolean): void {
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
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as { files?: Record<string, string> };
    return new Set(Object.keys(record.files ?? {}));
  } catch {
    return new Set();
  }
}

/** Dev dependencies an adopted project lacks (existing entries are never changed). */
function devDepsToAdd(def: Definition, versions: ReturnType<typeof toolVersions>, pkg: PackageJson): Record<string, string> {
  const have = { ...pkg.dependencies, ...pkg.devDependencies };
  const wanted = definitionDevDeps(versions, def);
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => have[name] === undefined));
}

/**
 * Adds dev dependencies to package.json without the package manager. The edit is textual, so the
 * rest of the file keeps its formatting byte for byte.
 */
function addDevDependencies(dir: string, deps: Record<string, string>): boolean {
  const entries = Object.entries(deps);
  if (entries.length === 0) return false;
  const file = path.join(dir, 'package.json');
  const text = fs.readFileSync(file, 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  const lines = (inner: string) => entries.map(([n, v]) => `${inner}${JSON.stringify(n)}: ${JSON.stringify(v)}`);
  let updated: string;
  const existing = /"devDependencies"\s*:\s*\{([^{}]*)\}/.exec(text);
  if (existing) {
    const body = existing[1];
    const inner = /^([ \t]+)"/m.exec(body)?.[1] ?? indent + indent;
    const kept = body.replace(/\s*$/, '');
    const closing = /\n([ \t]*)$/.exec(body)?.[1] ?? indent;
    const newBody = (kept.trim() === '' ? '' : `${kept},`) + eol + lines(inner).join(`,${eol}`) + eol + closing;
    updated = text.slice(0, existing.index) + `"devDependencies": {${newBody}}` + text.slice(existing.index + existing[0].length);
  } else {
    const close = text.lastIndexOf('}');
    const before = text.slice(0, close).replace(/\s*$/, '');
    const block = `${indent}"devDependencies": {${eol}${lines(indent + indent).join(`,${eol}`)}${eol}${indent}}`;
    updated = `${before}${before.endsWith('{') ? '' : ','}${eol}${block}${eol}${text.slice(close)}`;
  }
  JSON.parse(updated);
  fs.writeFileSync(file, updated);
  return true;
}

async function install(pm: Definition['packageManager'], dir: string, add: Record<string, string>, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  const specs = Object.entries(add).map(([name, spec]) => `${name}@${spec}`);
  const args: Record<Definition['packageManager'], string[]> = {
    npm: specs.length ? ['install', '--save-dev', '--no-audit', '--no-fund', ...specs] : ['install', '--no-audit', '--no-fund'],
    pnpm: specs.length ? ['add', '--save-dev', ...specs] : ['install', '--no-frozen-lockfile'],
    yarn: specs.length ? ['add', '--dev', '--non-interactive', ...specs] : ['install', '--non-interactive'],
  };
  await run(pm, args[pm], {
    cwd: dir,
    env: { ...env, npm_config_update_notifier: 'false' },
    signal,
    purpose: `install dependencies (install ${pm}, choose another with --package-manager, or pass --skip-install)`,
  });
}

async function insideGitRepository(dir: string): Promise<boolean> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir });
    return stdout.trim() === 'true';
  } catch {
    return false;
  }
}

function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Library errors become CLI errors with the library's message (it lists every problem). */
function asCliError(e: unknown): Error {
  if (e instanceof CliError) return e;
  if (e instanceof MsbValidationError) {
    return new CliError(`The definition is not valid:\n${e.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
  }
  if (e instanceof HandEditError) return new CliError(`${e.message}\nOr run create-msb-app again with --force.`);
  if (e instanceof Error && (e.name === 'TemplateError' || e.name === 'MsbValidationError' || e.name === 'HandEditError')) return new CliError(e.message);
  return e instanceof Error ? e : new Error(String(e));
}

function lockfiles(): string[] {
  return [...packageManagerNames().map((n) => findPackageManager(n)!.lockfile), 'npm-shrinkwrap.json'];
}

function describeFacts(f: ProjectFacts): string[] {
  const rows: [string, string | undefined, string | undefined][] = [
    ['name', f.name?.value, f.name?.from],
    ['package manager', f.packageManager?.value, f.packageManager?.from],
    ['Node.js', f.nodeVersion?.value ?? (f.nodeVersionMismatch ? `${f.nodeVersionMismatch.value} (no runtime image)` : undefined), f.nodeVersion?.from ?? f.nodeVersionMismatch?.from],
    ['build', f.build ? `${f.build.value.script} -> ${f.build.value.outDir}/` : 'none (runs its sources)', f.build?.from],
    ['entrypoint', f.entrypoint?.value, f.entrypoint?.from],
    ['runtime files', f.build ? `${f.build.value.outDir}/ (the build output)` : f.files?.value.join(', '), f.build ? undefined : f.files?.from],
    ['port', f.port ? String(f.port.value) : undefined, f.port?.from],
  ];
  return rows.map(([label, value, from]) => `${label.padEnd(16)} ${value ?? '(not found; default used)'}${from ? `  from ${from}` : ''}`);
}

/** Whether a `file:` lib spec points outside the project (checkLib makes paths inside it relative). */
function libOutsideProject(lib: string): 'folder' | 'file' | undefined {
  if (!lib.startsWith('file:')) return undefined;
  const p = lib.slice('file:'.length);
  if (!path.isAbsolute(p) && !p.startsWith('..')) return undefined;
  try {
    return fs.statSync(p).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'file';
  }
}

function printSummary(out: Reporter, s: { dir: string; cwd: string; def: Definition; outputs: string[]; installed: boolean; mode: 'new' | 'adopt'; lib: string }): void {
  const rel = path.relative(s.cwd, s.dir) || '.';
  const image = `${s.def.image.repository}:${s.def.image.tag}`;
  const pm = s.def.packageManager;
  out.info('');
  out.info(`Done. ${s.mode === 'new' ? 'Created' : 'Adopted'} ${s.def.name} in ${s.dir}:`);
  out.info('  .projenrc.ts           the definition: edit it, then run npx projen');
  out.info(`  ${OUTPUT_PATHS.dockerfile.padEnd(22)} multi-stage build, distroless non-root runtime`);
  out.info(`  ${OUTPUT_PATHS.debugDockerfile.padEnd(22)} the same with a busybox shell`);
  out.info(`  ${`${OUTPUT_PATHS.base}/`.padEnd(22)} ${s.outputs.filter((o) => o.startsWith(`${OUTPUT_PATHS.base}/`)).map((o) => path.basename(o)).join(', ')}`);
  out.info(`  ${`${OUTPUT_PATHS.debugOverlay}/`.padEnd(22)} runs the debug image`);
  const outside = libOutsideProject(s.lib);
  if (outside) {
    const from = s.lib.slice('file:'.length);
    out.info('');
    out.info(`Warning: the create-msb-app dev dependency ${s.lib} is outside the project, so the image build cannot install it`);
    out.info('  (its build context is the project folder). To fix it, put a tarball of it in the project, from the project folder:');
    out.info(outside === 'folder'
      ? `    mkdir -p vendor && npm pack ${from} --pack-destination vendor && mv vendor/create-msb-app-*.tgz vendor/create-msb-app.tgz`
      : `    mkdir -p vendor && cp ${from} vendor/create-msb-app.tgz`);
    out.info('  and use --lib file:vendor/create-msb-app.tgz (or set "create-msb-app": "file:vendor/create-msb-app.tgz" in package.json),');
    out.info('  or use a version from a registry (--lib <version>).');
  }
  out.info('');
  out.info('Next steps:');
  if (rel !== '.') out.info(`  cd ${rel}`);
  if (!s.installed) out.info(`  ${pm} install`);
  const steps: [string, string][] = [
    ['npx projen', 'after editing .projenrc.ts'],
    [`docker build -f Dockerfile -t ${image} .`, 'or podman build'],
    [`docker build -f Dockerfile.debug -t ${image}-debug .`, 'the debug image'],
    ['kubectl apply -k k8s/base', 'or k8s/overlays/debug'],
  ];
  const width = Math.max(...steps.map(([c]) => c.length));
  for (const [command, note] of steps) out.info(`  ${command.padEnd(width)}  # ${note}`);
}

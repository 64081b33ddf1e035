/**
 * `create-msb-app .` at a workspace (monorepo) root that a family reads
 * ({@link FamilyCli.adoptWorkspace}, e.g. npm or pnpm workspaces): lists the packages it found,
 * adopts the chosen apps (`--app`, a multi-select prompt, or with `--yes` every app it can infer)
 * into one `.projenrc.ts` at the root with one App per app folder, installs once at the root,
 * synthesizes, and restores everything if a step fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CreateArgs, CreateContext, CreateResult } from './create-command';
import { Definition, appProps, familyDefinition, projectOptions } from './definition';
import { CancelledError, CliError, asCliError } from './errors';
import { VENDOR_FOLDER, checkLib, vendorLib } from './lib-spec';
import { defaultLibSpec, tooling } from './package-info';
import { Reporter } from './reporter';
import { AskContext, resolveDefinition } from './resolve';
import { Rollback } from './rollback';
import { FlagValues } from './settings';
import type { Adoption, FamilyCli, FamilyDefinition, Tooling, WorkspaceAdoption, WorkspaceMember } from '../contract/family-cli';
import { GeneratedTextFile } from '../generated-file';
import { App, DEFAULTS, MsbProject, RECORD_FILE } from '../index';
import { ExecAbortedError } from '../util/exec';
import { JsonFileError, readJsonIfValid } from '../util/json';
import { tsString } from '../util/ts-literal';
import { toAppName } from '../validation';

/** The `--app` values: repeatable and comma-separated. */
export function appFlagValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * Resolves `--app` values (a package name, its folder, or the folder's last segment) to apps; one
 * error naming every bad value. `noApps` says why there is none to list.
 */
export function selectApps(members: readonly WorkspaceMember[], values: readonly string[], noApps: string): WorkspaceMember[] {
  const apps = members.filter((c) => c.app);
  const chosen: WorkspaceMember[] = [];
  const errors: string[] = [];
  const valid = apps.map((c) => `${c.name} (${c.dir})`).join(', ') || `(none: ${noApps})`;
  for (const value of values) {
    const norm = value.replace(/^\.\//, '').replace(/\/+$/, '');
    const match = (c: WorkspaceMember) => c.name === value || c.dir === norm || path.posix.basename(c.dir) === norm;
    const app = apps.filter(match);
    if (app.length === 1) {
      if (!chosen.includes(app[0])) chosen.push(app[0]);
      continue;
    }
    const other = members.find(match);
    if (app.length > 1) errors.push(`Invalid --app ${JSON.stringify(value)}: it names ${app.map((c) => c.dir).join(' and ')}; use the folder. Apps: ${valid}.`);
    else if (other) errors.push(`Invalid --app ${JSON.stringify(value)}: ${other.dir} is not an app (${other.reason}). Apps: ${valid}.`);
    else errors.push(`Invalid --app ${JSON.stringify(value)}: no workspace package has that name or folder. Apps: ${valid}.`);
  }
  if (errors.length > 0) throw new CliError(errors.join('\n'));
  return chosen;
}

/** One App of the workspace definition. */
export interface WorkspaceApp {
  readonly path: string;
  readonly def: Definition;
}

/** The props of a workspace App: the definition's, relative to its folder, plus its `path`. */
export function workspaceAppProps(app: WorkspaceApp): ReturnType<typeof appProps> {
  return { name: app.def.name, path: app.path, ...appProps(app.def) };
}

/** Builds the workspace project in memory (nothing is written). */
export function buildWorkspaceProject(
  name: string,
  apps: readonly WorkspaceApp[],
  root: string,
  extra: { force?: boolean } = {},
): { project: MsbProject; apps: App[] } {
  const project = new MsbProject({ ...projectOptions({ ...apps[0].def, name }, root), ...(extra.force ? { force: true } : {}) });
  return { project, apps: apps.map((a) => new App(project, workspaceAppProps(a))) };
}

/** The `.projenrc.ts` of a workspace: one App per app folder. */
export function renderWorkspaceProjenrc(name: string, apps: readonly WorkspaceApp[]): string {
  const lines = [
    '// The definition of the services in this workspace. Edit it, then run `npx projen`: each App\'s',
    '// Dockerfile, Dockerfile.debug and k8s/ (in its folder), the root .dockerignore (the build context',
    '// of every App is the repository root) and k8s/kustomization.yaml (every App) are regenerated.',
    'import { App, MsbProject } from \'create-msb-app\';',
    '',
    `const project = new MsbProject({ name: ${tsString(name)} });`,
    '',
  ];
  for (const app of apps) {
    const props = workspaceAppProps(app);
    lines.push(`// ${app.path}: entrypoint, build.outDir and files are relative to this folder.`);
    lines.push('new App(project, {');
    for (const [k, v] of Object.entries(props)) lines.push(`  ${k}: ${literal(v)},`);
    lines.push('});', '');
  }
  lines.push('project.synth();', '');
  return lines.join('\n');
}

function literal(v: unknown): string {
  if (typeof v === 'string') return tsString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (v && typeof v === 'object') return `{ ${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsString(k)}: ${literal(x)}`).join(', ')} }`;
  return 'undefined';
}

/** One adoption of a workspace root: what every step reads, and what the steps before it filled in. */
interface WorkspaceRun {
  readonly args: CreateArgs;
  readonly ctx: CreateContext;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Reporter;
  readonly family: FamilyCli;
  readonly ws: WorkspaceAdoption;
  readonly root: string;
  readonly force: boolean;
  readonly skipInstall: boolean;
  /** The packages chosen (`--app`, the prompt, or every app). */
  chosen: readonly WorkspaceMember[];
  /** The apps adopted, in the order chosen. */
  readonly apps: WorkspaceApp[];
  /** Chosen packages that could not be adopted, with the reason. */
  readonly skipped: string[];
  /** The paths the first synthesis generates. */
  outputs: string[];
  /** Files written besides the generated outputs, relative to the root. */
  readonly written: string[];
  installed: boolean;
}

/** A run from the adopted apps on: the project's name. */
interface AdoptedRun extends WorkspaceRun {
  readonly rootName: string;
}

/** A run from the writing on. */
interface WritingRun extends AdoptedRun {
  /** The tooling the root's manifest names. */
  readonly tools: Tooling;
  readonly famDef: FamilyDefinition;
  /** Restores the workspace on failure. */
  readonly rollback: Rollback;
}

/** Adopts the apps of a workspace root that `family` read. */
export async function adoptWorkspace(args: CreateArgs, ctx: CreateContext, family: FamilyCli, ws: WorkspaceAdoption): Promise<CreateResult> {
  const run = startRun(args, ctx, family, ws);
  for (const step of [listPackages, rejectAppFlags]) step(run);
  await chooseApps(run);
  const adopted = await adoptApps(run);
  checkBeforeWriting(adopted);
  await writeOrRestore(adopted, [writeDefinition, generate]);
  printSummary(adopted);
  return result(adopted);
}

function startRun(args: CreateArgs, ctx: CreateContext, family: FamilyCli, ws: WorkspaceAdoption): WorkspaceRun {
  return {
    args,
    ctx,
    env: ctx.env ?? process.env,
    out: ctx.reporter,
    family,
    ws,
    root: ws.root,
    force: args.values.force === true,
    skipInstall: args.values['skip-install'] === true,
    chosen: [],
    apps: [],
    skipped: [],
    outputs: [],
    written: [],
    installed: false,
  };
}

/** The packages found, what each is, and what the root says for every app; a workspace the family cannot adopt stops here. */
function listPackages(run: WorkspaceRun): void {
  const { out, ws, root } = run;
  out.info(`Adopting the ${ws.kind} workspace in ${root} (${ws.patterns.join(', ')}). Packages:`);
  for (const c of ws.members) out.info(`  ${c.dir.padEnd(24)} ${c.name.padEnd(20)} ${c.app ? 'app' : 'not an app'}: ${c.reason}`);
  for (const [label, value, from] of ws.shared) out.info(`  ${label}: ${value}  from ${from} (for every app)`);
  if (ws.unsupported) throw new CliError(`Cannot adopt ${root}: ${ws.unsupported}`);
}

/** Flags that set one app's values: in a workspace each app gets its own. */
function rejectAppFlags(run: WorkspaceRun): void {
  const { values } = run.args;
  for (const flag of ['name', 'image', 'port', 'template'] as const) {
    if (values[flag] !== undefined) throw new CliError(`--${flag} applies to one app; in a workspace each app gets its own: adopt, then edit .projenrc.ts.`);
  }
  if (values.ci !== undefined) {
    throw new CliError('--ci needs each app\'s image repository (the registry the workflow pushes to), which --image cannot set in a workspace: adopt, then set image.repository and ci: { provider: \'github\' } on each App in .projenrc.ts (one workflow covers every App).');
  }
}

/** Which apps: `--app`, else a multi-select prompt, else every app. */
async function chooseApps(run: WorkspaceRun): Promise<void> {
  const { ctx, ws } = run;
  const apps = ws.members.filter((c) => c.app);
  const flagged = appFlagValues(run.args.values.app);
  if (flagged.length > 0) {
    run.chosen = selectApps(ws.members, flagged, ws.noAppShort);
  } else if (ctx.interactive && apps.length > 0) {
    const answer = await ctx.prompt({
      name: 'apps',
      type: 'multiselect',
      message: 'Apps to adopt',
      choices: apps.map((c) => ({ name: c.dir, hint: `${c.name}: ${c.reason}` })),
    });
    run.chosen = selectApps(ws.members, appFlagValues(answer), ws.noAppShort);
  } else {
    run.chosen = apps;
  }
  if (run.chosen.length === 0) throw new CliError(`No app to adopt in ${run.root}: ${ws.noApp}. Name one with --app <name|folder>.`);
}

/** What each app says; with --yes (or without a TTY) an app that cannot be inferred is named and skipped. */
async function adoptApps(run: WorkspaceRun): Promise<AdoptedRun> {
  const { out, apps, skipped, root } = run;
  const ask: AskContext = { interactive: run.ctx.interactive, prompt: run.ctx.prompt, cwd: run.ctx.cwd, userAgent: run.env.npm_config_user_agent };
  const flags: Record<string, FlagValues[string]> = { ...run.args.values };
  for (const [flag, value] of Object.entries(run.ws.flagDefaults)) flags[flag] ??= value;
  for (const member of run.chosen) {
    try {
      apps.push(await adoptApp(run, member, flags, ask));
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      if (!(e instanceof CliError || e instanceof JsonFileError)) throw e;
      skipped.push(`${member.dir}: ${e.message}`);
    }
  }
  if (skipped.length > 0) {
    out.info('Not adopted (state them in .projenrc.ts, or fix and run again with --app):');
    for (const s of skipped) out.info(`  ${s}`);
  }
  if (apps.length === 0) throw new CliError(`No app of ${root} could be adopted:\n${skipped.map((s) => `  ${s}`).join('\n')}`);
  return Object.assign(run, { rootName: toAppName(run.ws.name ?? '') || toAppName(path.basename(root)) || apps[0].def.name });
}

/** One app: what its folder says, shown, and its definition. */
async function adoptApp(run: WorkspaceRun, member: WorkspaceMember, flags: FlagValues, ask: AskContext): Promise<WorkspaceApp> {
  const { out, family, apps } = run;
  const dir = path.join(run.root, member.dir);
  const adoption: Adoption = family.adopt(dir);
  out.info(`${member.dir}:`);
  for (const [label, value, from] of adoption.rows) out.info(`  ${label.padEnd(16)} ${value ?? '(not found; default used)'}${from ? `  from ${from}` : ''}`);
  for (const note of adoption.notes) out.info(`  note: ${note}`);
  const def = await resolveDefinition(flags, { dir, mode: 'adopt' }, family, adoption, ask);
  const compose = run.args.values.compose === true ? { compose: composeOf(def.port, apps) } : {};
  return { path: member.dir, def: { ...def, name: uniqueName(def.name || toAppName(path.posix.basename(member.dir)), apps), ...compose } };
}

/** Check before writing: the definition is valid and no file of the user's would be replaced. */
function checkBeforeWriting(run: AdoptedRun): void {
  const { root } = run;
  try {
    const built = buildWorkspaceProject(run.rootName, run.apps, root);
    run.outputs = built.project.files.map((f) => f.path).filter((p) => p !== RECORD_FILE && !p.startsWith('.projen/') && p !== '.gitattributes');
    // Renders (and so validates) every App's outputs and the shared ones: the union .dockerignore too.
    for (const f of built.project.files) if (f instanceof GeneratedTextFile) f.content();
  } catch (e) {
    throw asCliError(e);
  }
  if (run.force) return;
  const record = readJsonIfValid(path.join(root, RECORD_FILE)) as { files?: Record<string, string> } | undefined;
  const recorded = new Set(Object.keys(record?.files ?? {}));
  const clashes = [...run.outputs, '.projenrc.ts'].filter((p) => fs.existsSync(path.join(root, p)) && !recorded.has(p));
  if (clashes.length > 0) {
    throw new CliError(`${root} already has ${clashes.join(', ')}, which create-msb-app would replace. Move them away, or pass --force to replace them.`);
  }
}

/**
 * Write, install once at the root, synthesize: vendors the library when needed, then runs the
 * steps, checking for a cancel after each; any failure restores the workspace as it was.
 */
async function writeOrRestore(run: AdoptedRun, steps: readonly ((run: WritingRun) => Promise<void>)[]): Promise<void> {
  const { root, ctx } = run;
  const rollback = new Rollback();
  rollback.snapshot(root, ['.git', ...run.family.installFolders]);
  try {
    const lib = checkLib(run.args.values.lib ?? defaultLibSpec(), ctx.cwd, root);
    const vendored = await vendorLib(lib, root, { signal: ctx.signal, env: run.env });
    if (vendored.written) run.written.push(vendored.written);
    const famDef = familyDefinition({ ...run.apps[0].def, name: run.rootName });
    const writing: WritingRun = Object.assign(run, { tools: tooling(vendored.lib), famDef, rollback });
    for (const step of steps) {
      await step(writing);
      if (ctx.signal?.aborted) throw new CancelledError();
    }
    rollback.commit();
  } catch (e) {
    rollback.restore();
    if (e instanceof CancelledError || e instanceof ExecAbortedError || ctx.signal?.aborted) {
      throw new CancelledError(`Cancelled; the files in ${root} were restored.`);
    }
    throw asCliError(e);
  }
}

/** `.projenrc.ts` at the root, then the dev dependencies: added to the root's manifest (`--skip-install`) or installed. */
async function writeDefinition(run: WritingRun): Promise<void> {
  const { root, family, famDef, tools, written } = run;
  fs.writeFileSync(path.join(root, '.projenrc.ts'), renderWorkspaceProjenrc(run.rootName, run.apps));
  written.push('.projenrc.ts');
  if (run.skipInstall) {
    const manifest = family.addDevDependencies(root, famDef, tools);
    if (manifest) written.push(manifest);
    return;
  }
  for (const folder of family.installFolders) run.rollback.moveAside(folder);
  const changed = await run.out.step(`Installing dependencies with ${family.installer(famDef.runtime)} at the workspace root`, () =>
    family.install(root, 'adopt', famDef, tools, { env: run.env, signal: run.ctx.signal }).catch((e) => {
      throw asCliError(e);
    }));
  run.installed = true;
  if (changed) written.push(changed);
}

/** The first synthesis: every App's outputs, the root .dockerignore and k8s/kustomization.yaml. */
async function generate(run: WritingRun): Promise<void> {
  const { apps } = run;
  await run.out.step(`Generating ${apps.map((a) => `${a.path}/{Dockerfile,Dockerfile.debug,k8s/}`).join(', ')}, .dockerignore and k8s/kustomization.yaml`, () => {
    try {
      buildWorkspaceProject(run.rootName, apps, run.root, { force: run.force }).project.synth();
    } catch (e) {
      throw asCliError(e);
    }
  });
}

/** What was made and the next commands. */
function printSummary(run: AdoptedRun): void {
  const { out, apps, root } = run;
  out.info('');
  out.info(`Done. Adopted ${apps.length} app${apps.length === 1 ? '' : 's'} of the workspace in ${root}:`);
  out.info('  .projenrc.ts             the definition (one App per app): edit it, then run npx projen');
  out.info('  .dockerignore            the build context of every app (the repository root)');
  out.info('  k8s/kustomization.yaml   every app (k8s/overlays/debug: their debug images)');
  if (apps.some((a) => a.def.compose)) out.info(`  ${DEFAULTS.compose.file.padEnd(24)} the local dev loop: a service per app, run the way its pod runs`);
  if (fs.existsSync(path.join(root, VENDOR_FOLDER))) out.info(`  ${`${VENDOR_FOLDER}/`.padEnd(24)} create-msb-app itself, so the image build can install it`);
  out.info('');
  out.info('Next steps:');
  for (const app of apps) out.info(`  docker build -f ${app.path}/Dockerfile -t ${app.def.image.repository} .   # ${app.def.name}, from the repository root`);
  out.info('  kubectl apply -k k8s                  # every app');
  if (apps.some((a) => a.def.compose)) out.info('  docker compose watch                  # every app on 127.0.0.1, rebuilt on change');
}

/** What the command did. */
function result(run: AdoptedRun): CreateResult {
  const { apps } = run;
  return { dir: run.root, mode: 'adopt', definition: apps[0].def, written: run.written, installed: run.installed, gitInitialised: false, apps: apps.map((a) => ({ path: a.path, name: a.def.name })), skipped: run.skipped };
}

/** An adopted app's `compose`: published on its own port, or on the next port no earlier app is published on. */
function composeOf(port: number, apps: readonly WorkspaceApp[]): NonNullable<Definition['compose']> {
  const used = new Set(apps.map((a) => (typeof a.def.compose === 'object' ? a.def.compose.hostPort : a.def.port)));
  let hostPort = port;
  while (used.has(hostPort)) hostPort++;
  return hostPort === port ? true : { hostPort };
}

function uniqueName(name: string, apps: readonly WorkspaceApp[]): string {
  let n = name;
  for (let i = 2; apps.some((a) => a.def.name === n); i++) n = `${name}-${i}`;
  return n;
}


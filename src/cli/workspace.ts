/**
 * `create-msb-app .` at a workspace root (npm/yarn `workspaces` in package.json, or
 * pnpm-workspace.yaml; Turborepo and Nx layouts are these plus their own config): lists the apps it
 * found, adopts the chosen ones (`--app`, a multi-select prompt, or with `--yes` every app it can
 * infer) into one `.projenrc.ts` at the root with one App per app folder, installs once at the root,
 * synthesizes, and restores everything if a step fails.
 *
 * An app is a workspace package with a start script (`start`, `start:prod`, `serve`) or a server
 * entrypoint, that no other workspace package depends on (a package others depend on is a library).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CreateArgs, CreateContext, CreateResult } from './create';
import { Definition, appProps, familyDefinition, familyOf, projectOptions } from './definition';
import { CancelledError, CliError } from './errors';
import { findFamilyCli } from './families';
import { VENDOR_FOLDER, checkLib, vendorLib } from './lib-spec';
import { defaultLibSpec, tooling } from './package-info';
import { AskContext, resolveDefinition } from './resolve';
import { Rollback } from './rollback';
import type { Adoption } from '../contract/family-cli';
import { type Workspace, type WorkspacePackage, dependentsOf } from '../families/node/workspace/detect';
import { GeneratedTextFile } from '../generated-file';
import { App, DEFAULTS, HandEditError, MsbProject, MsbValidationError, RECORD_FILE, TemplateError, formatProblem, isUserError } from '../index';
import { ExecAbortedError, ExecError } from '../util/exec';
import { JsonFileError, readJsonIfValid } from '../util/json';
import { tsString } from '../util/ts-literal';
import { toAppName } from '../validation';

/** Scripts that say a package is started as a server. */
const START_SCRIPTS = ['start:prod', 'start', 'serve'];
/** Entry files that say a package is a server when it has no start script. */
const SERVER_FILES = ['server.js', 'server.mjs', 'src/server.ts', 'src/main.ts'];

/** A workspace package and what it is. */
export interface WorkspaceCandidate {
  readonly pkg: WorkspacePackage;
  /** Why it is an app, or why not. */
  readonly app: boolean;
  readonly reason: string;
}

/** Sorts a workspace's packages into apps and the rest (libraries, tools), with the reason. */
export function classifyPackages(ws: Workspace): WorkspaceCandidate[] {
  return ws.packages.map((pkg) => {
    const dependents = dependentsOf(ws, pkg);
    if (dependents.length > 0) return { pkg, app: false, reason: `a library: ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it` };
    const script = START_SCRIPTS.find((s) => typeof pkg.pkg.scripts?.[s] === 'string');
    if (script) return { pkg, app: true, reason: `"${script}" script` };
    const file = SERVER_FILES.find((f) => fs.existsSync(path.join(ws.root, pkg.dir, f)));
    if (file) return { pkg, app: true, reason: `server entrypoint ${file}` };
    return { pkg, app: false, reason: 'no start script and no server entrypoint' };
  });
}

/** The `--app` values: repeatable and comma-separated. */
export function appFlagValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** Resolves `--app` values (a package name, its folder, or the folder's last segment) to apps; one error naming every bad value. */
export function selectApps(candidates: readonly WorkspaceCandidate[], values: readonly string[]): WorkspacePackage[] {
  const apps = candidates.filter((c) => c.app);
  const chosen: WorkspacePackage[] = [];
  const errors: string[] = [];
  const valid = apps.map((c) => `${c.pkg.name} (${c.pkg.dir})`).join(', ') || '(none: no workspace package has a start script or a server entrypoint)';
  for (const value of values) {
    const norm = value.replace(/^\.\//, '').replace(/\/+$/, '');
    const match = (c: WorkspaceCandidate) => c.pkg.name === value || c.pkg.dir === norm || path.posix.basename(c.pkg.dir) === norm;
    const app = apps.filter(match);
    if (app.length === 1) {
      if (!chosen.includes(app[0].pkg)) chosen.push(app[0].pkg);
      continue;
    }
    const other = candidates.find(match);
    if (app.length > 1) errors.push(`Invalid --app ${JSON.stringify(value)}: it names ${app.map((c) => c.pkg.dir).join(' and ')}; use the folder. Apps: ${valid}.`);
    else if (other) errors.push(`Invalid --app ${JSON.stringify(value)}: ${other.pkg.dir} is not an app (${other.reason}). Apps: ${valid}.`);
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

/** Adopts the apps of a workspace root. */
export async function adoptWorkspace(args: CreateArgs, ctx: CreateContext, ws: Workspace): Promise<CreateResult> {
  const out = ctx.reporter;
  const env = ctx.env ?? process.env;
  const root = ws.root;
  const family = findFamilyCli('node')!;
  const force = args.values.force === true;
  const skipInstall = args.values['skip-install'] === true;
  const candidates = classifyPackages(ws);
  out.info(`Adopting the ${ws.kind === 'pnpm' ? 'pnpm' : ws.kind} workspace in ${root} (${ws.patterns.join(', ')}). Packages:`);
  for (const c of candidates) out.info(`  ${c.pkg.dir.padEnd(24)} ${c.pkg.name.padEnd(20)} ${c.app ? 'app' : 'not an app'}: ${c.reason}`);
  out.info(`  package manager: ${ws.kind === 'pnpm' ? 'pnpm  from pnpm-workspace.yaml' : `${ws.kind}  from package.json "workspaces"`} (for every app)`);
  if (ws.kind === 'yarn') {
    throw new CliError(`Cannot adopt ${root}: yarn workspaces are not supported yet (the image must hold one app's dependencies only, which needs \`yarn workspaces focus\` of Yarn 4). npm and pnpm workspaces are.`);
  }
  for (const flag of ['name', 'image', 'port', 'template']) {
    if (args.values[flag] !== undefined) throw new CliError(`--${flag} applies to one app; in a workspace each app gets its own: adopt, then edit .projenrc.ts.`);
  }
  if (args.values.ci !== undefined) {
    throw new CliError('--ci needs each app\'s image repository (the registry the workflow pushes to), which --image cannot set in a workspace: adopt, then set image.repository and ci: { provider: \'github\' } on each App in .projenrc.ts (one workflow covers every App).');
  }

  // Which apps
  const flagged = appFlagValues(args.values.app);
  let chosen: WorkspacePackage[];
  if (flagged.length > 0) {chosen = selectApps(candidates, flagged);} else if (ctx.interactive && candidates.some((c) => c.app)) {
    const answer = await ctx.prompt({
      name: 'apps',
      type: 'multiselect',
      message: 'Apps to adopt',
      choices: candidates.filter((c) => c.app).map((c) => ({ name: c.pkg.dir, hint: `${c.pkg.name}: ${c.reason}` })),
    });
    chosen = selectApps(candidates, appFlagValues(answer));
  } else {chosen = candidates.filter((c) => c.app).map((c) => c.pkg);}
  if (chosen.length === 0) {
    throw new CliError(`No app to adopt in ${root}: no workspace package has a start script (${START_SCRIPTS.join(', ')}) or a server entrypoint (${SERVER_FILES.join(', ')}) without other packages depending on it. Name one with --app <name|folder>.`);
  }

  // What each app says; with --yes (or without a TTY) an app that cannot be inferred is named and skipped.
  const ask: AskContext = { interactive: ctx.interactive, prompt: ctx.prompt, cwd: ctx.cwd, userAgent: env.npm_config_user_agent };
  const flags = { ...args.values, 'package-manager': args.values['package-manager'] ?? (ws.kind === 'pnpm' ? 'pnpm' : 'npm') };
  const apps: WorkspaceApp[] = [];
  const skipped: string[] = [];
  for (const pkg of chosen) {
    const dir = path.join(root, pkg.dir);
    try {
      const adoption: Adoption = family.adopt(dir);
      out.info(`${pkg.dir}:`);
      for (const [label, value, from] of adoption.rows) out.info(`  ${label.padEnd(16)} ${value ?? '(not found; default used)'}${from ? `  from ${from}` : ''}`);
      for (const note of adoption.notes) out.info(`  note: ${note}`);
      const def = await resolveDefinition(flags, { dir, mode: 'adopt' }, family, adoption, ask);
      const compose = args.values.compose === true ? { compose: composeOf(def.port, apps) } : {};
      apps.push({ path: pkg.dir, def: { ...def, name: uniqueName(def.name || toAppName(path.posix.basename(pkg.dir)), apps), ...compose } });
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      if (!(e instanceof CliError || e instanceof JsonFileError)) throw e;
      skipped.push(`${pkg.dir}: ${e.message}`);
    }
  }
  if (skipped.length > 0) {
    out.info('Not adopted (state them in .projenrc.ts, or fix and run again with --app):');
    for (const s of skipped) out.info(`  ${s}`);
  }
  if (apps.length === 0) throw new CliError(`No app of ${root} could be adopted:\n${skipped.map((s) => `  ${s}`).join('\n')}`);

  const rootName = toAppName(String((readJsonIfValid(path.join(root, 'package.json')) as { name?: unknown } | undefined)?.name ?? '').replace(/^@[^/]+\//, '')) || toAppName(path.basename(root)) || apps[0].def.name;

  // Check before writing: the definition is valid and no file of the user's would be replaced.
  let outputs: string[];
  try {
    const built = buildWorkspaceProject(rootName, apps, root);
    outputs = built.project.files.map((f) => f.path).filter((p) => p !== RECORD_FILE && !p.startsWith('.projen/') && p !== '.gitattributes');
    // Renders (and so validates) every App's outputs and the shared ones: the union .dockerignore too.
    for (const f of built.project.files) if (f instanceof GeneratedTextFile) f.content();
  } catch (e) {
    throw asCliError(e);
  }
  if (!force) {
    const record = readJsonIfValid(path.join(root, RECORD_FILE)) as { files?: Record<string, string> } | undefined;
    const recorded = new Set(Object.keys(record?.files ?? {}));
    const clashes = [...outputs, '.projenrc.ts'].filter((p) => fs.existsSync(path.join(root, p)) && !recorded.has(p));
    if (clashes.length > 0) {
      throw new CliError(`${root} already has ${clashes.join(', ')}, which create-msb-app would replace. Move them away, or pass --force to replace them.`);
    }
  }

  // Write, install once at the root, synthesize; any failure restores the workspace as it was.
  const rollback = new Rollback();
  rollback.snapshot(root, ['.git', ...family.installFolders, ...ws.packages.map((p) => `${p.dir}/node_modules`)]);
  const written: string[] = [];
  let installed = false;
  try {
    const lib = checkLib(typeof args.values.lib === 'string' ? args.values.lib : defaultLibSpec(), ctx.cwd, root);
    const vendored = await vendorLib(lib, root, { signal: ctx.signal, env });
    if (vendored.written) written.push(vendored.written);
    const tools = tooling(vendored.lib);
    const famDef = familyDefinition({ ...apps[0].def, name: rootName });
    fs.writeFileSync(path.join(root, '.projenrc.ts'), renderWorkspaceProjenrc(rootName, apps));
    written.push('.projenrc.ts');
    if (skipInstall) {
      const manifest = family.addDevDependencies(root, famDef, tools);
      if (manifest) written.push(manifest);
    } else {
      for (const folder of family.installFolders) rollback.moveAside(folder);
      const changed = await out.step(`Installing dependencies with ${family.installer(famDef.runtime)} at the workspace root`, () =>
        family.install(root, 'adopt', famDef, tools, { env, signal: ctx.signal }).catch((e) => {
          throw asCliError(e);
        }));
      installed = true;
      if (changed) written.push(changed);
    }
    if (ctx.signal?.aborted) throw new CancelledError();
    await out.step(`Generating ${apps.map((a) => `${a.path}/{Dockerfile,Dockerfile.debug,k8s/}`).join(', ')}, .dockerignore and k8s/kustomization.yaml`, () => {
      try {
        buildWorkspaceProject(rootName, apps, root, { force }).project.synth();
      } catch (e) {
        throw asCliError(e);
      }
    });
    if (ctx.signal?.aborted) throw new CancelledError();
    rollback.commit();
  } catch (e) {
    rollback.restore();
    if (e instanceof CancelledError || e instanceof ExecAbortedError || ctx.signal?.aborted) {
      throw new CancelledError(`Cancelled; the files in ${root} were restored.`);
    }
    throw asCliError(e);
  }

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
  const def = apps[0].def;
  return { dir: root, mode: 'adopt', definition: def, written, installed, gitInitialised: false, apps: apps.map((a) => ({ path: a.path, name: a.def.name })), skipped };
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

function asCliError(e: unknown): Error {
  if (e instanceof CliError) return e;
  if (e instanceof ExecAbortedError) return new CancelledError();
  if (e instanceof ExecError || e instanceof TemplateError || e instanceof JsonFileError) return new CliError(e.message);
  if (e instanceof MsbValidationError) return new CliError(`The definition is not valid:\n${e.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
  if (e instanceof HandEditError) return new CliError(`${e.message}\nOr run create-msb-app again with --force.`);
  if (isUserError(e)) return new CliError(e.message);
  return e instanceof Error ? e : new Error(String(e));
}

export { familyOf };

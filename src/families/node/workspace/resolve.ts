/**
 * A Node.js app inside a workspace (`path` set in its definition): the build context is the
 * repository root, the build stage installs the whole workspace and builds the app's internal
 * packages before the app, and the runtime image holds only this app's production dependencies.
 *
 * How each package manager is pruned:
 * - pnpm: `pnpm --filter <app> deploy --prod --legacy` after the build (pnpm 10's `deploy` otherwise
 *   needs `inject-workspace-packages=true`), a folder with the app's production dependencies and
 *   copies (not links) of the internal packages it uses.
 * - npm: npm has no prune per workspace, but `npm ci --omit=dev --workspace <app>` installs from the
 *   lockfile only what that workspace needs (its dependencies and those of the workspace packages it
 *   depends on; the other workspaces' are not installed). Only the manifests of the app and its
 *   internal packages are copied into that stage, so another app's manifest does not invalidate it.
 *   Internal packages are linked (`node_modules/<name>` -> `../packages/<dir>`), so the runtime
 *   stage copies their package.json and their `files` (else the top-level folder of `main`).
 */
import type { RuntimeCopy } from '../../../contract/model';
import { isRelativePath, normalizePath } from '../../../validation';
import type { PackageJson } from '../package-json';
import type { PackageManagerSpec } from '../package-managers';
import { type Workspace, type WorkspacePackage, findPackage, internalClosure } from './detect';

/** Where the pnpm deploy folder lies in the stages (under the workdir; `.msb` is never in the context). */
export const DEPLOY_DIR = '.msb/deploy';

/** Package managers that can prune a workspace install to one app. */
export const WORKSPACE_PACKAGE_MANAGERS = ['npm', 'pnpm'] as const;

/** What the family reads for a workspace app (besides the app's own package.json). */
export interface WorkspaceFacts {
  readonly workspace?: Workspace;
  readonly appPath: string;
  /** `file:` dependencies of the root package.json inside the repository (e.g. vendor/*.tgz), copied before the installs. */
  readonly rootLocalPackages: readonly string[];
}

/** What the Dockerfile templates read for a workspace app (`workspace` in the template context). */
export interface WorkspaceStages {
  readonly appDir: string;
  readonly appName: string;
  /** Every manifest the whole-workspace install reads (root first). */
  readonly manifests: readonly string[];
  /** The manifests of the app and its internal runtime packages (npm's pruned install). */
  readonly prodManifests: readonly string[];
  /** Removes the `prepare` scripts of the copied manifests before the whole-workspace install. */
  readonly deletePrepare: string;
  /** The same for the manifests of the pruned install (npm). */
  readonly deletePrepareProd: string;
  /** npm: the pruned install; undefined for pnpm (which deploys). */
  readonly installProd?: string;
  /** Folders that must exist for the runtime stage's copies (npm). */
  readonly dependencyDirs: readonly string[];
  /** The internal packages' builds then the app's, in dependency order. */
  readonly builds: readonly string[];
  /** pnpm: the deploy command. */
  readonly deploy?: string;
}

/** The workspace resolution of a Node.js app. */
export interface WorkspaceResolution {
  readonly copies: RuntimeCopy[];
  readonly installFiles: string[];
  readonly stages: WorkspaceStages;
  /** The internal packages the app uses, dependencies first (folders). */
  readonly internalPackages: string[];
}

/** Root files of a workspace the install reads. */
function rootFiles(pm: PackageManagerSpec): string[] {
  return ['package.json', pm.lockfile, ...(pm.name === 'pnpm' ? ['pnpm-workspace.yaml'] : [])];
}

/** The runtime files of an internal package: its `files`, else the top-level folder of `main`, else index.js. */
function packageFiles(pkg: PackageJson & { files?: unknown }): string[] {
  const files = Array.isArray(pkg.files) ? pkg.files.filter((f): f is string => typeof f === 'string') : [];
  const plain = files.map((f) => normalizePath(f.replace(/\/\*\*?(\/\*)?$/, ''))).filter((f) => isRelativePath(f) && !/[*?[]/.test(f));
  if (plain.length > 0 && plain.length === files.length) return [...new Set(plain)];
  const main = typeof pkg.main === 'string' && isRelativePath(normalizePath(pkg.main)) ? normalizePath(pkg.main) : 'index.js';
  return [main.split('/')[0]];
}

/**
 * Resolves a workspace app. `build` and `files` are relative to the app's folder; the copies'
 * destinations mirror the repository layout under the workdir.
 */
export function resolveWorkspaceApp(input: {
  readonly facts: WorkspaceFacts;
  readonly pm: PackageManagerSpec;
  readonly workdir: string;
  readonly build?: { readonly script: string; readonly outDir: string };
  readonly files: readonly string[];
}): WorkspaceResolution | undefined {
  const { facts, pm, workdir, build } = input;
  const ws = facts.workspace;
  const app = ws ? findPackage(ws, facts.appPath) : undefined;
  if (!ws || !app) return undefined;
  const buildClosure = internalClosure(ws, app);
  const runtimeClosure = internalClosure(ws, app, true);
  const root = [...rootFiles(pm), ...facts.rootLocalPackages];
  const manifests = [...root, ...ws.packages.map((p) => `${p.dir}/package.json`)];
  const prodManifests = [...root, `${app.dir}/package.json`, ...runtimeClosure.map((p) => `${p.dir}/package.json`)];
  const deletePrepareIn = (dirs: string[]) => ['npm pkg delete scripts.prepare', ...dirs.map((d) => `npm pkg delete scripts.prepare --prefix ${d}`)].join(' && ');
  const deletePrepare = deletePrepareIn(ws.packages.map((p) => p.dir));
  const deletePrepareProd = deletePrepareIn([app.dir, ...runtimeClosure.map((p) => p.dir)]);
  const builds = [
    ...buildClosure.map((p) => internalBuild(pm, p)),
    ...(build ? [appBuild(pm, app, build.script)] : []),
  ];
  const copies: RuntimeCopy[] = [];
  let stages: WorkspaceStages;
  const base = { appDir: app.dir, appName: app.name, manifests, prodManifests, deletePrepare, deletePrepareProd, builds };
  if (pm.name === 'pnpm') {
    copies.push({ src: `${workdir}/${DEPLOY_DIR}/node_modules`, dest: `${app.dir}/node_modules`, from: 'prod-deps' });
    stages = {
      ...base,
      dependencyDirs: [],
      deploy: `rm -rf ${DEPLOY_DIR} && pnpm --filter ${shellWord(app.name)} deploy --prod --legacy --frozen-lockfile --store-dir ${pm.cacheDir} ${DEPLOY_DIR}`,
    };
  } else {
    const dirs = ['node_modules', `${app.dir}/node_modules`, ...runtimeClosure.map((p) => `${p.dir}/node_modules`)];
    for (const d of dirs) copies.push({ src: `${workdir}/${d}`, dest: d, from: 'prod-deps' });
    for (const p of runtimeClosure) {
      copies.push({ src: `${p.dir}/package.json`, dest: `${p.dir}/package.json` });
      for (const f of packageFiles(p.pkg)) copies.push({ src: `${workdir}/${p.dir}/${f}`, dest: `${p.dir}/${f}`, from: 'build' });
    }
    stages = {
      ...base,
      dependencyDirs: dirs,
      installProd: `npm ci --omit=dev --workspace ${app.dir} --no-audit --no-fund`,
    };
  }
  copies.push({ src: `${app.dir}/package.json`, dest: `${app.dir}/package.json` });
  if (build) copies.push({ src: `${workdir}/${app.dir}/${build.outDir}`, dest: `${app.dir}/${build.outDir}`, from: 'build' });
  for (const f of input.files) copies.push({ src: `${app.dir}/${f}`, dest: `${app.dir}/${f}` });
  return { copies, installFiles: manifests, stages, internalPackages: runtimeClosure.map((p) => p.dir) };
}

function internalBuild(pm: PackageManagerSpec, p: WorkspacePackage): string {
  return pm.name === 'pnpm'
    ? `pnpm --filter ${shellWord(p.name)} run --if-present build`
    : `npm run build --workspace ${p.dir} --if-present`;
}

function appBuild(pm: PackageManagerSpec, app: WorkspacePackage, script: string): string {
  return pm.name === 'pnpm' ? `pnpm --filter ${shellWord(app.name)} run ${script}` : `npm run ${script} --workspace ${app.dir}`;
}

/** A package name as one shell word (names are `@scope/name` with URL-safe characters; anything else is quoted). */
function shellWord(s: string): string {
  return /^[A-Za-z0-9@/._-]+$/.test(s) ? s : `'${s.replace(/'/g, '\'\\\'\'')}'`;
}

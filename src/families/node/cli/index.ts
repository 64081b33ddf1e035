/**
 * The Node.js family's CLI side: detection (a package.json), adoption inference (of a project, and
 * of a workspace root's apps: ./workspace.ts), its settings (`--node-version`, `--package-manager`),
 * the new-project sample and the install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackageJson, inferProject, readPackageJson } from './infer';
import { catalogLineOf } from './node-version';
import { NEW_PROJECT_VERSION, definitionDevDeps, newProjectFiles, toolVersions } from './scaffold';
import { adoptWorkspace } from './workspace';
import { DETECTION_STRENGTH, type Adoption, type FamilyCli, type FamilyDefinition, type Tooling, type Setting } from '../../../contract/family-cli';
import { CliError, badFlag } from '../../../contract/family-cli';
import { exec } from '../../../util/exec';
import { writeDevDependencies } from '../../kit/projen-tooling';
import { runtimeLineSetting } from '../../kit/runtime-line';
import { DEFAULT_NODE_VERSION, nodeVersions } from '../catalog';
import { PackageManagerName, findPackageManager, packageManagerNames, isYarnBerry, parsePackageManagerField } from '../package-managers';

export { NEW_PROJECT_VERSION } from './scaffold';

const quoteAll = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

/** A catalog Node.js line from `24`, `v24`, `24.x`, `24.3.1`. */
export function checkNodeVersion(value: string, label = '--node-version'): string {
  const line = catalogLineOf(value);
  if (!line) throw badFlag(label, value, `one of ${quoteAll(nodeVersions())} (the Node.js lines with distroless runtime images)`);
  return line;
}

/** A known package manager. */
export function checkPackageManager(value: string, label = '--package-manager'): PackageManagerName {
  const names = packageManagerNames();
  if (!(names as string[]).includes(value)) throw badFlag(label, value, `one of ${quoteAll(names)}`);
  return value as PackageManagerName;
}

/** The package manager that ran the command (`pnpm create msb-app`, `yarn create msb-app`). */
export function userAgentPackageManager(userAgent: string | undefined): PackageManagerName | undefined {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return name && (packageManagerNames() as string[]).includes(name) ? (name as PackageManagerName) : undefined;
}

const SETTINGS: readonly Setting[] = [
  runtimeLineSetting({
    key: 'nodeVersion',
    flag: 'node-version',
    message: 'Node.js version',
    lines: nodeVersions,
    defaultLine: DEFAULT_NODE_VERSION,
    defaultHint: '(default, LTS)',
    check: checkNodeVersion,
    blocked: (m) => ({
      note: `${m.from} says ${JSON.stringify(m.value)}, which has no runtime image`,
      error: `The project asks for Node.js ${JSON.stringify(m.value)} (${m.from}), which matches none of the Node.js lines with distroless runtime images: ` +
        `${quoteAll(nodeVersions())}. Pass --node-version to choose one (or update ${m.from}).`,
    }),
  }),
  {
    key: 'packageManager',
    flag: 'package-manager',
    prompt: { type: 'select', message: 'Package manager', choices: () => packageManagerNames().map((n) => ({ name: n })) },
    infer: (ctx) => ctx.adoption?.inferred.packageManager?.value as string | undefined,
    default: (ctx) => userAgentPackageManager(ctx.userAgent) ?? packageManagerNames()[0],
    validate: (text, ctx, label) => {
      const pm = checkPackageManager(text, label);
      if (ctx.mode === 'adopt') checkLockfile(ctx.dir, pm, `${label} ${pm}`);
      return pm;
    },
  },
];

/** The lockfiles in `dir`, by the package manager that writes them. */
function lockfilesIn(dir: string): { name: PackageManagerName; lockfile: string }[] {
  const out = packageManagerNames()
    .map((name) => ({ name, lockfile: findPackageManager(name)!.lockfile }))
    .filter((l) => fs.existsSync(path.join(dir, l.lockfile)));
  if (fs.existsSync(path.join(dir, 'npm-shrinkwrap.json')) && !out.some((l) => l.name === 'npm')) out.push({ name: 'npm', lockfile: 'npm-shrinkwrap.json' });
  return out;
}

/** A lockfile of another manager than `chosen` (and none of its own) is an error naming both. */
function checkLockfile(dir: string, chosen: string, by: string): void {
  const locks = lockfilesIn(dir);
  if (locks.length === 0 || locks.some((l) => l.name === chosen)) return;
  const found = locks.map((l) => `${l.lockfile} (${l.name})`).join(', ');
  throw new CliError(
    `${by} says ${chosen}, but the project's lockfile is ${found}: the image installs exactly what ${findPackageManager(chosen)?.lockfile ?? 'its lockfile'} locks. ` +
    `Use ${locks[0].name} (--package-manager ${locks[0].name}), or run ${chosen} install to write ${findPackageManager(chosen)?.lockfile} and remove ${locks.map((l) => l.lockfile).join(', ')}.`,
  );
}

/** Yarn Berry works with the node-modules linker; Plug'n'Play has no node_modules for the image to copy. */
function checkYarnBerry(dir: string, pkg: PackageJson): void {
  const declared = parsePackageManagerField(pkg.packageManager);
  const lockText = fs.existsSync(path.join(dir, 'yarn.lock')) ? fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8').slice(0, 4096) : '';
  const berryLock = /^__metadata:/m.test(lockText);
  if (declared?.name === 'yarn' && !isYarnBerry(declared.version) && berryLock) {
    throw new CliError(`package.json "packageManager" says yarn@${declared.version} (Yarn 1), but yarn.lock was written by Yarn 2 or later: set "packageManager" to the Yarn that wrote it (e.g. run corepack use yarn@4).`);
  }
  if (!(declared?.name === 'yarn' && isYarnBerry(declared.version)) && !berryLock) return;
  if (!declared || declared.name !== 'yarn') {
    throw new CliError('yarn.lock was written by Yarn 2 or later, and package.json has no "packageManager" saying which: add "packageManager": "yarn@<version>" (e.g. run corepack use yarn@4) so the image installs the same Yarn.');
  }
  const rc = path.join(dir, '.yarnrc.yml');
  const text = fs.existsSync(rc) ? fs.readFileSync(rc, 'utf8') : '';
  const linker = /^nodeLinker:\s*["']?([\w-]+)["']?\s*$/m.exec(text)?.[1];
  if (linker !== 'node-modules') {
    throw new CliError(
      `Yarn ${declared.version} with ${linker ? `nodeLinker: ${linker}` : 'Plug\'n\'Play (the default linker)'} is not supported: the runtime image copies node_modules. ` +
      `Set nodeLinker: node-modules in .yarnrc.yml${fs.existsSync(rc) ? '' : ' (create the file)'}, run yarn install, and run the command again.`,
    );
  }
}

function adopt(dir: string): Adoption {
  const pkg = readPackageJson(dir)!;
  checkYarnBerry(dir, pkg);
  const declaredPm = parsePackageManagerField(pkg.packageManager);
  if (declaredPm && findPackageManager(declaredPm.name)) checkLockfile(dir, declaredPm.name, `package.json "packageManager" (${pkg.packageManager})`);
  const f = inferProject(dir, pkg);
  const rows: Adoption['rows'] = [
    ['name', f.name?.value, f.name?.from],
    ['package manager', f.packageManager?.value, f.packageManager?.from],
    ['Node.js', f.nodeVersion?.value ?? (f.nodeVersionMismatch ? `${f.nodeVersionMismatch.value} (no runtime image)` : undefined), f.nodeVersion?.from ?? f.nodeVersionMismatch?.from],
    ...(f.framework ? [['framework', f.framework.value, f.framework.from] as const] : []),
    ['build', f.build ? `${f.build.value.script} -> ${f.build.value.outDir}/` : 'none (runs its sources)', f.build?.from],
    ['entrypoint', f.entrypoint?.value, f.entrypoint?.from],
    ['runtime files', f.build ? `${f.build.value.outDir}/ (the build output)` : f.files?.value.join(', '), f.build ? undefined : f.files?.from],
    ['port', f.port ? String(f.port.value) : undefined, f.port?.from],
    ...(f.healthPath ? [['health path', f.healthPath.value, f.healthPath.from] as const] : []),
  ];
  const why = f.notes.find((n) => n.startsWith('start script runs'));
  return {
    name: f.name,
    version: f.version,
    inferred: { nodeVersion: f.nodeVersion, packageManager: f.packageManager, port: f.port, healthPath: f.healthPath },
    mismatch: { nodeVersion: f.nodeVersionMismatch },
    build: f.build,
    entrypoint: f.entrypoint,
    files: f.files,
    rows,
    notes: f.notes,
    warnings: f.warnings,
    runtimeProps: {
      ...(f.args && f.args.length > 0 ? { args: f.args } : {}),
      ...(f.nextStandalone ? { nextStandalone: true } : {}),
    },
    env: f.env,
    unsureEntrypoint: f.unsure ? { reason: f.unsure.reason, choices: f.unsure.choices } : undefined,
    noEntrypoint:
      'Cannot tell how the app starts: package.json has no "main" and no "start" script of the form "node <file>" naming a file in the project, and there is no index.js' +
      `${why ? ` (${why.replace(/:.*$/, '')})` : ''}. Add a "start" script (e.g. "node server.js") and run the command again.`,
  };
}

/** Dev dependencies an adopted project lacks (existing entries are never changed). */
function devDepsToAdd(dir: string, def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  const pkg: PackageJson = readPackageJson(dir) ?? {};
  const have = { ...pkg.dependencies, ...pkg.devDependencies };
  const wanted = definitionDevDeps(toolVersions(def, tooling), def);
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => have[name] === undefined));
}

/** The Node.js family, as the CLI sees it. */
export const nodeCli = {
  name: 'node',
  label: 'Node.js',
  // A package.json is the weakest claim: another family's project has one for projen's tooling.
  detect: (dir) => (fs.existsSync(path.join(dir, 'package.json')) ? { strength: DETECTION_STRENGTH.nodeManifest, from: 'package.json' } : undefined),
  newProjectVersion: NEW_PROJECT_VERSION,
  options: {
    'node-version': { type: 'string', value: '<major>', description: `Node.js line: ${nodeVersions().join(', ')}`, default: `${DEFAULT_NODE_VERSION}, or inferred` },
    'package-manager': { type: 'string', short: 'p', value: '<pm>', description: packageManagerNames().join(', '), default: `inferred from the lockfile, else ${packageManagerNames()[0]}` },
  },
  settings: SETTINGS,
  adopt,
  adoptWorkspace,
  workspaceManifests: 'package.json "workspaces" or pnpm-workspace.yaml',
  runtimeProps: (runtime) => ({
    props: { nodeVersion: runtime.nodeVersion, packageManager: runtime.packageManager },
    comment: [
      `Builder image node:${runtime.nodeVersion}-trixie, runtime image distroless nodejs${runtime.nodeVersion}; dependencies install`,
      `from the ${runtime.packageManager} lockfile. Node.js lines: ${nodeVersions().map((v) => `'${v}'`).join(', ')}; package managers: ${packageManagerNames().map((v) => `'${v}'`).join(', ')}.`,
    ],
  }),
  defaultEntrypoint: (build) => (build ? `${build.outDir}/index.js` : 'index.js'),
  buildCommand: (runtime, script) => `${runtime.packageManager} run ${script}`,
  installer: (runtime) => runtime.packageManager,
  installCommand: (runtime) => `${runtime.packageManager} install`,
  newProjectFiles: (def, tooling) => newProjectFiles(def, toolVersions(def, tooling)),
  addDevDependencies: (dir, def, tooling) => (writeDevDependencies(dir, devDepsToAdd(dir, def, tooling)) ? 'package.json' : undefined),
  async install(dir, mode, def, tooling, options) {
    const pm = def.runtime.packageManager as PackageManagerName;
    const add = mode === 'adopt' ? devDepsToAdd(dir, def, tooling) : {};
    const specs = Object.entries(add).map(([name, spec]) => `${name}@${spec}`);
    const args: Record<PackageManagerName, string[]> = {
      npm: specs.length ? ['install', '--save-dev', '--no-audit', '--no-fund', ...specs] : ['install', '--no-audit', '--no-fund'],
      // At a pnpm workspace root, pnpm adds to the root's manifest only with --workspace-root.
      pnpm: specs.length ? ['add', '--save-dev', ...(fs.existsSync(path.join(dir, 'pnpm-workspace.yaml')) ? ['--workspace-root'] : []), ...specs] : ['install', '--no-frozen-lockfile'],
      yarn: specs.length ? ['add', '--dev', '--non-interactive', ...specs] : ['install', '--non-interactive'],
    };
    // Yarn Berry has no --non-interactive (it never prompts without a TTY).
    const declared = parsePackageManagerField(readPackageJson(dir)?.packageManager);
    if (pm === 'yarn' && declared?.name === 'yarn' && isYarnBerry(declared.version)) args.yarn = specs.length ? ['add', '--dev', ...specs] : ['install'];
    await exec(pm, args[pm], {
      cwd: dir,
      env: { ...(options.env ?? process.env), npm_config_update_notifier: 'false' },
      signal: options.signal,
      purpose: `install dependencies (install ${pm}, choose another with --package-manager, or pass --skip-install)`,
    });
    return specs.length > 0 ? 'package.json' : undefined;
  },
  installFolders: ['node_modules'],
  // npm and pnpm replace package folders (and pnpm links from its store); Yarn copies into existing files.
  updatesInstallInPlace: (runtime) => runtime.packageManager === 'npm' || runtime.packageManager === 'pnpm',
  alwaysCopied: 'package.json and node_modules',
} satisfies FamilyCli;

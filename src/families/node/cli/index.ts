/**
 * The Node.js family's CLI side: detection (a package.json), adoption inference, its settings
 * (`--node-version`, `--package-manager`), the new-project sample and the install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackageJson, inferProject, readPackageJson } from './infer';
import { catalogLineOf } from './node-version';
import { NEW_PROJECT_VERSION, definitionDevDeps, newProjectFiles, toolVersions } from './scaffold';
import { badFlag } from '../../../cli/errors';
import type { Setting } from '../../../cli/settings';
import { DEFAULT_NODE_VERSION, PackageManagerName, nodeVersions, packageManagerNames } from '../../../index';
import { exec } from '../../../util/exec';
import { DETECTION_STRENGTH, type Adoption, type FamilyCli, type FamilyDefinition, type Tooling } from '../../family-cli';
import { writeDevDependencies } from '../../projen-tooling';

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
  {
    key: 'nodeVersion',
    flag: 'node-version',
    prompt: {
      type: 'select',
      message: 'Node.js version',
      choices: () => nodeVersions().slice().reverse().map((v) => ({ name: v, hint: v === DEFAULT_NODE_VERSION ? '(default, LTS)' : undefined })),
    },
    infer: (ctx) => ctx.adoption?.inferred.nodeVersion?.value as string | undefined,
    default: () => DEFAULT_NODE_VERSION,
    validate: (text, _ctx, label) => checkNodeVersion(text, label),
    blocked: (ctx) => {
      const m = ctx.adoption?.mismatch?.nodeVersion;
      if (!m) return undefined;
      return {
        note: `${m.from} says ${JSON.stringify(m.value)}, which has no runtime image`,
        error: `The project asks for Node.js ${JSON.stringify(m.value)} (${m.from}), which matches none of the Node.js lines with distroless runtime images: ` +
          `${quoteAll(nodeVersions())}. Pass --node-version to choose one (or update ${m.from}).`,
      };
    },
  },
  {
    key: 'packageManager',
    flag: 'package-manager',
    prompt: { type: 'select', message: 'Package manager', choices: () => packageManagerNames().map((n) => ({ name: n })) },
    infer: (ctx) => ctx.adoption?.inferred.packageManager?.value as string | undefined,
    default: (ctx) => userAgentPackageManager(ctx.userAgent) ?? packageManagerNames()[0],
    validate: (text, _ctx, label) => checkPackageManager(text, label),
  },
];

function adopt(dir: string): Adoption {
  const pkg = readPackageJson(dir)!;
  const f = inferProject(dir, pkg);
  const rows: Adoption['rows'] = [
    ['name', f.name?.value, f.name?.from],
    ['package manager', f.packageManager?.value, f.packageManager?.from],
    ['Node.js', f.nodeVersion?.value ?? (f.nodeVersionMismatch ? `${f.nodeVersionMismatch.value} (no runtime image)` : undefined), f.nodeVersion?.from ?? f.nodeVersionMismatch?.from],
    ['build', f.build ? `${f.build.value.script} -> ${f.build.value.outDir}/` : 'none (runs its sources)', f.build?.from],
    ['entrypoint', f.entrypoint?.value, f.entrypoint?.from],
    ['runtime files', f.build ? `${f.build.value.outDir}/ (the build output)` : f.files?.value.join(', '), f.build ? undefined : f.files?.from],
    ['port', f.port ? String(f.port.value) : undefined, f.port?.from],
  ];
  const why = f.notes.find((n) => n.startsWith('start script runs'));
  return {
    name: f.name,
    version: f.version,
    inferred: { nodeVersion: f.nodeVersion, packageManager: f.packageManager, port: f.port },
    mismatch: { nodeVersion: f.nodeVersionMismatch },
    build: f.build,
    entrypoint: f.entrypoint,
    files: f.files,
    rows,
    notes: f.notes,
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
export const nodeCli: FamilyCli = {
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
      pnpm: specs.length ? ['add', '--save-dev', ...specs] : ['install', '--no-frozen-lockfile'],
      yarn: specs.length ? ['add', '--dev', '--non-interactive', ...specs] : ['install', '--non-interactive'],
    };
    await exec(pm, args[pm], {
      cwd: dir,
      env: { ...(options.env ?? process.env), npm_config_update_notifier: 'false' },
      signal: options.signal,
      purpose: `install dependencies (install ${pm}, choose another with --package-manager, or pass --skip-install)`,
    });
    return specs.length > 0 ? 'package.json' : undefined;
  },
  installFolders: ['node_modules'],
  alwaysCopied: 'package.json and node_modules',
};

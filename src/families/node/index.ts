/**
 * The Node.js family: distroless nodejs images, npm/pnpm/yarn installs from the lockfile, an optional
 * build script, production dependencies copied into the runtime image.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_NODE_VERSION, findNodeRuntime, nodeVersions } from './catalog';
import type { NodeRuntimeOptions } from './options';
import { PackageJson, fileDependencies, packageMetadata, readPackageJson } from './package-json';
import { PackageManagerSpec, findPackageManager, packageManagerNames } from './package-managers';
import { NODE_RUNTIME_POLICY } from './policy';
import { nodeVerifyProfile } from './verify';
import type { AppProps } from '../../app-props';
import { DEFAULTS } from '../../model/defaults';
import type { AppModel, RuntimeCopy } from '../../model/model';
import * as v from '../../validation';
import type { FamilyResolution, RuntimeFamily } from '../family';

/** Family defaults (the app-wide ones are in src/model/defaults.ts). */
export const NODE_DEFAULTS = {
  version: DEFAULT_NODE_VERSION,
  packageManager: 'npm',
  /** The package.json script and its output folder (in the defaults table: the CLI asks for them). */
  build: DEFAULTS.build,
  /** The entrypoint: this file in the build output, or at the root without a build. */
  entrypointFile: 'index.js',
} as const;

/** The folder installed dependencies live in (in the stages, never in the context). */
const DEPENDENCY_DIR = 'node_modules';

function options(props: AppProps): NodeRuntimeOptions {
  return (props.runtime ?? {}) as NodeRuntimeOptions;
}

/** Which field set the Node.js line (for messages), and its value. */
function versionOf(o: NodeRuntimeOptions): { field: string; value: unknown } {
  if (o.version !== undefined) return { field: 'runtime.version', value: o.version };
  return { field: 'runtime.nodeVersion', value: o.nodeVersion ?? DEFAULT_NODE_VERSION };
}

function packageManagerOf(model: AppModel): PackageManagerSpec {
  return findPackageManager(String(model.runtime.settings.packageManager))!;
}

export const nodeFamily: RuntimeFamily = {
  name: 'node',
  description: 'Node.js on distroless nodejs images (npm, pnpm or yarn)',

  readFacts: (dir: string): PackageJson | undefined => readPackageJson(dir),

  validate(props, _facts, p) {
    const o = options(props);
    const { field, value } = versionOf(o);
    p.check(findNodeRuntime(String(value)) !== undefined, field, value, `one of ${nodeVersions().map((x) => `"${x}"`).join(', ')}`);
    const pm = o.packageManager ?? NODE_DEFAULTS.packageManager;
    p.check(findPackageManager(pm) !== undefined, 'runtime.packageManager', pm, `one of ${packageManagerNames().map((x) => `"${x}"`).join(', ')}`);
  },

  resolve(props, facts): FamilyResolution {
    const pkg = facts as PackageJson | undefined;
    const o = options(props);
    const spec = findNodeRuntime(String(versionOf(o).value)) ?? findNodeRuntime(DEFAULT_NODE_VERSION)!;
    const pm = findPackageManager(o.packageManager ?? NODE_DEFAULTS.packageManager) ?? findPackageManager(NODE_DEFAULTS.packageManager)!;
    const build = props.build === false ? undefined : {
      script: props.build?.script ?? NODE_DEFAULTS.build.script,
      outDir: v.normalizePath(props.build?.outDir ?? NODE_DEFAULTS.build.outDir),
    };
    const entrypoint = v.normalizePath(props.entrypoint ?? (build ? `${build.outDir}/${NODE_DEFAULTS.entrypointFile}` : NODE_DEFAULTS.entrypointFile));
    const localPackages = fileDependencies(pkg).inside;
    const copies: RuntimeCopy[] = [{ src: 'package.json', dest: 'package.json' }];
    if (build) copies.push({ src: `${props.workdir}/${build.outDir}`, dest: build.outDir, from: 'build' });
    const files = props.files ?? (build ? [] : [topLevel(entrypoint)]);
    for (const f of files.map(v.normalizePath)) copies.push({ src: f, dest: f });
    return {
      version: spec.version,
      images: { builder: `${spec.builderImage}:${spec.builderTag}`, runtime: `${spec.runtimeImage}:${spec.runtimeTag}`, debug: `${spec.runtimeImage}:${spec.debugTag}` },
      debugTag: spec.debugTag,
      uid: spec.uid,
      gid: spec.gid,
      entrypoint,
      cmd: spec.cmd(entrypoint),
      build,
      installFiles: ['package.json', pm.lockfile, ...localPackages],
      copies,
      metadata: packageMetadata(pkg),
      settings: { packageManager: pm.name, lockfile: pm.lockfile, localPackages },
    };
  },

  validateModel(model, p) {
    const b = model.runtime.build;
    if (b) p.check(typeof b.script === 'string' && /^[A-Za-z0-9:_.-]+$/.test(b.script), 'build.script', b.script, 'a package.json script name such as "build"');
  },

  dockerfile: {
    stages: (model) => ['base', 'prod-deps', ...(model.runtime.build ? ['build'] : []), 'runtime'],
    copyFrom: () => ['prod-deps', 'build'],
    policy: () => NODE_RUNTIME_POLICY,
    roles: (model) => ({ dependencies: 'prod-deps', build: model.runtime.build ? 'build' : undefined }),
    context(model) {
      const pm = packageManagerOf(model);
      const localPackages = model.runtime.settings.localPackages as string[];
      return {
        pm: {
          name: pm.name,
          lockfile: pm.lockfile,
          installSpec: pm.installSpec,
          cacheDir: pm.cacheDir,
          installAll: pm.installAll,
          installProd: pm.installProd,
        },
        manifests: ['package.json', pm.lockfile],
        localPackages,
        build: model.runtime.build ? { ...model.runtime.build, command: pm.run(model.runtime.build.script) } : undefined,
      };
    },
  },

  dockerignore: {
    sections: [{
      comment: 'Dependencies are installed inside the build from the lockfile',
      patterns: [DEPENDENCY_DIR, `**/${DEPENDENCY_DIR}`, '.pnpm-store', '.yarn/cache', '**/npm-debug.log*', '**/yarn-error.log*'],
    }],
    dependencyDirs: [DEPENDENCY_DIR],
    secretFiles: ['**/.npmrc'],
  },

  buildWarnings(model, dir, missingCopies) {
    const pm = packageManagerOf(model);
    const out: string[] = [];
    if (!fs.existsSync(path.join(dir, pm.lockfile))) {
      out.push(`${pm.lockfile} not found: the image build copies it before the install (run ${pm.name} install)`);
    }
    out.push(...missingCopies);
    for (const spec of fileDependencies(readPackageJson(dir)).outside) {
      out.push(`dependency ${spec} lies outside the project: the image build (whose context is the project) cannot install it; copy it into the project (e.g. vendor/) and point package.json there`);
    }
    return out;
  },

  verify: nodeVerifyProfile,
};

/** Without a build, the entrypoint's top-level folder (or the file itself at the root) is copied. */
function topLevel(entrypoint: string): string {
  const first = entrypoint.split('/')[0];
  return first === entrypoint ? entrypoint : first;
}

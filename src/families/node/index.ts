/**
 * The Node.js family: distroless nodejs images, npm/pnpm/yarn installs from the lockfile, an optional
 * build script, production dependencies copied into the runtime image.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_NODE_VERSION, findNodeRuntime, nodeVersions } from './catalog';
import { PackageJson, fileDependencies, packageMetadata, readPackageJson } from './package-json';
import { PackageManagerName, findPackageManager, packageManagerNames, parsePackageManagerField, pinnedPackageManager } from './package-managers';
import { NODE_INIT_ENTRYPOINT, TRACED_STAGE_POLICY, nodeRuntimePolicy } from './policy';
import { SLIM_TRACER, TRACED_STAGE, TRACE_ROOT, slimSettings, traceScript, validateSlim, type SlimSettings } from './slim';
import { readWorkspace } from './workspace/detect';
import { WORKSPACE_PACKAGE_MANAGERS, type WorkspaceFacts, type WorkspaceStages, resolveWorkspaceApp } from './workspace/resolve';
import type { AppProps } from '../../contract/app-props';
import { DEFAULTS } from '../../contract/defaults';
import type { ExecHealthcheck, FamilyCi, FamilyResolution, PodEnvInput, RuntimeFamily } from '../../contract/family';
import type { AppModel, RuntimeCopy } from '../../contract/model';
import type { NodeRuntimeOptions } from '../../contract/options/node';
import { mergeRuntimeStagePolicies } from '../../dockerfile-policy';
import { mebibytes } from '../../k8s/quantity';
import * as v from '../../validation';

/** Family defaults (the app-wide ones are in src/model/defaults.ts). */
export const NODE_DEFAULTS = {
  version: DEFAULT_NODE_VERSION,
  packageManager: 'npm',
  /** The package.json script and its output folder (in the defaults table: the CLI asks for them). */
  build: DEFAULTS.build,
  /** The entrypoint: this file in the build output, or at the root without a build. */
  entrypointFile: 'index.js',
  /** Share of the memory limit for the V8 heap (`--max-old-space-size`), in percent. */
  heapPercent: 75,
  /** Highest share an explicit heap size may take: above it the pod is OOM-killed before V8 collects. */
  maxHeapPercent: 90,
  /** `runtime.init`: no init process; Node is PID 1 and must handle SIGTERM itself. */
  init: false,
  /** `image.healthcheck`: no HEALTHCHECK in the image (Kubernetes uses the probes). */
  healthcheck: false,
  /** The HEALTHCHECK's timing (docker's flags), when `image.healthcheck` is on. */
  healthcheckTiming: { interval: '30s', timeout: '5s', retries: 3 },
} as const;

/** `--max-old-space-size=N` (or `--max_old_space_size N`) in a NODE_OPTIONS value: N in MiB. */
const HEAP_FLAG = /(?:^|\s)--max[-_]old[-_]space[-_]size(?:=|\s+)(\S+)/;
/** `--max-old-space-size-percentage=N` (newer Node lines). */
const HEAP_PERCENT_FLAG = /(?:^|\s)--max[-_]old[-_]space[-_]size[-_]percentage(?:=|\s+)(\S+)/;

/** The user's NODE_OPTIONS: the Deployment's own, else the image's. */
function userNodeOptions(imageEnv: Readonly<Record<string, string>>, podEnv: Readonly<Record<string, string>>): { field: string; value?: string } {
  if (Object.prototype.hasOwnProperty.call(podEnv, 'NODE_OPTIONS')) return { field: 'kubernetes.env.NODE_OPTIONS', value: podEnv.NODE_OPTIONS };
  if (Object.prototype.hasOwnProperty.call(imageEnv, 'NODE_OPTIONS')) return { field: 'env.NODE_OPTIONS', value: imageEnv.NODE_OPTIONS };
  return { field: 'kubernetes.env.NODE_OPTIONS' };
}

/** The heap size in MiB for a memory limit and share; undefined when the limit is not a quantity. */
export function heapMiB(memoryLimit: string, percent: number): number | undefined {
  const limit = mebibytes(memoryLimit);
  return limit === undefined ? undefined : Math.floor((limit * percent) / 100);
}

/** Next.js `output: 'standalone'`: its server and what it needs (see `runtime.nextStandalone`). */
export const NEXT_STANDALONE = {
  entrypoint: '.next/standalone/server.js',
  /** server.js binds to HOSTNAME, which a container sets to its own name: bind to every interface. */
  env: { HOSTNAME: '0.0.0.0' },
} as const;

function heapEnv({ runtime, imageEnv, podEnv, memoryLimit }: PodEnvInput): Record<string, string> {
  const percent = Number(runtime.settings.heapPercent);
  const heap = heapMiB(memoryLimit, percent);
  if (heap === undefined || heap < 1) return {};
  const own = userNodeOptions(imageEnv, podEnv).value;
  // The user's own heap setting wins (validation checks it); otherwise ours is appended to theirs.
  if (own !== undefined && (HEAP_FLAG.test(own) || HEAP_PERCENT_FLAG.test(own))) return { NODE_OPTIONS: own };
  const flag = `--max-old-space-size=${heap}`;
  return { NODE_OPTIONS: own !== undefined && own.trim() !== '' ? `${own} ${flag}` : flag };
}

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

function slimOf(model: AppModel): SlimSettings | undefined {
  return model.runtime.settings.slim as SlimSettings | undefined;
}

function packageManagerOf(model: AppModel): ReturnType<typeof pinnedPackageManager> {
  const version = model.runtime.settings.packageManagerVersion;
  return pinnedPackageManager(model.runtime.settings.packageManager as PackageManagerName, typeof version === 'string' ? version : undefined);
}

export const nodeFamily: RuntimeFamily = {
  name: 'node',
  description: 'Node.js on distroless nodejs images (npm, pnpm or yarn)',
  slim: true,

  readFacts: (dir: string, appPath?: string): PackageJson | undefined => {
    if (appPath === undefined) return readPackageJson(dir);
    // A workspace app: its own package.json, and the workspace it lies in (read once, here).
    const pkg = readPackageJson(path.join(dir, appPath)) ?? {};
    const facts: WorkspaceFacts = {
      workspace: readWorkspace(dir),
      appPath: v.normalizePath(appPath),
      rootLocalPackages: fileDependencies(readPackageJson(dir)).inside,
    };
    return Object.assign(Object.create(null) as PackageJson, pkg, { [WORKSPACE]: facts });
  },

  validate(props, facts, p) {
    const o = options(props);
    const { field, value } = versionOf(o);
    p.check(findNodeRuntime(String(value)) !== undefined, field, value, `one of ${nodeVersions().map((x) => `"${x}"`).join(', ')}`);
    const pm = o.packageManager ?? NODE_DEFAULTS.packageManager;
    p.check(findPackageManager(pm) !== undefined, 'runtime.packageManager', pm, `one of ${packageManagerNames().map((x) => `"${x}"`).join(', ')}`);
    const ws = workspaceFacts(facts);
    if (ws && props.path !== undefined && v.isRelativePath(props.path)) {
      const names = WORKSPACE_PACKAGE_MANAGERS.map((x) => `"${x}"`).join(' or ');
      if (findPackageManager(pm) !== undefined) p.check((WORKSPACE_PACKAGE_MANAGERS as readonly string[]).includes(pm), 'runtime.packageManager', pm, `${names} for an App in a workspace (path "${props.path}"): yarn workspaces are not supported yet`);
      if (!ws.workspace) {
        p.add('path', props.path, 'the folder of a package in a workspace, but the project root declares none (package.json "workspaces" or pnpm-workspace.yaml)');
      } else {
        const dirs = ws.workspace.packages.map((x) => x.dir);
        p.check(dirs.includes(ws.appPath), 'path', props.path, `the folder of one of the workspace's packages: ${dirs.map((d) => `"${d}"`).join(', ') || '(none found)'}`);
        const expectedPm = ws.workspace.kind === 'pnpm' ? 'pnpm' : 'npm';
        if ((WORKSPACE_PACKAGE_MANAGERS as readonly string[]).includes(pm)) {
          p.check(pm === expectedPm, 'runtime.packageManager', pm, `"${expectedPm}": the workspace is declared in ${ws.workspace.kind === 'pnpm' ? 'pnpm-workspace.yaml' : 'package.json "workspaces"'}`);
        }
      }
    }
    if (o.heapPercent !== undefined) {
      p.check(Number.isInteger(o.heapPercent) && o.heapPercent >= 10 && o.heapPercent <= NODE_DEFAULTS.maxHeapPercent, 'runtime.heapPercent', o.heapPercent, `a whole percentage from 10 to ${NODE_DEFAULTS.maxHeapPercent}`);
    }
    validateSlim(props, p);
    if (o.nextStandalone === true && props.slim !== undefined && props.slim !== false) p.add('slim', props.slim, 'false with runtime.nextStandalone: Next.js\'s standalone output is already traced (its server.js carries the node_modules it loads)');
    if (ws && props.slim !== undefined && props.slim !== false) p.add('slim', props.slim, `false for an App in a workspace (path "${props.path}"): slim images of workspace apps are not supported yet`);
    if (o.init !== undefined) p.check(typeof o.init === 'boolean', 'runtime.init', o.init, 'true (tini as PID 1, forwarding SIGTERM) or false');
    const hc = props.image?.healthcheck;
    if (hc !== undefined) {
      p.check(typeof hc === 'boolean', 'image.healthcheck', hc, 'true (an exec-form HEALTHCHECK with Node\'s fetch) or false');
      if (hc === true) p.check(props.healthCheckPath !== false, 'image.healthcheck', hc, 'false while healthCheckPath is false: the HEALTHCHECK fetches the health path over HTTP, and TCP probes have none; set healthCheckPath (e.g. "/healthz") or leave image.healthcheck out');
    }
    const limitValue = props.kubernetes?.resources?.memoryLimit ?? DEFAULTS.kubernetes.resources.memoryLimit;
    const limit = mebibytes(limitValue);
    const user = userNodeOptions(props.env ?? {}, props.kubernetes?.env ?? {});
    if (typeof user.value === 'string' && limit !== undefined) {
      const own = user.value;
      const max = Math.floor((limit * NODE_DEFAULTS.maxHeapPercent) / 100);
      const heap = HEAP_FLAG.exec(own)?.[1];
      if (heap !== undefined) {
        const n = Number(heap);
        p.check(/^[0-9]+$/.test(heap) && n <= max, user.field, own, `--max-old-space-size at most ${max} (MiB, ${NODE_DEFAULTS.maxHeapPercent}% of kubernetes.resources.memoryLimit ${limitValue}): the heap needs room below the limit, or the pod is OOM-killed before V8 collects; leave it out to get ${heapMiB(limitValue, o.heapPercent ?? NODE_DEFAULTS.heapPercent)} (runtime.heapPercent)`);
      }
      const pct = HEAP_PERCENT_FLAG.exec(own)?.[1];
      if (pct !== undefined) p.check(Number(pct) > 0 && Number(pct) <= NODE_DEFAULTS.maxHeapPercent, user.field, own, `--max-old-space-size-percentage at most ${NODE_DEFAULTS.maxHeapPercent}`);
    }
  },

  podEnv(input): Record<string, string> {
    // Next.js standalone binds to HOSTNAME, which the container runtime may set to the pod's name:
    // the Deployment states it too (the definition's own kubernetes.env wins).
    const standalone = input.runtime.settings.nextStandalone === true && input.podEnv.HOSTNAME === undefined;
    const next: Record<string, string> = standalone ? { HOSTNAME: NEXT_STANDALONE.env.HOSTNAME } : {};
    return { ...next, ...heapEnv(input) };
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
    const standalone = o.nextStandalone === true && build !== undefined;
    const entrypoint = v.normalizePath(props.entrypoint ?? (standalone ? NEXT_STANDALONE.entrypoint : build ? `${build.outDir}/${NODE_DEFAULTS.entrypointFile}` : NODE_DEFAULTS.entrypointFile));
    // what the catalog line decides, the same for a workspace app
    const line = {
      version: spec.version,
      images: { builder: `${spec.builderImage}:${spec.builderTag}`, runtime: `${spec.runtimeImage}:${spec.runtimeTag}`, debug: `${spec.runtimeImage}:${spec.debugTag}` },
      platforms: spec.platforms,
      debugTag: spec.debugTag,
      uid: spec.uid,
      gid: spec.gid,
    };
    const ws = workspaceFacts(facts);
    const appFiles = (props.files ?? (build ? [] : [topLevel(entrypoint)])).map(v.normalizePath);
    const workspace = ws ? resolveWorkspaceApp({ facts: ws, pm, workdir: String(props.workdir), build, files: appFiles }) : undefined;
    if (ws && workspace) {
      return {
        ...line,
        entrypoint: `${ws.appPath}/${entrypoint}`,
        cmd: spec.cmd(`${ws.appPath}/${entrypoint}`),
        build: build ? { script: build.script, outDir: `${ws.appPath}/${build.outDir}` } : undefined,
        installFiles: workspace.installFiles,
        copies: workspace.copies,
        metadata: packageMetadata(pkg),
        settings: {
          packageManager: pm.name,
          lockfile: pm.lockfile,
          localPackages: [],
          workspace: workspace.stages,
          internalPackages: workspace.internalPackages,
          heapPercent: validHeapPercent(o.heapPercent),
          ...(o.init === true ? { init: true } : {}),
          ...(props.image?.healthcheck === true && props.healthCheckPath !== false ? { healthcheck: true } : {}),
        },
      };
    }
    const localPackages = fileDependencies(pkg).inside;
    // package.json "packageManager" pins the version the builder installs (when it names this manager).
    const declared = parsePackageManagerField(pkg?.packageManager);
    const pinned = pinnedPackageManager(pm.name, declared?.name === pm.name ? declared.version : undefined);
    const copies: RuntimeCopy[] = [{ src: 'package.json', dest: 'package.json' }];
    if (standalone) {
      // Next.js's own layout: server.js reads .next/static and public next to itself.
      copies.push({ src: `${props.workdir}/${build.outDir}/standalone`, dest: `${build.outDir}/standalone`, from: 'build' });
      copies.push({ src: `${props.workdir}/${build.outDir}/static`, dest: `${build.outDir}/standalone/.next/static`, from: 'build' });
      copies.push({ src: `${props.workdir}/public`, dest: `${build.outDir}/standalone/public`, from: 'build' });
    } else if (build) {
      copies.push({ src: `${props.workdir}/${build.outDir}`, dest: build.outDir, from: 'build' });
    }
    const files = props.files ?? (build ? [] : [topLevel(entrypoint)]);
    const slim = slimSettings(props);
    // One copy per destination: package.json is always copied, and a file listed twice is copied once.
    for (const f of files.map(v.normalizePath)) {
      if (!copies.some((c) => c.dest === f)) copies.push({ src: f, dest: f });
    }
    return {
      ...line,
      entrypoint,
      cmd: [...spec.cmd(entrypoint), ...(o.args ?? [])],
      build,
      installFiles: ['package.json', pm.lockfile, ...pinned.extraManifests, ...localPackages],
      copies,
      metadata: packageMetadata(pkg),
      dependencyDir: DEPENDENCY_DIR,
      ...(standalone ? { env: { ...NEXT_STANDALONE.env }, writablePaths: [`${build.outDir}/standalone/.next/cache`] } : {}),
      settings: {
        packageManager: pm.name,
        lockfile: pm.lockfile,
        // recorded only when pinned, so a project without "packageManager" records what it always did
        ...(pinned.version ? { packageManagerVersion: pinned.version } : {}),
        localPackages,
        heapPercent: validHeapPercent(o.heapPercent),
        ...(standalone ? { nextStandalone: true } : {}),
        // recorded only when on, so a definition without them records what it always did
        ...(o.init === true ? { init: true } : {}),
        ...(props.image?.healthcheck === true && props.healthCheckPath !== false ? { healthcheck: true } : {}),
        ...(slim ? { slim } : {}),
      },
    };
  },

  healthcheck: execHealthcheck,

  validateModel(model, p) {
    const b = model.runtime.build;
    if (b) p.check(typeof b.script === 'string' && /^[A-Za-z0-9:_.-]+$/.test(b.script), 'build.script', b.script, 'a package.json script name such as "build"');
  },

  dockerfile: {
    // With runtime.init and no build script, a `build` stage still holds tini (the stage the policy names).
    stages: (model) => (model.runtime.settings.workspace
      ? ['base', 'build', 'prod-deps', 'runtime']
      : ['base', 'prod-deps', ...(model.runtime.build || model.runtime.settings.init === true ? ['build'] : []), ...(slimOf(model) ? [TRACED_STAGE] : []), 'runtime']),
    copyFrom: (model) => ['prod-deps', 'build', ...(slimOf(model) ? [TRACED_STAGE] : [])],
    policy(model) {
      const own = nodeRuntimePolicy({ init: model.runtime.settings.init === true, healthcheck: model.runtime.settings.healthcheck === true });
      return slimOf(model) ? mergeRuntimeStagePolicies(own, TRACED_STAGE_POLICY) : own;
    },
    exec: (model) => (model.runtime.settings.init === true
      ? { entrypoint: NODE_INIT_ENTRYPOINT, cmd: model.runtime.cmd }
      : { cmd: model.runtime.cmd }),
    roles: (model) => ({
      dependencies: 'prod-deps',
      build: model.runtime.build || model.runtime.settings.workspace ? 'build' : undefined,
      traced: slimOf(model) ? TRACED_STAGE : undefined,
    }),
    context(model) {
      const pm = packageManagerOf(model);
      const localPackages = model.runtime.settings.localPackages as string[];
      return {
        pm: {
          name: pm.name,
          lockfile: pm.lockfile,
          installSpec: pm.installSpec,
          forceInstall: pm.forceInstall,
          cacheDir: pm.cacheDir,
          installAll: pm.installAll,
          installProd: pm.installProd,
        },
        manifests: ['package.json', pm.lockfile, ...pm.extraManifests],
        localPackages,
        workspace: model.runtime.settings.workspace as WorkspaceStages | undefined,
        // Next.js standalone: an app without public/ still gets the folder the runtime stage copies.
        build: model.runtime.build ? { ...model.runtime.build, command: `${pm.run(model.runtime.build.script)}${model.runtime.settings.nextStandalone === true ? ' && mkdir -p public' : ''}` } : undefined,
        // Next.js standalone carries the node_modules its server traced: the full production install is not copied.
        standalone: model.runtime.settings.nextStandalone === true,
        init: model.runtime.settings.init === true ? { entrypoint: NODE_INIT_ENTRYPOINT } : undefined,
        depsStage: slimOf(model) ? TRACED_STAGE : 'prod-deps',
        slim: slimContext(model),
        healthcheck: model.runtime.settings.healthcheck === true ? execHealthcheck(model) : undefined,
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


  ci(model, facts): FamilyCi {
    const pm = packageManagerOf(model);
    const test = (facts as PackageJson | undefined)?.scripts?.test;
    // npm init's placeholder ("echo \"Error: no test specified\" && exit 1") is no test
    const hasTest = typeof test === 'string' && !/no test specified/.test(test);
    const installPm = pm.installSpec ? [`npm install -g ${pm.forceInstall ? '--force ' : ''}--no-audit --no-fund ${pm.installSpec}`] : [];
    return {
      toolchains: { node: model.runtime.version },
      // create-msb-app is a dev dependency of the project: this install brings the tooling too
      install: [...installPm, pm.ciInstall],
      test: hasTest ? [pm.run('test')] : [],
      ...(hasTest ? {} : { note: 'package.json has no "test" script' }),
    };
  },
};

/** What the `traced` stage's partial reads; `undefined` without slim. */
function slimContext(model: AppModel): Record<string, unknown> | undefined {
  const slim = slimOf(model);
  if (!slim) return undefined;
  const script = traceScript(model.workdir);
  return {
    tracer: `${SLIM_TRACER.package}@${SLIM_TRACER.version}`,
    prefix: SLIM_TRACER.prefix,
    root: `${TRACE_ROOT}${model.workdir}`,
    copies: model.copies,
    // exec form: the entrypoint and the include paths reach the script as arguments, never through a shell
    run: ['node', '-e', script.join(' '), model.runtime.entrypoint, ...slim.include],
  };
}

/** The exec-form health check of an HTTP health path (the image's HEALTHCHECK and compose's); none for TCP probes. */
function execHealthcheck(model: AppModel): ExecHealthcheck | undefined {
  if (model.healthCheckPath === undefined) return undefined;
  const { periodSeconds, failureThreshold } = model.kubernetes.startupProbe;
  return { ...NODE_DEFAULTS.healthcheckTiming, startPeriod: `${periodSeconds * failureThreshold}s`, cmd: healthcheckCommand(model.healthCheckPath) };
}

/**
 * The HEALTHCHECK's command in exec form: Node's own fetch of the health path on PORT (no shell,
 * no curl); exit 0 on a 2xx answer, 1 otherwise.
 */
export function healthcheckCommand(healthPath: string): string[] {
  const literal = `'${healthPath.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return ['/nodejs/bin/node', '-e', `fetch('http://127.0.0.1:'+process.env.PORT+${literal}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}

function validHeapPercent(x: unknown): number {
  return Number.isInteger(x) && (x as number) >= 10 && (x as number) <= NODE_DEFAULTS.maxHeapPercent ? (x as number) : NODE_DEFAULTS.heapPercent;
}

/** Where readFacts keeps the workspace of a workspace app (not a package.json field). */
const WORKSPACE = Symbol('workspace');

function workspaceFacts(facts: unknown): WorkspaceFacts | undefined {
  return facts && typeof facts === 'object' ? (facts as Record<symbol, WorkspaceFacts | undefined>)[WORKSPACE] : undefined;
}

/** Without a build, the entrypoint's top-level folder (or the file itself at the root) is copied. */
function topLevel(entrypoint: string): string {
  const first = entrypoint.split('/')[0];
  return first === entrypoint ? entrypoint : first;
}

/**
 * The Node.js family's verify profile: npm, pnpm, yarn and corepack must not be in the runtime
 * image; its node_modules holds no devDependencies; with a build it holds no TypeScript sources;
 * no tests. What the runtime image needs is the prod-deps stage's node_modules, package.json and
 * what the runtime stage copies; the dependency layer is the lockfile install. The uid can be
 * printed with the image's own `node`.
 */
import * as path from 'node:path';
import type { NodeVerifyFacts } from './facts';
import { renderNodeSingleStage } from './single-stage';

export type { NodeVerifyFacts };
import type {
  DependencyInstall, FamilyFacts, ForbiddenExecutable, NotApplicable, PodRun, ProfileCheck, ProfileContext, VerifyProfile,
} from '../../../contract/verify-profile';
import { VerifyProfileError } from '../../../contract/verify-profile';
import { PackageJson, fileDependencies, loadPackageJson } from '../package-json';
import { PACKAGE_MANAGERS, findPackageManager } from '../package-managers';

/** Package manager executables (and their packages) that must not be in a runtime image. */
export const NODE_PACKAGE_MANAGER_NAMES = ['npm', 'npx', 'yarn', 'yarnpkg', 'pnpm', 'pnpx', 'corepack'] as const;

const FORBIDDEN: readonly ForbiddenExecutable[] = [
  ...NODE_PACKAGE_MANAGER_NAMES.map((name): ForbiddenExecutable => ({
    name,
    kind: 'package manager',
    pattern: new RegExp(`(/s?bin/${name}|/node_modules/${name}/package\\.json)$`),
  })),
  ...['gcc', 'g++', 'cc', 'c++'].map((name): ForbiddenExecutable => ({
    name,
    kind: 'compiler',
    pattern: new RegExp(`/s?bin/${name.replace(/\+/g, '\\+')}$`),
  })),
];

/** The Node.js facts of a verify context (for the family's own checks). */
export function nodeFacts(ctx: { readonly familyFacts: FamilyFacts }): NodeVerifyFacts {
  return ctx.familyFacts as NodeVerifyFacts;
}

function requirePackageJson(dir: string): PackageJson & Record<string, any> {
  const file = path.join(dir, 'package.json');
  let pkg: PackageJson | undefined;
  try {
    pkg = loadPackageJson(dir);
  } catch (e) {
    throw new VerifyProfileError((e as Error).message);
  }
  if (!pkg) throw new VerifyProfileError(`${file} not found: verify needs the package.json of a Node.js project.`);
  return pkg;
}

/**
 * A `file:` dependency outside the project cannot be installed by the image build (its context is the
 * project): say so before a build fails deep inside `npm ci` with ENOENT.
 */
function assertInstallableInContext(pkg: PackageJson): void {
  const outsideSpecs = new Set(fileDependencies(pkg).outside);
  const outside = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies })
    .filter(([, spec]) => outsideSpecs.has(spec));
  if (outside.length > 0) {
    throw new VerifyProfileError(
      `package.json depends on ${outside.map(([name, spec]) => `${name} (${spec})`).join(', ')}, outside the project: ` +
        'the image build, whose context is the project, cannot install it. Copy the file into the project ' +
        '(e.g. vendor/) and point package.json there (npm install -D <name>@file:vendor/<file>), or use a registry version.',
    );
  }
}

const list = (xs: readonly string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

/** The checks of the Node.js family on the runtime image's file list. */
export function nodeFileChecks(files: readonly string[], ctx: Pick<ProfileContext, 'model' | 'familyFacts'>): ProfileCheck[] {
  const wd = ctx.model.workdir.replace(/\/+$/, '') || '';
  const inApp = files.filter((f) => f.startsWith(`${wd}/`));
  const appOwn = inApp.filter((f) => !f.slice(wd.length).startsWith('/node_modules/') && f.slice(wd.length) !== '/node_modules');
  const results: ProfileCheck[] = [];
  const dev = nodeFacts(ctx).devDependencies;
  const nm = `${wd}/node_modules`;
  const present = dev.filter((name) => {
    const flat = name.replace('/', '+');
    return inApp.some((f) => f === `${nm}/${name}` || f.startsWith(`${nm}/${name}/`) || f.startsWith(`${nm}/.pnpm/${flat}@`));
  });
  results.push({
    id: 'no-dev-dependencies',
    title: `no devDependencies in ${nm}`,
    ok: present.length === 0,
    detail: present.length ? `found ${list(present)}` : `none of ${dev.length} (${list(dev)})`,
  });
  if (ctx.model.hasBuild) {
    const ts = appOwn.filter((f) => /\.(ts|mts|cts|tsx)$/.test(f) && !/\.d\.(ts|mts|cts)$/.test(f));
    results.push({ id: 'no-typescript-sources', title: `no TypeScript sources in ${wd} (outside node_modules)`, ok: ts.length === 0, detail: ts.length ? `found ${list(ts)}` : 'none' });
  }
  const tests = appOwn.filter((f) => /\/(test|tests|__tests__)(\/|$)/.test(f.slice(wd.length)) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f));
  results.push({ id: 'no-tests', title: `no test folders or test files in ${wd}`, ok: tests.length === 0, detail: tests.length ? `found ${list(tests)}` : 'none' });
  return results;
}

/** Share of the memory limit the heap check suggests for --max-old-space-size. */
export const SUGGESTED_HEAP_SHARE = 0.75;

/**
 * Node's heap limit inside the container, run with the Deployment's NODE_OPTIONS and memory limit
 * (`v8.getHeapStatistics().heap_size_limit`), must be below the container's memory limit: otherwise
 * the kernel OOM-kills the pod before V8 collects garbage hard enough.
 */
export async function nodeHeapCheck(pod: PodRun): Promise<ProfileCheck> {
  const { memoryBytes, memory, env } = pod.settings;
  const mib = (b: number) => Math.round(b / 2 ** 20);
  const nodeOptions = env.NODE_OPTIONS;
  const title = `Node's heap limit is below the container's memory limit (${memory ?? 'none'}${nodeOptions ? `, NODE_OPTIONS=${nodeOptions}` : ''})`;
  const node = pod.entrypoint.find((e) => /(^|\/)node$/.test(e)) ?? pod.entrypoint[0] ?? 'node';
  const r = await pod.run(node, ['-e', 'console.log(require("v8").getHeapStatistics().heap_size_limit)']);
  const heap = Number(r.stdout.trim().split('\n').pop());
  if (r.code !== 0 || !Number.isFinite(heap) || heap <= 0) {
    return { id: 'pod-heap', title, ok: false, detail: `${node} could not print its heap limit (exit code ${r.code}): ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-3).join(' ')}` };
  }
  if (memoryBytes === undefined) return { id: 'pod-heap', title, ok: true, detail: `heap limit ${mib(heap)} MiB; the Deployment sets no memory limit` };
  const ok = heap < memoryBytes;
  const suggested = Math.floor(mib(memoryBytes) * SUGGESTED_HEAP_SHARE);
  return {
    id: 'pod-heap',
    title,
    ok,
    detail: ok
      ? `heap limit ${mib(heap)} MiB, memory limit ${mib(memoryBytes)} MiB`
      : `Node's heap may grow to ${mib(heap)} MiB but the container's memory limit is ${mib(memoryBytes)} MiB: set NODE_OPTIONS=--max-old-space-size=${suggested} (${SUGGESTED_HEAP_SHARE * 100}% of the limit) in the Deployment's env, or raise the memory limit`,
  };
}

/** The Node.js family's verify profile. */
export const nodeVerifyProfile: VerifyProfile = {
  family: 'node',
  forbiddenExecutables: FORBIDDEN,

  readFacts(dir, model): NodeVerifyFacts {
    const pkg = requirePackageJson(dir);
    assertInstallableInContext(pkg);
    const pm = findPackageManager(model.packageManager ?? '');
    if (!pm) {
      throw new VerifyProfileError(`The model names the package manager ${JSON.stringify(model.packageManager)}; expected one of ${Object.keys(PACKAGE_MANAGERS).join(', ')}.`);
    }
    const deps = new Set(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }));
    return {
      packageManager: pm,
      devDependencies: Object.keys(pkg.devDependencies ?? {}).filter((n) => !deps.has(n)).sort(),
    };
  },

  fileChecks: nodeFileChecks,

  needed(ctx) {
    const wd = ctx.model.workdir.replace(/\/+$/, '');
    // with slim, the runtime image needs the traced tree, not the whole production tree
    const depsStage = ctx.model.stages.traced ?? ctx.model.stages.dependencies;
    if (!depsStage) throw new VerifyProfileError(`${ctx.dockerfile} has no dependency stage in the model: cannot tell what the runtime image needs.`);
    return {
      sources: [
        { path: `${wd}/node_modules`, kind: 'dependencies', stage: depsStage, src: `${wd}/node_modules` },
        { path: `${wd}/package.json`, kind: 'app', src: 'package.json' },
      ],
      // a stage's node_modules holds every dependency, the development ones too
      notNeeded: (copy) => copy.stage !== undefined && (copy.src === `${wd}/node_modules` || copy.src.startsWith(`${wd}/node_modules/`)),
    };
  },

  dependencyInstall(ctx): DependencyInstall | NotApplicable {
    const pm = nodeFacts(ctx).packageManager;
    const commands = ctx.model.hasBuild ? [pm.installProd, pm.installAll] : [pm.installProd];
    return {
      commands,
      isDependencyLayer: (createdBy) => /node_modules/.test(createdBy) || commands.some((c) => createdBy.includes(c)),
      sourceFile: /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/,
      skipDirs: ['node_modules'],
      comment: (text) => `// ${text}`,
    };
  },

  singleStage: (ctx) => ({ dockerfile: renderNodeSingleStage(ctx) }),

  podChecks: async (pod) => [await nodeHeapCheck(pod)],

  interpreterUid: {
    command(entrypoint) {
      const node = entrypoint.find((e) => /(^|\/)node$/.test(e)) ?? entrypoint[0];
      return node ? { entrypoint: node, args: ['-e', 'console.log(process.getuid() + " " + process.getgid())'] } : undefined;
    },
  },

  recognizeLegacy(runs) {
    const pm = Object.values(PACKAGE_MANAGERS).find((p) => runs.some((r) => r.includes(p.installAll) || r.includes(p.installProd)));
    return pm ? { packageManager: pm.name, stages: { dependencies: 'prod-deps', build: 'build' } } : undefined;
  },
};

/**
 * What verify needs to know about a synthesized project, read from the files synthesis wrote
 * (Dockerfile, k8s/base/deployment.yaml, package.json), so it works without running `.projenrc.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OUTPUT_PATHS } from '../app';
import { VerifyError } from './engine';

// The one Dockerfile parser (builder-faithful: directives, comments before continuations, escape).
export { parseDockerfile, type Instruction, type Stage } from '../dockerfile/parser';
import { parseDockerfile, type Stage } from '../dockerfile/parser';
import { PACKAGE_MANAGERS, PackageManagerSpec } from '../runtime/package-managers';

/** Facts about a synthesized project. */
export interface ProjectFacts {
  readonly dir: string;
  /** `name` of package.json, or the folder name. */
  readonly name: string;
  readonly dockerfile: string;
  readonly debugDockerfile: string;
  readonly stages: Stage[];
  readonly debugStages: Stage[];
  /** Builder image (first FROM). */
  readonly builderImage: string;
  /** Base image of the runtime stage. */
  readonly runtimeBase: string;
  /** Base image of the debug runtime stage. */
  readonly debugBase: string;
  /** WORKDIR of the runtime stage. */
  readonly workdir: string;
  /** EXPOSEd port. */
  readonly port: number;
  /** uid of the USER line of the runtime stage. */
  readonly uid: number;
  /** CMD of the runtime stage (exec form). */
  readonly cmd: string[];
  /** HTTP path the probes use; `/` when the probes use TCP. */
  readonly healthPath: string;
  readonly packageManager: PackageManagerSpec;
  /** Whether the Dockerfile has a build stage (the image should then hold no TypeScript sources). */
  readonly hasBuild: boolean;
  /** devDependencies that are not also production dependencies. */
  readonly devDependencies: string[];
}

/** Reads the facts of a synthesized project; throws a {@link VerifyError} naming what is missing. */
export function readProject(dir: string): ProjectFacts {
  const abs = path.resolve(dir);
  const read = (rel: string, hint: string) => {
    const file = path.join(abs, rel);
    if (!fs.existsSync(file)) throw new VerifyError(`${file} not found: ${hint}`);
    return fs.readFileSync(file, 'utf8');
  };
  const synthHint = 'run verify in a project made by create-msb-app (or run `npx projen` there first).';
  const dockerfile = read(OUTPUT_PATHS.dockerfile, synthHint);
  const debugDockerfile = read(OUTPUT_PATHS.debugDockerfile, synthHint);
  const pkg = JSON.parse(read('package.json', 'verify needs the package.json of a Node.js project.')) as Record<string, any>;
  const stages = parseDockerfile(dockerfile);
  const debugStages = parseDockerfile(debugDockerfile);
  if (stages.length < 2) throw new VerifyError(`${OUTPUT_PATHS.dockerfile} in ${abs} has ${stages.length} stage(s); expected a multi-stage Dockerfile written by create-msb-app.`);
  const runtime = stages[stages.length - 1];
  const last = (kw: string) => [...runtime.instructions].reverse().find((i) => i.keyword === kw)?.args;
  const runs = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
  const pm = Object.values(PACKAGE_MANAGERS).find((p) => runs.some((r) => r.includes(p.installAll) || r.includes(p.installProd)));
  if (!pm) throw new VerifyError(`${OUTPUT_PATHS.dockerfile} in ${abs} installs dependencies with none of ${Object.values(PACKAGE_MANAGERS).map((p) => `"${p.installProd}"`).join(', ')}.`);

  const port = Number(/^(\d+)/.exec(last('EXPOSE') ?? '')?.[1] ?? NaN);
  const uid = Number(/^(\d+)/.exec(last('USER') ?? '')?.[1] ?? NaN);
  let cmd: string[] = [];
  try {
    cmd = JSON.parse(last('CMD') ?? '[]') as string[];
  } catch {
    cmd = [];
  }
  const deps = new Set(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }));
  return {
    dir: abs,
    name: typeof pkg.name === 'string' && pkg.name ? pkg.name : path.basename(abs),
    dockerfile: path.join(abs, OUTPUT_PATHS.dockerfile),
    debugDockerfile: path.join(abs, OUTPUT_PATHS.debugDockerfile),
    stages,
    debugStages,
    builderImage: stages[0].from,
    runtimeBase: runtime.from,
    debugBase: debugStages[debugStages.length - 1].from,
    workdir: last('WORKDIR') ?? '/',
    port,
    uid,
    cmd,
    healthPath: readHealthPath(abs),
    packageManager: pm,
    hasBuild: stages.some((s) => s.name === 'build'),
    devDependencies: Object.keys(pkg.devDependencies ?? {}).filter((n) => !deps.has(n)).sort(),
  };
}

function readHealthPath(dir: string): string {
  try {
    const docs = fs.readFileSync(path.join(dir, OUTPUT_PATHS.base, 'deployment.yaml'), 'utf8');
    const d = parseYaml(docs) as any;
    const c = d?.spec?.template?.spec?.containers?.[0];
    return c?.readinessProbe?.httpGet?.path ?? c?.livenessProbe?.httpGet?.path ?? '/';
  } catch {
    return '/';
  }
}

/**
 * The single-stage equivalent of the project's Dockerfile, for the size report: the builder image,
 * the manifests, every dependency, the sources and the build, in one image. It reuses the generated
 * instructions verbatim (so it shares their build cache), and is never written into the project.
 */
export function renderSingleStageDockerfile(facts: ProjectFacts): string {
  const byName = (n: string) => facts.stages.find((s) => s.name === n);
  const base = facts.stages[0];
  const lines = ['# Single-stage equivalent of the generated Dockerfile (create-msb-app verify size report).', `FROM ${base.from}`];
  lines.push(...base.instructions.map((i) => i.text));
  const build = byName('build');
  const pm = facts.packageManager;
  if (build) {
    lines.push(...build.instructions.map((i) => i.text));
  } else {
    const deps = byName('prod-deps');
    if (!deps) throw new VerifyError(`${facts.dockerfile} has neither a "build" nor a "prod-deps" stage.`);
    for (const i of deps.instructions) {
      lines.push(i.keyword === 'RUN' ? i.text.replace(pm.installProd, pm.installAll).replace(/ && mkdir -p node_modules/, '') : i.text);
    }
    lines.push('COPY . .');
  }
  const runtime = facts.stages[facts.stages.length - 1];
  lines.push(...runtime.instructions.filter((i) => ['ENV', 'EXPOSE', 'LABEL'].includes(i.keyword)).map((i) => i.text));
  lines.push(`CMD ${JSON.stringify(['node', ...facts.cmd])}`);
  return `${lines.join('\n')}\n`;
}

/**
 * verify, in order:
 * 1. read the project's model (recorded in .projen/msb.json), its family's verify profile and its
 *    Dockerfiles, and find a working container engine;
 * 2. build Dockerfile, showing the build steps; then, at once ({@link VERIFY_LANES}), the containers
 *    (3), the source-only rebuild (5) and the other images from its cache with the file reading
 *    (Dockerfile.debug, the single-stage equivalent, 4 and 6);
 * 3. run the runtime image: HTTP 200 on the health path, the main process's uid and gid, no shell;
 *    the debug image has one;
 *    then the pod-parity run (pod-parity.ts): the runtime image with the Deployment's settings, its
 *    probes within the startup budget, SIGTERM within the grace period, the family's pod checks;
 * 4. list the runtime image's files: no package manager, compiler, shell or .env, and the family's
 *    own checks;
 * 5. change a source file in a copy of the context and rebuild: the dependency install must come
 *    from the cache (when the family has one);
 * 6. build the single-stage equivalent (when the family has one) and report sizes, as JSON and SVG:
 *    file bytes of each image and of its base, what the runtime image needs (measured in the build
 *    stages and the context, not in the runtime image) and the waste (image - base - needed);
 * 7. remove the containers, and the images unless asked to keep them.
 * A part that does not apply to the family is listed in the report as not applicable, with the reason.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { BuildResult, BuildSettings, buildImage, compactStep, stepsRunning } from './build';
import { renderSizeChart } from './chart';
import { CheckResult, Resources, checkServes, checkUid, fileChecks, immutableCodeCheck, setuidCheck, shellRuns } from './checks';
import { ProjectFacts, readProject } from './context';
import { Engine, EngineName, VerifyError, detectEngine } from './engine';
import { FsEntry, imageEntries } from './files';
import { DEPLOYMENT_FILE, podParityChecks } from './pod-parity';
import { parseDockerfile } from './project';
import { compareRoutes, fullImageDockerfile, requestedPaths, routesAnswer, runRoutes, traceLines } from './routes';
import { SizeReport, breakdown, imageContent, imageHistory, measureNeeded, neededSources, sizeReport } from './size';
import { DependencyInstall, isNotApplicable } from '../contract/verify-profile';

/** Options of {@link verifyProject}. */
export interface VerifyOptions extends BuildSettings {
  /** The project directory (holds .projen/msb.json, Dockerfile, Dockerfile.debug). */
  readonly dir: string;
  /** Engine to use. @default - detected: the first of docker and podman that answers */
  readonly engine?: Engine | EngineName;
  /** Run containers (HTTP, uid and shell checks). @default true */
  readonly run?: boolean;
  /** Run the runtime image with the Deployment's settings (probes, SIGTERM, read-only root, memory). @default true */
  readonly podParity?: boolean;
  /** Local env file for the env the Deployment takes from ConfigMaps and Secrets (pod-parity run). @default - none: "not checked" */
  readonly envFile?: string;
  /** Check that a source-only change reuses the dependency install. @default true */
  readonly rebuildCheck?: boolean;
  /** Build the single-stage equivalent for the size report. @default true */
  readonly singleStage?: boolean;
  /** Keep the images it built (containers are always removed). @default false */
  readonly keepImages?: boolean;
  /**
   * Repository of the images it builds; tags are `runtime`, `debug`, `single-stage`, `rebuild`, and
   * the stages measured for the size report (e.g. `prod-deps`, `build`).
   * @default "localhost/msb-verify/<app name>"
   */
  readonly imageRepository?: string;
  /** Folder for verify-report.json and verify-report.svg; `false` writes nothing. @default "<dir>/.msb" */
  readonly reportDir?: string | false;
  /** Progress messages. @default - none */
  readonly log?: (line: string) => void;
}

/** Everything verify found. */
export interface VerifyReport {
  readonly project: string;
  readonly engine: EngineName;
  readonly images: {
    readonly runtime: string;
    readonly debug: string;
    readonly singleStage?: string;
    readonly rebuild?: string;
    /** With slim: the same build without the trace, for the route comparison. */
    readonly full?: string;
    /** Build stages built on their own (`--target`) to measure what the runtime image needs. */
    readonly stages: readonly string[];
  };
  /** Build wall times in milliseconds. */
  readonly buildMs: { readonly runtime: number; readonly debug: number; readonly singleStage?: number; readonly rebuild?: number };
  /**
   * Wall time of verify's own phases in milliseconds, in the order they ran (`build runtime`,
   * `build debug`, `run checks`, `pod parity`, `runtime files`, `rebuild`, `single-stage`, `sizes`),
   * and `total` (from the engine's detection to the report).
   */
  readonly phasesMs?: Readonly<Record<string, number>>;
  readonly checks: CheckResult[];
  /** Parts of verify that do not apply to the project's family, with the reason. */
  readonly notApplicable: readonly { readonly id: string; readonly title: string; readonly reason: string }[];
  /** Where the model came from: recorded in .projen/msb.json, or read back from the generated files. */
  readonly model: { readonly family: string; readonly source: 'recorded' | 'generated-files'; readonly note?: string };
  readonly sizes: SizeReport;
  /** With slim: what the tracer said in the build (how many files it traced, its warnings). */
  readonly slim?: { readonly traced?: string; readonly warnings: readonly string[] };
  /** Paths of the runtime image's files (not written to the JSON report). */
  readonly runtimeFiles: string[];
  /** Output of the rebuild after the source-only change (not written to the JSON report). */
  readonly rebuildOutput?: string[];
  /** Whether every check passed. */
  readonly ok: boolean;
  /** Report files written, if any. */
  readonly reportFiles?: { readonly json: string; readonly svg: string };
}

/**
 * The phases after the runtime build, by lane: the lanes run at the same time, the phases of a lane
 * one after the other (so `phasesMs` can add up to more than `total`).
 */
export const VERIFY_LANES: Readonly<Record<'containers' | 'images' | 'rebuild', readonly string[]>> = {
  containers: ['run checks', 'pod parity', 'routes'],
  images: ['build debug', 'single-stage', 'runtime files', 'sizes'],
  rebuild: ['rebuild'],
};

/** Runs every check on a synthesized project; see the module comment for the order. */
export async function verifyProject(options: VerifyOptions): Promise<VerifyReport> {
  const run = await startRun(options);
  try {
    const runtime = await buildRuntime(run);
    const lanes = await runLanes(run);
    return finishReport(run, runtime, lanes);
  } finally {
    // 7. the containers, and the images unless asked to keep them
    await run.res.cleanup(options.keepImages);
  }
}

/** The groups checks are kept in, in the report's order, whichever lane finishes first. */
const CHECK_GROUPS = ['run', 'debug', 'pod', 'routes', 'files', 'rebuild'] as const;

/** What the steps of one verify run share: the project, the engine, the image tags, and what the steps found. */
interface VerifyRun {
  readonly options: VerifyOptions;
  readonly log: (line: string) => void;
  readonly facts: ProjectFacts;
  readonly engine: Engine;
  /** The containers and images removed at the end. */
  readonly res: Resources;
  /** Repository of the images it builds. */
  readonly repo: string;
  readonly tags: { readonly runtime: string; readonly debug: string; readonly singleStage: string; readonly rebuild: string; readonly full: string };
  /** The family's dependency install (what the rebuild check looks for), or why it has none. */
  readonly install: ReturnType<ProjectFacts['profile']['dependencyInstall']>;
  /** The single-stage equivalent's Dockerfile; none when it is not built. */
  readonly singleText?: string;
  /** Checks by group ({@link CHECK_GROUPS}). */
  readonly found: Record<(typeof CHECK_GROUPS)[number], CheckResult[]>;
  readonly notApplicable: VerifyReport['notApplicable'][number][];
  /** Wall time by phase, each added when its phase ends. */
  readonly phasesMs: Record<string, number>;
  /** Tags of the stage images built for the size report, in the order they were built. */
  readonly stageTags: string[];
  /** When the run started (after the engine's detection), for `phasesMs.total`. */
  readonly started: bigint;
}

/** What the runtime build left: the build, and with slim, what the tracer said in it. */
interface RuntimeBuild {
  readonly build: BuildResult;
  readonly trace?: ReturnType<typeof traceLines>;
}

/** What the lanes built and read, for the report. */
interface LaneResults {
  readonly debugBuild: BuildResult;
  readonly single?: BuildResult;
  readonly rebuild?: BuildResult;
  /** With slim: the same build without the trace, for the route comparison. */
  readonly full?: BuildResult;
  readonly runtimeFiles: string[];
  readonly sizes: SizeReport;
}

/** 1. Reads the project and its family's profile, finds the engine, and lists the parts that do not apply. */
async function startRun(options: VerifyOptions): Promise<VerifyRun> {
  const log = options.log ?? (() => undefined);
  const facts = await readProject(options.dir);
  if (facts.modelNote) log(`Note: ${facts.modelNote}`);
  const engine = options.engine instanceof Engine ? options.engine : await detectEngine(options.engine);
  log(`Engine: ${engine.name}; project ${facts.name} (${facts.model.family}) in ${facts.dir}`);
  const install = facts.profile.dependencyInstall(facts);
  const singleStage = facts.profile.singleStage(facts);
  const notApplicable: VerifyRun['notApplicable'] = [];
  if (isNotApplicable(install)) notApplicable.push({ id: 'install-cached', title: 'a source-only change reuses the dependency install (build cache)', reason: install.notApplicable });
  if (isNotApplicable(singleStage) && options.singleStage !== false) notApplicable.push({ id: 'single-stage', title: 'the single-stage equivalent (size report)', reason: singleStage.notApplicable });
  const repo = options.imageRepository ?? `localhost/msb-verify/${facts.name.replace(/^@/, '').replace(/[^a-z0-9._/-]/g, '-')}`;
  return {
    options,
    log,
    facts,
    engine,
    res: new Resources(engine),
    repo,
    tags: { runtime: `${repo}:runtime`, debug: `${repo}:debug`, singleStage: `${repo}:single-stage`, rebuild: `${repo}:rebuild`, full: `${repo}:full` },
    install,
    singleText: options.singleStage !== false && !isNotApplicable(singleStage) ? singleStage.dockerfile : undefined,
    found: Object.fromEntries(CHECK_GROUPS.map((g) => [g, [] as CheckResult[]])) as VerifyRun['found'],
    notApplicable,
    phasesMs: {},
    stageTags: [],
    started: process.hrtime.bigint(),
  };
}

/** Milliseconds since `t` (a `process.hrtime.bigint()`). */
function since(t: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - t) / 1e6);
}

/** Runs one phase of verify and adds its wall time to `phasesMs[name]`, also when it fails. */
async function phase<T>(run: VerifyRun, name: string, fn: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  try {
    return await fn();
  } finally {
    run.phasesMs[name] = (run.phasesMs[name] ?? 0) + since(t);
  }
}

/** Builds an image, showing the build steps; with `target`, a stage image (whose tag alone is removed at the end). */
async function build(run: VerifyRun, title: string, dockerfile: string, tag: string, context = run.facts.dir, target?: string): Promise<BuildResult> {
  run.log(`Building ${title} -> ${tag}`);
  (target ? run.res.stageTags : run.res.images).add(tag);
  const r = await buildImage(run.engine, { context, dockerfile, tag, target }, {
    ...run.options,
    onProgress: run.options.onProgress ?? ((line) => run.log(`  ${compactStep(line)}`)),
  });
  run.log(`  built in ${(r.durationMs / 1000).toFixed(1)}s`);
  return r;
}

/** Writes `text` to a file `name` in a new temporary folder for `fn`, then removes the folder. */
async function withTempFile<T>(name: string, text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-verify-'));
  try {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return await fn(file);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * 2. Builds Dockerfile first: on a cold cache its build uses both cores, and every later build
 * (debug, the rebuild, the single-stage equivalent, the stages) reuses the layers it left.
 */
async function buildRuntime(run: VerifyRun): Promise<RuntimeBuild> {
  const built = await phase(run, 'build runtime', () => build(run, 'Dockerfile', run.facts.dockerfile, run.tags.runtime));
  const trace = run.facts.model.stages.traced ? traceLines(built.output) : undefined;
  if (trace?.summary) run.log(`Slim: ${trace.summary}`);
  for (const w of trace?.warnings ?? []) run.log(`Slim: tracer warning: ${w}`);
  return { build: built, trace };
}

/**
 * Then the lanes at once ({@link VERIFY_LANES}): the containers, which mostly wait on the app, the
 * rebuild (the app's build step: CPU) and the other images from the cache (disk). Checks are kept
 * by group ({@link CHECK_GROUPS}) and reported in that order, whichever lane finishes first.
 */
async function runLanes(run: VerifyRun): Promise<LaneResults> {
  const debugBuilt = phase(run, 'build debug', () => build(run, 'Dockerfile.debug', run.facts.debugDockerfile, run.tags.debug));
  const [containers, images] = await Promise.allSettled([containersLane(run, debugBuilt), imagesLane(run, debugBuilt)]);
  if (containers.status === 'rejected') throw containers.reason;
  if (images.status === 'rejected') throw images.reason;
  return { ...images.value, full: containers.value };
}

/** 3. The containers lane: the runtime image, the pod-parity run, the routes, then the debug image; answers the full image (slim). */
async function containersLane(run: VerifyRun, debugBuilt: Promise<BuildResult>): Promise<BuildResult | undefined> {
  if (run.options.run === false) return undefined;
  await runtimeRunChecks(run);
  await podParityRun(run);
  const full = await routeChecks(run);
  // a failed debug build is the images lane's to report
  if (await debugBuilt.then(() => true, () => false)) await debugRunChecks(run);
  return full;
}

/** Runs the runtime image: HTTP 200 on the health path, the main process's uid and gid, no shell. */
async function runtimeRunChecks(run: VerifyRun): Promise<void> {
  const { engine, facts, res, tags, found } = run;
  await phase(run, 'run checks', async () => {
    run.log('Running the runtime image');
    found.run.push(await checkServes(engine, tags.runtime, facts, res));
    found.run.push(await checkUid(engine, tags.runtime, facts, res, { interpreter: facts.profile.interpreterUid }));
    const sh = await shellRuns(engine, tags.runtime, res);
    found.run.push({ id: 'no-shell', title: 'no shell can be executed in the runtime image (sh, /bin/sh)', ok: !sh.shell, detail: sh.attempts.join('; ') });
  });
}

/** The runtime image run with the Deployment's settings (pod-parity.ts); not applicable without the Deployment. */
async function podParityRun(run: VerifyRun): Promise<void> {
  const { options, facts } = run;
  const deployment = fs.existsSync(path.join(facts.dir, DEPLOYMENT_FILE));
  if (options.podParity === false) return;
  if (!deployment) {
    run.notApplicable.push({ id: 'pod-parity', title: "the run with the pod's settings (probes, SIGTERM, read-only root, memory)", reason: `${DEPLOYMENT_FILE} not found: the pod's settings are read from the Deployment` });
    return;
  }
  await phase(run, 'pod parity', async () => {
    const pod = await podParityChecks(run.engine, run.tags.runtime, facts, run.res, { envFile: options.envFile, log: run.log });
    run.found.pod.push(...pod.checks);
    run.notApplicable.push(...pod.notChecked);
  });
}

/** The app's own routes; with slim, answered as the full image (built here and answered) answers them. */
async function routeChecks(run: VerifyRun): Promise<BuildResult | undefined> {
  const { engine, facts, res, tags } = run;
  const traced = facts.model.stages.traced;
  const routes = facts.model.routes ?? [];
  if (!traced && !routes.length) return undefined;
  return phase(run, 'routes', async () => {
    const paths = requestedPaths(facts);
    const deps = facts.model.stages.dependencies;
    if (traced && deps && paths.length) {
      const text = fullImageDockerfile(fs.readFileSync(facts.dockerfile, 'utf8'), traced, deps);
      const full = await withTempFile('Dockerfile.full', text, (file) => build(run, 'the full image (the same build without the trace)', file, tags.full));
      run.log(`Requesting ${paths.join(', ')} on the slim and the full image`);
      const slimAnswers = await runRoutes(engine, tags.runtime, facts, res, paths);
      run.found.routes.push(compareRoutes(slimAnswers, await runRoutes(engine, tags.full, facts, res, paths)));
      return full;
    }
    if (traced) {
      run.notApplicable.push({ id: 'slim-routes', title: 'the slim image answers as the full image does', reason: 'no health path and no routes to request (set healthCheckPath or routes)' });
    } else if (routes.length) {
      run.found.routes.push(routesAnswer(await runRoutes(engine, tags.runtime, facts, res, paths)));
    }
    return undefined;
  });
}

/** Runs the debug image: it has a shell; its main process's uid and gid. */
async function debugRunChecks(run: VerifyRun): Promise<void> {
  const { engine, facts, res, tags, found } = run;
  await phase(run, 'run checks', async () => {
    run.log('Running the debug image');
    const dsh = await shellRuns(engine, tags.debug, res);
    found.debug.push({ id: 'debug-shell', title: 'the debug image has a shell', ok: !!dsh.shell, detail: dsh.attempts.join('; ') });
    found.debug.push(await checkUid(engine, tags.debug, facts, res, { interpreter: facts.profile.interpreterUid, label: 'debug' }));
  });
}

/**
 * The images and rebuild lanes: the debug image then the single-stage equivalent, while the rebuild
 * runs the app's build step (CPU) and the debug image is assembled from the cache (disk); after
 * both, the runtime image's files and the sizes.
 */
async function imagesLane(run: VerifyRun, debugBuilt: Promise<BuildResult>): Promise<Omit<LaneResults, 'full'>> {
  const debugThenSingle = debugBuilt.then(async (d) => [d, await singleStageBuild(run)] as const);
  const [[debugBuild, single], rebuild] = await Promise.all([debugThenSingle, rebuildLane(run)]);
  const runtimeEntries = await runtimeFileChecks(run);
  const runtimeFiles = runtimeEntries.map((e) => e.path);
  const sizes = await measureSizes(run, runtimeEntries, single);
  return { debugBuild, single, rebuild, runtimeFiles, sizes };
}

/** 5. Changes a source file in a copy of the context and rebuilds: the dependency install must come from the cache. */
async function rebuildLane(run: VerifyRun): Promise<BuildResult | undefined> {
  const { options, facts, install } = run;
  if (options.rebuildCheck === false || isNotApplicable(install)) return undefined;
  const change = prepareSourceChange(facts, install);
  try {
    change.apply(1);
    run.log(`Changed ${change.file} in a copy of the build context`);
    const r = await phase(run, 'rebuild', () => build(run, 'Dockerfile after a source-only change', path.join(change.context, path.basename(facts.dockerfile)), run.tags.rebuild, change.context));
    run.found.rebuild.push(installReuseCheck(r.output, install.commands, change.file));
    return r;
  } finally {
    change.dispose();
  }
}

/** 6. Builds the single-stage equivalent, for the size report (when the family has one and it is not turned off). */
async function singleStageBuild(run: VerifyRun): Promise<BuildResult | undefined> {
  if (run.singleText === undefined) return undefined;
  return withTempFile('Dockerfile.single-stage', run.singleText, (file) =>
    phase(run, 'single-stage', () => build(run, 'the single-stage equivalent (for the size report)', file, run.tags.singleStage)));
}

/** 4. Lists the runtime image's files and checks them (checks.ts); answers the entries, for the sizes. */
async function runtimeFileChecks(run: VerifyRun): Promise<FsEntry[]> {
  const { engine, facts, res, tags } = run;
  run.log('Listing the runtime image files');
  const runtimeEntries = await phase(run, 'runtime files', () => imageEntries(engine, tags.runtime, res.containers));
  const runtimeFiles = runtimeEntries.map((e) => e.path);
  run.found.files.push(...fileChecks(runtimeFiles, facts), setuidCheck(runtimeEntries), immutableCodeCheck(runtimeEntries, facts));
  return runtimeEntries;
}

/**
 * 6. The sizes: what the runtime image needs (measured in the build stages and the context), and
 * the file bytes and layers of each image and of its base.
 */
async function measureSizes(run: VerifyRun, runtimeEntries: readonly FsEntry[], single: BuildResult | undefined): Promise<SizeReport> {
  const { engine, facts, res, tags, install, singleText } = run;
  run.log('Measuring what the runtime image needs (build stages, build context) and the image files');
  return phase(run, 'sizes', async () => {
    const needed = await measureNeeded(engine, neededSources(facts), facts.dir, (stage) => buildStage(run, stage), res.containers);
    const isDependencyLayer = isNotApplicable(install) ? () => false : install.isDependencyLayer;
    const runtimeStage = facts.stages[facts.stages.length - 1];
    const debugStage = facts.debugStages[facts.debugStages.length - 1];
    const baseCache = new Map<string, number>();
    const measure = async (image: string, base: string, stage: Parameters<typeof breakdown>[2], entries?: readonly FsEntry[]) => ({
      content: await imageContent(engine, image, base, { entries, baseCache, track: res.containers }),
      layers: breakdown(image, await imageHistory(engine, image), stage, isDependencyLayer),
    });
    return sizeReport(
      needed,
      await measure(tags.runtime, facts.runtimeBase, runtimeStage, runtimeEntries),
      await measure(tags.debug, facts.debugBase, debugStage),
      single && singleText && facts.builderImage
        ? await measure(tags.singleStage, facts.builderImage, parseDockerfile(singleText)[0])
        : undefined,
    );
  });
}

/** Builds a stage of Dockerfile on its own (`--target`), to measure what the runtime image needs from it; answers its tag. */
async function buildStage(run: VerifyRun, stage: string): Promise<string> {
  const tag = `${run.repo}:${stage.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;
  await build(run, `stage ${stage} of Dockerfile (--target ${stage})`, run.facts.dockerfile, tag, run.facts.dir, stage);
  run.stageTags.push(tag);
  return tag;
}

/** The report: the checks in group order and the run's wall time; written to `reportDir` unless it is `false`. */
function finishReport(run: VerifyRun, runtime: RuntimeBuild, lanes: LaneResults): VerifyReport {
  const { options, facts, tags } = run;
  const { debugBuild, single, rebuild, full, runtimeFiles, sizes } = lanes;
  const checks = CHECK_GROUPS.flatMap((g) => run.found[g]);
  run.phasesMs.total = since(run.started);
  const report: VerifyReport = {
    project: facts.dir,
    engine: run.engine.name,
    images: {
      runtime: tags.runtime,
      debug: tags.debug,
      singleStage: single ? tags.singleStage : undefined,
      rebuild: rebuild ? tags.rebuild : undefined,
      full: full ? tags.full : undefined,
      stages: run.stageTags,
    },
    buildMs: { runtime: runtime.build.durationMs, debug: debugBuild.durationMs, singleStage: single?.durationMs, rebuild: rebuild?.durationMs },
    phasesMs: run.phasesMs,
    checks,
    notApplicable: run.notApplicable,
    model: { family: facts.model.family, source: facts.modelSource, note: facts.modelNote },
    sizes,
    slim: runtime.trace ? { traced: runtime.trace.summary, warnings: runtime.trace.warnings } : undefined,
    runtimeFiles,
    rebuildOutput: rebuild?.output,
    ok: checks.every((c) => c.ok),
  };
  if (options.reportDir === false) return report;
  return { ...report, reportFiles: writeReport(report, options.reportDir ?? path.join(facts.dir, '.msb')) };
}

/** The install steps of a rebuild after a source-only change must all come from the cache. */
export function installReuseCheck(output: readonly string[], commands: readonly string[], changed: string): CheckResult {
  const steps = commands.flatMap((c) => stepsRunning(output, c).map((s) => ({ ...s, command: c })));
  const missing = commands.filter((c) => !steps.some((s) => s.command === c));
  const rerun = steps.filter((s) => !s.cached);
  const ok = missing.length === 0 && rerun.length === 0;
  const detail = missing.length
    ? `no build step running ${missing.map((m) => `"${m}"`).join(', ')} found in the build output`
    : rerun.length
      ? `the install ran again after changing ${changed}: ${rerun.map((s) => s.command).join(', ')}`
      : `after changing ${changed}: ${steps.map((s) => `"${s.command}" from cache`).join(', ')}`;
  return { id: 'install-cached', title: 'a source-only change reuses the dependency install (build cache)', ok, detail };
}

/** A copy of the build context where one source file can be changed. */
export interface SourceChange {
  /** The copy (build context). */
  readonly context: string;
  /** The file that is changed, relative to the context. */
  readonly file: string;
  /** Appends a comment numbered `n` to the file (a different `n`, or another SourceChange, is a different change). */
  apply(n: number): void;
  dispose(): void;
}

/** Folders of every project the rebuild check never picks a source file from. */
const SKIP_DIRS = ['.git', '.msb', '.projen', 'k8s'];

/**
 * Copies the project (without .git, .msb and the family's skipped folders, e.g. installed
 * dependencies) to a temporary folder and picks a source file the build context holds: the
 * entrypoint without a build, else a file under src/.
 */
export function prepareSourceChange(facts: ProjectFacts, install: DependencyInstall): SourceChange {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-verify-context-'));
  const skip = new Set([...SKIP_DIRS, ...install.skipDirs]);
  const sourceFile = install.sourceFile;
  fs.cpSync(facts.dir, context, {
    recursive: true,
    filter: (src) => {
      const base = path.basename(src);
      return !install.skipDirs.includes(base) && !(path.dirname(src) === facts.dir && (base === '.git' || base === '.msb'));
    },
  });
  let ignored = (_: string) => false;
  try {
    const m = ignoreMatcher().add(fs.readFileSync(path.join(context, '.dockerignore'), 'utf8'));
    ignored = (p) => m.ignores(p);
  } catch {
    // no .dockerignore: everything is in the context
  }
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(context, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skip.has(e.name) && !ignored(r)) walk(r);
      } else if (sourceFile.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name) && e.name !== '.projenrc.ts' && !ignored(r)) {
        files.push(r);
      }
    }
  };
  walk('');
  const entry = facts.cmd[facts.cmd.length - 1];
  const rank = (f: string) => (!facts.hasBuild && f === entry ? 0 : f.startsWith('src/') ? 1 : 2);
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (files.length === 0) {
    fs.rmSync(context, { recursive: true, force: true });
    throw new VerifyError(`No source file (${sourceFile}) in the build context of ${facts.dir} to change for the rebuild check.`);
  }
  const file = files[0];
  const original = fs.readFileSync(path.join(context, file), 'utf8');
  // unique per run, so a change never matches a layer cached by an earlier run
  const nonce = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    context,
    file,
    apply: (n) => fs.writeFileSync(path.join(context, file), `${original}\n${install.comment(`create-msb-app verify: source-only change ${n} (${nonce})`)}\n`),
    dispose: () => fs.rmSync(context, { recursive: true, force: true }),
  };
}

/** Writes verify-report.json and verify-report.svg; returns their paths. */
export function writeReport(report: VerifyReport, dir: string): { json: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'verify-report.json');
  const svg = path.join(dir, 'verify-report.svg');
  const { runtimeFiles: _files, rebuildOutput: _output, reportFiles: _paths, ...data } = report;
  fs.writeFileSync(json, `${JSON.stringify({ ...data, generatedAt: new Date().toISOString() }, null, 2)}\n`);
  const listed = [...report.checks, ...report.notApplicable.map((n) => ({ title: n.title, detail: n.reason }))];
  fs.writeFileSync(svg, renderSizeChart(report.sizes, `Image sizes: ${path.basename(report.project)}`, listed));
  return { json, svg };
}

/**
 * Scenarios of the images tests: each is scaffolded once through the CLI binary, built and checked
 * once with src/verify (podman, --pull=never), and the tests assert on that one report. Images and
 * folders are removed in afterAll.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MANIFEST_FILES, ManifestKind, schemaError } from '../../src';
import { nodeFacts } from '../../src/families/node/verify';
import {
  BuildSettings, CheckResult, Engine, ProjectFacts, VerifyReport, buildImage, contextFileBytes, fileChecks, imageContent, imageSize, listImageFiles,
  packageManagerPaths, readProject, Resources, stepsRunning, verifyProject,
  loadVerifyProfiles,
} from '../../src/verify';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'create-msb-app.js');
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** A project to scaffold, build and check. */
export interface Scenario {
  /** Short id; also the app name and the image repository. */
  readonly id: string;
  readonly nodeVersion: '22' | '24' | '26';
  readonly packageManager: 'npm' | 'pnpm' | 'yarn';
  /** Files of an existing project to adopt; none for a new project. */
  readonly adopt?: Record<string, string>;
  /** What the generated project must say. */
  readonly expect: {
    readonly port: number;
    readonly healthPath: string;
    readonly hasBuild: boolean;
    /** Runtime file (absolute in the image) that must exist, e.g. /app/dist/index.js. */
    readonly entryFile: string;
    /** devDependencies that must be named by package.json (and absent from the image). */
    readonly devDependencies: string[];
    /** Production dependencies that must be in /app/node_modules. */
    readonly prodDependencies: string[];
  };
  /**
   * Also list the single-stage image and run the file checks on it: they must fail there (dev
   * dependencies present, TypeScript sources with a build), which proves they can fail.
   * @default false
   */
  readonly negativeControl?: boolean;
  /**
   * Also build two variants of the project's Dockerfile (written to a temporary file, built with
   * `-f`, sharing the build cache) whose runtime stage copies too much: the whole build context
   * (`COPY . ./src-copy`) and the build stage's node_modules (all dependencies). Their waste must
   * show it, which proves the waste check can fail.
   * @default false
   */
  readonly wasteControl?: boolean;
  /** More flags for the CLI, e.g. `--slim`. */
  readonly extraArgs?: readonly string[];
}

/** The waste of the variants of {@link Scenario.wasteControl}. */
export interface WasteControl {
  /** Bytes of the build context (what `COPY . ./src-copy` adds). */
  readonly contextBytes: number;
  /** Waste of the variant with `COPY . ./src-copy`. */
  readonly sourceCopyWaste: number;
  /** Waste of the variant with the build stage's node_modules. */
  readonly devDependenciesWaste: number;
}

/** Tags of the variant images of {@link Scenario.wasteControl}. */
const WASTE_TAGS = ['waste-src-copy', 'waste-dev-deps'];

/** What beforeAll made for a scenario. */
export interface Prepared {
  readonly dir: string;
  readonly cli: { status: number | null; stdout: string; stderr: string };
  readonly facts: ProjectFacts;
  readonly report: VerifyReport;
  readonly log: string[];
  readonly singleStageFiles?: string[];
  readonly wasteControl?: WasteControl;
}

/** The podman engine with the containers.conf of the global setup. */
export function podman(): Engine {
  process.env.CONTAINERS_CONF ??= inject('containersConf');
  return new Engine('podman', { ...process.env, CONTAINERS_CONF: inject('containersConf') });
}

/**
 * Build settings of the images tests: local base images only (`--pull=never`), the host's CA bundle
 * as the `ca_cert` build secret (npm reaches the registry through the TLS-intercepting proxy), any
 * further `secrets`, and the host network when the library is served over loopback.
 */
export function imageBuildSettings(secrets: readonly string[] = []): BuildSettings {
  return {
    pull: 'never',
    network: process.env.MSB_IMAGES_LIB === 'url' ? 'host' : undefined,
    secrets: [`id=ca_cert,src=${CA_BUNDLE}`, ...secrets],
  };
}

/**
 * How the scaffolded project depends on create-msb-app.
 * - `vendor` (default): the packed tarball copied into the project and
 *   `--lib file:vendor/create-msb-app.tgz`; the generated Dockerfile copies local `file:`
 *   dependencies before the install, so `npm ci` inside the image installs it from the context.
 * - `url` (MSB_IMAGES_LIB=url): the tarball served over loopback; builds run with --network=host so
 *   `npm ci` inside the image fetches it like a registry package.
 */
function libSpec(dir: string): { args: string[]; cwd?: string } {
  if (process.env.MSB_IMAGES_LIB !== 'url') {
    fs.mkdirSync(path.join(dir, 'vendor'), { recursive: true });
    fs.copyFileSync(inject('tarball'), path.join(dir, 'vendor', 'create-msb-app.tgz'));
    return { args: ['--lib', 'file:vendor/create-msb-app.tgz'], cwd: dir };
  }
  return { args: ['--lib', inject('libUrl')] };
}

/** Scaffolds a scenario through the CLI binary. */
export function scaffold(s: Pick<Scenario, 'id' | 'nodeVersion' | 'packageManager' | 'adopt' | 'extraArgs'>): { dir: string; cli: Prepared['cli'] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `msb-images-${s.id}-`));
  const dir = path.join(root, s.id);
  fs.mkdirSync(dir);
  for (const [rel, content] of Object.entries(s.adopt ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  const lib = libSpec(dir);
  const target = lib.cwd ? '.' : dir;
  const args = [BIN, target, '--yes', '--skip-git', ...lib.args];
  if (!s.adopt) args.push('--name', s.id, '--node-version', s.nodeVersion, '--package-manager', s.packageManager);
  if (lib.cwd && !s.adopt) args.push('--force');
  args.push(...(s.extraArgs ?? []));
  const r = spawnSync(process.execPath, args, { cwd: lib.cwd ?? root, encoding: 'utf8', input: '', env: { ...process.env, CI: '1', npm_config_user_agent: '' }, timeout: 600_000 });
  return { dir, cli: { status: r.status, stdout: r.stdout, stderr: r.stderr } };
}

/** Scaffolds, then builds and checks with src/verify; keeps the images for the tests. */
export async function prepare(s: Scenario): Promise<Prepared> {
  const { dir, cli } = scaffold(s);
  const repository = `localhost/msb-test/${s.id}`;
  const engine = podman();
  const discard = async () => {
    await engine.exec(['rmi', '-f', ...['runtime', 'debug', 'single-stage', 'rebuild', 'full', 'prod-deps', 'build', 'traced', ...WASTE_TAGS].map((t) => `${repository}:${t}`)]);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  };
  if (cli.status !== 0) {
    await discard();
    throw new Error(`create-msb-app failed (${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
  }
  const facts = await readProject(dir);
  const log: string[] = [];
  const report = await verifyProject({
    dir,
    engine,
    pull: 'never',
    network: process.env.MSB_IMAGES_LIB === 'url' ? 'host' : undefined,
    secrets: [`id=ca_cert,src=${CA_BUNDLE}`],
    keepImages: true,
    imageRepository: repository,
    log: (l) => log.push(l),
  }).catch(async (e: Error) => {
    await discard();
    throw new Error(`${e.message}\n--- verify log ---\n${log.slice(-60).join('\n')}`);
  });
  let singleStageFiles: string[] | undefined;
  if (s.negativeControl && report.images.singleStage) {
    singleStageFiles = await listImageFiles(engine, report.images.singleStage, new Resources(engine));
  }
  let wasteControl: WasteControl | undefined;
  if (s.wasteControl) {
    wasteControl = await buildWasteControls(engine, facts, report, repository).catch(async (e: Error) => {
      await discard();
      throw e;
    });
  }
  return { dir, cli, facts, report, log, singleStageFiles, wasteControl };
}

/**
 * Builds the variants of {@link Scenario.wasteControl} and measures their waste against what the
 * project's runtime image needs (report.sizes.needed, measured in the stages and the context).
 */
async function buildWasteControls(engine: Engine, facts: ProjectFacts, report: VerifyReport, repository: string): Promise<WasteControl> {
  const text = fs.readFileSync(facts.dockerfile, 'utf8');
  const uid = `${facts.uid}:${facts.uid}`;
  const variants = [
    `COPY --chown=${uid} . ./src-copy`,
    `COPY --from=build --chown=${uid} ${facts.workdir}/node_modules ./node_modules`,
  ];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-waste-control-'));
  const wastes: number[] = [];
  try {
    for (const [i, line] of variants.entries()) {
      // the line goes right before USER, so every instruction above it comes from the cache
      if (!/^USER /m.test(text)) throw new Error(`no USER line in ${facts.dockerfile}`);
      const file = path.join(tmp, `Dockerfile.${WASTE_TAGS[i]}`);
      fs.writeFileSync(file, text.replace(/^USER /m, `${line}\nUSER `));
      const tag = `${repository}:${WASTE_TAGS[i]}`;
      await buildImage(engine, { context: facts.dir, dockerfile: file, tag }, {
        pull: 'never',
        network: process.env.MSB_IMAGES_LIB === 'url' ? 'host' : undefined,
        secrets: [`id=ca_cert,src=${CA_BUNDLE}`],
      });
      const content = await imageContent(engine, tag, facts.runtimeBase);
      wastes.push(imageSize(content, report.sizes.runtime.layers, report.sizes.needed).waste);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { contextBytes: contextFileBytes(facts.dir, '.'), sourceCopyWaste: wastes[0], devDependenciesWaste: wastes[1] };
}

/** Removes a scenario's images and folder. */
export async function dispose(p: Prepared | undefined): Promise<void> {
  if (!p) return;
  const { stages, ...built } = p.report.images;
  const images = [...Object.values(built).filter((x): x is string => !!x), ...stages];
  if (p.wasteControl) images.push(...WASTE_TAGS.map((t) => p.report.images.runtime.replace(/:runtime$/, `:${t}`)));
  await podman().exec(['rmi', '-f', ...images]);
  fs.rmSync(path.dirname(p.dir), { recursive: true, force: true });
}

function check(report: VerifyReport, id: string): CheckResult {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check "${id}" in the report: ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}

/** Asserts a check passed, showing its detail when it did not. */
export function expectPass(report: VerifyReport, id: string): CheckResult {
  const c = check(report, id);
  expect(c.ok, `${c.title}: ${c.detail}`).toBe(true);
  return c;
}

/** `kubectl kustomize <dir>` as parsed objects. */
export function kustomize(dir: string): Record<string, any>[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, any>);
}

/** Registers the tests of a scenario: one scaffold + build in beforeAll, one assertion group per test. */
export function describeScenario(s: Scenario): void {
  describe(s.id, () => {
    let p: Prepared;
    beforeAll(async () => {
      p = await prepare(s);
    });
    afterAll(async () => {
      await dispose(p);
    });

    it('is scaffolded by the CLI with the expected runtime, package manager and port', () => {
      expect(p.cli.status).toBe(0);
      expect(p.facts.builderImage).toBe(`docker.io/library/node:${s.nodeVersion}-trixie`);
      expect(p.facts.runtimeBase).toBe(`gcr.io/distroless/nodejs${s.nodeVersion}-debian13:nonroot`);
      expect(p.facts.debugBase).toBe(`gcr.io/distroless/nodejs${s.nodeVersion}-debian13:debug-nonroot`);
      expect(nodeFacts(p.facts).packageManager.name).toBe(s.packageManager);
      expect(p.facts.port).toBe(s.expect.port);
      expect(p.facts.healthPath).toBe(s.expect.healthPath);
      expect(p.facts.hasBuild).toBe(s.expect.hasBuild);
      expect(fs.existsSync(path.join(p.dir, nodeFacts(p.facts).packageManager.lockfile))).toBe(true);
    });

    it('builds Dockerfile and Dockerfile.debug', async () => {
      const engine = podman();
      for (const image of [p.report.images.runtime, p.report.images.debug]) {
        expect((await engine.exec(['image', 'exists', image])).code, image).toBe(0);
      }
      expect(p.log.some((l) => /STEP \d+\/\d+: RUN .*(npm ci|pnpm install|yarn install)/.test(l)), 'progress shows the install step').toBe(true);
    });

    it(`answers 200 on GET ${s.expect.healthPath} over 127.0.0.1`, () => {
      expect(expectPass(p.report, 'serves').detail).toContain(`:${s.expect.port}${s.expect.healthPath} -> 200`);
    });

    it('runs as uid 65532 (runtime and debug)', () => {
      expect((expectPass(p.report, 'uid') as CheckResult & { uid?: number }).uid).toBe(65532);
      expect((expectPass(p.report, 'debug-uid') as CheckResult & { uid?: number }).uid).toBe(65532);
    });

    it('has no shell in the runtime image; the debug image has one', () => {
      const noShell = expectPass(p.report, 'no-shell');
      expect(noShell.detail).toMatch(/sh: exit 127.*\/bin\/sh: exit 127/);
      expectPass(p.report, 'no-shell-binary');
      expect(expectPass(p.report, 'debug-shell').detail).toContain('sh: ran');
    });

    it('has no package manager in the runtime image', () => {
      expectPass(p.report, 'no-package-manager');
      // the listing is real: node itself and the app are in it
      expect(p.report.runtimeFiles).toContain('/nodejs/bin/node');
      expect(p.report.runtimeFiles).toContain('/app/package.json');
      expect(p.report.runtimeFiles).toContain(s.expect.entryFile);
    });

    it('holds production dependencies and no devDependencies', () => {
      expect(nodeFacts(p.facts).devDependencies).toEqual(expect.arrayContaining(s.expect.devDependencies));
      expectPass(p.report, 'no-dev-dependencies');
      for (const dep of s.expect.devDependencies) {
        expect(p.report.runtimeFiles.filter((f) => f.startsWith(`/app/node_modules/${dep}/`))).toEqual([]);
      }
      for (const dep of s.expect.prodDependencies) expect(p.report.runtimeFiles).toContain(`/app/node_modules/${dep}/package.json`);
    });

    it(s.expect.hasBuild ? 'holds the build output and no TypeScript sources' : 'holds the sources it runs (no build)', () => {
      if (s.expect.hasBuild) {
        expectPass(p.report, 'no-typescript-sources');
        expect(fs.readdirSync(path.join(p.dir, 'src')).some((f) => f.endsWith('.ts')), 'the project has TypeScript sources').toBe(true);
      } else {
        expect(p.report.checks.find((c) => c.id === 'no-typescript-sources')).toBeUndefined();
      }
      expect(p.report.runtimeFiles).toContain(s.expect.entryFile);
    });

    it('holds no .env and no tests', () => {
      expectPass(p.report, 'no-env-file');
      expectPass(p.report, 'no-tests');
      if (s.adopt) {
        // the project has them, so the checks above had something to keep out
        expect(fs.existsSync(path.join(p.dir, '.env'))).toBe(true);
        expect(fs.existsSync(path.join(p.dir, 'test'))).toBe(true);
      }
    });

    it('reuses the dependency install after a source-only change', () => {
      expect(expectPass(p.report, 'install-cached').detail).toContain('from cache');
      expect(p.report.images.rebuild).toBeDefined();
      // the install steps were found, and the change was real: a COPY of the sources ran again
      const output = p.report.rebuildOutput!;
      expect(stepsRunning(output, nodeFacts(p.facts).packageManager.installProd).map((x) => x.cached)).toEqual([true]);
      const steps = stepsRunning(output, '');
      expect(steps.filter((x) => !x.cached && /: COPY /.test(x.step)).length, steps.map((x) => `${x.cached ? 'cached' : 'ran'} ${x.step}`).join('\n')).toBeGreaterThan(0);
    });

    it('reports sizes: runtime well under single-stage, waste under 1 MB', () => {
      const { needed, runtime, debug, singleStage, ratio } = p.report.sizes;
      expect(singleStage).toBeDefined();
      // what is needed was measured in the stages and the context: dependencies, package.json, the app
      expect(needed.items.map((i) => i.path)).toEqual(expect.arrayContaining(['/app/node_modules', '/app/package.json']));
      expect(needed.items.find((i) => i.path === '/app/package.json')!.bytes).toBe(fs.statSync(path.join(p.dir, 'package.json')).size);
      if (s.expect.prodDependencies.length > 0) expect(needed.dependencies).toBeGreaterThan(10_000);
      expect(needed.app).toBeGreaterThan(fs.statSync(path.join(p.dir, 'package.json')).size); // and the build output or runtime files
      expect(needed.items.map((i) => i.path)).toContain(s.expect.hasBuild ? path.posix.dirname(s.expect.entryFile) : s.expect.entryFile);
      // the runtime image holds all of it and nothing else
      expect(runtime.missing).toBe(0);
      expect(runtime.waste).toBeLessThan(1e6);
      expect(runtime.fileBytes).toBeGreaterThan(runtime.baseFileBytes);
      expect(runtime.layers.total).toBeLessThan(singleStage!.layers.total);
      expect(debug.fileBytes).toBeGreaterThan(runtime.fileBytes); // busybox
      expect(debug.waste).toBeLessThan(1e6);
      expect(ratio!).toBeGreaterThan(1.3);
      expect(singleStage!.waste).toBeGreaterThan(1e6); // dev dependencies and sources
      const files = p.report.reportFiles!;
      const json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
      expect(json.sizes.runtime.fileBytes).toBe(runtime.fileBytes);
      expect(json.sizes.runtime.waste).toBe(runtime.waste);
      expect(fs.readFileSync(files.svg, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*single-stage[\s\S]*<\/svg>\n$/);
    });

    if (s.wasteControl) {
      it('the waste check fails on a runtime image that copies too much (it can fail)', () => {
        const w = p.wasteControl!;
        expect(p.report.sizes.runtime.waste).toBeLessThan(1e6);
        // COPY . ./src-copy: the whole build context is waste, to the byte
        expect(w.contextBytes).toBeGreaterThan(100_000);
        expect(w.sourceCopyWaste).toBeGreaterThan(p.report.sizes.runtime.waste + w.contextBytes - 4096);
        expect(w.sourceCopyWaste).toBeLessThan(p.report.sizes.runtime.waste + w.contextBytes + 4096);
        // all dependencies instead of the production ones
        expect(w.devDependenciesWaste).toBeGreaterThan(1e6);
      });
    }

    it('renders k8s/base and k8s/overlays/debug that validate against the Kubernetes schema', () => {
      const base = kustomize(path.join(p.dir, 'k8s/base'));
      const debug = kustomize(path.join(p.dir, 'k8s/overlays/debug'));
      for (const obj of [...base, ...debug]) {
        expect(Object.keys(MANIFEST_FILES)).toContain(obj.kind);
        expect(schemaError(obj.kind as ManifestKind, obj), `${obj.kind} ${obj.metadata?.name}`).toBeUndefined();
      }
      expect(base.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ServiceAccount']));
      const image = (objs: Record<string, any>[]) => objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image as string;
      expect(image(debug)).toBe(`${image(base)}-debug`);
      const probe = base.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].readinessProbe;
      expect(probe.httpGet.path).toBe(s.expect.healthPath);
    });

    if (s.negativeControl) {
      it('the file checks fail on the single-stage image (they can fail)', async () => {
        const files = p.singleStageFiles!;
        const results = fileChecks(files, p.facts);
        expect(results.find((r) => r.id === 'no-dev-dependencies')!.ok).toBe(false);
        expect(packageManagerPaths(files, await loadVerifyProfiles()).length).toBeGreaterThan(0);
        if (s.expect.hasBuild) expect(results.find((r) => r.id === 'no-typescript-sources')!.ok).toBe(false);
      });
    }
  });
}

/** Waits for the server to answer (the wait is not an assertion: the status is asserted after). */
export async function getWhenUp(url: string, waitMs: number): Promise<{ status: number; body: string }> {
  const until = Date.now() + waitMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      return { status: res.status, body: await res.text() };
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer from ${url}: ${String(last)}`);
}

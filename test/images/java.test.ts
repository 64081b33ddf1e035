/**
 * The Java family for real: an adopted, real-world-shaped Maven project (Javalin from Maven
 * Central, a manifest Class-Path to lib/, JUnit tests and an .env beside the sources) adopted by the
 * CLI (`create-msb-app .`), and a new project from `create-msb-app <dir> --language java`, built with podman on the stand-ins (Debian trixie's OpenJDK 21
 * and Maven as maven:3.9-eclipse-temurin-21, its JRE as distroless java21-debian13) and checked by
 * verify: 200 on the health path as uid 65532, no shell, no JDK tools, Maven or package manager in
 * the runtime image, the pod-parity run, and the Maven resolution taken from the cache after a
 * source-only change, with the dependency layer of the runtime image reused (only app.jar changes).
 * Maven Central is reached from inside the build through the ca_cert secret (a truststore built from
 * the bundle). The JDK line run here is 21 (the one Debian trixie packages).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CA_BUNDLE, expectPass, podman } from './helpers';
import { stepsRunning, verifyProject, type VerifyReport } from '../../src/verify';
import { instructions, tempDir } from '../util';

const FIXTURE = path.join(__dirname, 'fixtures', 'java-javalin');
const REPO = 'localhost/msb-test/java-orders';

/** The CLI binary, without an install (the projen tooling is not needed to build the image). */
function runCli(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--yes', '--skip-git', '--skip-install'], { cwd, encoding: 'utf8', input: '', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function verify(dir: string, repo: string, singleStage = true): Promise<VerifyReport> {
  const log: string[] = [];
  return verifyProject({
    dir, engine: podman(), pull: 'never', secrets: [`id=ca_cert,src=${CA_BUNDLE}`], keepImages: true, imageRepository: repo, singleStage, log: (l) => log.push(l),
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- verify log ---\n${log.slice(-80).join('\n')}`);
  });
}

async function dispose(report: VerifyReport | undefined): Promise<void> {
  if (!report) return;
  const { stages, ...built } = report.images;
  await podman().exec(['rmi', '-f', ...Object.values(built).filter((x): x is string => !!x), ...stages]);
}

describe('Java family: an adopted Javalin service on distroless java21', () => {
  let dir: string;
  let report: VerifyReport;
  let cli: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = path.join(tempDir('msb-images-java-'), 'orders');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_PASSWORD=never-in-the-image\n');
    cli = runCli(dir, ['.']);
    if (cli.status !== 0) throw new Error(`create-msb-app . failed (${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
    report = await verify(dir, REPO);
  }, 900_000);

  afterAll(async () => {
    await dispose(report);
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('is adopted as a Maven project: Java 21, the jar kind and the port inferred; the image tag is the pom version', () => {
    expect(cli.stdout).toMatch(/Java\s+21\s+from pom\.xml/);
    expect(cli.stdout).toMatch(/jar\s+manifest Class-Path \(lib\/\)/);
    expect(cli.stdout).toMatch(/port\s+8080\s+from src\/main\/java\/com\/example\/orders\/App\.java/);
    expect(fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf8')).toContain("runtime: { family: 'java', version: '21', buildTool: 'maven' }");
    expect(fs.readFileSync(path.join(dir, 'k8s/base/deployment.yaml'), 'utf8')).toContain('image: orders:1.4.0');
  });

  it('renders the resolution before the sources, the layers, and java -jar app.jar on distroless java21', () => {
    const df = instructions(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    expect(df.filter((l) => l.startsWith('FROM '))).toEqual([
      'FROM docker.io/library/maven:3.9-eclipse-temurin-21 AS deps', 'FROM deps AS build', 'FROM gcr.io/distroless/java21-debian13:nonroot AS runtime',
    ]);
    expect(df.indexOf('COPY pom.xml ./pom.xml')).toBeLessThan(df.indexOf('COPY . .'));
    expect(df).toContain('CMD ["/app/app.jar"]');
    expect(df).not.toContain('ENTRYPOINT');
    expect(df).toContain('ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"');
  });

  it('serves 200 on /healthz as uid 65532, runtime and debug', () => {
    expect(expectPass(report, 'serves').detail).toContain(':8080/healthz -> 200');
    expect((expectPass(report, 'uid') as { uid?: number }).uid).toBe(65532);
    expect((expectPass(report, 'debug-uid') as { uid?: number }).uid).toBe(65532);
  });

  it('has no shell, no javac/jar, no Maven and no package manager in the runtime image; jars only', () => {
    expectPass(report, 'no-shell');
    expectPass(report, 'no-shell-binary');
    expect(expectPass(report, 'debug-shell').detail).toContain('sh: ran');
    expectPass(report, 'no-package-manager');
    expectPass(report, 'no-compiler');
    expectPass(report, 'jar-present');
    expectPass(report, 'no-java-sources');
    expectPass(report, 'no-tests');
    const app = report.runtimeFiles.filter((f) => f.startsWith('/app/'));
    expect(app).toContain('/app/app.jar');
    expect(app.some((f) => /^\/app\/lib\/javalin-6\.7\.0\.jar$/.test(f))).toBe(true);
    expect(app.some((f) => /junit/.test(f))).toBe(false);
    expect(report.runtimeFiles.some((f) => /\/bin\/(javac|mvn)$/.test(f))).toBe(false);
    expect(report.runtimeFiles).toContain('/usr/bin/java');
  });

  it('passes the pod-parity run (read-only root, no capabilities, SIGTERM, JAVA_TOOL_OPTIONS from the Deployment)', () => {
    const pod = report.checks.filter((c) => c.id.startsWith('pod-'));
    expect(pod.length).toBeGreaterThan(0);
    for (const c of pod) expect(c.ok, `${c.title}: ${c.detail}`).toBe(true);
  });

  it('a source-only change rebuilds with the Maven resolution from the cache, and the runtime image differs in the app.jar layer only', async () => {
    expect(expectPass(report, 'install-cached').detail).toContain('from cache');
    const output = report.rebuildOutput!;
    expect(stepsRunning(output, 'dependency:go-offline').map((x) => x.cached)).toEqual([true]);
    expect(stepsRunning(output, 'mvn -B -ntp package').map((x) => x.cached)).toEqual([false]);
    // the lib/ layer (Javalin, Jetty, Kotlin...) is the same layer in both images: a push or pull moves only app.jar
    const layers = async (image: string) => JSON.parse(await podman().must(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', image])) as string[];
    const before = await layers(report.images.runtime);
    const after = await layers(report.images.rebuild!);
    expect(after.length).toBe(before.length);
    expect(before.filter((l) => !after.includes(l)).length).toBe(1);
  });

  it('the runtime image is smaller than the single-stage one', () => {
    expect(report.sizes.singleStage).toBeDefined();
    expect(report.sizes.ratio).toBeGreaterThan(1.5);
  });
});

describe('Java family: a new project from create-msb-app --language java', () => {
  let root: string;
  let dir: string;
  let report: VerifyReport;

  beforeAll(async () => {
    root = tempDir('msb-images-java-new-');
    const cli = runCli(root, ['java-hello', '--language', 'java']);
    if (cli.status !== 0) throw new Error(`create-msb-app --language java failed (${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
    dir = path.join(root, 'java-hello');
    report = await verify(dir, 'localhost/msb-test/java-hello', false);
  }, 900_000);

  afterAll(async () => {
    await dispose(report);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes a Maven project on the JDK\'s HTTP server with a JUnit test and the projen tooling', () => {
    for (const f of ['pom.xml', 'src/main/java/com/example/javahello/App.java', 'src/test/java/com/example/javahello/AppTest.java', 'package.json', '.projenrc.ts']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(fs.readFileSync(path.join(dir, 'pom.xml'), 'utf8')).toContain('<maven.compiler.release>21</maven.compiler.release>');
  });

  it('serves 200 on /healthz as uid 65532 with no shell, no JDK tools and no Maven, and passes the pod-parity run', () => {
    expect(expectPass(report, 'serves').detail).toContain(':8080/healthz -> 200');
    expect((expectPass(report, 'uid') as { uid?: number }).uid).toBe(65532);
    for (const id of ['no-shell', 'no-package-manager', 'no-compiler', 'jar-present', 'no-java-sources', 'no-tests']) expectPass(report, id);
    for (const c of report.checks.filter((x) => x.id.startsWith('pod-'))) expect(c.ok, `${c.title}: ${c.detail}`).toBe(true);
    expect(report.runtimeFiles.filter((f) => f.startsWith('/app/') && f.endsWith('.jar'))).toEqual(['/app/app.jar']);
  });
});

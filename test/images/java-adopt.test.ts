/**
 * The Java family for real: an adopted, real-world-shaped Maven project (Javalin from Maven
 * Central, a manifest Class-Path to lib/, JUnit tests and an .env beside the sources) synthesized
 * with `runtime: { family: 'java' }`, built with podman on the stand-ins (Debian trixie's OpenJDK 21
 * and Maven as maven:3.9-eclipse-temurin-21, its JRE as distroless java21-debian13) and checked by
 * verify: 200 on the health path as uid 65532, no shell, no JDK tools, Maven or package manager in
 * the runtime image, the pod-parity run, and the Maven resolution taken from the cache after a
 * source-only change, with the dependency layer of the runtime image reused (only app.jar changes).
 * Maven Central is reached from inside the build through the ca_cert secret (a truststore built from
 * the bundle). The JDK line run here is 21 (the one Debian trixie packages).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_BUNDLE, expectPass, podman } from './helpers';
import { stepsRunning, verifyProject, type VerifyReport } from '../../src/verify';
import { instructions, synth, tempDir } from '../util';

const FIXTURE = path.join(__dirname, 'fixtures', 'java-javalin');
const REPO = 'localhost/msb-test/java-orders';

describe('Java family: an adopted Javalin service on distroless java21', () => {
  let dir: string;
  let report: VerifyReport;

  beforeAll(async () => {
    dir = tempDir('msb-images-java-');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_PASSWORD=never-in-the-image\n');
    synth({ runtime: { family: 'java' } as never, healthCheckPath: '/healthz' }, { dir, name: 'java-orders' });
    const log: string[] = [];
    report = await verifyProject({
      dir, engine: podman(), pull: 'never', secrets: [`id=ca_cert,src=${CA_BUNDLE}`], keepImages: true, imageRepository: REPO, log: (l) => log.push(l),
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n--- verify log ---\n${log.slice(-80).join('\n')}`);
    });
  }, 900_000);

  afterAll(async () => {
    if (report) {
      const { stages, ...built } = report.images;
      await podman().exec(['rmi', '-f', ...Object.values(built).filter((x): x is string => !!x), ...stages]);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
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

  it('a source-only change rebuilds with the Maven resolution and the runtime dependency layer from the cache', () => {
    expect(expectPass(report, 'install-cached').detail).toContain('from cache');
    const output = report.rebuildOutput!;
    expect(stepsRunning(output, 'dependency:go-offline').map((x) => x.cached)).toEqual([true]);
    expect(stepsRunning(output, 'mvn -B -ntp package').map((x) => x.cached)).toEqual([false]);
    // the runtime stage's copy of lib/ is content-identical, so it comes from the cache; app.jar does not
    expect(stepsRunning(output, '/app/.msb-out/dependencies/lib').map((x) => x.cached)).toEqual([true]);
    expect(stepsRunning(output, '/app/.msb-out/application/app.jar').map((x) => x.cached)).toEqual([false]);
  });

  it('the runtime image is smaller than the single-stage one', () => {
    expect(report.sizes.singleStage).toBeDefined();
    expect(report.sizes.ratio).toBeGreaterThan(1.5);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { AppProps, MsbValidationError, podSecurityViolations, runtimeStageViolations } from '../../src';
import { detectFamily, loadCliFamilies } from '../../src/cli/families';
import { javaCli } from '../../src/families/java/cli';
import { JAVA_RUNTIME_POLICY } from '../../src/families/java/policy';
import { instructions, parseYaml, readTree, stage, synth, tempDir } from '../util';

const POM = `<project>
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.5.7</version></parent>
  <artifactId>orders</artifactId>
  <version>2.3.0</version>
  <description>Orders service</description>
  <properties><java.version>17</java.version></properties>
  <build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>
</project>
`;

function javaProject(files: Record<string, string> = {}): string {
  const dir = tempDir();
  const all = { 'pom.xml': POM, 'src/main/resources/application.properties': 'server.port=${PORT:8081}\n', 'package.json': '{}\n', ...files };
  for (const [f, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

function failure(props: AppProps): MsbValidationError {
  const dir = javaProject();
  const before = readTree(dir);
  try {
    synth(props, { dir });
  } catch (e) {
    expect(readTree(dir)).toEqual(before);
    return e as MsbValidationError;
  }
  throw new Error('expected a validation error');
}

describe('the Java family', () => {
  it('resolves dependencies from pom.xml before the sources, builds and layers the jar, runs java -jar app.jar on distroless java', () => {
    const { files } = synth({ runtime: { family: 'java', version: '17' } as never }, { dir: javaProject() });
    const df = files.Dockerfile;
    expect(instructions(df).filter((l) => l.startsWith('FROM '))).toEqual([
      'FROM docker.io/library/maven:3.9-eclipse-temurin-17 AS deps', 'FROM deps AS build', 'FROM gcr.io/distroless/java17-debian13:nonroot AS runtime',
    ]);
    const deps = stage(df, 'deps');
    const resolve = deps.find((l) => l.includes('dependency:go-offline'))!;
    expect(deps.indexOf('COPY pom.xml ./pom.xml')).toBeLessThan(deps.indexOf(resolve));
    expect(resolve).toMatch(/--mount=type=cache,id=maven,target=\/root\/\.m2\/repository,sharing=locked .*--mount=type=secret,id=maven_settings,target=\/root\/\.m2\/settings\.xml/);
    expect(resolve).toContain('if [ -f /run/secrets/ca_cert ]; then mkdir -p /tmp/msb-ca && java /opt/msb/TrustCa.java /run/secrets/ca_cert /tmp/msb-ca/truststore && export JAVA_TOOL_OPTIONS=');
    expect(resolve).toMatch(/mvn -B -ntp dependency:go-offline && rm -rf \/tmp\/msb-ca$/);
    const build = stage(df, 'build');
    expect(build[1]).toBe('COPY . .');
    expect(build).toContain('RUN sh /opt/msb/layout.sh target /app/.msb-lib /app/.msb-out');
    expect(stage(df, 'runtime')).toEqual([
      'FROM gcr.io/distroless/java17-debian13:nonroot AS runtime',
      'WORKDIR /app',
      'ENV PORT=8080',
      'ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"',
      'COPY --from=build --chown=0:0 --chmod=0555 /app/.msb-out/dependencies/lib ./lib',
      'COPY --from=build --chown=0:0 --chmod=0555 /app/.msb-out/snapshot-dependencies/lib ./lib',
      'COPY --from=build --chown=0:0 --chmod=0555 /app/.msb-out/application/app.jar ./app.jar',
      'USER 65532:65532',
      'EXPOSE 8080',
      'LABEL org.opencontainers.image.title="orders-api"       org.opencontainers.image.version="2.3.0"       org.opencontainers.image.description="Orders service"',
      'CMD ["/app/app.jar"]',
    ]);
    expect(files['Dockerfile.debug']).toContain('FROM gcr.io/distroless/java17-debian13:debug-nonroot AS runtime');
  });

  it('the runtime-stage policy keeps the image\'s java -jar: no ENTRYPOINT, the CA secret read only through the truststore helper', () => {
    const { files } = synth({ runtime: { family: 'java' } as never }, { dir: javaProject() });
    const expected = { image: 'gcr.io/distroless/java21-debian13:nonroot', uid: 65532, gid: 65532, workdir: '/app', policy: JAVA_RUNTIME_POLICY, cmd: ['/app/app.jar'] };
    expect(runtimeStageViolations(files.Dockerfile, expected)).toEqual([]);
    const agent = files.Dockerfile.replace('CMD ["/app/app.jar"]', 'ENTRYPOINT ["/usr/bin/java", "-javaagent:/app/a.jar", "-jar"]\nCMD ["/app/app.jar"]');
    expect(runtimeStageViolations(agent, expected).join('\n')).toContain('ENTRYPOINT');
    const leak = files.Dockerfile.replace('mvn -B -ntp dependency:go-offline', 'cat /run/secrets/ca_cert > /app/ca.pem && mvn -B -ntp dependency:go-offline');
    expect(runtimeStageViolations(leak, expected).join('\n')).toContain('names the secret ca_cert');
  });

  it('Gradle (rendered): the build files and wrapper first, gradle dependencies, build/libs layered the same way', () => {
    const dir = javaProject({ 'pom.xml': '', 'build.gradle.kts': 'java { toolchain { languageVersion.set(JavaLanguageVersion.of(21)) } }\n', 'settings.gradle.kts': '', 'gradlew': '', 'gradle/wrapper/gradle-wrapper.properties': '' });
    fs.rmSync(path.join(dir, 'pom.xml'));
    const { files, app } = synth({ runtime: { family: 'java' } as never }, { dir });
    const df = instructions(files.Dockerfile);
    expect(df[0]).toBe('FROM docker.io/library/gradle:jdk21 AS deps');
    expect(df).toEqual(expect.arrayContaining(['COPY build.gradle.kts ./build.gradle.kts', 'COPY settings.gradle.kts ./settings.gradle.kts', 'COPY gradlew ./gradlew', 'COPY gradle ./gradle', 'RUN sh /opt/msb/layout.sh build/libs /app/.msb-lib /app/.msb-out']));
    expect(df.find((l) => l.includes('--no-daemon dependencies'))).toContain('--mount=type=secret,id=gradle_properties,target=/root/.gradle/gradle.properties');
    expect(app.buildWarnings()).toContain('Gradle builds are rendered but were not built by this project\'s image tests (the Gradle wrapper and plugin portal were unreachable there)');
  });

  it('.dockerignore keeps target/, build/, .gradle, class files and settings.xml out; sources and pom.xml in', () => {
    const { files } = synth({ runtime: { family: 'java' } as never }, { dir: javaProject() });
    const m = dockerignore().add(files['.dockerignore']);
    for (const p of ['target/classes/A.class', 'core/target/x.jar', 'build/libs/a.jar', '.gradle/caches/x', 'src/main/java/A.class', '.m2/settings.xml', 'settings-security.xml', 'src/test/java/ATest.java', 'node_modules/projen/index.js', '.env']) expect(m.ignores(p), p).toBe(true);
    for (const p of ['pom.xml', 'src/main/java/com/acme/build/Builder.java', 'src/main/resources/application.properties', 'mvnw', '.mvn/wrapper/maven-wrapper.properties']) expect(m.ignores(p), p).toBe(false);
  });

  it('the Deployment sets JAVA_TOOL_OPTIONS from runtime.heapPercent, keeps the user\'s -Xmx, and refuses one above 90% of the memory limit', () => {
    const pod = (props: AppProps) => parseYaml(synth(props, { dir: javaProject() }).files['k8s/base/deployment.yaml'])[0].spec.template.spec;
    const env = (props: AppProps) => Object.fromEntries(pod(props).containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env({ runtime: { family: 'java', heapPercent: 60 } as never }).JAVA_TOOL_OPTIONS).toBe('-XX:MaxRAMPercentage=60');
    expect(env({ runtime: { family: 'java' } as never, kubernetes: { env: { JAVA_TOOL_OPTIONS: '-Dfile.encoding=UTF-8' } } }).JAVA_TOOL_OPTIONS).toBe('-Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=75');
    expect(env({ runtime: { family: 'java' } as never, kubernetes: { env: { JAVA_TOOL_OPTIONS: '-Xmx256m' }, resources: { memoryLimit: '512Mi' } } }).JAVA_TOOL_OPTIONS).toBe('-Xmx256m');
    expect(podSecurityViolations(pod({ runtime: { family: 'java' } as never }))).toEqual([]);
    const err = failure({ runtime: { family: 'java' } as never, kubernetes: { env: { JAVA_TOOL_OPTIONS: '-Xmx1g' }, resources: { memoryLimit: '512Mi' } } });
    expect(err.message).toContain('kubernetes.env.JAVA_TOOL_OPTIONS: got "-Xmx1g"; expected -Xmx at most 460m (90% of kubernetes.resources.memoryLimit 512Mi)');
  });

  it('names every invalid setting and writes nothing', () => {
    const err = failure({ runtime: { family: 'java', version: '11', buildTool: 'ant', heapPercent: 99, main: 'x' } as never, entrypoint: 'x.jar' });
    expect(err.problems.map((p) => p.field).sort()).toEqual(['entrypoint', 'runtime.buildTool', 'runtime.heapPercent', 'runtime.main', 'runtime.version']);
    expect(err.message).toContain('runtime.version: got "11"; expected one of "17", "21", "25"');
  });

  it('warns when a plain jar has no way to find its dependencies', () => {
    const dir = javaProject({ 'pom.xml': '<project><artifactId>plain</artifactId><dependencies><dependency><artifactId>javalin</artifactId></dependency></dependencies></project>' });
    const { app } = synth({ runtime: { family: 'java' } as never }, { dir });
    expect(app.buildWarnings().join('\n')).toContain('pom.xml builds neither a Spring Boot jar, a shaded jar nor a manifest Class-Path');
  });
});

describe('the Java family in the CLI', () => {
  it('a pom.xml outranks projen\'s package.json: an adopted Java project is detected as Java', async () => {
    expect(detectFamily(javaProject(), await loadCliFamilies())?.name).toBe('java');
  });

  it('adoption infers the release, the build tool, Spring Boot, the port, the name and the version', () => {
    const a = javaCli.adopt(javaProject());
    expect(a.name).toEqual({ value: 'orders', from: 'pom.xml artifactId' });
    expect(a.version).toBe('2.3.0');
    expect(a.inferred.javaVersion).toEqual({ value: '17', from: 'pom.xml' });
    expect(a.inferred.buildTool).toEqual({ value: 'maven', from: 'pom.xml' });
    expect(a.inferred.port).toEqual({ value: 8081, from: 'src/main/resources/application.properties' });
    expect(a.rows.find((r) => r[0] === 'jar')?.[1]).toBe('Spring Boot (layers extracted)');
  });

  it('a release without a distroless image is a mismatch the CLI reports', () => {
    const a = javaCli.adopt(javaProject({ 'pom.xml': '<project><artifactId>x</artifactId><properties><maven.compiler.release>11</maven.compiler.release></properties></project>' }));
    expect(a.mismatch?.javaVersion).toEqual({ value: '11', from: 'pom.xml' });
  });
});

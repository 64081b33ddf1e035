/**
 * The Java family's CLI side: detection (pom.xml, build.gradle(.kts)), adoption inference (the Java
 * release, the build tool, the port, the artifact's name and version), its settings
 * (`--java-version`, `--build-tool`), the new-project sample (a Maven project on the JDK's own HTTP
 * server: a health endpoint, graceful SIGTERM, JUnit tests with `mvn test`) and the projen tooling.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DETECTION_STRENGTH, type Adoption, type FamilyCli, type FamilyDefinition, type Inferred, type Tooling, type Setting } from '../../../contract/family-cli';
import { badFlag } from '../../../contract/family-cli';
import { TOOLING_FOLDER, addToolingDependencies, installTooling, toolingPackageJson } from '../../kit/projen-tooling';
import { runtimeLineSetting } from '../../kit/runtime-line';
import { sampleFiles } from '../../kit/sample';
import { DEFAULT_JAVA_VERSION, findJavaRuntime, javaVersions } from '../catalog';
import { JAVA_BUILDS, JAVA_DEFAULTS } from '../index';
import { readJavaProject } from '../project';

const quoteAll = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');
export const JAVA_NEW_PROJECT_VERSION = '0.1.0';
const TOOLS = ['maven', 'gradle'];

export function checkJavaVersion(value: string, label = '--java-version'): string {
  const line = /^(?:1\.)?([0-9]+)/.exec(value)?.[1];
  if (!line || !findJavaRuntime(line)) throw badFlag(label, value, `one of ${quoteAll(javaVersions())} (the JDK lines distroless publishes on Debian 13)`);
  return line;
}

export function checkBuildTool(value: string, label = '--build-tool'): string {
  if (!TOOLS.includes(value)) throw badFlag(label, value, `one of ${quoteAll(TOOLS)}`);
  return value;
}

const SETTINGS: readonly Setting[] = [
  runtimeLineSetting({
    key: 'javaVersion',
    flag: 'java-version',
    message: 'Java version',
    lines: javaVersions,
    defaultLine: DEFAULT_JAVA_VERSION,
    check: checkJavaVersion,
    blocked: (m) => ({
      note: `${m.from} targets Java ${m.value}, which has no distroless runtime image`,
      error: `The project targets Java ${JSON.stringify(m.value)} (${m.from}), which matches none of the JDK lines with distroless runtime images: ${quoteAll(javaVersions())}. Pass --java-version to choose one (or update ${m.from}).`,
    }),
  }),
  {
    key: 'buildTool',
    flag: 'build-tool',
    prompt: { type: 'select', message: 'Build tool', choices: () => TOOLS.map((n) => ({ name: n })) },
    infer: (ctx) => ctx.adoption?.inferred.buildTool?.value as string | undefined,
    default: () => 'maven',
    validate: (text, _ctx, label) => checkBuildTool(text, label),
  },
];

/** The port: Spring's server.port, else a literal the sources start a server on. */
export function inferJavaPort(dir: string): Inferred<number> | undefined {
  for (const f of ['src/main/resources/application.properties', 'src/main/resources/application.yml', 'src/main/resources/application.yaml']) {
    const file = path.join(dir, f);
    if (!fs.existsSync(file)) continue;
    const m = /server\.port\s*[=:]\s*(?:\$\{PORT:)?([0-9]{2,5})/.exec(fs.readFileSync(file, 'utf8')) ?? /port:\s*(?:\$\{PORT:)?([0-9]{2,5})/.exec(fs.readFileSync(file, 'utf8'));
    if (m) return { value: Number(m[1]), from: f };
  }
  const src = path.join(dir, 'src', 'main');
  const stack = fs.existsSync(src) ? [src] : [];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        stack.push(p);
        continue;
      }
      if (/\.(java|kt)$/.test(e.name)) {
        const text = fs.readFileSync(p, 'utf8');
        const m = /getOrDefault\(\s*"PORT"\s*,\s*"([0-9]{2,5})"\s*\)/.exec(text) ?? /\.start\(\s*([0-9]{2,5})\s*\)/.exec(text) ?? /new InetSocketAddress\(\s*([0-9]{2,5})\s*\)/.exec(text);
        if (m) return { value: Number(m[1]), from: path.relative(dir, p) };
      }
    }
  }
  return undefined;
}

function adopt(dir: string): Adoption {
  const facts = readJavaProject(dir);
  const tool = facts.pom ? 'maven' : 'gradle';
  const buildFile = facts.pom ? 'pom.xml' : facts.gradleBuild!;
  const release = facts.javaRelease;
  const javaVersion = release && findJavaRuntime(release) ? { value: release, from: buildFile } : undefined;
  const mismatch = release && !javaVersion ? { value: release, from: buildFile } : undefined;
  const pom = facts.pom ? fs.readFileSync(path.join(dir, 'pom.xml'), 'utf8').replace(/<!--[\s\S]*?-->/g, '').replace(/<parent>[\s\S]*?<\/parent>/, '').replace(/<dependencies>[\s\S]*<\/dependencies>/, '').replace(/<build>[\s\S]*<\/build>/, '') : '';
  const version = /<version>\s*([^<\s$]+)\s*<\/version>/.exec(pom)?.[1];
  const base = (facts.artifactId ?? path.basename(dir)).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  const port = inferJavaPort(dir);
  const build = tool === 'maven' ? JAVA_BUILDS[0] : JAVA_BUILDS[1];
  const notes: string[] = [];
  if (tool === 'gradle') notes.push('Gradle: the Dockerfile is rendered, but this project\'s image tests build Maven projects only');
  if (facts.modules.length) notes.push(`a multi-module build (${facts.modules.join(', ')}): the image builds the root project's jar`);
  return {
    name: base ? { value: base, from: facts.artifactId ? `${buildFile} artifactId` : 'the folder name' } : undefined,
    ...(version && /^[0-9]/.test(version) ? { version } : {}),
    inferred: { javaVersion, buildTool: { value: tool, from: buildFile }, port },
    mismatch: { javaVersion: mismatch },
    build: { value: { ...build }, from: buildFile },
    entrypoint: { value: JAVA_DEFAULTS.jar, from: `the jar ${tool === 'maven' ? 'mvn package' : 'gradle build'} writes` },
    rows: [
      ['name', base, facts.artifactId ? `${buildFile} artifactId` : undefined],
      ['build tool', `${tool}${(tool === 'maven' ? facts.mvnw : facts.gradlew) ? ' (wrapper)' : ''}`, buildFile],
      ['Java', javaVersion?.value ?? (mismatch ? `${mismatch.value} (no runtime image)` : undefined), javaVersion?.from ?? mismatch?.from],
      ['jar', facts.springBoot ? 'Spring Boot (layers extracted)' : facts.manifestClasspath ? 'manifest Class-Path (lib/)' : facts.fatJar ? 'shaded (one layer)' : 'plain', buildFile],
      ['port', port ? String(port.value) : undefined, port?.from],
    ],
    notes,
  };
}

/**
 * The sample service of a new project (templates/java/sample/): the JDK's HTTP server, a health
 * endpoint, graceful SIGTERM, a JUnit test; a Maven build.
 */
function newProjectFiles(def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  const javaPackage = `com.example.${def.name.replace(/[^a-z0-9]/g, '')}`;
  // Written inside Java string literals as they are: the name is a DNS label and the health path
  // an HTTP path (neither has a quote or a backslash).
  const context = {
    name: def.name,
    port: def.port,
    healthPath: def.healthCheckPath === false ? '/healthz' : def.healthCheckPath,
    version: JAVA_NEW_PROJECT_VERSION,
    javaVersion: def.runtime.javaVersion ?? DEFAULT_JAVA_VERSION,
    javaPackage,
  };
  return {
    ...sampleFiles('java', context, { folders: { package: javaPackage.replace(/\./g, '/') } }),
    'package.json': toolingPackageJson(def, tooling),
  };
}

export const javaCli = {
  name: 'java',
  label: 'Java',
  detect: (dir) => {
    const from = ['pom.xml', 'build.gradle.kts', 'build.gradle'].find((f) => fs.existsSync(path.join(dir, f)));
    return from ? { strength: DETECTION_STRENGTH.languageManifest, from } : undefined;
  },
  newProjectVersion: JAVA_NEW_PROJECT_VERSION,
  newProjectBuild: { ...JAVA_BUILDS[0] },
  options: {
    'java-version': { type: 'string', value: '<line>', description: `Java line: ${javaVersions().join(', ')}`, default: `${DEFAULT_JAVA_VERSION}, or the build file's release` },
    'build-tool': { type: 'string', value: '<tool>', description: 'maven or gradle (Gradle is rendered, not image-tested)', default: 'inferred, else maven' },
  },
  settings: SETTINGS,
  adopt,
  runtimeProps: (runtime) => ({
    props: { family: 'java', version: runtime.javaVersion, buildTool: runtime.buildTool },
    comment: [
      `Builder image ${runtime.buildTool === 'gradle' ? `gradle:jdk${runtime.javaVersion}` : `maven:3.9-eclipse-temurin-${runtime.javaVersion}`}; dependencies resolved from the build files first; the jar in layers`,
      `(lib/, then app.jar) on distroless java${runtime.javaVersion}-debian13, run with java -jar. Java lines: ${javaVersions().map((v) => `'${v}'`).join(', ')}.`,
    ],
  }),
  defaultEntrypoint: () => JAVA_DEFAULTS.jar,
  buildCommand: (runtime, script) => (runtime.buildTool === 'gradle' ? `gradle ${script}` : `mvn ${script}`),
  installer: () => 'npm (the projen tooling)',
  installCommand: () => 'npm install',
  newProjectFiles,
  addDevDependencies: (dir, def, tooling) => addToolingDependencies(dir, def, tooling),
  install: (dir, mode, def, tooling, options) => installTooling(dir, mode, def, tooling, options),
  installFolders: [TOOLING_FOLDER],
  alwaysCopied: 'the jar and its lib/',
} satisfies FamilyCli;

/**
 * The Java family: Maven (the project's mvnw when present) or Gradle in the builder, the dependency
 * resolution from the build files alone in a cacheable step, then the sources and the jar. The jar
 * is split into layers in the build stage (a Spring Boot layered jar extracted with its `tools`
 * jarmode, a plain jar's manifest class path copied as lib/), so a source change re-copies only the
 * application jar; the runtime is distroless `java<line>-debian13:nonroot`, whose ENTRYPOINT
 * `java -jar` runs `<workdir>/app.jar`. JVM flags go through JAVA_TOOL_OPTIONS.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_JAVA_VERSION, findJavaRuntime, javaVersions } from './catalog';
import { JAVA_CA_TRUST, JAVA_RUNTIME_POLICY, TRUSTSTORE_HELPER } from './policy';
import { JavaProjectFacts, readJavaProject } from './project';
import type { AppProps } from '../../contract/app-props';
import { DEFAULTS } from '../../contract/defaults';
import type { FamilyResolution, RuntimeFamily } from '../../contract/family';
import type { AppModel, RuntimeCopy } from '../../contract/model';
import type { JavaRuntimeOptions } from '../../contract/options/java';
import { mebibytes } from '../../k8s/quantity';
import * as v from '../../validation';
import { buildSecretsContext, caTrustCommand, registrySecretFiles } from '../kit/build-secrets';
import { TOOLING_CI_INSTALL } from '../kit/projen-tooling';

export const JAVA_DEFAULTS = {
  version: DEFAULT_JAVA_VERSION,
  buildTool: 'maven',
  /** `-XX:MaxRAMPercentage`: the heap's share of the container's memory limit. */
  heapPercent: 75,
  /** Highest share an explicit `-Xmx` may take of the memory limit (metaspace, threads and code need the rest). */
  maxHeapPercent: 90,
  /** The application jar in the runtime image (under the workdir). */
  jar: 'app.jar',
  /** Build-stage folders (under the workdir): the layers, and Maven's copy of the runtime dependencies. */
  layersDir: '.msb-out',
  libDir: '.msb-lib',
} as const;

const SETTINGS = ['family', 'version', 'buildTool', 'heapPercent'];
const BUILD_TOOLS = ['maven', 'gradle'] as const;
/** The builds of the two tools, as `.projenrc.ts` names them. */
export const JAVA_BUILDS = [{ script: 'package', outDir: 'target' }, { script: 'build', outDir: 'build' }] as const;

/** `-Xmx<size>` in a JAVA_TOOL_OPTIONS value. */
const XMX = /(?:^|\s)-Xmx([0-9]+)([kKmMgGtT]?)(?=\s|$)/;
const RAM_PERCENT = /(?:^|\s)-XX:(?:MaxRAMPercentage|MaxRAMFraction|InitialRAMPercentage)=/;

function options(props: AppProps): Partial<JavaRuntimeOptions> {
  return (props.runtime ?? {}) as Partial<JavaRuntimeOptions>;
}

/** The user's JAVA_TOOL_OPTIONS: the Deployment's own, else the image's. */
function userToolOptions(imageEnv: Readonly<Record<string, string>>, podEnv: Readonly<Record<string, string>>): { field: string; value?: string } {
  if (Object.prototype.hasOwnProperty.call(podEnv, 'JAVA_TOOL_OPTIONS')) return { field: 'kubernetes.env.JAVA_TOOL_OPTIONS', value: podEnv.JAVA_TOOL_OPTIONS };
  if (Object.prototype.hasOwnProperty.call(imageEnv, 'JAVA_TOOL_OPTIONS')) return { field: 'env.JAVA_TOOL_OPTIONS', value: imageEnv.JAVA_TOOL_OPTIONS };
  return { field: 'kubernetes.env.JAVA_TOOL_OPTIONS' };
}

/** `-Xmx` in MiB. */
export function xmxMiB(value: string): number | undefined {
  const m = XMX.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase() || 'b';
  const bytes = n * ({ b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 } as Record<string, number>)[unit];
  return bytes / 1024 ** 2;
}

function validHeapPercent(x: unknown): number {
  return Number.isInteger(x) && (x as number) >= 10 && (x as number) <= JAVA_DEFAULTS.maxHeapPercent ? (x as number) : JAVA_DEFAULTS.heapPercent;
}

function buildToolOf(o: Partial<JavaRuntimeOptions>, facts: JavaProjectFacts | undefined): 'maven' | 'gradle' {
  if (o.buildTool === 'maven' || o.buildTool === 'gradle') return o.buildTool;
  return facts && !facts.pom && facts.gradleBuild ? 'gradle' : JAVA_DEFAULTS.buildTool;
}

export const javaFamily: RuntimeFamily = {
  name: 'java',
  description: 'a Maven (or Gradle) project built into a jar on distroless java',

  readFacts: (dir: string): JavaProjectFacts => readJavaProject(dir),

  validate(props, _facts, p) {
    const o = options(props);
    const version = o.version ?? JAVA_DEFAULTS.version;
    p.check(findJavaRuntime(String(version)) !== undefined, 'runtime.version', version, `one of ${javaVersions().map((x) => `"${x}"`).join(', ')} (the JDK lines distroless publishes on Debian 13)`);
    if (o.buildTool !== undefined) p.check((BUILD_TOOLS as readonly unknown[]).includes(o.buildTool), 'runtime.buildTool', o.buildTool, `one of ${BUILD_TOOLS.map((x) => `"${x}"`).join(', ')}`);
    if (o.heapPercent !== undefined) {
      p.check(Number.isInteger(o.heapPercent) && o.heapPercent >= 10 && o.heapPercent <= JAVA_DEFAULTS.maxHeapPercent, 'runtime.heapPercent', o.heapPercent, `a whole percentage from 10 to ${JAVA_DEFAULTS.maxHeapPercent}`);
    }
    // `build` and `entrypoint` name what the family does anyway (the CLI writes them for readers); nothing else
    const b = props.build;
    p.check(b === undefined || b === false || JAVA_BUILDS.some((x) => x.script === b.script && (b.outDir ?? x.outDir) === x.outDir), 'build', b,
      `nothing (or ${JAVA_BUILDS.map((x) => JSON.stringify(x)).join(' or ')}): the Java family builds with Maven (package) or Gradle (build)`);
    p.check(props.entrypoint === undefined || props.entrypoint === JAVA_DEFAULTS.jar, 'entrypoint', props.entrypoint,
      `nothing (or "${JAVA_DEFAULTS.jar}"): the Java family runs the application jar it builds with the image's java -jar`);
    p.check(props.image?.healthcheck === undefined || props.image.healthcheck === false, 'image.healthcheck', props.image?.healthcheck, 'false or nothing: distroless java has no HTTP client for a shell-free HEALTHCHECK (Kubernetes uses the probes)');
    for (const [key, value] of Object.entries(o)) {
      if (!SETTINGS.includes(key)) p.add(`runtime.${key}`, value, `one of the Java family's settings: ${SETTINGS.join(', ')}`);
    }
    const limitValue = props.kubernetes?.resources?.memoryLimit ?? DEFAULTS.kubernetes.resources.memoryLimit;
    const limit = mebibytes(limitValue);
    const user = userToolOptions(props.env ?? {}, props.kubernetes?.env ?? {});
    if (typeof user.value === 'string' && limit !== undefined) {
      const xmx = xmxMiB(user.value);
      const max = Math.floor((limit * JAVA_DEFAULTS.maxHeapPercent) / 100);
      if (xmx !== undefined) {
        p.check(xmx <= max, user.field, user.value, `-Xmx at most ${max}m (${JAVA_DEFAULTS.maxHeapPercent}% of kubernetes.resources.memoryLimit ${limitValue}): metaspace, threads and the code cache need room below the limit, or the pod is OOM-killed; leave it out to get -XX:MaxRAMPercentage=${validHeapPercent(o.heapPercent)} (runtime.heapPercent)`);
      }
    }
  },

  podEnv({ runtime, imageEnv, podEnv }): Record<string, string> {
    const flag = `-XX:MaxRAMPercentage=${Number(runtime.settings.heapPercent)}`;
    const own = userToolOptions(imageEnv, podEnv).value;
    // the user's own heap setting wins (validation checks an -Xmx); otherwise ours is appended to theirs
    if (own !== undefined && (XMX.test(own) || RAM_PERCENT.test(own))) return { JAVA_TOOL_OPTIONS: own };
    return { JAVA_TOOL_OPTIONS: own !== undefined && own.trim() !== '' ? `${own} ${flag}` : flag };
  },

  resolve(props, facts): FamilyResolution {
    const project = facts as JavaProjectFacts | undefined;
    const o = options(props);
    const spec = findJavaRuntime(String(o.version ?? JAVA_DEFAULTS.version)) ?? findJavaRuntime(JAVA_DEFAULTS.version)!;
    const tool = buildToolOf(o, project);
    const wd = props.workdir!.replace(/\/+$/, '');
    const out = `${wd}/${JAVA_DEFAULTS.layersDir}`;
    const wrapper = tool === 'maven' ? project?.mvnw === true : project?.gradlew === true;
    const installFiles = tool === 'maven'
      ? ['pom.xml', ...(wrapper ? ['mvnw', '.mvn'] : [])]
      : [project?.gradleBuild ?? 'build.gradle.kts', ...(project?.gradleFiles ?? []), ...(wrapper ? ['gradlew', 'gradle'] : [])];
    const copies: RuntimeCopy[] = [
      { src: `${out}/dependencies/lib`, dest: 'lib', from: 'build' },
      { src: `${out}/snapshot-dependencies/lib`, dest: 'lib', from: 'build' },
      { src: `${out}/application/${JAVA_DEFAULTS.jar}`, dest: JAVA_DEFAULTS.jar, from: 'build' },
      ...(props.files ?? []).map(v.normalizePath).map((f) => ({ src: f, dest: f })),
    ];
    return {
      version: spec.version,
      images: { builder: spec.builders[tool], runtime: `${spec.runtimeImage}:${spec.runtimeTag}`, debug: `${spec.runtimeImage}:${spec.debugTag}` },
      platforms: spec.platforms,
      debugTag: spec.debugTag,
      uid: spec.uid,
      gid: spec.gid,
      entrypoint: JAVA_DEFAULTS.jar,
      cmd: [`${wd}/${JAVA_DEFAULTS.jar}`],
      build: { script: tool === 'maven' ? 'package' : 'build', outDir: tool === 'maven' ? 'target' : 'build' },
      installFiles,
      copies,
      metadata: { ...(project?.version ? { version: project.version } : {}), ...(project?.description ? { description: project.description } : {}) },
      settings: {
        buildTool: tool,
        wrapper,
        heapPercent: validHeapPercent(o.heapPercent),
        springBoot: project?.springBoot === true,
      },
    };
  },

  dockerfile: {
    stages: () => ['deps', 'build', 'runtime'],
    copyFrom: () => ['build'],
    policy: () => JAVA_RUNTIME_POLICY,
    roles: () => ({ dependencies: 'deps', build: 'build' }),
    context(model) {
      const s = model.runtime.settings;
      const wd = model.workdir.replace(/\/+$/, '');
      const maven = s.buildTool === 'maven';
      const cmd = buildToolCommand(model);
      return {
        ...buildSecretsContext('java', maven ? 'maven' : 'gradle'),
        // the contract's mounts and help; the CA through the one-run truststore helper
        caTrust: caTrustCommand(JAVA_CA_TRUST),
        caTrustCleanup: JAVA_CA_TRUST.cleanup,
        java: {
          maven,
          cmd,
          installFiles: model.runtime.installFiles,
          helper: TRUSTSTORE_HELPER,
          jarDir: maven ? 'target' : 'build/libs',
          libDir: maven ? `${wd}/${JAVA_DEFAULTS.libDir}` : `${wd}/${JAVA_DEFAULTS.libDir}`,
          layersDir: `${wd}/${JAVA_DEFAULTS.layersDir}`,
          // the image's own heap share, unless the definition's env sets JAVA_TOOL_OPTIONS itself
          toolOptions: Object.prototype.hasOwnProperty.call(model.env, 'JAVA_TOOL_OPTIONS') ? undefined : `-XX:MaxRAMPercentage=${Number(s.heapPercent)}`,
        },
      };
    },
  },

  dockerignore: {
    sections: [{
      comment: 'Java: build output and tool state (dependencies are resolved inside the build); the projen tooling\'s node_modules',
      patterns: ['target', '*/target', 'build', '*/build', '.gradle', '*/.gradle', '**/*.class', '.m2', 'node_modules'],
    }],
    dependencyDirs: [],
    // Maven's settings.xml is a secret; a project's gradle.properties is build configuration (copied before the resolution)
    secretFiles: registrySecretFiles('maven'),
  },

  buildWarnings(model, dir, missingCopies) {
    const out: string[] = [];
    const facts = readJavaProject(dir);
    const tool = model.runtime.settings.buildTool;
    if (tool === 'maven' && !facts.pom) out.push('pom.xml not found: the image build copies it before resolving the dependencies');
    if (tool === 'gradle' && !facts.gradleBuild) out.push('build.gradle(.kts) not found: the image build copies it before resolving the dependencies');
    if (tool === 'gradle') out.push('Gradle builds are rendered but were not built by this project\'s image tests (the Gradle wrapper and plugin portal were unreachable there)');
    if (facts.modules.length > 0) out.push(`pom.xml has modules (${facts.modules.join(', ')}): the dependency step copies the root pom.xml only, so it resolves the parent's dependencies; the modules' own are resolved with the sources`);
    if (tool === 'maven' && facts.pom && !facts.springBoot && !facts.manifestClasspath && !facts.fatJar) {
      out.push('pom.xml builds neither a Spring Boot jar, a shaded jar nor a manifest Class-Path (maven-jar-plugin addClasspath with classpathPrefix lib/): java -jar app.jar will not find the dependencies');
    }
    if (facts.mvnw && !fs.existsSync(path.join(dir, '.mvn', 'wrapper', 'maven-wrapper.properties'))) out.push('mvnw without .mvn/wrapper/maven-wrapper.properties: the wrapper cannot run in the build');
    out.push(...missingCopies);
    return out;
  },


  ci: (model) => ({
    toolchains: { java: model.runtime.version },
    install: [TOOLING_CI_INSTALL],
    test: [model.runtime.settings.buildTool === 'maven' ? `${buildToolCommand(model)} -B test` : `${buildToolCommand(model)} test`],
  }),
};

/** The build tool's command: the project's wrapper when it has one. */
function buildToolCommand(model: AppModel): string {
  const s = model.runtime.settings;
  return s.buildTool === 'maven' ? (s.wrapper ? './mvnw' : 'mvn') : (s.wrapper ? './gradlew' : 'gradle');
}

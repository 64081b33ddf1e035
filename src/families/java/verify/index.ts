/**
 * The Java family's verify profile: distroless java runs `<workdir>/app.jar` with its `java -jar`
 * ENTRYPOINT. No JDK tools (javac, jar, jshell), no build tool (mvn, gradle, their wrappers) and no
 * package manager may be in the runtime image, and no sources or class files outside jars. The
 * dependency layer is the resolution from the build files alone, which a source-only change must
 * take from the cache. The uid check reads /proc (java prints no uid without a program).
 */
import type { DependencyInstall, ForbiddenExecutable, NotApplicable, ProfileCheck, ProfileContext, VerifyProfile } from '../../../contract/verify-profile';

// (Debian's JRE package ships jpackage and keytool: packaging and key tools, not compilers)
const COMPILERS = ['javac', 'jar', 'jshell', 'jlink', 'gcc', 'cc'];
const BUILD_TOOLS = ['mvn', 'mvnw', 'gradle', 'gradlew', 'apt', 'apt-get', 'dpkg'];

const FORBIDDEN: readonly ForbiddenExecutable[] = [
  ...COMPILERS.map((name): ForbiddenExecutable => ({ name, kind: 'compiler', pattern: new RegExp(`/s?bin/${name}$`) })),
  ...BUILD_TOOLS.map((name): ForbiddenExecutable => ({ name, kind: 'package manager', pattern: new RegExp(`/(s?bin/|app/)${name}$`) })),
  { name: 'maven', kind: 'package manager', pattern: /\/(maven|apache-maven[^/]*)\/(bin|boot)\// },
];

/** The resolution steps the rebuild check must find cached. */
export const JAVA_RESOLVE_STEPS = ['dependency:go-offline', '--no-daemon dependencies'];

const list = (xs: readonly string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

export function javaFileChecks(files: readonly string[], ctx: Pick<ProfileContext, 'model'>): ProfileCheck[] {
  const wd = ctx.model.workdir.replace(/\/+$/, '');
  const jar = ctx.model.cmd[0] ?? `${wd}/app.jar`;
  const own = files.filter((f) => f.startsWith(`${wd}/`));
  const sources = own.filter((f) => /\.(java|kt|groovy|class)$/.test(f) || /\/(pom\.xml|build\.gradle(\.kts)?)$/.test(f));
  const tests = own.filter((f) => /\/src\/test\//.test(f) || /\/(junit|mockito-core|assertj-core)-[^/]*\.jar$/.test(f));
  return [
    { id: 'jar-present', title: `the jar the image runs (${jar}) is in the runtime image`, ok: files.includes(jar), detail: files.includes(jar) ? `found ${jar}` : `${jar} is not among ${files.length} paths` },
    { id: 'no-java-sources', title: `no sources, class files or build files in ${wd} (jars only)`, ok: sources.length === 0, detail: sources.length ? `found ${list(sources)}` : 'none' },
    { id: 'no-tests', title: `no test sources or test libraries in ${wd}`, ok: tests.length === 0, detail: tests.length ? `found ${list(tests)}` : 'none' },
  ];
}

function renderSingleStage(ctx: ProfileContext): string {
  const lines = ['# Single-stage equivalent of the generated Dockerfile (create-msb-app verify size report).', `FROM ${ctx.stages[0].from}`];
  for (const stage of ctx.stages.slice(0, -1)) lines.push(...stage.instructions.map((i) => i.text));
  const runtime = ctx.stages[ctx.stages.length - 1];
  lines.push(...runtime.instructions.filter((i) => ['ENV', 'EXPOSE', 'LABEL'].includes(i.keyword)).map((i) => i.text));
  const wd = ctx.model.workdir.replace(/\/+$/, '');
  // the builder's java, on the layers the build stage wrote (the same files the runtime image copies)
  lines.push(`WORKDIR ${wd}/.msb-out`, 'RUN cp -a dependencies/lib/. snapshot-dependencies/lib/ && mv snapshot-dependencies/lib lib && cp application/app.jar app.jar');
  lines.push(`ENTRYPOINT ["java", "-jar", "${wd}/.msb-out/app.jar"]`);
  return `${lines.join('\n')}\n`;
}

export const javaVerifyProfile: VerifyProfile = {
  family: 'java',
  forbiddenExecutables: FORBIDDEN,
  readFacts: () => ({}),
  fileChecks: javaFileChecks,
  // the jar and its lib/ are the runtime stage's copies from the build stage, which verify measures there
  needed: () => ({ sources: [] }),
  dependencyInstall(ctx): DependencyInstall | NotApplicable {
    const deps = ctx.stages.find((s) => s.name === ctx.model.stages.dependencies);
    const command = JAVA_RESOLVE_STEPS.find((c) => deps?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes(c)));
    if (!command) return { notApplicable: `no dependency resolution step (${JAVA_RESOLVE_STEPS.join(' or ')}) in the ${ctx.model.stages.dependencies ?? 'deps'} stage` };
    return {
      commands: [command],
      isDependencyLayer: (createdBy) => createdBy.includes(command) || /\/lib\b/.test(createdBy),
      sourceFile: /\.(java|kt)$/,
      skipDirs: ['target', 'build', '.gradle'],
      comment: (text) => `// ${text}`,
    };
  },
  singleStage: (ctx) => ({ dockerfile: renderSingleStage(ctx) }),
};

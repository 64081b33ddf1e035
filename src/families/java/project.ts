/**
 * What the Java family reads from the project: the build files (pom.xml, build.gradle(.kts)), the
 * wrappers, and from pom.xml the Java release, Spring Boot's plugin and the jar's manifest class path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface JavaProjectFacts {
  readonly pom: boolean;
  readonly mvnw: boolean;
  /** `build.gradle` or `build.gradle.kts`, when present. */
  readonly gradleBuild?: string;
  /** `settings.gradle(.kts)`, `gradle.properties` present. */
  readonly gradleFiles: readonly string[];
  readonly gradlew: boolean;
  /** The Java release the build targets (maven.compiler.release/source, java.version, toolchain). */
  readonly javaRelease?: string;
  /** Spring Boot's Maven or Gradle plugin is applied: its layered jar is extracted. */
  readonly springBoot: boolean;
  /** maven-jar-plugin writes a manifest Class-Path (addClasspath): dependencies go to lib/. */
  readonly manifestClasspath: boolean;
  /** A shaded or assembled jar (dependencies inside the jar). */
  readonly fatJar: boolean;
  /** Modules of a multi-module build. */
  readonly modules: readonly string[];
  /** artifactId of the pom (the app name when adopting). */
  readonly artifactId?: string;
  /** The project's own version and description (pom.xml), for the image tag and labels. */
  readonly version?: string;
  readonly description?: string;
}

const read = (dir: string, f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);

/** The text of pom.xml without comments. */
function stripComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '');
}

/** The Java release a pom.xml targets, when it says. */
export function pomJavaRelease(pom: string): string | undefined {
  const x = stripComments(pom);
  for (const tag of ['maven.compiler.release', 'java.version', 'maven.compiler.target', 'maven.compiler.source', 'release']) {
    const m = new RegExp(`<${tag.replace(/\./g, '\\.')}>\\s*(?:1\\.)?([0-9]+)\\s*</${tag.replace(/\./g, '\\.')}>`).exec(x);
    if (m) return m[1];
  }
  return undefined;
}

/** The Java release of a Gradle build (toolchain languageVersion or sourceCompatibility). */
export function gradleJavaRelease(build: string): string | undefined {
  const m = /languageVersion(?:\.set)?\s*[=(]\s*JavaLanguageVersion\.of\(\s*([0-9]+)\s*\)/.exec(build)
    ?? /sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_(?:1_)?|['"]?)([0-9]+)/.exec(build);
  return m?.[1];
}

export function readJavaProject(dir: string): JavaProjectFacts {
  const pom = read(dir, 'pom.xml');
  const gradleBuild = ['build.gradle.kts', 'build.gradle'].find((f) => fs.existsSync(path.join(dir, f)));
  const gradle = gradleBuild ? read(dir, gradleBuild) ?? '' : '';
  const x = pom ? stripComments(pom) : '';
  // the project's own artifactId: the first one outside <parent>
  const own = x.replace(/<parent>[\s\S]*?<\/parent>/, '').replace(/<dependencies>[\s\S]*<\/dependencies>/, '').replace(/<build>[\s\S]*<\/build>/, '').replace(/<profiles>[\s\S]*<\/profiles>/, '');
  const artifactId = /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(own)?.[1];
  const version = /<version>\s*([0-9][^<\s$]*)\s*<\/version>/.exec(own)?.[1];
  const description = /<description>\s*([^<]+?)\s*<\/description>/.exec(own)?.[1];
  return {
    pom: pom !== undefined,
    mvnw: fs.existsSync(path.join(dir, 'mvnw')),
    gradleBuild,
    gradleFiles: ['settings.gradle.kts', 'settings.gradle', 'gradle.properties'].filter((f) => fs.existsSync(path.join(dir, f))),
    gradlew: fs.existsSync(path.join(dir, 'gradlew')),
    javaRelease: pom !== undefined ? pomJavaRelease(pom) : gradleBuild ? gradleJavaRelease(gradle) : undefined,
    springBoot: /spring-boot-maven-plugin/.test(x) || /org\.springframework\.boot/.test(gradle),
    manifestClasspath: /<addClasspath>\s*true\s*<\/addClasspath>/.test(x),
    fatJar: /maven-shade-plugin|jar-with-dependencies|com\.github\.johnrengelman\.shadow|com\.gradleup\.shadow/.test(x + gradle),
    modules: [...x.matchAll(/<module>\s*([^<\s]+)\s*<\/module>/g)].map((m) => m[1]),
    artifactId,
    ...(version ? { version } : {}),
    ...(description ? { description } : {}),
  };
}

/**
 * The Java catalog lines: data, not code paths. distroless publishes `java17-debian13`,
 * `java21-debian13` and `java25-debian13` (ENTRYPOINT `["/usr/bin/java", "-jar"]`, so CMD is the
 * jar); the builder is the official Maven (or Gradle) image with the same JDK line, so the bytecode
 * targets the runtime's JVM.
 *
 * @see https://github.com/GoogleContainerTools/distroless/blob/main/java/README.md
 */

import { distrolessPlatforms } from '../kit/distroless';

export interface JavaRuntimeSpec {
  readonly family: 'java';
  /** The JDK line, e.g. `21`. */
  readonly version: string;
  /** Builder images per build tool (full references with tag). */
  readonly builders: { readonly maven: string; readonly gradle: string };
  readonly runtimeImage: string;
  readonly runtimeTag: string;
  readonly debugTag: string;
  readonly uid: number;
  readonly gid: number;
  /** The image's ENTRYPOINT: CMD is the jar. */
  readonly entrypoint: readonly string[];
  /** OCI platforms the distroless image is published for (distroless `java/config.bzl`: no 32-bit arm). */
  readonly platforms: readonly string[];
}

const DISTROLESS_UID = 65532;

function javaLine(version: string): JavaRuntimeSpec {
  return {
    family: 'java',
    version,
    builders: { maven: `docker.io/library/maven:3.9-eclipse-temurin-${version}`, gradle: `docker.io/library/gradle:jdk${version}` },
    runtimeImage: `gcr.io/distroless/java${version}-debian13`,
    runtimeTag: 'nonroot',
    debugTag: 'debug-nonroot',
    uid: DISTROLESS_UID,
    gid: DISTROLESS_UID,
    entrypoint: ['/usr/bin/java', '-jar'],
    platforms: distrolessPlatforms(['amd64', 'arm64', 's390x', 'ppc64le', 'riscv64']),
  };
}

/** The JDK lines distroless publishes on Debian 13. */
export const JAVA_RUNTIMES: Readonly<Record<string, JavaRuntimeSpec>> = {
  17: javaLine('17'),
  21: javaLine('21'),
  25: javaLine('25'),
};

/** The JDK line used when the definition names none: 21, the LTS line Debian trixie packages. */
export const DEFAULT_JAVA_VERSION = '21';

export function javaVersions(): string[] {
  return Object.keys(JAVA_RUNTIMES).sort((a, b) => Number(a) - Number(b));
}

export function findJavaRuntime(version: string): JavaRuntimeSpec | undefined {
  return Object.prototype.hasOwnProperty.call(JAVA_RUNTIMES, version) ? JAVA_RUNTIMES[version] : undefined;
}

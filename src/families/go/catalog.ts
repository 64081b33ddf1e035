/**
 * The Go catalog lines: data, not code paths. The builder is the official Go image on Debian trixie
 * (the release distroless debian13 is built from); the binary runs on distroless `static-debian13`
 * (no libc), or on `base-debian13` (glibc) when cgo is on.
 *
 * @see https://github.com/GoogleContainerTools/distroless/blob/main/base/README.md
 */

import { BASE_DEBIAN13_ARCHES, distrolessPlatforms } from '../kit/distroless';

export interface GoRuntimeSpec {
  readonly family: 'go';
  /** The Go line as users write it (go.mod's `go` line, `major.minor`), e.g. `1.26`. */
  readonly version: string;
  readonly builderImage: string;
  readonly builderTag: string;
  /** Distroless runtime image without cgo (no libc) and with cgo (glibc). */
  readonly runtimeImage: string;
  readonly cgoRuntimeImage: string;
  readonly runtimeTag: string;
  readonly debugTag: string;
  readonly uid: number;
  readonly gid: number;
  /** Debian release of the builder; the cgo runtime (base-debian13) has the same glibc. */
  readonly debianRelease: string;
  /** OCI platforms static-debian13 and base-debian13 are published for (the same list). */
  readonly platforms: readonly string[];
}

const DISTROLESS_UID = 65532;

function goLine(version: string): GoRuntimeSpec {
  return {
    family: 'go',
    version,
    builderImage: 'docker.io/library/golang',
    builderTag: `${version}-trixie`,
    runtimeImage: 'gcr.io/distroless/static-debian13',
    cgoRuntimeImage: 'gcr.io/distroless/base-debian13',
    runtimeTag: 'nonroot',
    debugTag: 'debug-nonroot',
    uid: DISTROLESS_UID,
    gid: DISTROLESS_UID,
    debianRelease: 'trixie',
    platforms: distrolessPlatforms(BASE_DEBIAN13_ARCHES),
  };
}

/** The Go lines with official `golang:<line>-trixie` images (the two supported releases). */
export const GO_RUNTIMES: Readonly<Record<string, GoRuntimeSpec>> = {
  1.25: goLine('1.25'),
  1.26: goLine('1.26'),
};

/** The Go line used when the definition names none: the newest release. */
export const DEFAULT_GO_VERSION = '1.26';

export function goVersions(): string[] {
  return Object.keys(GO_RUNTIMES).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

export function findGoRuntime(version: string): GoRuntimeSpec | undefined {
  return Object.prototype.hasOwnProperty.call(GO_RUNTIMES, version) ? GO_RUNTIMES[version] : undefined;
}

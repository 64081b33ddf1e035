/**
 * The Node.js catalog lines: data, not code paths.
 *
 * Each entry says which builder image compiles the app, which distroless image runs it, the tag of
 * its debug twin, the non-root user the image runs as and how the entrypoint becomes a CMD.
 */

import { type DistrolessArch, distrolessPlatforms } from '../kit/distroless';

/**
 * One runtime line: everything the stages and the manifests need to know about a base image pair.
 */
export interface RuntimeSpec {
  /** Runtime family. */
  readonly family: 'node';
  /** The version line as users write it, e.g. `24`. */
  readonly version: string;
  /** Builder image (full reference without tag). */
  readonly builderImage: string;
  /** Builder tag, on the same Debian release as the runtime image. */
  readonly builderTag: string;
  /** Distroless runtime image (full reference without tag). */
  readonly runtimeImage: string;
  /** Tag of the runtime image (non-root). */
  readonly runtimeTag: string;
  /** Tag of the debug variant (busybox shell, still non-root). */
  readonly debugTag: string;
  /** uid of the image's non-root user. */
  readonly uid: number;
  /** gid of the image's non-root user. */
  readonly gid: number;
  /** Debian release shared by builder and runtime, so native addons link against the same glibc. */
  readonly debianRelease: string;
  /** Whether this line is a Node.js LTS line today. */
  readonly lts: boolean;
  /** How the entrypoint becomes CMD: the image's ENTRYPOINT already runs the interpreter. */
  readonly cmd: (entrypoint: string) => string[];
  /** OCI platforms the distroless image of this line is published for. */
  readonly platforms: readonly string[];
}

const DISTROLESS_UID = 65532;

function nodeLine(version: string, lts: boolean, arches: readonly DistrolessArch[]): RuntimeSpec {
  return {
    family: 'node',
    version,
    builderImage: 'docker.io/library/node',
    builderTag: `${version}-trixie`,
    runtimeImage: `gcr.io/distroless/nodejs${version}-debian13`,
    runtimeTag: 'nonroot',
    debugTag: 'debug-nonroot',
    uid: DISTROLESS_UID,
    gid: DISTROLESS_UID,
    debianRelease: 'trixie',
    lts,
    // distroless nodejs images have ENTRYPOINT ["/nodejs/bin/node"]: CMD is the script.
    cmd: (entrypoint) => [entrypoint],
    platforms: distrolessPlatforms(arches),
  };
}

/**
 * Node.js lines that gcr.io/distroless publishes (Debian 13 only; nodejs20 was removed in 2026).
 * Node 26 entered LTS in October 2026, so it is the default. Architectures: distroless
 * `nodejs/config.bzl` (`NODEJS_ARCHITECTURES`); only nodejs22 is built for 32-bit arm.
 */
export const NODE_RUNTIMES: Readonly<Record<string, RuntimeSpec>> = {
  22: nodeLine('22', true, ['amd64', 'arm64', 'arm', 's390x', 'ppc64le']),
  24: nodeLine('24', true, ['amd64', 'arm64', 's390x', 'ppc64le']),
  26: nodeLine('26', true, ['amd64', 'arm64', 's390x', 'ppc64le']),
};

/** The Node.js line used when the definition names none: the newest LTS line distroless publishes. */
export const DEFAULT_NODE_VERSION = '26';

/** The Node.js versions the catalog knows, oldest first. */
export function nodeVersions(): string[] {
  return Object.keys(NODE_RUNTIMES).sort((a, b) => Number(a) - Number(b));
}

/** Looks up a Node.js line; `undefined` when the catalog has none. */
export function findNodeRuntime(version: string): RuntimeSpec | undefined {
  return Object.prototype.hasOwnProperty.call(NODE_RUNTIMES, version) ? NODE_RUNTIMES[version] : undefined;
}

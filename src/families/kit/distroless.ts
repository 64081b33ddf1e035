/**
 * What gcr.io/distroless publishes, as data the family catalogs share: the architectures of its
 * images (the names distroless uses in its build configuration and tag suffixes, e.g. `latest-arm64`)
 * and the OCI platform each stands for. Each family's catalog lists the architectures of its lines.
 *
 * @see https://github.com/GoogleContainerTools/distroless/blob/main/README.md
 */

/** Architecture (distroless's name) -> OCI platform (`docker buildx --platform`); `arm` is built as ARMv7. */
export const DISTROLESS_PLATFORMS = {
  amd64: 'linux/amd64',
  arm64: 'linux/arm64',
  arm: 'linux/arm/v7',
  s390x: 'linux/s390x',
  ppc64le: 'linux/ppc64le',
  riscv64: 'linux/riscv64',
} as const;

/** An architecture distroless builds. */
export type DistrolessArch = keyof typeof DISTROLESS_PLATFORMS;

/** The OCI platforms of a line's architectures, in the catalog's order. */
export function distrolessPlatforms(arches: readonly DistrolessArch[]): string[] {
  return arches.map((a) => DISTROLESS_PLATFORMS[a]);
}

/** static-debian13 and base-debian13 (distroless `static/config.bzl`, `base/config.bzl`). */
export const BASE_DEBIAN13_ARCHES: readonly DistrolessArch[] = ['amd64', 'arm64', 'arm', 's390x', 'ppc64le', 'riscv64'];

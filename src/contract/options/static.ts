/** The `runtime` props of the static-binary family. */

/** A prebuilt static binary, taken from the build context as it is. */
export interface StaticRuntimeOptions {
  /** Selects the static-binary family. */
  readonly family: 'static';
  /**
   * Path of the prebuilt binary in the build context (built for linux, statically linked), e.g.
   * `bin/server`. It is copied into the image and run directly.
   */
  readonly binary: string;
}

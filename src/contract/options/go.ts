/** The `runtime` props of the Go family. */

/** A Go module built inside the image build into a static binary. */
export interface GoRuntimeOptions {
  /** Selects the Go family. */
  readonly family: 'go';
  /**
   * Go release line (`major.minor`) of the builder image `golang:<version>-trixie`.
   * @default "1.26" (or the `go` line of go.mod, when `create-msb-app .` adopts the project)
   */
  readonly version?: string;
  /**
   * The main package to build, as `go build` names it, e.g. `./cmd/server`.
   * @default "."
   */
  readonly main?: string;
  /**
   * Build with cgo (`CGO_ENABLED=1`): the binary links glibc, so the runtime image is distroless
   * `base-debian13` instead of `static-debian13`.
   * @default false
   */
  readonly cgo?: boolean;
  /**
   * Module path patterns fetched directly from their origin instead of the module proxy
   * (`GOPRIVATE`, e.g. `["github.com/acme/*"]`); credentials come from the `netrc` build secret
   * (`--secret id=netrc,src=$HOME/.netrc`), never from the image.
   * @default []
   */
  readonly private?: string[];
}

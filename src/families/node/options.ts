/** The `runtime` props of the Node.js family. */
import type { PackageManagerName } from './package-managers';

/** Node.js runtime selection. */
export interface NodeRuntimeOptions {
  /**
   * The runtime family.
   * @default "node"
   */
  readonly family?: 'node';
  /**
   * Node.js major version.
   * @default "26" (the newest LTS line distroless publishes)
   */
  readonly version?: string;
  /**
   * Node.js major version (an alias of `version`, which wins when both are set).
   * @default "26"
   */
  readonly nodeVersion?: string;
  /**
   * Package manager; its lockfile must exist next to package.json.
   * @default "npm"
   */
  readonly packageManager?: PackageManagerName;
  /**
   * Share of the container's memory limit given to the V8 heap: the Deployment sets
   * `NODE_OPTIONS=--max-old-space-size=<share of kubernetes.resources.memoryLimit in MiB>` (merged
   * with a `NODE_OPTIONS` of `kubernetes.env` or `env`; a heap size set there is kept, and must be
   * at most 90% of the limit). The rest is for code, buffers and the runtime itself.
   * @default 75
   * @see https://nodejs.org/api/cli.html#--max-old-space-sizesize-in-mib
   */
  readonly heapPercent?: number;
  /**
   * Run the app under an init process: `tini` (Debian's static build, installed in the builder
   * stage) becomes PID 1 and forwards SIGTERM to Node. For apps that install no SIGTERM handler:
   * as PID 1, Node ignores SIGTERM and the pod is killed at the grace period; under tini it exits.
   * The runtime stage copies `/usr/bin/tini-static` to `/tini` and sets
   * `ENTRYPOINT ["/tini", "--", "/nodejs/bin/node"]`, the only form the runtime-stage policy admits.
   * @default false
   */
  readonly init?: boolean;
}

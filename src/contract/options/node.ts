/** The `runtime` props of the Node.js family. */
/** A package manager the Node.js family supports. */
export type PackageManagerName = 'npm' | 'pnpm' | 'yarn';

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
  /**
   * Arguments after the entrypoint in CMD, e.g. `['start']` for `node_modules/next/dist/bin/next`
   * or `['build/server/index.js']` for a framework's own server CLI.
   * @default []
   */
  readonly args?: string[];
  /**
   * A Next.js app built with `output: 'standalone'` (next.config): the runtime image holds
   * `.next/standalone` (server.js with its traced node_modules), `.next/static` and `public` in the
   * places server.js reads them, binds to all interfaces (`HOSTNAME=0.0.0.0`), and the Deployment
   * mounts an emptyDir at `.next/standalone/.next/cache` (the image cache) under the read-only root.
   * The entrypoint is `.next/standalone/server.js`; build.outDir must be `.next`.
   * @default false
   */
  readonly nextStandalone?: boolean;
}

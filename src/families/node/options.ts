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
}

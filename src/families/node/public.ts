/** What the Node.js family offers a `.projenrc.ts` and the CLI: its catalog lines and package managers. */
export { DEFAULT_NODE_VERSION, NODE_RUNTIMES, nodeVersions, findNodeRuntime, type RuntimeSpec } from './catalog';
export { PACKAGE_MANAGERS, packageManagerNames, findPackageManager, type PackageManagerName, type PackageManagerSpec } from './package-managers';
export { nodeFamily, NODE_DEFAULTS } from '.';

/**
 * Package managers as data: how each one installs from its lockfile, where its cache lives, how it
 * runs a script, and how it gets into a builder image that may lack corepack (Node.js 25+ no
 * longer ships it).
 */

/** A package manager the Node.js family supports. */
export type PackageManagerName = 'npm' | 'pnpm' | 'yarn';

/** What the build stage needs to know about a package manager. */
export interface PackageManagerSpec {
  readonly name: PackageManagerName;
  /** Lockfile that must exist next to package.json and is copied before the sources. */
  readonly lockfile: string;
  /** Installed in the builder with `npm install -g` (empty for npm, which the image has). */
  readonly installSpec?: string;
  /** Cache directory used as a cache mount. */
  readonly cacheDir: string;
  /** Install every dependency, exactly as locked. */
  readonly installAll: string;
  /** Install production dependencies only, exactly as locked. */
  readonly installProd: string;
  /** Run a package.json script. */
  readonly run: (script: string) => string;
}

export const PACKAGE_MANAGERS: Readonly<Record<PackageManagerName, PackageManagerSpec>> = {
  npm: {
    name: 'npm',
    lockfile: 'package-lock.json',
    cacheDir: '/root/.npm',
    installAll: 'npm ci --no-audit --no-fund',
    installProd: 'npm ci --omit=dev --no-audit --no-fund',
    run: (script) => `npm run ${script}`,
  },
  pnpm: {
    name: 'pnpm',
    lockfile: 'pnpm-lock.yaml',
    installSpec: 'pnpm@10',
    cacheDir: '/root/.cache/pnpm-store',
    installAll: 'pnpm install --frozen-lockfile --store-dir /root/.cache/pnpm-store',
    installProd: 'pnpm install --frozen-lockfile --prod --store-dir /root/.cache/pnpm-store',
    run: (script) => `pnpm run ${script}`,
  },
  yarn: {
    name: 'yarn',
    lockfile: 'yarn.lock',
    installSpec: 'yarn@1',
    cacheDir: '/root/.cache/yarn',
    installAll: 'yarn install --frozen-lockfile --non-interactive --cache-folder /root/.cache/yarn',
    installProd: 'yarn install --frozen-lockfile --non-interactive --production --cache-folder /root/.cache/yarn',
    run: (script) => `yarn run ${script}`,
  },
};

/** The package managers the catalog knows. */
export function packageManagerNames(): PackageManagerName[] {
  return Object.keys(PACKAGE_MANAGERS) as PackageManagerName[];
}

/** Looks up a package manager; `undefined` when unknown. */
export function findPackageManager(name: string): PackageManagerSpec | undefined {
  return Object.prototype.hasOwnProperty.call(PACKAGE_MANAGERS, name)
    ? PACKAGE_MANAGERS[name as PackageManagerName]
    : undefined;
}

/**
 * Package managers as data: how each one installs from its lockfile, where its cache lives, how it
 * runs a script, and how it gets into a builder image that may lack corepack (Node.js 25+ no
 * longer ships it).
 */

import type { PackageManagerName } from '../../contract/options/node';

export type { PackageManagerName };

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
  /** Install every dependency, exactly as locked, on a CI machine (the tool's own cache folder). */
  readonly ciInstall: string;
}

export const PACKAGE_MANAGERS: Readonly<Record<PackageManagerName, PackageManagerSpec>> = {
  npm: {
    name: 'npm',
    lockfile: 'package-lock.json',
    cacheDir: '/root/.npm',
    installAll: 'npm ci --no-audit --no-fund',
    installProd: 'npm ci --omit=dev --no-audit --no-fund',
    run: (script) => `npm run ${script}`,
    ciInstall: 'npm ci --no-audit --no-fund',
  },
  pnpm: {
    name: 'pnpm',
    lockfile: 'pnpm-lock.yaml',
    installSpec: 'pnpm@10',
    cacheDir: '/root/.cache/pnpm-store',
    installAll: 'pnpm install --frozen-lockfile --store-dir /root/.cache/pnpm-store',
    installProd: 'pnpm install --frozen-lockfile --prod --store-dir /root/.cache/pnpm-store',
    run: (script) => `pnpm run ${script}`,
    ciInstall: 'pnpm install --frozen-lockfile',
  },
  yarn: {
    name: 'yarn',
    lockfile: 'yarn.lock',
    installSpec: 'yarn@1',
    cacheDir: '/root/.cache/yarn',
    installAll: 'yarn install --frozen-lockfile --non-interactive --cache-folder /root/.cache/yarn',
    installProd: 'yarn install --frozen-lockfile --non-interactive --production --cache-folder /root/.cache/yarn',
    run: (script) => `yarn run ${script}`,
    ciInstall: 'yarn install --frozen-lockfile --non-interactive',
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

/** `packageManager` of package.json (`pnpm@9.15.0+sha512.abc`): name, exact version and the integrity suffix. */
export interface DeclaredPackageManager {
  readonly name: string;
  readonly version: string;
  /** The `+sha...` suffix corepack checks (npm checks the registry's own integrity instead). */
  readonly hash?: string;
}

/** Parses a `packageManager` value; undefined when it is not `name@x.y.z[+hash]`. */
export function parsePackageManagerField(value: string | undefined): DeclaredPackageManager | undefined {
  const m = /^(@?[\w.-]+)@(\d+\.\d+\.\d+(?:-[\w.]+)?)(?:\+(\S+))?$/.exec(value?.trim() ?? '');
  return m ? { name: m[1], version: m[2], hash: m[3] } : undefined;
}

/** Yarn 2 and later (Berry): another CLI, another install and another cache than Yarn 1. */
export function isYarnBerry(version: string | undefined): boolean {
  return version !== undefined && Number(version.split('.')[0]) >= 2;
}

export interface PinnedPackageManager extends PackageManagerSpec {
  /** The pinned version, when the project pins one. */
  readonly version?: string;
  /** Files the install needs besides package.json and the lockfile (Yarn Berry: .yarnrc.yml). */
  readonly extraManifests: readonly string[];
  /** Install `installSpec` even when the builder has a binary of that name (Yarn 1 in the node images). */
  readonly forceInstall: boolean;
}

/**
 * The package manager at the version the project pins (`packageManager`): the builder installs
 * exactly that version (Node.js 25+ ships no corepack, so it comes from the npm registry), and
 * Yarn Berry installs with its own commands (`--immutable`, `workspaces focus --production`, which
 * Yarn 4 has built in) and its node-modules linker (`.yarnrc.yml` is copied with the lockfile).
 */
export function pinnedPackageManager(name: PackageManagerName, version: string | undefined): PinnedPackageManager {
  const base = PACKAGE_MANAGERS[name];
  if (!version || name === 'npm') return { ...base, extraManifests: [], forceInstall: false };
  if (name === 'yarn' && isYarnBerry(version)) {
    const cache = `YARN_CACHE_FOLDER=${base.cacheDir} YARN_ENABLE_GLOBAL_CACHE=false YARN_ENABLE_TELEMETRY=0`;
    return {
      ...base,
      version,
      // The npm package of Yarn Berry's CLI; it replaces the builder's Yarn 1.
      installSpec: `@yarnpkg/cli-dist@${version}`,
      installAll: `${cache} yarn install --immutable`,
      installProd: `${cache} yarn workspaces focus --production`,
      ciInstall: 'yarn install --immutable',
      extraManifests: ['.yarnrc.yml'],
      forceInstall: true,
    };
  }
  return { ...base, version, installSpec: `${name}@${version}`, extraManifests: [], forceInstall: true };
}

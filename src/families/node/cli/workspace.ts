/**
 * The Node.js family's workspace roots (npm/yarn `workspaces` in package.json, or
 * pnpm-workspace.yaml; Turborepo and Nx layouts are these plus their own config): which workspace
 * packages are apps, and what applies to every app (the package manager). The CLI's workspace flow
 * (src/cli/workspace.ts) lists them, adopts the chosen apps and installs once at the root.
 *
 * An app is a workspace package with a start script (`start`, `start:prod`, `serve`) or a server
 * entrypoint, that no other workspace package depends on (a package others depend on is a library).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceAdoption, WorkspaceMember } from '../../../contract/family-cli';
import { readJsonIfValid } from '../../../util/json';
import { type Workspace, dependentsOf, readWorkspace } from '../workspace/detect';

/** Scripts that say a package is started as a server. */
const START_SCRIPTS = ['start:prod', 'start', 'serve'];
/** Entry files that say a package is a server when it has no start script. */
const SERVER_FILES = ['server.js', 'server.mjs', 'src/server.ts', 'src/main.ts'];

/** Sorts a workspace's packages into apps and the rest (libraries, tools), with the reason. */
export function classifyPackages(ws: Workspace): WorkspaceMember[] {
  return ws.packages.map((pkg) => {
    const member = { dir: pkg.dir, name: pkg.name };
    const dependents = dependentsOf(ws, pkg);
    if (dependents.length > 0) return { ...member, app: false, reason: `a library: ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it` };
    const script = START_SCRIPTS.find((s) => typeof pkg.pkg.scripts?.[s] === 'string');
    if (script) return { ...member, app: true, reason: `"${script}" script` };
    const file = SERVER_FILES.find((f) => fs.existsSync(path.join(ws.root, pkg.dir, f)));
    if (file) return { ...member, app: true, reason: `server entrypoint ${file}` };
    return { ...member, app: false, reason: 'no start script and no server entrypoint' };
  });
}

/** The workspace declared at `root` and its apps; undefined when `root` declares none. */
export function adoptWorkspace(root: string): WorkspaceAdoption | undefined {
  const ws = readWorkspace(root);
  if (!ws) return undefined;
  const rootName = (readJsonIfValid(path.join(root, 'package.json')) as { name?: unknown } | undefined)?.name;
  return {
    root: ws.root,
    kind: ws.kind,
    patterns: ws.patterns,
    members: classifyPackages(ws),
    shared: [['package manager', ws.kind, ws.kind === 'pnpm' ? 'pnpm-workspace.yaml' : 'package.json "workspaces"']],
    unsupported: ws.kind === 'yarn'
      ? 'yarn workspaces are not supported yet (the image must hold one app\'s dependencies only, which needs `yarn workspaces focus` of Yarn 4). npm and pnpm workspaces are.'
      : undefined,
    flagDefaults: { 'package-manager': ws.kind === 'pnpm' ? 'pnpm' : 'npm' },
    // The package name without its scope.
    name: String(rootName ?? '').replace(/^@[^/]+\//, ''),
    noApp: `no workspace package has a start script (${START_SCRIPTS.join(', ')}) or a server entrypoint (${SERVER_FILES.join(', ')}) without other packages depending on it`,
    noAppShort: 'no workspace package has a start script or a server entrypoint',
  };
}

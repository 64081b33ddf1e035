/**
 * A small hand-written workspace: two apps (`apps/web`, `apps/api`) and an internal package
 * (`packages/shared`) that both use. Each app has a dependency of its own (web: escape-html, api:
 * depd), the shared package has one (ms), and `packages/shared` must be built before the apps (its
 * `main` is `dist/index.js`, which its build script writes; each app's build requires it).
 */

/** The workspace kinds the image tests cover. */
export type WorkspaceKind = 'npm' | 'pnpm';

/** Each app's own production dependency. */
export const OWN_DEPENDENCY = { web: 'escape-html', api: 'depd' } as const;
/** The shared package's production dependency (in both images). */
export const SHARED_DEPENDENCY = 'ms';

const server = (name: string, dep: string) => `'use strict';
const http = require('node:http');
const { greet } = require('@shop/shared');
require('${dep}');

const port = Number(process.env.PORT || 3000);
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  res.setHeader('content-type', 'text/plain');
  res.end(greet('${name}'));
});
server.listen(port, () => console.log('${name} listening on ' + port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A build script that fails unless the shared package was built first, then writes dist/. */
const appBuild = `'use strict';
const fs = require('node:fs');
require('@shop/shared'); // its dist/ must exist: internal packages are built before the app
fs.mkdirSync('dist', { recursive: true });
fs.copyFileSync('src/index.js', 'dist/index.js');
`;

const sharedBuild = `'use strict';
const fs = require('node:fs');
fs.mkdirSync('dist', { recursive: true });
fs.copyFileSync('src/index.js', 'dist/index.js');
`;

/** The files of the workspace (path -> content). */
export function workspaceFiles(kind: WorkspaceKind): Record<string, string> {
  const internal = kind === 'pnpm' ? 'workspace:*' : '1.0.0';
  const app = (name: string, dep: string) => ({
    name,
    version: '1.0.0',
    private: true,
    scripts: { build: 'node build.js', start: 'node dist/index.js' },
    dependencies: { '@shop/shared': internal, [dep]: dep === 'depd' ? '2.0.0' : '1.0.3' },
  });
  const root = { name: 'shop', version: '1.0.0', private: true, ...(kind === 'npm' ? { workspaces: ['apps/*', 'packages/*'] } : {}) };
  const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  return {
    'package.json': json(root),
    ...(kind === 'pnpm' ? { 'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "packages/*"\n' } : {}),
    '.gitignore': 'node_modules/\ndist/\n',
    'packages/shared/package.json': json({
      name: '@shop/shared',
      version: '1.0.0',
      main: 'dist/index.js',
      files: ['dist'],
      scripts: { build: 'node build.js' },
      dependencies: { [SHARED_DEPENDENCY]: '2.1.3' },
    }),
    'packages/shared/build.js': sharedBuild,
    'packages/shared/src/index.js': `'use strict';\nconst ms = require('${SHARED_DEPENDENCY}');\nexports.greet = (name) => 'hello from ' + name + ' (' + ms(60000) + ')';\n`,
    'apps/web/package.json': json(app('web', OWN_DEPENDENCY.web)),
    'apps/web/build.js': appBuild,
    'apps/web/src/index.js': server('web', OWN_DEPENDENCY.web),
    'apps/api/package.json': json(app('api', OWN_DEPENDENCY.api)),
    'apps/api/build.js': appBuild,
    'apps/api/src/index.js': server('api', OWN_DEPENDENCY.api),
    // A secret next to an app: the root .dockerignore must keep it out of every build context.
    'apps/api/.env': 'API_TOKEN=must-not-ship\n',
  };
}

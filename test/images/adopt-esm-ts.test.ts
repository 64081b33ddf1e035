/**
 * An existing TypeScript ESM app with a build step (`"type": "module"`, tsc to dist/), an ESM-only
 * production dependency (nanoid 5), a .env and a test/ folder.
 */
import { describeScenario } from './helpers';

const pkg = {
  name: 'esm-service',
  version: '2.0.0',
  private: true,
  type: 'module',
  scripts: { build: 'tsc -p tsconfig.json', start: 'node dist/main.js', test: 'node --test' },
  dependencies: { nanoid: '^5.0.9' },
  devDependencies: { 'typescript': '^5.9.3', '@types/node': '^24.0.0' },
};

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    rootDir: 'src',
    outDir: 'dist',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['src'],
};

describeScenario({
  id: 'adopt-esm-ts',
  nodeVersion: '26',
  packageManager: 'npm',
  adopt: {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'src/main.ts': `import { createServer } from 'node:http';
import { nanoid } from 'nanoid';
import { route } from './routes.js';

const port = Number(process.env.PORT ?? 8081);
const instance = nanoid(8);
createServer((req, res) => {
  const { status, body } = route(req.method ?? 'GET', req.url ?? '/', instance);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}).listen(port, () => console.log(\`esm-service \${instance} on \${port}\`));
process.on('SIGTERM', () => process.exit(0));
`,
    'src/routes.ts': `export function route(method: string, url: string, instance: string): { status: number; body: unknown } {
  if (method === 'GET' && url === '/healthz') return { status: 200, body: { status: 'ok', instance } };
  return { status: 404, body: { error: 'not found' } };
}
`,
    '.env': 'API_TOKEN=must-not-ship\n',
    'test/routes.test.ts': `import { route } from '../src/routes.js';
if (route('GET', '/healthz', 'x').status !== 200) throw new Error('health');
`,
    '.gitignore': 'node_modules/\ndist/\n.env\n',
  },
  expect: {
    port: 8081,
    healthPath: '/healthz',
    hasBuild: true,
    entryFile: '/app/dist/main.js',
    devDependencies: ['typescript', '@types/node', 'create-msb-app', 'projen'],
    prodDependencies: ['nanoid'],
  },
  negativeControl: true,
  wasteControl: true,
});

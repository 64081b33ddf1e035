import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXPRESS_APP, TS_ESM_APP, read, cli, tempDir, tree, writeFiles } from './helpers';
import { gitShortCommit } from '../../src/util/git';

const work: string[] = [];
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = tempDir('msb-adopt-');
  work.push(dir);
  writeFiles(dir, files);
  return dir;
}

test('adopts a CommonJS Express app without a build step', async () => {
  // GIVEN
  const dir = project(EXPRESS_APP);
  const before = tree(dir);

  // WHEN
  const r = await cli(['.', '--skip-install'], dir);

  // THEN
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('package manager  npm  from package-lock.json');
  expect(r.stdout).toMatch(/entrypoint\s+server\.js\s+from package\.json "scripts\.start" \(node server\.js\)/);
  expect(r.stdout).toMatch(/port\s+3000\s+from server\.js \(PORT \|\| 3000\)/);
  expect(r.stdout).toMatch(/Node\.js\s+26\s+from package\.json "engines\.node" \(>=22\)/);

  // The user's files are untouched, except package.json which only gains dev dependencies.
  const after = tree(dir);
  for (const file of ['server.js', 'routes/index.js', 'public/index.html', 'package-lock.json', 'test/server.test.js']) {
    expect(after[file]).toBe(before[file]);
  }
  const original = EXPRESS_APP['package.json'];
  const pkgText = read(dir, 'package.json');
  expect(pkgText.startsWith(original.slice(0, original.lastIndexOf('}') - 2))).toBe(true);
  const pkg = JSON.parse(pkgText);
  expect(pkg.scripts).toEqual({ start: 'node server.js', test: 'node --test' });
  expect(pkg.dependencies).toEqual({ express: '^4.21.2' });
  expect(Object.keys(pkg.devDependencies).sort()).toEqual(['constructs', 'create-msb-app', 'projen', 'sucrase']);
  // The user's .gitignore keeps its lines.
  expect(read(dir, '.gitignore')).toMatch(/^node_modules\n# my own line\n\.env\n/);

  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain('build: false');
  expect(projenrc).toContain("entrypoint: 'server.js'");
  expect(projenrc).toContain("files: ['public', 'routes', 'server.js']");
  expect(projenrc).toContain('port: 3000');
  // The tag is left to synthesis (the package version), not frozen at adoption.
  expect(projenrc).toContain("image: { repository: 'shop' }");
  expect(projenrc).not.toMatch(/tag:/);
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('image: shop:1.2.3');
  expect(r.stdout).toContain('shop:1.2.3');

  const dockerfile = read(dir, 'Dockerfile');
  expect(dockerfile).toContain('COPY package.json package-lock.json ./');
  expect(dockerfile).toContain('COPY --chown=0:0 --chmod=0555 routes ./routes');
  expect(dockerfile).toContain('COPY --chown=0:0 --chmod=0555 server.js ./server.js');
  expect(dockerfile).not.toContain('run build');
  expect(dockerfile).toContain('EXPOSE 3000');
  expect(dockerfile).toContain('CMD ["server.js"]');
  expect(fs.existsSync(path.join(dir, 'src'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'tsconfig.json'))).toBe(false);
});

test('adopts a TypeScript ESM app with a build to dist/', async () => {
  const dir = project(TS_ESM_APP);
  const before = tree(dir);

  const r = await cli(['.', '--skip-install'], dir);

  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('package manager  pnpm  from pnpm-lock.yaml');
  expect(r.stdout).toMatch(/Node\.js\s+24\s+from \.nvmrc \(v24\.3\.0\)/);
  expect(r.stdout).toMatch(/build\s+build -> dist\//);
  expect(r.stdout).toMatch(/port\s+4000\s+from src\/index\.ts/);
  const after = tree(dir);
  for (const file of ['tsconfig.json', 'src/index.ts', '.nvmrc', 'pnpm-lock.yaml']) expect(after[file]).toBe(before[file]);

  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("new MsbProject({ name: 'orders-api' })");
  expect(projenrc).toContain("build: { script: 'build', outDir: 'dist' }");
  expect(projenrc).toContain("entrypoint: 'dist/index.js'");
  expect(projenrc).toContain("runtime: { nodeVersion: '24', packageManager: 'pnpm' }");
  const dockerfile = read(dir, 'Dockerfile');
  expect(dockerfile).toContain('COPY package.json pnpm-lock.yaml ./');
  expect(dockerfile).toContain('pnpm run build');
  expect(dockerfile).toContain('FROM gcr.io/distroless/nodejs24-debian13:nonroot');
  expect(dockerfile).toContain('CMD ["dist/index.js"]');
  // typescript and @types/node were there already: only what is missing is added.
  const pkg = JSON.parse(read(dir, 'package.json'));
  expect(pkg.devDependencies).toMatchObject({ 'typescript': '^5.9.3', '@types/node': '^24.0.0' });
  expect(pkg.scripts).toEqual({ build: 'tsc -p .', start: 'node --enable-source-maps dist/index.js' });
});

test('an app without a version: no tag in the definition, synthesis tags it 0.0.0-dev (or the git commit)', async () => {
  const pkg = JSON.parse(EXPRESS_APP['package.json']);
  delete pkg.version;
  const dir = project({ ...EXPRESS_APP, 'package.json': `${JSON.stringify(pkg, null, 2)}\n` });
  const r = await cli(['.', '--skip-install', '--skip-git'], dir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("image: { repository: 'shop' }");
  expect(projenrc).not.toMatch(/tag:/);
  const commit = gitShortCommit(dir);
  const tag = commit ? `0.0.0-${commit}` : '0.0.0-dev';
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain(`image: shop:${tag}\n`);
  expect(r.stdout).toContain(`shop:${tag}`);
});

test('an explicit --image tag is written, even when it equals the version', async () => {
  const dir = project(EXPRESS_APP);
  const r = await cli(['.', '--skip-install', '--image', 'registry.example.com/shop:1.2.3'], dir);
  expect(r.stderr).toBe('');
  expect(read(dir, '.projenrc.ts')).toContain("image: { repository: 'registry.example.com/shop', tag: '1.2.3' }");
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('image: registry.example.com/shop:1.2.3');
});

test('adopts a yarn project; flags override what was inferred', async () => {
  const files = { ...EXPRESS_APP, 'yarn.lock': '# yarn lockfile v1\n' };
  delete (files as Record<string, string>)['package-lock.json'];
  const dir = project(files);
  const r = await cli(['.', '--skip-install', '--port', '9000', '--node-version', '22', '--name', 'shop-web'], dir);
  expect(r.stderr).toBe('');
  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("packageManager: 'yarn'");
  expect(projenrc).toContain('port: 9000');
  expect(projenrc).toContain("nodeVersion: '22'");
  expect(read(dir, 'Dockerfile')).toContain('COPY package.json yarn.lock ./');
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('name: shop-web');
});

describe('start scripts with node options', () => {
  const withStart = (start: string, extra: Record<string, string> = {}) =>
    project({ ...EXPRESS_APP, 'package.json': EXPRESS_APP['package.json'].replace('"start": "node server.js"', `"start": ${JSON.stringify(start)}`), ...extra });

  test('-r <package> is a preload, not the entrypoint; the summary says it is not carried into CMD', async () => {
    const dir = withStart('node -r dotenv/config server.js');
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+server\.js\s+from package\.json "scripts\.start"/);
    expect(r.stdout).toContain('start script also passes -r dotenv/config; not carried into CMD');
    expect(r.stdout).toContain('NODE_OPTIONS');
    const projenrc = read(dir, '.projenrc.ts');
    expect(projenrc).toContain("entrypoint: 'server.js'");
    expect(projenrc).toContain("files: ['public', 'routes', 'server.js']");
    expect(read(dir, 'Dockerfile')).toContain('CMD ["server.js"]');
  });

  test('--require ./file: a preload in the project is copied into the image with the app', async () => {
    const dir = withStart('node --require ./tracing.js server.js', { 'tracing.js': "require('./otel/setup');\n", 'otel/setup.js': '// tracing\n' });
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+server\.js\s/);
    expect(r.stdout).toContain('start script also passes --require ./tracing.js; not carried into CMD');
    const projenrc = read(dir, '.projenrc.ts');
    expect(projenrc).toContain("entrypoint: 'server.js'");
    expect(projenrc).toContain("files: ['otel', 'public', 'routes', 'server.js', 'tracing.js']");
    expect(read(dir, 'Dockerfile')).toContain('COPY --chown=0:0 --chmod=0555 tracing.js ./tracing.js');
  });

  test.each([
    ['node --enable-source-maps server.js', '--enable-source-maps'],
    ['NODE_ENV=production node --import=./otel.mjs --max-old-space-size=512 server.js', '--import=./otel.mjs --max-old-space-size=512'],
    ['node --loader ts-node/esm --experimental-loader ./hooks.mjs server.js --verbose', '--loader ts-node/esm --experimental-loader ./hooks.mjs'],
  ])('%s: flags are named in the summary', async (start, named) => {
    const dir = withStart(start, { 'otel.mjs': '', 'hooks.mjs': '' });
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+server\.js\s/);
    expect(r.stdout).toContain(`start script also passes ${named}; not carried into CMD`);
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'server.js'");
  });

  test('NODE_ENV=... and arguments after the script are named too', async () => {
    const dir = withStart('NODE_ENV=production node server.js --verbose');
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('start script also sets NODE_ENV=production; not carried into the image: add it to env in .projenrc.ts if needed');
    expect(r.stdout).toContain('start script also passes --verbose to server.js; not carried into CMD');
    expect(read(dir, 'Dockerfile')).toContain('CMD ["server.js"]');
  });

  test('-e is no file entrypoint: "main" is used instead, and the summary says why', async () => {
    const dir = withStart("node -e \"require('./server')\"");
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+server\.js\s+from package\.json "main"/);
    expect(r.stdout).toMatch(/start script runs inline code \(-e\)/);
    expect(read(dir, '.projenrc.ts')).not.toContain('./server');
  });

  test('a start script file that does not exist is not taken as the entrypoint', async () => {
    const dir = withStart('node app.js');
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+server\.js\s+from package\.json "main"/);
    expect(r.stdout).toContain('app.js, which is not in the project');
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'server.js'");
  });

  test('a start script naming a file without extension uses the file node would run', async () => {
    const dir = withStart('node -r dotenv/config lib/main', { 'lib/main.js': "require('../server');\n" });
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.stderr).toBe('');
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'lib/main.js'");
  });
});

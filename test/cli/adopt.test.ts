import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EXPRESS_APP, TS_ESM_APP, ensureBuilt, read, runBin, tempDir, tree, writeFiles } from './helpers';

const work: string[] = [];
beforeAll(() => ensureBuilt());
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = tempDir('msb-adopt-');
  work.push(dir);
  writeFiles(dir, files);
  return dir;
}

test('adopts a CommonJS Express app without a build step', () => {
  // GIVEN
  const dir = project(EXPRESS_APP);
  const before = tree(dir);

  // WHEN
  const r = runBin(['.', '--skip-install'], dir);

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
  expect(projenrc).toContain("image: { repository: 'shop', tag: '1.2.3' }");

  const dockerfile = read(dir, 'Dockerfile');
  expect(dockerfile).toContain('COPY package.json package-lock.json ./');
  expect(dockerfile).toContain('COPY --chown=65532:65532 routes ./routes');
  expect(dockerfile).toContain('COPY --chown=65532:65532 server.js ./server.js');
  expect(dockerfile).not.toContain('run build');
  expect(dockerfile).toContain('EXPOSE 3000');
  expect(dockerfile).toContain('CMD ["server.js"]');
  expect(fs.existsSync(path.join(dir, 'src'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'tsconfig.json'))).toBe(false);
});

test('adopts a TypeScript ESM app with a build to dist/', () => {
  const dir = project(TS_ESM_APP);
  const before = tree(dir);

  const r = runBin(['.', '--skip-install'], dir);

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

test('adopts a yarn project; flags override what was inferred', () => {
  const files = { ...EXPRESS_APP, 'yarn.lock': '# yarn lockfile v1\n' };
  delete (files as Record<string, string>)['package-lock.json'];
  const dir = project(files);
  const r = runBin(['.', '--skip-install', '--port', '9000', '--node-version', '22', '--name', 'shop-web'], dir);
  expect(r.stderr).toBe('');
  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("packageManager: 'yarn'");
  expect(projenrc).toContain('port: 9000');
  expect(projenrc).toContain("nodeVersion: '22'");
  expect(read(dir, 'Dockerfile')).toContain('COPY package.json yarn.lock ./');
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('name: shop-web');
});

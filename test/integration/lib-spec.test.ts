/**
 * The default --lib when the CLI runs from a checkout or an installation (npx --package <tarball>,
 * a local install): the new project gets a spec it can install, and the image build too: a local
 * source is vendored into the project (vendor/create-msb-app-<version>.tgz).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { REPO_ROOT, assertBuilt, read, runBin, start, tempDir } from './helpers';

beforeAll(() => assertBuilt());

/**
 * Lays out create-msb-app as npx installs it: `<cache>/node_modules/create-msb-app` with the
 * cache's package.json and package-lock.json saying where it came from.
 */
function installed(version: string, resolved: string | undefined): { bin: string; cache: string; root: string } {
  const top = tempDir('msb-npx-');
  const cache = path.join(top, '_npx', 'abc123');
  const root = path.join(cache, 'node_modules', 'create-msb-app');
  fs.mkdirSync(root, { recursive: true });
  for (const d of ['bin', 'lib', 'templates']) fs.cpSync(path.join(REPO_ROOT, d), path.join(root, d), { recursive: true });
  const own = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ ...own, version }, undefined, 2));
  // Its dependencies, as the cache would hold them.
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  if (resolved !== undefined) {
    fs.writeFileSync(path.join(cache, 'package.json'), JSON.stringify({ dependencies: { 'create-msb-app': resolved } }));
    fs.writeFileSync(path.join(cache, 'package-lock.json'), JSON.stringify({
      lockfileVersion: 3,
      requires: true,
      packages: { '': { dependencies: { 'create-msb-app': resolved } }, 'node_modules/create-msb-app': { version, resolved } },
    }, undefined, 2));
  }
  return { bin: path.join(root, 'bin', 'create-msb-app.js'), cache, root };
}

function runInstalled(bin: string, args: string[], cwd: string) {
  return start(process.execPath, [bin, ...args], cwd).done;
}

function lib(dir: string): string {
  return JSON.parse(read(dir, 'package.json')).devDependencies['create-msb-app'];
}

test('installed from a tarball (npx --package ./create-msb-app-0.0.0.tgz): the tarball is copied into vendor/', async () => {
  const { bin, cache } = installed('0.0.0', 'file:../../create-msb-app-0.0.0.tgz');
  const tarball = path.resolve(cache, '../../create-msb-app-0.0.0.tgz');
  fs.writeFileSync(tarball, 'not really a tarball');
  const cwd = tempDir();

  const r = await runInstalled(bin, ['demo', '--yes', '--skip-install'], cwd);

  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const dir = path.join(cwd, 'demo');
  expect(lib(dir)).toBe('file:vendor/create-msb-app-0.0.0.tgz');
  expect(read(dir, 'vendor/create-msb-app-0.0.0.tgz')).toBe('not really a tarball');
  // The image build copies it before the install.
  expect(read(dir, 'Dockerfile')).toContain('COPY vendor/create-msb-app-0.0.0.tgz ./vendor/create-msb-app-0.0.0.tgz');
  expect(r.stdout).not.toContain('outside the project');
});

test('installed from the registry: the running version, nothing vendored', async () => {
  const { bin } = installed('1.4.2', 'https://registry.npmjs.org/create-msb-app/-/create-msb-app-1.4.2.tgz');
  const cwd = tempDir();
  const r = await runInstalled(bin, ['demo', '--yes', '--skip-install'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('1.4.2');
  expect(fs.existsSync(path.join(cwd, 'demo', 'vendor'))).toBe(false);
});

test('installed with version 0.0.0 and no record of where from: never "0.0.0" (no registry has it); the installed folder is packed into vendor/', async () => {
  const { bin } = installed('0.0.0', undefined);
  const cwd = tempDir();
  const r = await runInstalled(bin, ['demo', '--yes', '--skip-install'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('file:vendor/create-msb-app-0.0.0.tgz');
  expect(fs.statSync(path.join(cwd, 'demo', 'vendor', 'create-msb-app-0.0.0.tgz')).size).toBeGreaterThan(10_000);
});

test('running the checkout\'s binary: it packs itself into vendor/', async () => {
  const cwd = tempDir();
  const r = await runBin(['demo', '--yes', '--skip-install'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('file:vendor/create-msb-app-0.0.0.tgz');
  expect(r.stdout).toContain('vendor/');
  expect(REPO_ROOT).not.toBe('');
});

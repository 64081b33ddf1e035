/**
 * The default --lib when the CLI runs from an installation (npx --package <tarball>, a local
 * install): the spec must be one the new project can install.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { REPO_ROOT, ensureBuilt, read, runBin, tempDir } from './helpers';

const work: string[] = [];
beforeAll(() => ensureBuilt());
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/**
 * Lays out create-msb-app as npx installs it: `<cache>/node_modules/create-msb-app` with the
 * cache's package.json and package-lock.json saying where it came from.
 */
function installed(version: string, resolved: string | undefined): { bin: string; cache: string; root: string } {
  const top = tempDir('msb-npx-');
  work.push(top);
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
  return spawnSync(process.execPath, [bin, ...args], { cwd, input: '', encoding: 'utf8', env: { ...process.env, npm_config_user_agent: '', CI: '1' } });
}

function lib(dir: string): string {
  return JSON.parse(read(dir, 'package.json')).devDependencies['create-msb-app'];
}

test('installed from a tarball (npx --package ./create-msb-app-0.0.0.tgz): a file: spec to the tarball, with a warning', () => {
  const { bin, cache } = installed('0.0.0', 'file:../../create-msb-app-0.0.0.tgz');
  const tarball = path.resolve(cache, '../../create-msb-app-0.0.0.tgz');
  fs.writeFileSync(tarball, 'not really a tarball');
  const cwd = tempDir();
  work.push(cwd);

  const r = runInstalled(bin, ['demo', '--yes', '--skip-install'], cwd);

  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(lib(path.join(cwd, 'demo'))).toBe(`file:${tarball}`);
  expect(r.stdout).toContain(`file:${tarball} is outside the project`);
  expect(r.stdout).toContain('--lib file:vendor/create-msb-app.tgz');
});

test('installed from the registry: the running version, no warning', () => {
  const { bin } = installed('1.4.2', 'https://registry.npmjs.org/create-msb-app/-/create-msb-app-1.4.2.tgz');
  const cwd = tempDir();
  work.push(cwd);
  const r = runInstalled(bin, ['demo', '--yes', '--skip-install'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('1.4.2');
  expect(r.stdout).not.toContain('outside the project');
});

test('installed with version 0.0.0 and no record of where from: never "0.0.0", which no registry has', () => {
  const { bin, root } = installed('0.0.0', undefined);
  const cwd = tempDir();
  work.push(cwd);
  const r = runInstalled(bin, ['demo', '--yes', '--skip-install'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe(`file:${root}`);
  expect(r.stdout).toContain('outside the project');
});

test('a --lib tarball inside the project is written relative to it, without a warning', () => {
  const cwd = tempDir();
  work.push(cwd);
  fs.mkdirSync(path.join(cwd, 'demo', 'vendor'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'demo', 'vendor', 'create-msb-app.tgz'), '');
  const r = runBin(['demo', '--yes', '--skip-install', '--force', '--lib', 'file:demo/vendor/create-msb-app.tgz'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('file:vendor/create-msb-app.tgz');
  expect(r.stdout).not.toContain('outside the project');
});

test('running from a checkout: a file: spec to it, and the warning', () => {
  const cwd = tempDir();
  work.push(cwd);
  const r = runBin(['demo', '--yes', '--skip-install'], cwd);
  expect(lib(path.join(cwd, 'demo'))).toBe(`file:${REPO_ROOT}`);
  expect(r.stdout).toContain(`file:${REPO_ROOT} is outside the project`);
});

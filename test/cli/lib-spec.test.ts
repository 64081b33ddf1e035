/**
 * `file:` paths on the command line: read from the directory the user typed them in, written
 * relative to the project; a path inside the project is never treated as outside; a `--lib` outside
 * the project is vendored into it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { EXPRESS_APP, cli, read, tempDir, tree, writeFiles } from './helpers';
import { familyDefinition } from '../../src/cli/definition';
import { resolveFileSpec } from '../../src/cli/lib-spec';
import { parseTemplate } from '../../src/cli/template-source';

function lib(dir: string): string {
  return JSON.parse(read(dir, 'package.json')).devDependencies['create-msb-app'];
}

test('a --lib tarball inside the project, given relative to the current directory, is written relative to the project', async () => {
  const cwd = tempDir();
  fs.mkdirSync(path.join(cwd, 'demo', 'vendor'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'demo', 'vendor', 'create-msb-app.tgz'), 'mine');
  const r = await cli(['demo', '--yes', '--skip-install', '--skip-git', '--force', '--lib', 'file:demo/vendor/create-msb-app.tgz'], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('file:vendor/create-msb-app.tgz');
  expect(fs.readdirSync(path.join(cwd, 'demo', 'vendor'))).toEqual(['create-msb-app.tgz']);
});

test('an absolute --lib path inside the project is written relative to it, not treated as outside', async () => {
  const cwd = tempDir();
  const tgz = path.join(cwd, 'demo', 'vendor', 'create-msb-app.tgz');
  fs.mkdirSync(path.dirname(tgz), { recursive: true });
  fs.writeFileSync(tgz, 'mine');
  const r = await cli(['demo', '--yes', '--skip-install', '--skip-git', '--force', '--lib', `file:${tgz}`], cwd);
  expect(r.stderr).toBe('');
  expect(lib(path.join(cwd, 'demo'))).toBe('file:vendor/create-msb-app.tgz');
  expect(fs.readdirSync(path.join(cwd, 'demo', 'vendor'))).toEqual(['create-msb-app.tgz']);
});

test('a --lib tarball outside the project, relative to the current directory, is copied into vendor/', async () => {
  const top = tempDir();
  const cwd = path.join(top, 'work');
  fs.mkdirSync(cwd);
  fs.writeFileSync(path.join(top, 'create-msb-app-9.9.9.tgz'), 'packed');
  const r = await cli([path.join(top, 'out', 'demo'), '--yes', '--skip-install', '--skip-git', '--lib', 'file:../create-msb-app-9.9.9.tgz'], cwd);
  expect(r.stderr).toBe('');
  const dir = path.join(top, 'out', 'demo');
  expect(lib(dir)).toBe('file:vendor/create-msb-app-9.9.9.tgz');
  expect(read(dir, 'vendor/create-msb-app-9.9.9.tgz')).toBe('packed');
  expect(read(dir, 'Dockerfile')).toContain('COPY vendor/create-msb-app-9.9.9.tgz ./vendor/create-msb-app-9.9.9.tgz');
});

test('--template name@file: resolves like --lib: from the current directory, written relative to the project', () => {
  const cwd = tempDir();
  const project = path.join(cwd, 'demo');
  fs.mkdirSync(path.join(cwd, 'org'));
  fs.mkdirSync(path.join(project, 'vendor', 'org'), { recursive: true });
  const outside = parseTemplate('@acme/t@file:./org', project, cwd);
  expect(outside).toEqual({ kind: 'package', name: '@acme/t', spec: `@acme/t@file:${path.join(cwd, 'org')}` });
  const inside = parseTemplate('@acme/t@file:demo/vendor/org', project, cwd);
  expect(inside).toEqual({ kind: 'package', name: '@acme/t', spec: '@acme/t@file:vendor/org' });
  const absoluteInside = parseTemplate(`@acme/t@file:${path.join(project, 'vendor', 'org')}`, project, cwd);
  expect(absoluteInside.kind === 'package' && absoluteInside.spec).toBe('@acme/t@file:vendor/org');
  // And the dev dependency the project gets:
  const def = familyDefinition({
    name: 'demo',
    port: 1,
    healthCheckPath: '/',
    family: 'node',
    runtime: {},
    build: false,
    entrypoint: 'x.js',
    image: { repository: 'demo', tag: '1' },
    template: inside,
  });
  expect(def.extraDevDependencies).toEqual({ '@acme/t': 'file:vendor/org' });
  expect(() => parseTemplate('@acme/t@file:./missing', project, cwd)).toThrow(/Invalid --template "@acme\/t@file:.\/missing": .* does not exist/);
});

test('resolveFileSpec: relative to cwd; inside the project relative to it; outside absolute', () => {
  expect(resolveFileSpec('file:p/x.tgz', '/w', '/w/p')).toEqual({ abs: '/w/p/x.tgz', inside: true, spec: 'file:x.tgz' });
  expect(resolveFileSpec('file:/w/p/a/x.tgz', '/elsewhere', '/w/p')).toEqual({ abs: '/w/p/a/x.tgz', inside: true, spec: 'file:a/x.tgz' });
  expect(resolveFileSpec('file:../x.tgz', '/w/sub', '/w/p')).toEqual({ abs: '/w/x.tgz', inside: false, spec: 'file:/w/x.tgz' });
  expect(resolveFileSpec('file:/w/pp/x.tgz', '/', '/w/p').inside).toBe(false);
});

test('vendoring never replaces a different file of the user\'s in vendor/; the project is left as it was', async () => {
  const top = tempDir();
  fs.writeFileSync(path.join(top, 'create-msb-app-9.9.9.tgz'), 'packed');
  const dir = path.join(top, 'shop');
  writeFiles(dir, { ...EXPRESS_APP, 'vendor/create-msb-app-9.9.9.tgz': 'mine' });
  const before = tree(dir);
  const r = await cli(['.', '--yes', '--skip-install', '--skip-git', '--lib', `file:${path.join(top, 'create-msb-app-9.9.9.tgz')}`], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('vendor/create-msb-app-9.9.9.tgz already exists and differs');
  expect(tree(dir)).toEqual(before);
});

/**
 * Synthesis loads only what it uses: in a spawned synthesis of a project that links the built
 * package, neither projen's index (every project type), nor Handlebars' compiler (the built-in
 * templates come precompiled), nor verify's engine (src/verify) is in require's cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { REPO_ROOT, assertBuilt, sh, tempDir } from './helpers';

beforeAll(() => assertBuilt());

test('a synthesis does not load projen\'s index, Handlebars\' compiler or verify', async () => {
  const dir = tempDir('msb-lazy-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'orders-api', version: '1.0.0', scripts: { build: 'tsc' } }));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), [
    "import { App, MsbProject } from 'create-msb-app';",
    "const project = new MsbProject({ name: 'orders-api' });",
    "new App(project, { port: 8080, kubernetes: { replicas: 3, ingress: { host: 'orders.example.com' }, networkPolicy: { allowFromNamespaces: ['ingress-nginx'] } } });",
    'project.synth();',
    // What the process loaded, relative to the package or to node_modules.
    "require('fs').writeFileSync('loaded.json', JSON.stringify(Object.keys(require.cache)));",
    '',
  ].join('\n'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'create-msb-app'), 'dir');
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', 'sucrase'), path.join(dir, 'node_modules', 'sucrase'), 'dir');

  await sh(process.execPath, ['--require', 'sucrase/register/ts', '.projenrc.ts'], dir);

  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain('EXPOSE 8080');
  const loaded = (JSON.parse(fs.readFileSync(path.join(dir, 'loaded.json'), 'utf8')) as string[]).map((f) => path.relative(REPO_ROOT, f));
  // It did load the package, projen's project and Handlebars' runtime (the check sees the real paths).
  expect(loaded).toContain(path.join('lib', 'templates.js'));
  expect(loaded).toContain(path.join('lib', 'templates.precompiled.js'));
  expect(loaded).toContain(path.join('node_modules', 'projen', 'lib', 'project.js'));
  expect(loaded).toContain(path.join('node_modules', 'handlebars', 'dist', 'cjs', 'handlebars.runtime.js'));
  // Not: projen's index, Handlebars' compiler, verify.
  expect(loaded).not.toContain(path.join('node_modules', 'projen', 'lib', 'index.js'));
  expect(loaded.filter((f) => f.includes(path.join('handlebars', 'dist', 'cjs', 'handlebars', 'compiler')))).toEqual([]);
  expect(loaded.filter((f) => f.startsWith(path.join('lib', 'verify') + path.sep))).toEqual([]);
});

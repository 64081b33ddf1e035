/**
 * Synthesis loads only what it uses: in a spawned synthesis of a project that links the built
 * package, neither projen's index (every project type), nor Handlebars' compiler (the built-in
 * templates come precompiled), nor verify's engine (src/verify), nor the base-image lock's code
 * (src/lock: none without msb.lock.json; with it, its reader and never the registry client) is in
 * require's cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { REPO_ROOT, assertBuilt, sh, tempDir } from './helpers';
import { familyNames } from '../../src/families';

beforeAll(() => assertBuilt());

/** Synthesizes a project linking the built package (with `files` besides its own); returns what the process loaded. */
async function loadedBySynthesis(files: Record<string, string> = {}): Promise<{ dir: string; loaded: string[] }> {
  const dir = tempDir('msb-lazy-');
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
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
  return { dir, loaded: (JSON.parse(fs.readFileSync(path.join(dir, 'loaded.json'), 'utf8')) as string[]).map((f) => path.relative(REPO_ROOT, f)) };
}

const lockModules = (loaded: string[]) => loaded.filter((f) => f.startsWith(path.join('lib', 'lock') + path.sep)).sort();

test('a synthesis does not load projen\'s index, Handlebars\' compiler, verify or the base-image lock', async () => {
  const { dir, loaded } = await loadedBySynthesis();
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain('EXPOSE 8080');
  // It did load the package, projen's project and Handlebars' runtime (the check sees the real paths).
  expect(loaded).toContain(path.join('lib', 'templates.js'));
  expect(loaded).toContain(path.join('lib', 'templates.precompiled.js'));
  expect(loaded).toContain(path.join('node_modules', 'projen', 'lib', 'project.js'));
  expect(loaded).toContain(path.join('node_modules', 'handlebars', 'dist', 'cjs', 'handlebars.runtime.js'));
  // Not: projen's index, Handlebars' compiler, verify.
  expect(loaded).not.toContain(path.join('node_modules', 'projen', 'lib', 'index.js'));
  expect(loaded.filter((f) => f.includes(path.join('handlebars', 'dist', 'cjs', 'handlebars', 'compiler')))).toEqual([]);
  expect(loaded.filter((f) => f.startsWith(path.join('lib', 'verify') + path.sep))).toEqual([]);
  expect(lockModules(loaded)).toEqual([]);
  // nor any family's CLI or verify part (the family table loads them on first use)
  expect(loaded.filter((f) => /^lib[\\/]families[\\/][^\\/]+[\\/](cli|verify)[\\/]/.test(f))).toEqual([]);
  expect(loaded).toContain(path.join('lib', 'families', 'node', 'index.js'));
});

test('with msb.lock.json a synthesis loads the lock\'s reader only (not the registry client or the lock command)', async () => {
  const builder = 'docker.io/library/node:26-trixie';
  const lock = { images: { [builder]: { digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.index.v1+json', resolvedAt: '2026-01-31T12:00:00.000Z' } }, lockVersion: 1 };
  const { dir, loaded } = await loadedBySynthesis({ 'msb.lock.json': JSON.stringify(lock) });
  // the lock was read and applied
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain(`FROM ${builder}@sha256:${'a'.repeat(64)} AS base`);
  expect(lockModules(loaded)).toEqual([path.join('lib', 'lock', 'file.js'), path.join('lib', 'lock', 'pins.js')]);
});

test('verify reads the record and the families\' verify profiles: loading it loads neither the App nor projen', async () => {
  const dir = tempDir('msb-lazy-verify-');
  fs.writeFileSync(path.join(dir, 'load.js'), [
    `const verify = require(${JSON.stringify(path.join(REPO_ROOT, 'lib', 'verify'))});`,
    'verify.loadVerifyProfiles().then((profiles) => {',
    "  require('fs').writeFileSync('loaded.json', JSON.stringify({ families: profiles.map((p) => p.family), loaded: Object.keys(require.cache) }));",
    '});',
    '',
  ].join('\n'));
  await sh(process.execPath, ['load.js'], dir);
  const { families, loaded } = JSON.parse(fs.readFileSync(path.join(dir, 'loaded.json'), 'utf8')) as { families: string[]; loaded: string[] };
  const rel = loaded.map((f) => path.relative(REPO_ROOT, f));
  expect(families).toEqual(familyNames());
  expect(rel).toContain(path.join('lib', 'families', 'node', 'verify', 'index.js'));
  expect(rel).not.toContain(path.join('lib', 'app.js'));
  expect(rel.filter((f) => f.startsWith(path.join('node_modules', 'projen') + path.sep))).toEqual([]);
  expect(rel.filter((f) => /^lib[\\/](model|k8s[\\/]kubernetes|dockerfiles|project)/.test(f))).toEqual([]);
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EXPRESS_APP, REPO_ROOT, assertBuilt, read, runBin, sh, start, tree, writeFiles } from './helpers';

// Installs for real from the npm registry: slower than the other CLI tests.
let work: string;
let tarball: string;

beforeAll(async () => {
  assertBuilt();
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'msb-install-')));
  const out = await sh('npm', ['pack', '--pack-destination', work, '--json', '--ignore-scripts'], REPO_ROOT);
  tarball = path.join(work, (JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[])[0].filename);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function npx(args: string[], cwd: string) {
  const r = await start('npx', args, cwd).done;
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

test('a new project installs, re-synthesizes byte for byte, and follows an edit of .projenrc.ts', async () => {
  // GIVEN a project scaffolded against the packed library, with a real install
  const r = await runBin(['demo', '--yes', '--lib', `file:${tarball}`], work);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('Installing dependencies with npm');
  const dir = path.join(work, 'demo');
  expect(fs.existsSync(path.join(dir, 'node_modules', 'create-msb-app', 'lib', 'index.js'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'package-lock.json'))).toBe(true);
  const first = tree(dir);

  // WHEN npx projen runs unchanged THEN every file is byte-identical
  const same = await npx(['projen'], dir);
  expect(same.status, same.output).toBe(0);
  expect(tree(dir)).toEqual(first);

  // WHEN the port changes in the definition
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), read(dir, '.projenrc.ts').replace('port: 8080', 'port: 9090'));
  const edited = await npx(['projen'], dir);

  // THEN the outputs follow
  expect(edited.status, edited.output).toBe(0);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 9090');
  expect(read(dir, 'Dockerfile')).not.toContain('EXPOSE 8080');
  expect(read(dir, 'Dockerfile.debug')).toContain('EXPOSE 9090');
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('containerPort: 9090');

  // AND the sample service builds with the installed TypeScript
  await sh('npm', ['run', 'build'], dir);
  expect(fs.existsSync(path.join(dir, 'dist', 'index.js'))).toBe(true);
});

test('adopting with an install adds the dev dependencies through npm and keeps the user\'s', async () => {
  const dir = path.join(work, 'shop');
  fs.mkdirSync(dir);
  writeFiles(dir, { ...EXPRESS_APP, 'package.json': EXPRESS_APP['package.json'].replace(/,\n  "dependencies": \{[^}]*\}/, '') });
  fs.rmSync(path.join(dir, 'package-lock.json'));
  const r = await runBin(['.', '--yes', '--lib', `file:${tarball}`], dir);
  expect(r.stderr).toBe('');
  const pkg = JSON.parse(read(dir, 'package.json'));
  expect(pkg.scripts).toEqual({ start: 'node server.js', test: 'node --test' });
  expect(Object.keys(pkg.devDependencies).sort()).toEqual(['constructs', 'create-msb-app', 'projen', 'sucrase']);
  const first = tree(dir);
  const again = await npx(['projen'], dir);
  expect(again.status, again.output).toBe(0);
  expect(tree(dir)).toEqual(first);
});

test('--template with the org package installs it, names it in .projenrc.ts, and an upgrade re-synthesizes as a diff', async () => {
  // GIVEN the example org template packed as its publisher would (v1), and a v2 of it
  const orgDir = path.join(REPO_ROOT, 'examples', 'org-template');
  const packOrg = async (cwd: string) => {
    const out = await sh('npm', ['pack', '--pack-destination', work, '--json'], cwd);
    return path.join(work, (JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[])[0].filename);
  };
  const v1 = await packOrg(orgDir);
  const v2src = path.join(work, 'org-v2');
  fs.cpSync(orgDir, v2src, { recursive: true });
  fs.writeFileSync(path.join(v2src, 'package.json'), read(v2src, 'package.json').replace('"version": "1.0.0"', '"version": "2.0.0"'));
  fs.writeFileSync(path.join(v2src, 'templates/partials/labels.hbs'), read(v2src, 'templates/partials/labels.hbs').replace('v1', 'v2'));
  const v2 = await packOrg(v2src);

  // WHEN a new project is created with it
  const r = await runBin(['acme-svc', '--yes', '--skip-git', '--lib', `file:${tarball}`, '--template', `@acme/msb-template@file:${v1}`], work);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const dir = path.join(work, 'acme-svc');

  // THEN it is installed, the definition names the package, and the outputs follow the template
  expect(JSON.parse(read(dir, 'package.json')).devDependencies['@acme/msb-template']).toBe(`file:${v1}`);
  expect(read(dir, '.projenrc.ts')).toContain("template: '@acme/msb-template',");
  expect(read(dir, 'Dockerfile')).toContain('FROM registry.acme.internal/library/node:26-trixie AS base');
  expect(read(dir, 'Dockerfile')).toContain('com.acme.template="msb-template v1"');
  expect(JSON.parse(read(dir, '.projen/msb.json')).templates.Dockerfile[0]).toBe('@acme/msb-template@1.0.0: partials/labels.hbs');

  // WHEN the org releases v2 and the service upgrades and re-synthesizes
  const before = tree(dir);
  await sh('npm', ['install', '-D', `@acme/msb-template@file:${v2}`, '--no-audit', '--no-fund'], dir);
  const resynth = await npx(['projen'], dir);
  expect(resynth.status, resynth.output).toBe(0);

  // THEN the diff is exactly the template's change and its recorded version
  const after = tree(dir);
  const changed = Object.keys(after).filter((f) => before[f] !== after[f] && !/^(node_modules\/|package(-lock)?\.json$)/.test(f)).sort();
  expect(changed).toEqual(['.projen/msb.json', 'Dockerfile', 'Dockerfile.debug']);
  expect(read(dir, 'Dockerfile')).toContain('com.acme.template="msb-template v2"');
  expect(JSON.parse(read(dir, '.projen/msb.json')).templates.Dockerfile[0]).toBe('@acme/msb-template@2.0.0: partials/labels.hbs');
});

test('an adoption that fails after the install (a broken template) leaves no new node_modules: the original is moved back', async () => {
  const dir = path.join(work, 'shop-broken');
  fs.mkdirSync(dir);
  writeFiles(dir, {
    ...EXPRESS_APP,
    'package.json': EXPRESS_APP['package.json'].replace(/,\n  "dependencies": \{[^}]*\}/, ''),
    'node_modules/mine/index.js': '// the user\'s own\n',
  });
  fs.rmSync(path.join(dir, 'package-lock.json'));
  const broken = path.join(work, 'broken-template');
  writeFiles(broken, { 'package.json': '{ "name": "@acme/broken", "version": "1.0.0" }\n', 'msb-template.json': '{ not json' });
  const inode = fs.statSync(path.join(dir, 'node_modules')).ino;
  const before = tree(dir);

  const r = await runBin(['.', '--yes', '--skip-git', '--lib', `file:${tarball}`, '--template', `@acme/broken@file:${broken}`], dir);

  expect(r.status, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toContain('Installing dependencies with npm');
  expect(r.stderr).toMatch(/msb-template\.json \(.*\) is not valid JSON at line 1/);
  expect(tree(dir)).toEqual(before);
  expect(fs.statSync(path.join(dir, 'node_modules')).ino).toBe(inode);
  expect(fs.readdirSync(path.join(dir, 'node_modules'))).toEqual(['mine']);
});

/**
 * `create-msb-app .` at a workspace root: the apps it lists, `--app` (by name or folder, repeatable
 * or comma-separated) and its errors, `--yes` adopting what it can infer and naming the rest, the
 * multi-select prompt, and nothing left behind when it fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { cli, read, tempDir, tree, writeFiles } from './helpers';
import { runCli, type PromptFn, type Question } from '../../src/cli/main';
import { memoryReporter } from '../../src/cli/reporter';
import { workspaceFiles } from '../images/workspace-fixture';

/** The image tests' workspace plus a package whose start the CLI cannot infer. */
function workspace(kind: 'npm' | 'pnpm' = 'npm', extra: Record<string, string> = {}): string {
  const dir = tempDir('msb-cli-ws-');
  writeFiles(dir, { ...workspaceFiles(kind), ...extra });
  return dir;
}

const ODD = {
  'apps/odd/package.json': JSON.stringify({ name: 'odd', version: '1.0.0', scripts: { start: 'custom-runner --serve' } }),
};

test('--app names one app (by package name or folder); only it is adopted, next to it, with the root .dockerignore and kustomization', async () => {
  for (const value of ['web', 'apps/web', './apps/web/']) {
    const dir = workspace();
    const r = await cli(['.', '--app', value, '--skip-install', '--skip-git'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/apps\/web\s+web\s+app: "start" script/);
    expect(r.stdout).toMatch(/packages\/shared\s+@shop\/shared\s+not an app: a library: api, web depend on it/);
    const projenrc = read(dir, '.projenrc.ts');
    expect(projenrc).toContain("path: 'apps/web'");
    expect(projenrc).not.toContain('apps/api');
    expect(fs.existsSync(path.join(dir, 'apps/web/Dockerfile'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'apps/api/Dockerfile'))).toBe(false);
    expect(read(dir, 'k8s/kustomization.yaml')).toContain('- ../apps/web/k8s/base');
    expect(fs.existsSync(path.join(dir, '.dockerignore'))).toBe(true);
    expect(JSON.parse(read(dir, 'package.json')).devDependencies).toHaveProperty('create-msb-app');
  }
});

test('--app is repeatable and comma-separated', async () => {
  for (const args of [['--app', 'web', '--app', 'api'], ['--app', 'web,api']]) {
    const dir = workspace('pnpm');
    const r = await cli(['.', ...args, '--skip-install', '--skip-git'], dir);
    expect(r.status, r.stderr).toBe(0);
    const projenrc = read(dir, '.projenrc.ts');
    expect(projenrc).toContain("path: 'apps/web'");
    expect(projenrc).toContain("path: 'apps/api'");
    expect(projenrc).toContain("packageManager: 'pnpm'");
  }
});

test('a bad --app names the value and the valid choices, exits non-zero and leaves the workspace as it was', async () => {
  const dir = workspace('npm', ODD);
  const before = tree(dir);
  const unknown = await cli(['.', '--app', 'nope', '--app', '@shop/shared', '--skip-install', '--skip-git'], dir);
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain('Invalid --app "nope": no workspace package has that name or folder. Apps: api (apps/api), odd (apps/odd), web (apps/web).');
  expect(unknown.stderr).toContain('Invalid --app "@shop/shared": packages/shared is not an app (a library: api, web depend on it).');
  expect(tree(dir)).toEqual(before);
});

test('--app outside a workspace root names what declares a workspace (the families say), exits non-zero and writes nothing', async () => {
  const dir = tempDir('msb-cli-ws-none-');
  writeFiles(dir, { 'package.json': JSON.stringify({ name: 'solo', version: '1.0.0', scripts: { start: 'node server.js' } }), 'server.js': '' });
  const before = tree(dir);
  const r = await cli(['.', '--app', 'web', '--skip-install', '--skip-git'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`--app chooses apps in a workspace root, but ${dir} declares no workspace (package.json "workspaces" or pnpm-workspace.yaml).`);
  expect(tree(dir)).toEqual(before);
});

test('--yes adopts every app it can infer, names the rest with the reason, and exits 0', async () => {
  const dir = workspace('npm', ODD);
  const r = await cli(['.', '--yes', '--skip-install', '--skip-git'], dir);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('Not adopted');
  expect(r.stdout).toMatch(/apps\/odd: Cannot tell how the app starts/);
  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("path: 'apps/web'");
  expect(projenrc).toContain("path: 'apps/api'");
  expect(projenrc).not.toContain('apps/odd');
});

test('--yes with no app it can adopt exits non-zero, names why, and writes nothing', async () => {
  const dir = tempDir('msb-cli-ws-');
  writeFiles(dir, {
    'package.json': JSON.stringify({ name: 'mono', workspaces: ['apps/*', 'libs/*'] }),
    ...ODD,
    'libs/util/package.json': JSON.stringify({ name: 'util', version: '1.0.0', main: 'index.js' }),
  });
  const before = tree(dir);
  const r = await cli(['.', '--yes', '--skip-install', '--skip-git'], dir);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/No app of .* could be adopted:\n\s+apps\/odd: Cannot tell how the app starts/);
  expect(r.stdout).toMatch(/libs\/util\s+util\s+not an app: no start script and no server entrypoint/);
  expect(tree(dir)).toEqual(before);
});

test('yarn workspaces are refused by name; --app outside a workspace is an error', async () => {
  const dir = workspace('npm', { 'yarn.lock': '' });
  const before = tree(dir);
  const r = await cli(['.', '--yes', '--skip-install', '--skip-git'], dir);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('yarn workspaces are not supported yet');
  expect(tree(dir)).toEqual(before);

  const plain = tempDir('msb-cli-ws-');
  writeFiles(plain, { 'package.json': JSON.stringify({ name: 'plain', version: '1.0.0', main: 'index.js' }), 'index.js': '' });
  const p = await cli(['.', '--app', 'web', '--skip-install', '--skip-git'], plain);
  expect(p.status).not.toBe(0);
  expect(p.stderr).toContain('--app chooses apps in a workspace root, but');
});

test('interactive: a multi-select of the apps found; only the chosen ones are adopted', async () => {
  const dir = workspace();
  const asked: Question[] = [];
  const prompt: PromptFn = async (q) => {
    asked.push(q);
    if (q.name === 'apps') return 'apps/api';
    return q.type === 'select' ? q.initial ?? q.choices![0].name : q.initial ?? '';
  };
  const code = await runCli(['.', '--skip-install', '--skip-git'], { cwd: dir, interactive: true, reporter: memoryReporter(), prompt });
  expect(code).toBe(0);
  const apps = asked.find((q) => q.name === 'apps')!;
  expect(apps.type).toBe('multiselect');
  expect(apps.choices!.map((c) => c.name)).toEqual(['apps/api', 'apps/web']);
  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("path: 'apps/api'");
  expect(projenrc).not.toContain('apps/web');
});

test('a file of the user\'s at an output path stops adoption before anything is written', async () => {
  const dir = workspace('npm', { 'apps/web/Dockerfile': 'FROM scratch\n' });
  const before = tree(dir);
  const r = await cli(['.', '--yes', '--skip-install', '--skip-git'], dir);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('already has apps/web/Dockerfile');
  expect(tree(dir)).toEqual(before);
});

test('a failing install at the workspace root restores every file of the workspace', async () => {
  const dir = workspace('npm');
  const before = tree(dir);
  // No registry answers: the install fails after the definition was written.
  const r = await cli(['.', '--yes', '--skip-git'], dir, { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '2000' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/npm/);
  expect(tree(dir)).toEqual(before);
  expect(fs.existsSync(path.join(dir, '.projenrc.ts'))).toBe(false);
}, 120_000);

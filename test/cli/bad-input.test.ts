import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, EXPRESS_APP, TS_ESM_APP, ensureBuilt, runBin, tempDir, tree, writeFiles } from './helpers';

const work: string[] = [];
beforeAll(() => ensureBuilt());
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function cwd(): string {
  const dir = tempDir('msb-bad-');
  work.push(dir);
  return dir;
}

describe('a bad flag for a new project: exit 1, the message names flag, value and what is valid, no directory', () => {
  test.each([
    [['--name', 'Orders_API'], '--name "Orders_API"', 'DNS-1123 label'],
    [['--port', '70000'], '--port "70000"', 'an integer from 1 to 65535'],
    [['--port', 'http'], '--port "http"', 'an integer from 1 to 65535'],
    [['--node-version', '20'], '--node-version "20"', 'one of "22", "24", "26"'],
    [['--package-manager', 'bun'], '--package-manager "bun"', 'one of "npm", "pnpm", "yarn"'],
    [['--health-path', 'healthz'], '--health-path "healthz"', 'an absolute URL path'],
    [['--image', 'Orders API:1'], '--image "Orders API:1"', 'an image repository'],
    [['--template', './no-such-folder'], '--template "./no-such-folder"', 'does not exist'],
    [['--template', 'Not A Package'], '--template "Not A Package"', 'neither an existing folder nor an npm package name'],
    [['--lib', 'file:./missing.tgz'], '--lib "file:./missing.tgz"', 'does not exist'],
    [['--frobnicate'], "Unknown option '--frobnicate'", '--help'],
  ])('%j', (flags, named, valid) => {
    const dir = cwd();
    const r = runBin(['demo', '--skip-install', ...flags], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(named);
    expect(r.stderr).toContain(valid);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

test('a non-empty directory without --force is refused and left as it was; --force uses it and keeps the files', () => {
  const dir = cwd();
  writeFiles(dir, { 'notes.txt': 'mine\n', 'src/index.ts': '// my own server\n' });
  const before = tree(dir);
  const r = runBin(['.', '--skip-install'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`The directory ${fs.realpathSync(dir)} is not empty (notes.txt, src)`);
  expect(r.stderr).toContain('--force');
  expect(tree(dir)).toEqual(before);

  const forced = runBin(['.', '--skip-install', '--force', '--name', 'demo'], dir);
  expect(forced.stderr).toBe('');
  expect(fs.readFileSync(path.join(dir, 'src/index.ts'), 'utf8')).toBe('// my own server\n');
  expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  expect(fs.existsSync(path.join(dir, 'Dockerfile'))).toBe(true);
});

test('a directory without write permission is refused, naming it', () => {
  const dir = cwd();
  const locked = path.join(dir, 'locked');
  fs.mkdirSync(locked, { mode: 0o555 });
  fs.chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  // root writes anywhere: run the command as "nobody" then.
  const r = asRoot
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'locked/demo', '--yes', '--skip-install'], { cwd: dir, input: '', encoding: 'utf8' })
    : spawnSync(process.execPath, [BIN, 'locked/demo', '--yes', '--skip-install'], { cwd: dir, input: '', encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`Cannot write to ${fs.realpathSync(locked)} (permission denied)`);
  expect(fs.readdirSync(locked)).toEqual([]);
});

describe('adoption that fails leaves the project byte-identical', () => {
  test('a Node.js version without a runtime image (non-interactive): names where it was read and the flag', () => {
    const dir = cwd();
    writeFiles(dir, { ...EXPRESS_APP, 'package.json': EXPRESS_APP['package.json'].replace('>=22', '20.x') });
    const before = tree(dir);
    const r = runBin(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Node.js "20.x" (package.json "engines.node")');
    expect(r.stderr).toContain('"22", "24", "26"');
    expect(r.stderr).toContain('--node-version');
    expect(tree(dir)).toEqual(before);
  });

  test('an .nvmrc naming an old line is an error too', () => {
    const dir = cwd();
    writeFiles(dir, { ...TS_ESM_APP, '.nvmrc': 'lts/iron\n' });
    const before = tree(dir);
    const r = runBin(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Node.js "lts/iron" (.nvmrc)');
    expect(tree(dir)).toEqual(before);
  });

  test('a Dockerfile of the user is not replaced without --force', () => {
    const dir = cwd();
    writeFiles(dir, { ...EXPRESS_APP, Dockerfile: 'FROM node:22\n' });
    const before = tree(dir);
    const r = runBin(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already has Dockerfile');
    expect(r.stderr).toContain('--force');
    expect(tree(dir)).toEqual(before);
  });

  test('a bad flag', () => {
    const dir = cwd();
    writeFiles(dir, EXPRESS_APP);
    const before = tree(dir);
    const r = runBin(['.', '--port', '0'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid --port "0"');
    expect(tree(dir)).toEqual(before);
  });

  test('a failing install: package.json and lockfile are restored, node_modules and outputs removed', () => {
    const dir = cwd();
    writeFiles(dir, EXPRESS_APP);
    const before = tree(dir);
    const r = runBin(['.', '--lib', '0.0.0-does-not-exist'], dir, { npm_config_fetch_retries: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm install --save-dev');
    expect(tree(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });
});

test('a new project whose install fails is removed', () => {
  const dir = cwd();
  const r = runBin(['demo', '--yes', '--lib', '0.0.0-does-not-exist'], dir, { npm_config_fetch_retries: '0' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('npm install');
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a template package that is not installed (--skip-install) names --template; nothing is left', () => {
  const dir = cwd();
  const r = runBin(['demo', '--skip-install', '--template', '@acme/msb-template@^2'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('Invalid --template "@acme/msb-template@^2"');
  expect(r.stderr).toContain('not installed');
  expect(r.stderr).toContain('drop --skip-install');
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('Ctrl-C during the install stops it, exits 130 and removes the new directory', async () => {
  const dir = cwd();
  // An unroutable registry: the install hangs until it is interrupted.
  const child = spawn(process.execPath, [BIN, 'demo', '--yes'], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1', npm_config_registry: 'http://10.255.255.1/', npm_config_fetch_retries: '0' },
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('Installing dependencies')) resolve();
  }));
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(130);
  expect(stderr).toContain('Cancelled');
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a failed run removes the parent directories it created, and only those', () => {
  const dir = cwd();
  const r = runBin(['deep/er/demo', '--template', '@acme/nope', '--skip-install'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('Invalid --template "@acme/nope"');
  expect(fs.readdirSync(dir)).toEqual([]);

  fs.mkdirSync(path.join(dir, 'mine'));
  const again = runBin(['mine/new/demo', '--template', '@acme/nope', '--skip-install'], dir);
  expect(again.status).toBe(1);
  expect(fs.readdirSync(dir)).toEqual(['mine']);
  expect(fs.readdirSync(path.join(dir, 'mine'))).toEqual([]);
});

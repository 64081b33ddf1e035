import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXPRESS_APP, TS_ESM_APP, cli, tempDir, tree, writeFiles } from './helpers';

const work: string[] = [];
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
  ])('%j', async (flags, named, valid) => {
    const dir = cwd();
    const r = await cli(['demo', '--skip-install', ...flags], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(named);
    expect(r.stderr).toContain(valid);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

test('a non-empty directory without --force is refused and left as it was; --force uses it and keeps the files', async () => {
  const dir = cwd();
  writeFiles(dir, { 'notes.txt': 'mine\n', 'src/index.ts': '// my own server\n' });
  const before = tree(dir);
  const r = await cli(['.', '--skip-install'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`The directory ${fs.realpathSync(dir)} is not empty (notes.txt, src)`);
  expect(r.stderr).toContain('--force');
  expect(tree(dir)).toEqual(before);

  const forced = await cli(['.', '--skip-install', '--force', '--name', 'demo'], dir);
  expect(forced.stderr).toBe('');
  expect(fs.readFileSync(path.join(dir, 'src/index.ts'), 'utf8')).toBe('// my own server\n');
  expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  expect(fs.existsSync(path.join(dir, 'Dockerfile'))).toBe(true);
});

describe('adoption that fails leaves the project byte-identical', () => {
  test('a Node.js version without a runtime image (non-interactive): names where it was read and the flag', async () => {
    const dir = cwd();
    writeFiles(dir, { ...EXPRESS_APP, 'package.json': EXPRESS_APP['package.json'].replace('>=22', '20.x') });
    const before = tree(dir);
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Node.js "20.x" (package.json "engines.node")');
    expect(r.stderr).toContain('"22", "24", "26"');
    expect(r.stderr).toContain('--node-version');
    expect(tree(dir)).toEqual(before);
  });

  test('an .nvmrc naming an old line is an error too', async () => {
    const dir = cwd();
    writeFiles(dir, { ...TS_ESM_APP, '.nvmrc': 'lts/iron\n' });
    const before = tree(dir);
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Node.js "lts/iron" (.nvmrc)');
    expect(tree(dir)).toEqual(before);
  });

  test('a Dockerfile of the user is not replaced without --force', async () => {
    const dir = cwd();
    writeFiles(dir, { ...EXPRESS_APP, Dockerfile: 'FROM node:22\n' });
    const before = tree(dir);
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already has Dockerfile');
    expect(r.stderr).toContain('--force');
    expect(tree(dir)).toEqual(before);
  });

  test('a bad flag', async () => {
    const dir = cwd();
    writeFiles(dir, EXPRESS_APP);
    const before = tree(dir);
    const r = await cli(['.', '--port', '0'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid --port "0"');
    expect(tree(dir)).toEqual(before);
  });
});

test('a template package that is not installed (--skip-install) names --template; nothing is left', async () => {
  const dir = cwd();
  const r = await cli(['demo', '--skip-install', '--template', '@acme/msb-template@^2'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('Invalid --template "@acme/msb-template@^2"');
  expect(r.stderr).toContain('not installed');
  expect(r.stderr).toContain('drop --skip-install');
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a failed run removes the parent directories it created, and only those', async () => {
  const dir = cwd();
  const r = await cli(['deep/er/demo', '--template', '@acme/nope', '--skip-install'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('Invalid --template "@acme/nope"');
  expect(fs.readdirSync(dir)).toEqual([]);

  fs.mkdirSync(path.join(dir, 'mine'));
  const again = await cli(['mine/new/demo', '--template', '@acme/nope', '--skip-install'], dir);
  expect(again.status).toBe(1);
  expect(fs.readdirSync(dir)).toEqual(['mine']);
  expect(fs.readdirSync(path.join(dir, 'mine'))).toEqual([]);
});

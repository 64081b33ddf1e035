/**
 * What the command guarantees about its input and the user's files: flag values never become
 * code, every bad flag is named at once, malformed package.json shapes get named errors, the
 * user's own files (msb-templates/ included) are never overwritten, and rollback restores what
 * was there (node_modules moved aside and back, not copied).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXPRESS_APP, cli, read, tempDir, tree, writeFiles } from './helpers';
import { loadCliFamilies } from '../../src/cli/families';
import { Rollback } from '../../src/cli/rollback';
import { tsString } from '../../src/util/ts-literal';

describe('flag values that reach generated source code stay data', () => {
  test.each([
    "/h');process.exit(1);('",
    "/h'+require('child_process').execSync('id')+'",
    '/h\\\');process.exit(1);//',
  ])('--health-path %j lands in src/index.ts as a string literal holding exactly that value', async (value) => {
    const cwd = tempDir();
    const r = await cli(['demo', '--yes', '--skip-install', '--skip-git', '--lib', '1.0.0', '--health-path', value], cwd);
    if (r.status !== 0) {
      // Rejecting it is fine too, as long as nothing is written.
      expect(r.stderr).toContain('--health-path');
      expect(fs.readdirSync(cwd)).toEqual([]);
      return;
    }
    const server = read(path.join(cwd, 'demo'), 'src/index.ts');
    const m = /url\.pathname === ('(?:[^'\\]|\\.)*')\)/.exec(server);
    expect(m, server).not.toBeNull();
    // The literal, evaluated on its own, is the value: nothing of it ran as code.
    expect(new Function(`return ${m![1]};`)()).toBe(value);
    expect(server).not.toContain(`=== '${value}'`);
    // .projenrc.ts holds it as a literal too.
    const projenrc = read(path.join(cwd, 'demo'), '.projenrc.ts');
    const p = /healthCheckPath: ('(?:[^'\\]|\\.)*'),/.exec(projenrc);
    expect(new Function(`return ${p![1]};`)()).toBe(value);
  });

  test('tsString escapes quotes, backslashes, newlines and line separators', () => {
    for (const value of ["a'b", 'a\\b', 'a\nb', 'a\u2028b', "'); x('", '`${x}`']) {
      expect(new Function(`return ${tsString(value)};`)()).toBe(value);
    }
    expect(tsString('/healthz')).toBe("'/healthz'");
  });
});

describe('bad flags', () => {
  test('several bad flags are all reported in one error; nothing is written', async () => {
    const cwd = tempDir();
    const r = await cli(['demo', '--skip-install', '--port', '70000', '--name', 'Bad_Name', '--node-version', '7', '--language', 'cobol'], cwd);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('4 flags are not valid');
    for (const named of ['--port "70000"', '--name "Bad_Name"', '--node-version "7"', '--language "cobol"']) expect(r.stderr).toContain(named);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('--language names the valid families; --language node works', async () => {
    const cwd = tempDir();
    const bad = await cli(['demo', '--skip-install', '--language', 'cobol'], cwd);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`Invalid --language "cobol": expected one of ${(await loadCliFamilies()).map((f) => `"${f.name}"`).join(', ')}`);
    const good = await cli(['demo', '--yes', '--skip-install', '--skip-git', '--lib', '1.0.0', '--language', 'node'], cwd);
    expect(good.stderr).toBe('');
    expect(read(path.join(cwd, 'demo'), '.projenrc.ts')).toContain("runtime: { nodeVersion: '26', packageManager: 'npm' }");
  });
});

describe('a malformed package.json gets a named error and the project is left as it was', () => {
  test.each([
    ['null', 'must hold a JSON object, but holds null'],
    ['[]', 'must hold a JSON object, but holds an array'],
    ['"text"', 'must hold a JSON object, but holds a string'],
    ['{ "main": {} }', '"main" must be a string, but holds an object'],
    ['{ "scripts": { "start": 1 } }', '"scripts.start" must be a string, but holds number'],
    ['{ "engines": { "node": [22] } }', '"engines.node" must be a string, but holds an array'],
    ['{ "name": "x",\n  "main": "a.js",\n}', 'is not valid JSON at line 3'],
  ])('%s', async (pkg, message) => {
    const dir = tempDir();
    writeFiles(dir, { 'package.json': pkg, 'index.js': '' });
    const before = tree(dir);
    const r = await cli(['.', '--skip-install'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Cannot adopt ${dir}: package.json`);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/TypeError|\bat .*\.[jt]s:\d+/);
    expect(tree(dir)).toEqual(before);
  });
});

describe('adoption never overwrites a file of the user\'s', () => {
  test('--template <outside folder> with an msb-templates/ of the user\'s: named error, nothing changed', async () => {
    const cwd = tempDir();
    const org = path.join(cwd, 'org');
    writeFiles(org, { 'templates/partials/labels.hbs': 'LABEL org.example.team="x"\n' });
    const dir = path.join(cwd, 'shop');
    writeFiles(dir, { ...EXPRESS_APP, 'msb-templates/partials/labels.hbs': 'LABEL mine="1"\n' });
    const before = tree(dir);
    const r = await cli(['.', '--skip-install', '--template', org], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already has msb-templates/');
    expect(tree(dir)).toEqual(before);
  });

  test('a failure after files were written restores every file byte for byte and removes what was added', async () => {
    const cwd = tempDir();
    const dir = path.join(cwd, 'shop');
    // A template package that is not installed: fails at synthesis, after .projenrc.ts and package.json were written.
    writeFiles(dir, EXPRESS_APP);
    fs.chmodSync(path.join(dir, 'server.js'), 0o755);
    const before = tree(dir);
    const r = await cli(['.', '--skip-install', '--lib', '1.0.0', '--template', '@acme/nope'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid --template "@acme/nope"');
    expect(tree(dir)).toEqual(before);
    expect((fs.statSync(path.join(dir, 'server.js')).mode % 0o1000).toString(8)).toBe('755');
  });
});

describe('rollback snapshots what exists', () => {
  test('added files and folders go, changed and removed ones come back, node_modules is moved back (same inode), not copied', () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.txt': 'a\n', 'sub/b.txt': 'b\n', 'node_modules/x/index.js': 'x\n', 'keep/.gitkeep': '' });
    fs.symlinkSync('a.txt', path.join(dir, 'link'));
    const inode = fs.statSync(path.join(dir, 'node_modules')).ino;
    const before = tree(dir);

    const rb = new Rollback();
    rb.snapshot(dir, ['.git', 'node_modules']);
    rb.moveAside('node_modules');
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    // What an install and a synthesis do: a new node_modules, new and changed files, a removal.
    writeFiles(dir, { 'node_modules/y/index.js': 'y\n', 'new/deep/c.txt': 'c\n', 'a.txt': 'changed\n', 'd.txt': 'd\n' });
    fs.rmSync(path.join(dir, 'sub'), { recursive: true });
    fs.rmSync(path.join(dir, 'link'));
    fs.chmodSync(path.join(dir, 'd.txt'), 0o444);
    rb.restore();

    expect(tree(dir)).toEqual(before);
    expect(fs.readlinkSync(path.join(dir, 'link'))).toBe('a.txt');
    expect(fs.statSync(path.join(dir, 'node_modules')).ino).toBe(inode);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'y'))).toBe(false);
    expect(fs.readdirSync(dir).filter((e) => e.includes('msb-aside'))).toEqual([]);
  });

  test('linkAside: node_modules stays in place as hard links for the install to update; restore brings back the untouched original', () => {
    const dir = tempDir();
    writeFiles(dir, {
      'node_modules/.package-lock.json': '{"old":true}\n',
      'node_modules/x/package.json': '{"name":"x"}\n',
      'node_modules/x/lib/index.js': 'x\n',
      'node_modules/.pnpm/lock.yaml': 'old: true\n',
    });
    fs.mkdirSync(path.join(dir, 'node_modules', '.bin'));
    fs.symlinkSync('../x/lib/index.js', path.join(dir, 'node_modules', '.bin', 'x'));
    const inode = fs.statSync(path.join(dir, 'node_modules')).ino;
    const deep = fs.statSync(path.join(dir, 'node_modules', 'x', 'lib', 'index.js')).ino;

    const rb = new Rollback();
    rb.snapshot(dir, ['node_modules']);
    expect(rb.linkAside('node_modules')).toBe(true);
    // Nothing to reinstall: the packages are there, deep files are the same inodes, top files are copies.
    expect(fs.readFileSync(path.join(dir, 'node_modules', 'x', 'lib', 'index.js'), 'utf8')).toBe('x\n');
    expect(fs.statSync(path.join(dir, 'node_modules', 'x', 'lib', 'index.js')).ino).toBe(deep);
    expect(fs.readlinkSync(path.join(dir, 'node_modules', '.bin', 'x'))).toBe('../x/lib/index.js');
    expect(fs.statSync(path.join(dir, 'node_modules')).ino).not.toBe(inode);
    // What npm and pnpm do: rewrite their lockfiles in place, replace a package folder, add one.
    fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), '{"new":true}\n');
    fs.writeFileSync(path.join(dir, 'node_modules', '.pnpm', 'lock.yaml'), 'new: true\n');
    fs.rmSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    writeFiles(dir, { 'node_modules/x/lib/index.js': 'x2\n', 'node_modules/y/index.js': 'y\n' });
    rb.restore();

    expect(fs.statSync(path.join(dir, 'node_modules')).ino).toBe(inode);
    expect(fs.readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8')).toBe('{"old":true}\n');
    expect(fs.readFileSync(path.join(dir, 'node_modules', '.pnpm', 'lock.yaml'), 'utf8')).toBe('old: true\n');
    expect(fs.readFileSync(path.join(dir, 'node_modules', 'x', 'lib', 'index.js'), 'utf8')).toBe('x\n');
    expect(fs.existsSync(path.join(dir, 'node_modules', 'y'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['node_modules']);
  });

  test('linkAside then commit keeps the updated node_modules and drops the original', () => {
    const dir = tempDir();
    writeFiles(dir, { 'node_modules/x/lib/index.js': 'x\n' });
    const rb = new Rollback();
    rb.snapshot(dir, ['node_modules']);
    rb.linkAside('node_modules');
    writeFiles(dir, { 'node_modules/y/index.js': 'y\n' });
    rb.commit();
    expect(fs.readdirSync(path.join(dir, 'node_modules')).sort()).toEqual(['x', 'y']);
    expect(fs.readdirSync(dir)).toEqual(['node_modules']);
  });

  test('commit keeps the new node_modules and drops the old one', () => {
    const dir = tempDir();
    writeFiles(dir, { 'node_modules/x/index.js': 'x\n' });
    const rb = new Rollback();
    rb.snapshot(dir, ['node_modules']);
    rb.moveAside('node_modules');
    writeFiles(dir, { 'node_modules/y/index.js': 'y\n' });
    rb.commit();
    expect(fs.readdirSync(path.join(dir, 'node_modules'))).toEqual(['y']);
    expect(fs.readdirSync(dir)).toEqual(['node_modules']);
  });
});

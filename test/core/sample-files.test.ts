/**
 * The samples of new projects are files under templates/<family>/sample/: each file of the folder
 * is one file of the project (`.hbs` rendered, `_gitignore` renamed, `[key]` folders replaced), and
 * a template that asks for a value the family does not give fails naming the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FOLDER, sampleFiles } from '../../src/families/kit/sample';
import { BUILTIN_TEMPLATE_DIR, TemplateError, renderTemplateFile } from '../../src/templates';
import { tempDir } from '../util';

function filesUnder(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)]));
}

const CONTEXT = { name: 'orders', port: 8080, healthPath: '/healthz', version: '0.1.0', repository: 'orders', tag: '0.1.0' };

describe('sample folders', () => {
  it.each([
    ['go', { goVersion: '1.26' }, {}],
    ['java', { javaVersion: '25', javaPackage: 'com.example.orders' }, { package: 'com/example/orders' }],
    ['node', { outDir: 'dist', run: 'npm run' }, {}],
    ['python', { pythonVersion: '3.13' }, {}],
  ])('%s: every file of the folder becomes one file of the project', (family, extra, folders) => {
    const source = filesUnder(path.join(BUILTIN_TEMPLATE_DIR, family, SAMPLE_FOLDER));
    const files = sampleFiles(family, { ...CONTEXT, ...extra }, { folders });
    const expected = source.map((f) => f.replace(/\.hbs$/, '').replace(/(^|\/)_gitignore$/, '$1.gitignore').replace('[package]', 'com/example/orders'));
    expect(Object.keys(files).sort()).toEqual(expected.sort());
    for (const text of Object.values(files)) expect(text).not.toMatch(/\{\{|\}\}/);
  });

  it('a placeholder folder the family does not fill is an error naming it', () => {
    expect(() => sampleFiles('java', { ...CONTEXT, javaVersion: '25', javaPackage: 'com.example.orders' })).toThrow(/\[package\].*folders\.package/);
    expect(() => sampleFiles('java', { ...CONTEXT, javaVersion: '25', javaPackage: 'x' }, { folders: { package: '../x' } })).toThrow(/not a relative path/);
  });

  it('a field the context lacks, or an unknown helper, fails naming the template', () => {
    const dir = tempDir();
    const file = path.join(dir, 'main.go.hbs');
    fs.writeFileSync(file, 'port = "{{port}}"\n');
    expect(renderTemplateFile(file, { port: 8080 })).toBe('port = "8080"\n');
    expect(() => renderTemplateFile(file, {})).toThrow(TemplateError);
    expect(() => renderTemplateFile(file, {})).toThrow(file);
    fs.writeFileSync(file, 'path = {{py healthPath}}\n');
    expect(() => renderTemplateFile(file, { healthPath: '/healthz' }, { json: JSON.stringify })).toThrow(/unknown helper py/);
  });
});

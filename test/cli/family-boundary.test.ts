/**
 * The CLI flow names no runtime family: no module of src/cli holds a family's name as a string or
 * imports from a family's folder (the families are registered once, in src/families/index.ts). What
 * is a family's own (e.g. Node.js workspaces) reaches the flow through its FamilyCli.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from './helpers';
import { familyNames } from '../../src/families';

const CLI_DIR = path.join(REPO_ROOT, 'src', 'cli');

/** What names a family in a module's source: its name quoted, or an import from its folder. */
function familyMentions(source: string): string[] {
  const found: string[] = [];
  for (const name of familyNames()) {
    if (new RegExp(`(['"])${name}\\1`).test(source)) found.push(`the string '${name}'`);
    if (new RegExp(`from '\\.\\./families/${name}/`).test(source)) found.push(`an import from families/${name}/`);
  }
  return found;
}

test('no module of src/cli names a family', () => {
  const named: Record<string, string[]> = {};
  for (const file of fs.readdirSync(CLI_DIR).filter((f) => f.endsWith('.ts'))) {
    const found = familyMentions(fs.readFileSync(path.join(CLI_DIR, file), 'utf8'));
    if (found.length > 0) named[file] = found;
  }
  expect(named).toEqual({});
});

test('the check finds what it looks for', () => {
  expect(familyMentions("import { goCli } from '../families/go/cli';")).toEqual(['an import from families/go/']);
  expect(familyMentions("if (family.name === 'node') readWorkspace(dir);")).toEqual(["the string 'node'"]);
});

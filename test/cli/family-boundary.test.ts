/**
 * The CLI flow names no runtime family: outside the table of families (src/cli/families.ts), no
 * module of src/cli holds a family's name as a string or imports from a family's folder. What is a
 * family's own (e.g. Node.js workspaces) reaches the flow through its FamilyCli.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from './helpers';
import { CLI_FAMILIES } from '../../src/cli/families';

const CLI_DIR = path.join(REPO_ROOT, 'src', 'cli');

/** What names a family in a module's source: its name quoted, or an import from its folder. */
function familyMentions(source: string): string[] {
  const found: string[] = [];
  for (const { name } of CLI_FAMILIES) {
    if (new RegExp(`(['"])${name}\\1`).test(source)) found.push(`the string '${name}'`);
    if (new RegExp(`from '\\.\\./families/${name}/`).test(source)) found.push(`an import from families/${name}/`);
  }
  return found;
}

test('no module of src/cli but the table of families names a family', () => {
  const named: Record<string, string[]> = {};
  for (const file of fs.readdirSync(CLI_DIR).filter((f) => f.endsWith('.ts') && f !== 'families.ts')) {
    const found = familyMentions(fs.readFileSync(path.join(CLI_DIR, file), 'utf8'));
    if (found.length > 0) named[file] = found;
  }
  expect(named).toEqual({});
});

test('the check finds what it looks for (the table imports every family)', () => {
  const table = familyMentions(fs.readFileSync(path.join(CLI_DIR, 'families.ts'), 'utf8'));
  expect(table).toEqual(CLI_FAMILIES.map((f) => `an import from families/${f.name}/`));
  expect(familyMentions("if (family.name === 'node') readWorkspace(dir);")).toEqual(["the string 'node'"]);
});

/**
 * The README's options tables are generated from the command declarations: `npx projen
 * readme:options` writes them between the markers; test/cli/readme.test.ts fails when they drift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderOptionsTable } from '../../src/cli/command';
import type { CommandDecl } from '../../src/cli/command';
import { loadCommands } from '../../src/cli/commands';

export const README = path.resolve(__dirname, '..', '..', 'README.md');

/** `<!-- options:create -->` ... `<!-- /options:create -->` */
const markers = (name: string) => [`<!-- options:${name} (generated from src/cli/commands.ts: npx projen readme:options) -->`, `<!-- /options:${name} -->`] as const;

/** The README with every command's table regenerated. */
export function withOptionTables(readme: string, commands: readonly CommandDecl<never>[]): string {
  let text = readme;
  for (const cmd of commands) {
    const [open, close] = markers(cmd.name);
    const a = text.indexOf(open);
    const b = text.indexOf(close);
    if (a < 0 || b < a) throw new Error(`README.md has no ${open} ... ${close} block`);
    text = `${text.slice(0, a + open.length)}\n${renderOptionsTable(cmd)}${text.slice(b)}`;
  }
  return text;
}

if (require.main === module) {
  void loadCommands().then((commands) => fs.writeFileSync(README, withOptionTables(fs.readFileSync(README, 'utf8'), commands)));
}

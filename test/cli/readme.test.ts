import * as fs from 'node:fs';
import { expect, test } from 'vitest';
import { README, withOptionTables } from './readme-options';
import { renderHelp } from '../../src/cli/command';
import { loadCommands } from '../../src/cli/commands';
import { DEFAULTS } from '../../src/contract/defaults';

test('the README options tables are the ones generated from the command declarations (npx projen readme:options)', async () => {
  const readme = fs.readFileSync(README, 'utf8');
  expect(withOptionTables(readme, await loadCommands())).toBe(readme);
});

test('every option of every command is in its help, with the defaults of the defaults table', async () => {
  const commands = await loadCommands();
  for (const cmd of commands) {
    const help = renderHelp(cmd, cmd.name);
    for (const name of Object.keys(cmd.options)) expect(help).toContain(`--${name}`);
  }
  const help = renderHelp(commands[0], 'create-msb-app');
  expect(help).toContain(`(default: ${DEFAULTS.port}, or inferred)`);
  expect(help).toContain(`(default: ${DEFAULTS.healthCheckPath})`);
});

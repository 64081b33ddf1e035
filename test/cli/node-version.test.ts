import { expect, test } from 'vitest';
import { userAgentPackageManager } from '../../src/families/node/cli';
import { catalogLineForRange, catalogLineOf } from '../../src/families/node/cli/node-version';
import { toAppName } from '../../src/validation';

test.each([
  ['>=18', '26'],
  ['>=22 <25', '24'],
  ['^22.5.0', '22'],
  ['~24.1', '24'],
  ['22.x || 24.x', '24'],
  ['24', '24'],
  ['22 - 24', '24'],
  ['<=22', '22'],
  ['20.x', undefined],
  ['^20 || ^18', undefined],
  ['*', '26'],
])('engines.node %s -> %s', (range, line) => {
  expect(catalogLineForRange(range)).toBe(line);
});

test.each([
  ['24', '24'], ['v22.11.0', '22'], ['26.x', '26'], ['lts/*', '26'], ['node', '26'], ['lts/jod', '22'],
  ['lts/iron', undefined], ['20', undefined], ['banana', undefined],
])('.nvmrc %s -> %s', (text, line) => {
  expect(catalogLineOf(text)).toBe(line);
});

test('package manager from the user agent, app names from package names', () => {
  expect(userAgentPackageManager('pnpm/10.2.0 npm/? node/v22.0.0 linux x64')).toBe('pnpm');
  expect(userAgentPackageManager('yarn/1.22.22 npm/? node/v22.0.0')).toBe('yarn');
  expect(userAgentPackageManager('bun/1.0.0')).toBeUndefined();
  expect(toAppName('@acme/Orders_API')).toBe('orders-api');
  expect(toAppName('My App!')).toBe('my-app');
});

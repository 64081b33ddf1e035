/**
 * The values a command's handler gets are typed from its declaration (`tsc -p test/tsconfig.json`
 * checks this file): each declared option is a key with the declared type, a family's flags
 * included, and a name the declaration does not have does not compile.
 */
import { describe, expect, expectTypeOf, test } from 'vitest';
import { defineCommand, parseCommandArgs, type ParsedArgs } from '../../src/cli/command';
import { lockCommand, watchCommand, type CommandContext, type CreateCommand } from '../../src/cli/commands';
import type { CreateArgs } from '../../src/cli/create';

type ValuesOf<C extends { run(args: ParsedArgs<never>, ctx: never): unknown }> = Parameters<C['run']>[0]['values'];

describe('the values of the declared commands', () => {
  test('create: string, boolean and repeatable flags, and the families\' flags, by their declared names', () => {
    type V = ValuesOf<CreateCommand>;
    expectTypeOf<V['template']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<V['skip-install']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<V['app']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<V['node-version']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<V['python-server']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<V>().not.toHaveProperty('templat');
    expectTypeOf<CreateArgs['values']>().toEqualTypeOf<V>();
    expectTypeOf<Parameters<CreateCommand['run']>[1]>().toEqualTypeOf<CommandContext>();
  });

  test('watch and lock', () => {
    expectTypeOf<ValuesOf<typeof watchCommand>>().toEqualTypeOf<{ readonly debounce?: string; readonly help?: boolean }>();
    expectTypeOf<ValuesOf<typeof lockCommand>>().toEqualTypeOf<{ readonly update?: boolean; readonly timeout?: string; readonly help?: boolean }>();
  });

  test('a misspelled flag does not compile', () => {
    const misspelled = (args: CreateArgs) => {
      // @ts-expect-error -- the declaration has `template`, not `templat`
      return args.values.templat;
    };
    const misspelledFamilyFlag = (args: CreateArgs) => {
      // @ts-expect-error -- the Node.js family declares `node-version`, not `node-versoin`
      return args.values['node-versoin'];
    };
    expect([misspelled, misspelledFamilyFlag]).toHaveLength(2);
  });
});

test('a command declared here: its handler sees exactly its options, and parsing gives those types', async () => {
  const seen: unknown[] = [];
  const cmd = defineCommand({
    name: 'demo',
    description: 'A demo',
    options: {
      tag: { type: 'string', description: 'A tag', multiple: true },
      dry: { type: 'boolean', description: 'Do nothing' },
    },
    async run(args, ctx: { readonly out: unknown[] }) {
      expectTypeOf(args.values).toEqualTypeOf<{ readonly tag?: string[]; readonly dry?: boolean }>();
      // @ts-expect-error -- not declared
      ctx.out.push(args.values.dryrun);
      ctx.out.push(args.values.tag, args.values.dry);
      return 0;
    },
  });
  const args = parseCommandArgs(cmd, ['--tag', 'a', '--tag', 'b', '--dry'], 'demo');
  expect(await cmd.run(args, { out: seen })).toBe(0);
  expect(seen).toEqual([undefined, ['a', 'b'], true]);
});

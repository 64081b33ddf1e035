/**
 * Declared commands: a command states its options once (name, type, description, default) and
 * parsing, `--help` and the README options table are all generated from that declaration. Its
 * handler's values are typed from it too (in the manner of citty's `ParsedArgs<T>`): each declared
 * option is a key, `string` or `boolean` (an array of them when `multiple`), and a name the
 * declaration does not have does not compile.
 */
import { parseArgs } from 'node:util';
import { CliError } from './errors';
import type { OptionDecl } from '../contract/family-cli';
export type { OptionDecl };

/** Options by name, as a command declares them. */
export type OptionDecls = Readonly<Record<string, OptionDecl>>;

/** One value of an option of type `T`. */
type OneValue<T extends OptionDecl['type']> = T extends 'boolean' ? boolean : string;
/** The values of an option of type `T` given several times. */
type ListValue<T extends OptionDecl['type']> = T extends 'boolean' ? boolean[] : string[];

/**
 * The parsed value of an option: `string` or `boolean` by its `type`, an array of them when it is
 * `multiple` (either, when the declaration does not say: a wide {@link OptionDecl}).
 */
export type OptionValue<O extends OptionDecl> = O extends { readonly multiple: true }
  ? ListValue<O['type']>
  : O extends { readonly type: OptionDecl['type']; readonly multiple?: false }
    ? OneValue<O['type']>
    : OneValue<O['type']> | ListValue<O['type']>;

/** Option values by option name (`health-path`), typed from the declaration; absent when not given. */
export type ParsedValues<O extends OptionDecls> = { readonly [K in keyof O]?: OptionValue<O[K]> };

/** A positional argument. */
export interface ArgDecl {
  readonly name: string;
  readonly description: string;
  readonly default?: string;
}

/** What {@link CommandDecl.run} receives: the values of the options `O` declares. */
export interface ParsedArgs<O extends OptionDecls = OptionDecls> {
  /** Option values by option name (`health-path`); absent when not given. */
  readonly values: ParsedValues<O>;
  readonly positionals: readonly string[];
  /** The arguments as given (after the command name). */
  readonly argv: readonly string[];
}

/**
 * A command: its declaration and what it does. `C` is the context the caller passes through, `O`
 * its options as declared.
 */
export interface CommandDecl<C = unknown, O extends OptionDecls = OptionDecls> {
  readonly name: string;
  /** One line. */
  readonly description: string;
  /** Paragraphs after the usage line. */
  readonly details?: string;
  readonly args?: readonly ArgDecl[];
  readonly options: O;
  /** Exit code of a usage error (unknown option, too many arguments). @default 1 */
  readonly usageExitCode?: number;
  /** Lines after the options (examples, exit codes). */
  readonly footer?: string;
  /** Runs the command; returns the exit code. */
  run(args: ParsedArgs<O>, ctx: C): Promise<number>;
}

/**
 * Declares a command (typed identity, in the manner of citty's `defineCommand`): `O` is inferred
 * from `options`, so `run`'s values have exactly the declared names; `C` from `run`'s `ctx`.
 */
export function defineCommand<C, const O extends OptionDecls>(decl: CommandDecl<C, O>): CommandDecl<C, O> {
  return decl;
}

/** Parses argv against the declaration; an unknown option or too many positionals is a {@link CliError}. */
export function parseCommandArgs<O extends OptionDecls>(cmd: CommandDecl<never, O>, argv: readonly string[], program: string): ParsedArgs<O> {
  const options = Object.fromEntries(Object.entries(cmd.options).map(([name, o]) => [
    name,
    { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
  ]));
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/\s*To specify a positional argument.*$/s, '')}\nRun "${program} --help" for the options.`, cmd.usageExitCode);
  }
  const max = cmd.args?.length ?? 0;
  if (parsed.positionals.length > max) {
    const what = max === 1 ? 'one directory' : `${max} arguments`;
    throw new CliError(`Expected at most ${what}, got ${parsed.positionals.map((p) => JSON.stringify(p)).join(', ')}.\nRun "${program} --help" for the options.`, cmd.usageExitCode);
  }
  // node:util's parseArgs gives each option the type and arity its declaration states.
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals, argv: args };
}

/** `-p, --package-manager <pm>` */
export function optionSignature(name: string, o: OptionDecl): string {
  return `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
}

/** The `--help` text of a command. */
export function renderHelp(cmd: CommandDecl<never>, usage: string): string {
  const lines = [`Usage: ${usage}`, ''];
  if (cmd.details) lines.push(cmd.details.trimEnd(), '');
  lines.push('Options:');
  const rows = Object.entries(cmd.options).map(([name, o]) => [optionSignature(name, o), o.description, o.default] as const);
  const width = Math.max(...rows.map(([sig]) => sig.length)) + 2;
  for (const [sig, description, def] of rows) {
    lines.push(`  ${sig.padEnd(width)}${description}${def !== undefined ? ` (default: ${def})` : ''}`);
  }
  if (cmd.footer) lines.push('', cmd.footer.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** The README options table of a command (markdown), generated from the declaration. */
export function renderOptionsTable(cmd: CommandDecl<never>): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  const code = (s: string) => `\`${s.replace(/\|/g, '\\|')}\``;
  const rows = [
    '| flag | meaning | default |',
    '|---|---|---|',
    ...(cmd.args ?? []).map((a) => `| ${code(`[${a.name}]`)} | ${cell(a.description)} | ${cell(a.default ?? '')} |`),
    ...Object.entries(cmd.options).map(([name, o]) => `| ${code(optionSignature(name, o))} | ${cell(o.description)} | ${cell(o.default ?? '')} |`),
  ];
  return `${rows.join('\n')}\n`;
}

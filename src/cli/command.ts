/**
 * Declared commands: a command states its options once (name, type, description, default) and
 * parsing, `--help` and the README options table are all generated from that declaration.
 */
import { parseArgs } from 'node:util';
import { CliError } from './errors';
import type { OptionDecl } from '../contract/family-cli';
export type { OptionDecl };

/** A positional argument. */
export interface ArgDecl {
  readonly name: string;
  readonly description: string;
  readonly default?: string;
}

/** What {@link CommandDecl.run} receives. */
export interface ParsedArgs {
  /** Option values by option name (`health-path`); absent when not given. */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  /** The arguments as given (after the command name). */
  readonly argv: readonly string[];
}

/** A command: its declaration and what it does. `C` is the context the caller passes through. */
export interface CommandDecl<C = unknown> {
  readonly name: string;
  /** One line. */
  readonly description: string;
  /** Paragraphs after the usage line. */
  readonly details?: string;
  readonly args?: readonly ArgDecl[];
  readonly options: Readonly<Record<string, OptionDecl>>;
  /** Exit code of a usage error (unknown option, too many arguments). @default 1 */
  readonly usageExitCode?: number;
  /** Lines after the options (examples, exit codes). */
  readonly footer?: string;
  /** Runs the command; returns the exit code. */
  run(args: ParsedArgs, ctx: C): Promise<number>;
}

/** Declares a command (typed identity, in the manner of citty's `defineCommand`). */
export function defineCommand<C>(decl: CommandDecl<C>): CommandDecl<C> {
  return decl;
}

/** Parses argv against the declaration; an unknown option or too many positionals is a {@link CliError}. */
export function parseCommandArgs(cmd: CommandDecl<never>, argv: readonly string[], program: string): ParsedArgs {
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
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals, argv: args };
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

/**
 * Entry points of the `create-msb-app` command. {@link runCli} runs one command line in process
 * (streams, cwd, env and signal injected; tests use it); {@link main} is the bin: the process's
 * argv, stdio and signals. Errors are printed in one place, here, and become the exit code.
 */
import { CommandDecl, parseCommandArgs, renderHelp } from './command';
import { CommandContext, PROGRAM, loadCommands } from './commands';
import { CancelledError, CliError } from './errors';
import { ownVersion } from './package-info';
import { PromptFn, terminalPrompt } from './prompts';
import { Reporter, streamReporter } from './reporter';

export { CliError, CancelledError } from './errors';
export { create, type CreateContext, type CreateResult } from './create';
export type { PromptFn, Question } from './prompts';
export { renderProjenrc, synthesize, type Definition } from './definition';
export { loadCommands, defineCreateCommand, verifyCommand, watchCommand, lockCommand } from './commands';

/** How {@link runCli} talks to the outside world; every part can be replaced. */
export interface CliIo {
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Input; prompts are shown only when it is a TTY (and without --yes). @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Whether prompts may be shown. @default - `stdin` is a TTY */
  readonly interactive?: boolean;
  /** @default - enquirer on the terminal */
  readonly prompt?: PromptFn;
  /** Output. @default process.stdout */
  readonly stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Error output. @default process.stderr */
  readonly stderr?: NodeJS.WritableStream;
  /** @default - progress lines on `stdout` */
  readonly reporter?: Reporter;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: running children stop, the command rolls back. */
  readonly signal?: AbortSignal;
  /** Environment of child processes. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The command an argv selects, and the arguments after its name. */
function selectCommand(
  commands: readonly CommandDecl<CommandContext>[],
  argv: readonly string[],
): { cmd: CommandDecl<CommandContext>; rest: readonly string[]; usage: string } {
  const named = commands.find((c) => c.name === argv[0]);
  const cmd = named ?? commands[0];
  const rest = named ? argv.slice(1) : argv;
  const positional = (cmd.args ?? []).map((a) => ` [${a.name}]`).join('');
  const usage = named && named !== commands[0] ? `${PROGRAM} ${cmd.name}${positional} [options]` : `${PROGRAM}${positional} [options]`;
  return { cmd, rest, usage };
}

/** Runs one command line and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const reporter = io.reporter ?? streamReporter(stdout);
  const cwd = io.cwd ?? process.cwd();
  try {
    const commands = await loadCommands();
    const { cmd, rest, usage } = selectCommand(commands, argv);
    const program = cmd === commands[0] ? PROGRAM : `${PROGRAM} ${cmd.name}`;
    const args = parseCommandArgs(cmd, rest, program);
    if (args.values.help) {
      stdout.write(renderHelp(cmd, usage));
      return 0;
    }
    if (args.values.version) {
      stdout.write(`${ownVersion()}\n`);
      return 0;
    }
    return await cmd.run(args, {
      create: {
        cwd,
        interactive: !args.values.yes && (io.interactive ?? !!(io.stdin ?? process.stdin).isTTY),
        prompt: abortable(io.prompt ?? terminalPrompt, io.signal),
        reporter,
        signal: io.signal,
        env: io.env,
      },
      verify: { stdout, stderr, cwd },
      watch: { stdout, stderr, cwd, signal: io.signal, env: io.env },
      lock: { stdout, stderr, cwd, signal: io.signal, env: io.env },
    });
  } catch (e) {
    if (e instanceof CliError) {
      stderr.write(`${e instanceof CancelledError ? '' : 'Error: '}${e.message}\n`);
      return e.exitCode;
    }
    stderr.write(`Unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** A prompt that a signal (SIGTERM, SIGHUP) cancels too, not only Ctrl-C typed at it. */
function abortable(prompt: PromptFn, signal: AbortSignal | undefined): PromptFn {
  if (!signal) return prompt;
  return (q) => new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError());
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    prompt(q).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Signals that stop the command: it rolls back, then exits 128 + the signal number. */
const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/** The bin: runs with the process's argv, stdio and signals, then sets the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let received: keyof typeof STOP_SIGNALS | undefined;
  const handlers = Object.keys(STOP_SIGNALS).map((name) => {
    const sig = name as keyof typeof STOP_SIGNALS;
    // A second signal while rolling back ends the process at once.
    const handler = () => {
      if (controller.signal.aborted) process.exit(128 + STOP_SIGNALS[received ?? sig]);
      received = sig;
      controller.abort();
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  try {
    const code = await runCli(argv, { signal: controller.signal });
    process.exitCode = received ? 128 + STOP_SIGNALS[received] : code;
    // Rolled back after a signal: end now, even if a prompt still holds the terminal.
    if (received) process.exit(process.exitCode);
  } finally {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  }
}

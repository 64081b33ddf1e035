/**
 * Entry point of the `create-msb-app` command: parses the command line, runs {@link create} and
 * turns errors into a message and an exit code.
 */
import { CliArgs, helpText, parseCliArgs } from './args';
import { CreateResult, create } from './create';
import { CancelledError, CliError } from './errors';
import { ownVersion } from './package-info';
import { PromptFn, terminalPrompt } from './prompts';
import { Reporter, streamReporter } from './reporter';

export { CliError, CancelledError } from './errors';
export { create, type CreateContext, type CreateResult } from './create';
export { parseCliArgs, type CliArgs } from './args';
export type { PromptFn, Question } from './prompts';
export { renderProjenrc, synthesize, type Definition } from './definition';

/** How {@link runCli} talks to the outside world; every part can be replaced in tests. */
export interface CliIo {
  /** @default process.cwd() */
  readonly cwd?: string;
  /** @default - stdin is a TTY */
  readonly interactive?: boolean;
  /** @default - enquirer on the terminal */
  readonly prompt?: PromptFn;
  /** @default - progress on stdout */
  readonly reporter?: Reporter;
  /** Error output. @default process.stderr */
  readonly stderr?: NodeJS.WritableStream;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs the command and returns its exit code (0 on success). With `interactive` and an injected
 * `prompt`, this is the interactive flow driven by scripted answers.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const reporter = io.reporter ?? streamReporter(process.stdout);
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      reporter.info(helpText());
      return 0;
    }
    if (args.version) {
      reporter.info(ownVersion());
      return 0;
    }
    await runCreate(args, io, reporter);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      stderr.write(`${e instanceof CancelledError ? '' : 'Error: '}${e.message}\n`);
      return e.exitCode;
    }
    stderr.write(`Unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

function runCreate(args: CliArgs, io: CliIo, reporter: Reporter): Promise<CreateResult> {
  const interactive = !args.yes && (io.interactive ?? !!process.stdin.isTTY);
  return create(args, {
    cwd: io.cwd ?? process.cwd(),
    interactive,
    prompt: io.prompt ?? terminalPrompt,
    reporter,
    signal: io.signal,
    env: io.env,
  });
}

/** The bin: runs with the process's argv, stdio and signals, then sets the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv[0] === 'verify') {
    // `create-msb-app verify [dir]`: build and check the images (loaded only for this subcommand).
    const { runVerify } = await import('../verify');
    process.exitCode = await runVerify(argv.slice(1));
    return;
  }
  const controller = new AbortController();
  // Ctrl-C outside a prompt (e.g. during the install): stop the child, roll back, exit 130.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    process.exitCode = await runCli(argv, { signal: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * The one way this package runs another program: asynchronous, output captured, stoppable with an
 * AbortSignal. The child runs in its own process group, so stopping it also stops what it started
 * (a package manager's own children, postinstall scripts).
 */
import { spawn } from 'node:child_process';

/** Output of a command that succeeded. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link exec}. */
export interface ExecOptions {
  readonly cwd: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting it kills the child's whole process group and rejects with {@link ExecAbortedError}. */
  readonly signal?: AbortSignal;
  /** What the command is for, used in error messages (e.g. `install dependencies`). */
  readonly purpose?: string;
  /** Text written to the child's stdin. @default - stdin is closed */
  readonly input?: string;
  /** Called with each line of output as it arrives. */
  readonly onOutput?: (line: string) => void;
}

/** A command that could not start, or ended with a non-zero exit code or a signal. */
export class ExecError extends Error {
  constructor(
    message: string,
    /** The command line as shown. */
    public readonly command: string,
    /** Exit code; `undefined` when it did not start or was killed by a signal. */
    public readonly exitCode: number | undefined,
    public readonly stdout: string,
    public readonly stderr: string,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/** The command was stopped because its AbortSignal fired. */
export class ExecAbortedError extends ExecError {}

/** How a command ended, for callers that judge the exit code themselves ({@link run}). */
export interface RunResult {
  /** Exit code; 1 when it was killed by a signal. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended it, if any. */
  readonly signal?: NodeJS.Signals;
}

/** Options of {@link run}: those of {@link exec} and a time limit. */
export interface RunOptions extends Omit<ExecOptions, 'cwd'> {
  readonly cwd?: string;
  /** Kill the command (its whole group) after this many milliseconds. @default - no limit */
  readonly timeoutMs?: number;
  /**
   * Run the child in its own process group, so a kill reaches its children and a Ctrl-C typed at the
   * terminal reaches only this process (which then stops the child and rolls back). `false` keeps the
   * child in this process's group: a Ctrl-C reaches it directly (e.g. a container build in `verify`).
   * @default true
   */
  readonly ownProcessGroup?: boolean;
}

/**
 * Runs `command args` and resolves with how it ended, whatever the exit code (never rejects for a
 * non-zero code); rejects with an {@link ExecError} when it cannot start and an
 * {@link ExecAbortedError} when its AbortSignal fired.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const shown = [command, ...args].join(' ');
  const purpose = options.purpose ? ` (needed to ${options.purpose})` : '';
  if (options.signal?.aborted) return Promise.reject(new ExecAbortedError(`"${shown}" was not started: cancelled.`, shown, undefined, '', ''));
  const group = options.ownProcessGroup ?? true;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: group && process.platform !== 'win32',
      shell: process.platform === 'win32',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let pending = '';
    const onChunk = (d: Buffer, into: Buffer[]) => {
      into.push(d);
      if (!options.onOutput) return;
      const lines = (pending + d.toString()).split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      lines.forEach((l) => options.onOutput!(l));
    };
    child.stdout!.on('data', (d: Buffer) => onChunk(d, out));
    child.stderr!.on('data', (d: Buffer) => onChunk(d, err));
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.stdin.end(options.input);
    }
    const kill = () => (group ? killGroup(child.pid) : child.kill('SIGKILL'));
    options.signal?.addEventListener('abort', kill, { once: true });
    // Should this process die, its child must not keep writing.
    process.on('exit', kill);
    const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      process.off('exit', kill);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(e.code === 'ENOENT'
        ? new ExecError(`"${command}" was not found on PATH${purpose}.`, shown, undefined, '', '')
        : new ExecError(`Could not run "${shown}": ${e.message}`, shown, undefined, '', ''));
    });
    child.on('close', (code, sig) => {
      done();
      if (options.onOutput && pending) options.onOutput(pending);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString() + (sig && options.timeoutMs && !options.signal?.aborted ? `\n(killed by ${sig} after ${options.timeoutMs} ms)` : '');
      if (options.signal?.aborted) return reject(new ExecAbortedError(`"${shown}" was stopped: cancelled.`, shown, undefined, stdout, stderr));
      resolve({ code: code ?? 1, stdout, stderr, signal: sig ?? undefined });
    });
  });
}

/** Runs `command args`; resolves with its output, rejects with an {@link ExecError} naming it and showing its output. */
export async function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const shown = [command, ...args].join(' ');
  const r = await run(command, args, options);
  if (r.code === 0 && !r.signal) return { stdout: r.stdout, stderr: r.stderr };
  const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
  throw new ExecError(
    `"${shown}" failed (${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`})${options.purpose ? ` while trying to ${options.purpose}` : ''}:\n${tail}`,
    shown, r.signal ? undefined : r.code, r.stdout, r.stderr,
  );
}

/** Stops a process group: SIGTERM now, SIGKILL if it is still there after a grace period. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  const send = (sig: NodeJS.Signals) => {
    try {
      if (process.platform === 'win32') process.kill(pid, sig);
      else process.kill(-pid, sig);
      return true;
    } catch {
      return false; // already gone
    }
  };
  if (!send('SIGTERM')) return;
  const timer = setTimeout(() => send('SIGKILL'), 2000);
  timer.unref();
}

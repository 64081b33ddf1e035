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

/** Runs `command args`; resolves with its output, rejects with an {@link ExecError} naming it and showing its output. */
export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const shown = [command, ...args].join(' ');
  const purpose = options.purpose ? ` (needed to ${options.purpose})` : '';
  if (options.signal?.aborted) return Promise.reject(new ExecAbortedError(`"${shown}" was not started: cancelled.`, shown, undefined, '', ''));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // Its own process group: a kill reaches its children too, and a Ctrl-C on the terminal reaches
      // only us (we decide when to stop it and roll back).
      detached: process.platform !== 'win32',
      shell: process.platform === 'win32',
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const onChunk = (d: Buffer, isErr: boolean) => {
      const text = d.toString();
      if (isErr) stderr += text;
      else stdout += text;
      if (options.onOutput) {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        lines.forEach((l) => options.onOutput!(l));
      }
    };
    child.stdout!.on('data', (d: Buffer) => onChunk(d, false));
    child.stderr!.on('data', (d: Buffer) => onChunk(d, true));
    if (options.input !== undefined) child.stdin!.end(options.input);
    const kill = () => killGroup(child.pid);
    options.signal?.addEventListener('abort', kill, { once: true });
    // Should this process die, its child must not keep writing.
    process.on('exit', kill);
    const done = () => {
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
      if (options.signal?.aborted) return reject(new ExecAbortedError(`"${shown}" was stopped: cancelled.`, shown, undefined, stdout, stderr));
      if (code === 0) return resolve({ stdout, stderr });
      const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
      reject(new ExecError(
        `"${shown}" failed (${sig ? `signal ${sig}` : `exit code ${code}`})${options.purpose ? ` while trying to ${options.purpose}` : ''}:\n${tail}`,
        shown, code ?? undefined, stdout, stderr,
      ));
    });
  });
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

/**
 * Running the package manager and git: output is captured (and shown on failure), Ctrl-C stops
 * the child.
 */
import { spawn } from 'node:child_process';
import { CancelledError, CliError } from './errors';

/** Result of a command that succeeded. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** What the command is for, used in the error message. */
  readonly purpose?: string;
}

/** Runs a command; rejects with a {@link CliError} naming it and showing its output when it fails. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const onAbort = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const shown = [command, ...args].join(' ');
    child.on('error', (e: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(e.code === 'ENOENT'
        ? new CliError(`"${command}" was not found on PATH${options.purpose ? ` (needed to ${options.purpose})` : ''}.`)
        : new CliError(`Could not run "${shown}": ${e.message}`));
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new CancelledError());
      if (code === 0) return resolve({ stdout, stderr });
      const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
      reject(new CliError(`"${shown}" failed (${sig ? `signal ${sig}` : `exit code ${code}`})${options.purpose ? ` while trying to ${options.purpose}` : ''}:\n${tail}`));
    });
  });
}

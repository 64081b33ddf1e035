/**
 * Errors the command reports to its user: a message (no stack trace) and an exit code.
 */
import { CliError, badFlag } from '../contract/family-cli';
import { HandEditError, MsbValidationError, TemplateError, formatProblem, isUserError } from '../index';
import { ExecAbortedError, ExecError } from '../util/exec';
import { JsonFileError } from '../util/json';

export { CliError, badFlag };

/** The user cancelled (Ctrl-C at a prompt or during a step): exit code 130, like a shell. */
export class CancelledError extends CliError {
  constructor(message = 'Cancelled; nothing was changed.') {
    super(message, 130);
    this.name = 'CancelledError';
  }
}

/** Library and exec errors become CLI errors with their message (a validation error lists every problem). */
export function asCliError(e: unknown): Error {
  if (e instanceof CliError) return e;
  if (e instanceof ExecAbortedError) return new CancelledError();
  if (e instanceof ExecError || e instanceof TemplateError || e instanceof JsonFileError) return new CliError(e.message);
  if (e instanceof MsbValidationError) {
    return new CliError(`The definition is not valid:\n${e.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
  }
  if (e instanceof HandEditError) return new CliError(`${e.message}\nOr run create-msb-app again with --force.`);
  // Disk, lock, link and unsafe-key errors: their message says what to do.
  if (isUserError(e)) return new CliError(e.message);
  return e instanceof Error ? e : new Error(String(e));
}

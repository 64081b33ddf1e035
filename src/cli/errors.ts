/**
 * Errors the command reports to its user: a message (no stack trace) and an exit code.
 */

/** A failure the user can act on; `main` prints the message and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code. @default 1 */
    public readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The user cancelled (Ctrl-C at a prompt or during a step): exit code 130, like a shell. */
export class CancelledError extends CliError {
  constructor(message = 'Cancelled; nothing was changed.') {
    super(message, 130);
    this.name = 'CancelledError';
  }
}

/** The error message for a flag with a bad value: names the flag, the value and what is valid. */
export function badFlag(flag: string, value: unknown, expected: string): CliError {
  return new CliError(`Invalid ${flag} ${JSON.stringify(value)}: expected ${expected}.`);
}

/**
 * Errors the command reports to its user: a message (no stack trace) and an exit code.
 */
import { CliError, badFlag } from '../contract/family-cli';

export { CliError, badFlag };

/** The user cancelled (Ctrl-C at a prompt or during a step): exit code 130, like a shell. */
export class CancelledError extends CliError {
  constructor(message = 'Cancelled; nothing was changed.') {
    super(message, 130);
    this.name = 'CancelledError';
  }
}


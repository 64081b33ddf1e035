/**
 * Prompts: the one place enquirer is imported. The flow asks through a {@link PromptFn}, so tests
 * can answer with a script instead of a terminal.
 */
import { CancelledError } from './errors';

/** One question. */
export interface Question {
  /** Key of the answer, e.g. `port`. */
  readonly name: string;
  readonly message: string;
  /** `select` offers `choices`; `multiselect` too, and answers with the chosen names joined by commas; `input` takes text. */
  readonly type: 'input' | 'select' | 'multiselect';
  /** Default answer. */
  readonly initial?: string;
  readonly choices?: readonly { readonly name: string; readonly hint?: string }[];
  /** `true` when valid, else the message to show. */
  readonly validate?: (value: string) => true | string;
}

/** Asks one question and returns the answer; throws {@link CancelledError} when the user cancels. */
export type PromptFn = (question: Question) => Promise<string>;

/** Asks on the terminal with enquirer; Ctrl-C or Esc cancels. */
export const terminalPrompt: PromptFn = async (q) => {
  // Loaded lazily: non-interactive runs never pay for it.
  const { prompt } = (await import('enquirer')).default;
  try {
    if (q.type === 'multiselect') {
      const picked = await prompt<Record<string, string[]>>({
        type: 'multiselect',
        name: q.name,
        message: q.message,
        choices: (q.choices ?? []).map((c) => ({ name: c.name, hint: c.hint })),
      } as Parameters<typeof prompt>[0]);
      return (picked[q.name] ?? []).join(',');
    }
    const answer = await prompt<Record<string, string>>(
      q.type === 'select'
        ? {
          type: 'select',
          name: q.name,
          message: q.message,
          choices: (q.choices ?? []).map((c) => ({ name: c.name, hint: c.hint })),
          initial: Math.max(0, (q.choices ?? []).findIndex((c) => c.name === q.initial)),
        }
        : { type: 'input', name: q.name, message: q.message, initial: q.initial, validate: q.validate },
    );
    return String(answer[q.name]);
  } catch (e) {
    // enquirer rejects with an empty string (or nothing) on cancel.
    if (!(e instanceof Error)) throw new CancelledError();
    throw e;
  }
};

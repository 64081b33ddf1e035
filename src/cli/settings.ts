/**
 * Every setting of the definition is one row of a table: its flag, its prompt, how it is inferred
 * from an existing project, its default and its validation. One loop walks the table in order:
 * flag, else prompt (offering the inferred value or the default), else inferred, else default.
 * All flags are validated before anything is asked, and every bad flag is reported in one error.
 */
import type { PromptFn } from './prompts';
import { CliError, type Setting, type SettingContext } from '../contract/family-cli';

export type { Setting, SettingContext, SettingPrompt } from '../contract/family-cli';
export { runtimeLineSetting, type RuntimeLineSpec } from '../families/kit/runtime-line';

/** Flag values by option name, as parsed. */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** Validates the flags of every row; returns the values by key, or the error messages of all bad flags. */
export function validateFlags(
  table: readonly Setting[],
  flags: FlagValues,
  ctx: SettingContext,
): { values: Record<string, unknown>; errors: string[] } {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const s of table) {
    const given = s.flag ? flags[s.flag] : undefined;
    if (typeof given !== 'string') continue;
    try {
      values[s.key] = s.validate(given, ctx, `--${s.flag}`);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      errors.push(e.message);
    }
  }
  return { values, errors };
}

/** One error for one or more bad flags. */
export function flagErrors(errors: readonly string[]): CliError {
  if (errors.length === 1) return new CliError(errors[0]);
  return new CliError(`${errors.length} flags are not valid:\n${errors.map((e) => `  - ${e.replace(/\n/g, '\n    ')}`).join('\n')}`);
}

/** Walks the table: flag, else prompt, else inferred, else default. Fills and returns `ctx.values`. */
export async function resolveSettings(
  table: readonly Setting[],
  flags: FlagValues,
  ctx: SettingContext,
  prompt: PromptFn,
): Promise<Record<string, unknown>> {
  const fromFlags = validateFlags(table, flags, ctx);
  if (fromFlags.errors.length > 0) throw flagErrors(fromFlags.errors);
  for (const s of table) {
    if (s.key in fromFlags.values) {
      ctx.values[s.key] = fromFlags.values[s.key];
      continue;
    }
    const inferred = s.infer?.(ctx);
    const fallback = inferred ?? s.default(ctx);
    const blocked = inferred === undefined ? s.blocked?.(ctx) : undefined;
    if (ctx.interactive && s.prompt) {
      const show = (v: unknown) => (s.show ? s.show(v) : String(v));
      const label = s.flag ? `--${s.flag}` : s.key;
      const answer = (await prompt({
        name: s.key,
        type: s.prompt.type,
        message: blocked ? `${s.prompt.message} (${blocked.note})` : s.prompt.message,
        initial: fallback === undefined ? '' : show(fallback),
        ...(s.prompt.choices ? { choices: s.prompt.choices(ctx) } : {}),
        ...(s.prompt.type === 'input'
          ? { validate: (v: string) => promptCheck(() => (s.prompt!.optional && v.trim() === '') || s.validate(v, ctx, label)) }
          : {}),
      })).trim();
      ctx.values[s.key] = s.prompt.optional && answer === '' ? undefined : s.validate(answer, ctx, label);
    } else if (blocked) {
      throw new CliError(blocked.error);
    } else if (fallback === undefined && s.missing) {
      throw new CliError(s.missing(ctx));
    } else {
      ctx.values[s.key] = fallback;
    }
  }
  return ctx.values;
}

/** A check as a prompt's `validate`: `true`, or the message to show. */
function promptCheck(check: () => unknown): true | string {
  try {
    check();
    return true;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid \S+ /, 'Invalid value ');
  }
}

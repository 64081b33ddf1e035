/**
 * Every setting of the definition is one row of a table: its flag, its prompt, how it is inferred
 * from an existing project, its default and its validation. One loop walks the table in order:
 * flag, else prompt (offering the inferred value or the default), else inferred, else default.
 * All flags are validated before anything is asked, and every bad flag is reported in one error.
 */
import { CliError } from './errors';
import type { PromptFn } from './prompts';
import type { Adoption } from '../families/family-cli';

/** What a setting's functions see. */
export interface SettingContext {
  readonly interactive: boolean;
  readonly mode: 'new' | 'adopt';
  /** Absolute target directory. */
  readonly dir: string;
  /** Where the command was started; relative paths in flags resolve against it. */
  readonly cwd: string;
  /** What adoption found (adoptions only). */
  readonly adoption?: Adoption;
  /** The name the directory suggests (a DNS label, possibly empty). */
  readonly directoryName: string;
  /** The version of the project (new projects: the family's first version). */
  readonly version?: string;
  /** `npm_config_user_agent` of the package manager that started the command. */
  readonly userAgent?: string;
  /** Values resolved so far, by key (rows are resolved in table order). */
  readonly values: Record<string, unknown>;
}

/** A prompt of a setting. */
export interface SettingPrompt {
  readonly type: 'input' | 'select';
  readonly message: string;
  readonly choices?: (ctx: SettingContext) => { name: string; hint?: string }[];
  /** An empty answer means "none" (no value). */
  readonly optional?: boolean;
}

/** One row of the settings table. */
export interface Setting<T = unknown> {
  /** Key of the value (`port`, `nodeVersion`). */
  readonly key: string;
  /** Option name of the flag, without dashes (`health-path`). */
  readonly flag?: string;
  readonly prompt?: SettingPrompt;
  /** The value the existing project states. */
  infer?(ctx: SettingContext): T | undefined;
  /** The default; `undefined` when there is none. */
  default(ctx: SettingContext): T | undefined;
  /** Text (flag or answer) to value; throws a {@link CliError} naming `label`, the text and what is valid. */
  validate(text: string, ctx: SettingContext, label: string): T;
  /** The value as prompt text. @default String(value) */
  show?(value: T): string;
  /**
   * Why the project's own statement cannot be used (e.g. a Node.js line without a runtime image):
   * an error without a prompt, a note in the prompt's message with one.
   */
  blocked?(ctx: SettingContext): { readonly error: string; readonly note: string } | undefined;
  /** The error when nothing gives a value and there is no prompt. @default - the value stays undefined */
  missing?(ctx: SettingContext): string;
}

/** What {@link runtimeLineSetting} needs to know of a family's runtime lines (Node.js 26, Go 1.26...). */
export interface RuntimeLineSpec {
  /** Key of the value and of the adoption's `inferred`/`mismatch` entries, e.g. `goVersion`. */
  readonly key: string;
  readonly flag: string;
  /** The prompt's message, e.g. `Go version`. */
  readonly message: string;
  readonly defaultLine: string;
  /** The default line's hint in the prompt. @default "(default)" */
  readonly defaultHint?: string;
  /** Lists the lines as the catalog has them (no reversal, no default hint). @default false */
  readonly keepOrder?: boolean;
  /** The catalog's lines, oldest first (the prompt lists the newest first unless `keepOrder`). */
  lines(): readonly string[];
  /** Text to line; throws a CliError naming `label`, the text and the valid lines. */
  check(text: string, label: string): string;
  /** The project states a line without an image: the prompt's note and the error without a prompt. */
  blocked(stated: { readonly value: string; readonly from: string }): { readonly error: string; readonly note: string };
}

/**
 * The setting of a family's runtime line: chosen from the catalog, inferred from the project, and
 * blocked (with the family's own words) when the project states a line the catalog has no image for.
 */
export function runtimeLineSetting(spec: RuntimeLineSpec): Setting<string> {
  return {
    key: spec.key,
    flag: spec.flag,
    prompt: {
      type: 'select',
      message: spec.message,
      choices: () => (spec.keepOrder
        ? spec.lines().map((v) => ({ name: v }))
        : spec.lines().slice().reverse().map((v) => ({ name: v, hint: v === spec.defaultLine ? (spec.defaultHint ?? '(default)') : undefined }))),
    },
    infer: (ctx) => ctx.adoption?.inferred[spec.key]?.value as string | undefined,
    default: () => spec.defaultLine,
    validate: (text, _ctx, label) => spec.check(text, label),
    blocked: (ctx) => {
      const m = ctx.adoption?.mismatch?.[spec.key];
      return m ? spec.blocked(m) : undefined;
    },
  };
}

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

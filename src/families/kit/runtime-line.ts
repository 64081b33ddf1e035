/** The runtime-line setting every family's CLI side offers (Node.js 26, Go 1.26, Java 25...). */
import type { Setting } from '../../contract/family-cli';

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

/**
 * The template engine: the one place Handlebars is imported.
 *
 * Text outputs (Dockerfiles, .dockerignore) are rendered from a main template built from partials.
 * A partial is looked up in each template folder in order (a project's own folder, then an org
 * package, then the built-ins shipped in this package's `templates/`), so an org can replace one
 * piece without copying the whole Dockerfile.
 *
 * Built-in layout: `templates/<family>/` holds a family's main `Dockerfile.hbs` and its partials
 * (`templates/node/partials/base-stage.hbs`, ...); `templates/shared/` holds what every family uses
 * (`dockerignore.hbs`, `partials/labels.hbs`, `partials/dockerignore.hbs`). A family's folder comes
 * before the shared one. `templates/<family>/sample/` holds the sample app of a new project, rendered
 * file by file by the CLI ({@link renderTemplateFile}). An org or project folder is flat
 * (`Dockerfile.hbs`, `partials/<name>.hbs`): its partials replace built-ins by name; a partial there
 * that replaces no built-in partial of any family and that no template uses is an error (it would
 * silently do nothing).
 *
 * Handlebars escapes for HTML by default; here nothing is HTML-escaped. Instead every string in the
 * render context is checked before rendering: a value that would start a new Dockerfile instruction
 * (a line break) is an error. `{{q value}}` writes a double-quoted Dockerfile string with `$` escaped
 * so no variable is expanded; `{{json value}}` writes JSON (exec-form CMD).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Handlebars from 'handlebars';
import type { TemplateFolder } from './contract/template-folder';
import { lineSafetyProblem, markMsbError } from './validation';

/** The templates shipped with this package (one folder per family, plus `shared`). */
export const BUILTIN_TEMPLATE_DIR = path.resolve(__dirname, '..', 'templates');

/** The built-in folders a family renders from: its own, then the shared one. */
export function builtinTemplateFolders(family: string): TemplateFolder[] {
  return [path.join(BUILTIN_TEMPLATE_DIR, family), path.join(BUILTIN_TEMPLATE_DIR, 'shared')]
    .filter((dir) => fs.existsSync(dir))
    .map((dir) => ({ dir, source: 'built-in' }));
}

/** Partial names the built-ins of every family define. */
function builtinPartialNames(): Set<string> {
  const names = new Set<string>();
  for (const family of fs.readdirSync(BUILTIN_TEMPLATE_DIR)) {
    const dir = path.join(BUILTIN_TEMPLATE_DIR, family, 'partials');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.hbs')) names.add(f.slice(0, -'.hbs'.length));
  }
  return names;
}

/** Partials a template text includes (`{{> name}}`, `{{#> name}}`). */
function includedPartials(text: string): string[] {
  return [...text.matchAll(/\{\{#?>\s*([\w-]+)/g)].map((m) => m[1]);
}

/** Raised when a template cannot be read or rendered; names the template file. */
export class TemplateError extends Error {
  constructor(
    message: string,
    public readonly file: string,
  ) {
    super(message);
    this.name = 'TemplateError';
    markMsbError(this);
  }
}

/**
 * Checks a value for a Dockerfile line: it must stay on its line and leave the next one alone (see
 * `lineSafetyProblem`: no line break or control character but tab, no trailing escape character, at
 * most 16 KiB).
 */
export function dockerfileText(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  const problem = lineSafetyProblem(s);
  if (problem) {
    const shown = s.length > 200 ? `${JSON.stringify(s.slice(0, 200))}...` : JSON.stringify(s);
    throw new Error(`value ${shown} cannot be written into a Dockerfile: ${problem}`);
  }
  return s;
}

/** A double-quoted Dockerfile string (ENV, LABEL) with `$` escaped, so no variable expansion happens. */
export function dockerfileQuote(value: unknown): string {
  return JSON.stringify(dockerfileText(value)).replace(/\$/g, '\\$');
}

function assertSingleLineValues(value: unknown, where: string): void {
  if (typeof value === 'string') {
    try {
      dockerfileText(value);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertSingleLineValues(v, `${where}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertSingleLineValues(v, `${where}.${k}`);
  }
}

/** What a partial resolved to. */
interface ResolvedFile {
  readonly file: string;
  readonly folder: TemplateFolder;
}

/**
 * Renders templates from an ordered list of folders (first match wins), always ending with the
 * built-ins.
 */
/**
 * Compile options of every template (also those precompiled at build time), a new object each time:
 * Handlebars adds to the options it is given.
 */
export function compileOptions(): CompileOptions {
  return { noEscape: true, knownHelpers: { q: true, json: true }, knownHelpersOnly: true };
}

/** File next to the compiled module holding the built-in templates precompiled (written by the post-compile task). */
export const PRECOMPILED_FILE = 'templates.precompiled.js';

/** The key of a template's text in the precompiled table: options and text. */
export function templateKey(text: string): string {
  return createHash('sha256').update(JSON.stringify(compileOptions())).update('\0').update(text).digest('hex');
}

/* eslint-disable @typescript-eslint/no-require-imports */
let precompiledTable: Record<string, TemplateSpecification> | undefined;
/** The built-in templates compiled at build time, by {@link templateKey}; empty where sources run directly. */
function precompiled(): Record<string, TemplateSpecification> {
  if (!precompiledTable) {
    try {
      precompiledTable = require(`./${PRECOMPILED_FILE}`) as Record<string, TemplateSpecification>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // not built (sources run directly), or a bundle that left the file out: compile on demand
      const missing = err.code === 'MODULE_NOT_FOUND' || /not found/i.test(String(err.message));
      if (!missing || !String(err.message).includes(PRECOMPILED_FILE)) throw e;
      precompiledTable = {};
    }
  }
  return precompiledTable;
}

/**
 * Compiles a template's text to its specification. Handlebars' compiler is loaded only here: for a
 * template that is not a precompiled built-in (an org or project template, or sources run directly).
 */
export function precompileTemplate(text: string): TemplateSpecification {
  const compiler = require('handlebars') as typeof Handlebars;
  const source = compiler.precompile(text, compileOptions());
  // The specification is JavaScript source generated by Handlebars from the template.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`return ${source};`)() as TemplateSpecification;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** A helper a standalone template may call (`{{name value}}`): a value to the text written. */
export type TemplateHelper = (value: unknown) => string;

/**
 * Renders one template file on its own, without partials: the sample files of a new project (see
 * `templates/<family>/sample/`), rendered by the CLI only, so the compiler is loaded here (and
 * synthesis never calls this). Nothing is escaped and no value is checked: whatever the context
 * holds is written as it is, unless the template passes it through one of `helpers` (the only
 * helpers it may call). A field the context lacks is an error (strict mode), naming the file.
 */
export function renderTemplateFile(file: string, context: object, helpers: Readonly<Record<string, TemplateHelper>> = {}): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TemplateError(`cannot read template ${file}: ${(e as Error).message}`, file);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const hbs = (require('handlebars') as typeof Handlebars).create();
    for (const [name, helper] of Object.entries(helpers)) hbs.registerHelper(name, helper);
    const known = Object.fromEntries(Object.keys(helpers).map((name) => [name, true]));
    const template = hbs.compile(text, { noEscape: true, strict: true, knownHelpers: known, knownHelpersOnly: true });
    return template(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (e) {
    throw new TemplateError(`rendering ${file} failed: ${(e as Error).message}`, file);
  }
}

/** Compiled specifications by key, shared by every renderer of this process (watch mode renders again). */
const specs = new Map<string, TemplateSpecification>();

export class TemplateRenderer {
  private readonly folders: readonly TemplateFolder[];
  private readonly hbs: typeof Handlebars;
  private readonly used = new Map<string, string[]>();

  /**
   * @param folders project and org folders, first match wins
   * @param builtins the built-in folders searched last @default - the Node.js family's and the shared ones
   */
  constructor(folders: readonly TemplateFolder[] = [], builtins: readonly TemplateFolder[] = builtinTemplateFolders('node')) {
    this.folders = [...folders, ...builtins];
    // The runtime alone: templates arrive compiled (see compile()).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.hbs = (require('handlebars/runtime') as typeof Handlebars).create();
    this.hbs.registerHelper('q', (v: unknown) => new this.hbs.SafeString(dockerfileQuote(v)));
    this.hbs.registerHelper('json', (v: unknown) => new this.hbs.SafeString(JSON.stringify(v)));
  }

  /** Renders `<name>.hbs` with its partials; records which folder supplied each file. */
  render(name: string, context: object): string {
    const main = this.resolve(`${name}.hbs`);
    if (!main) throw new TemplateError(`template "${name}.hbs" was not found in ${this.describeFolders()}`, `${name}.hbs`);
    const partials = this.partialNames();
    this.checkOverrides(main, partials);
    const compiled: Record<string, HandlebarsTemplateDelegate> = {};
    const invoked = new Set<ResolvedFile>([main]);
    for (const partial of partials) {
      const file = this.resolve(path.join('partials', `${partial}.hbs`))!;
      const fn = this.compile(file.file, partials);
      // Record the partials that really take part in this render (provenance).
      compiled[partial] = ((ctx: unknown, opts?: Handlebars.RuntimeOptions) => {
        invoked.add(file);
        return fn(ctx, opts);
      }) as HandlebarsTemplateDelegate;
    }
    const template = this.compile(main.file, partials);
    try {
      // No HTML escaping; instead every value inserted must stay on its Dockerfile line.
      assertSingleLineValues(context, 'context');
      const text = template(context, {
        partials: compiled,
        helpers: {},
        allowProtoPropertiesByDefault: false,
        allowProtoMethodsByDefault: false,
      });
      // Provenance: which source supplied which file (built-ins summarized).
      const provenance = [...invoked]
        .filter((r) => r.folder.source !== 'built-in')
        .map((r) => `${r.folder.source}: ${path.relative(r.folder.dir, r.file).split(path.sep).join('/')}`);
      this.used.set(name, [...provenance.sort(), 'built-in']);
      return text;
    } catch (e) {
      throw new TemplateError(`rendering ${main.file} failed: ${(e as Error).message}`, main.file);
    }
  }

  /**
   * Files from template sources other than the built-ins used by the last render of `name`
   * (`source: partials/x.hbs`), followed by "built-in".
   */
  sourcesUsed(name: string): string[] {
    return this.used.get(name) ?? [];
  }

  private compile(file: string, partials: string[]): HandlebarsTemplateDelegate {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new TemplateError(`cannot read template ${file}: ${(e as Error).message}`, file);
    }
    // A partial that no source supplies: name the file and line that asks for it.
    for (const [i, line] of text.split('\n').entries()) {
      for (const m of line.matchAll(/\{\{#?>\s*([\w-]+)/g)) {
        if (!partials.includes(m[1])) {
          throw new TemplateError(`template ${file}:${i + 1} uses partial "${m[1]}", which no template source has (known: ${partials.join(', ')})`, file);
        }
      }
    }
    const key = templateKey(text);
    try {
      // Compiled now (not on first use), so syntax errors and unknown helpers name this file.
      let spec = specs.get(key) ?? precompiled()[key];
      if (!spec) spec = precompileTemplate(text);
      specs.set(key, spec);
      return this.hbs.template(spec);
    } catch (e) {
      throw new TemplateError(`template ${file} is invalid: ${(e as Error).message}`, file);
    }
  }

  /** A partial of a project or org folder that replaces nothing and that no template uses is an error. */
  private checkOverrides(main: ResolvedFile, partials: string[]): void {
    const builtin = builtinPartialNames();
    const used = new Set(includedPartials(fs.readFileSync(main.file, 'utf8')));
    for (const name of partials) {
      const file = this.resolve(path.join('partials', `${name}.hbs`))!;
      for (const x of includedPartials(fs.readFileSync(file.file, 'utf8'))) used.add(x);
    }
    for (const folder of this.folders.filter((f) => f.source !== 'built-in')) {
      const dir = path.join(folder.dir, 'partials');
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.hbs')).sort()) {
        const name = f.slice(0, -'.hbs'.length);
        if (builtin.has(name) || used.has(name)) continue;
        const file = path.join(dir, f);
        throw new TemplateError(`template ${file} (${folder.source}): partial "${name}" replaces no built-in partial and no template uses it, so it would change nothing (built-in partials: ${[...builtin].sort().join(', ')})`, file);
      }
    }
  }

  private resolve(relative: string): ResolvedFile | undefined {
    for (const folder of this.folders) {
      const file = path.join(folder.dir, relative);
      if (fs.existsSync(file)) return { file, folder };
    }
    return undefined;
  }

  private partialNames(): string[] {
    const names = new Set<string>();
    for (const folder of this.folders) {
      const dir = path.join(folder.dir, 'partials');
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.hbs')) names.add(f.slice(0, -'.hbs'.length));
    }
    return [...names].sort();
  }

  private describeFolders(): string {
    return this.folders.map((f) => `${f.dir} (${f.source})`).join(', ');
  }
}

/**
 * The sample app of a new project, read from the family's folder `templates/<family>/sample/` (as
 * create-vite has a `template-<variant>/` folder per variant). Every file of the folder is a file
 * of the new project, at the same relative path:
 *
 * - `<name>.hbs` is rendered through the template engine with the family's context and written as
 *   `<name>`; any other file is written as it is;
 * - `_gitignore` is written as `.gitignore` (npm leaves `.gitignore` files out of a package);
 * - a folder named `[key]` is written as the family's `folders[key]` (Java's package path).
 *
 * The templates write values as they are (`{{name}}`): the family passes only values that are
 * valid where they land, or a string literal made by a helper: `{{json value}}` (a JSON string, as
 * Python's string literals read it too) or `{{ts value}}` (a TypeScript string literal, `tsString`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILTIN_TEMPLATE_DIR, renderTemplateFile } from '../../templates';
import { tsString } from '../../util/ts-literal';

/** The folder under a family's templates that holds its sample. */
export const SAMPLE_FOLDER = 'sample';

/** Files whose name in the sample folder differs from the name written. */
const RENAMED: Readonly<Record<string, string>> = { _gitignore: '.gitignore' };

/** The literals a sample template can write a value as. */
const SAMPLE_HELPERS = {
  json: (value: unknown) => JSON.stringify(value),
  ts: (value: unknown) => tsString(String(value)),
};

/** How a family's sample is written. */
export interface SampleOptions {
  /**
   * The path each placeholder folder `[key]` of the sample stands for: relative, `/`-separated,
   * e.g. `{ package: 'com/example/orders' }`.
   * @default - none (a placeholder folder is then an error)
   */
  readonly folders?: Readonly<Record<string, string>>;
}

/**
 * The files of a family's sample (path relative to the project -> content), in the folder's order
 * (names sorted, files of a folder before its subfolders).
 */
export function sampleFiles(family: string, context: object, options: SampleOptions = {}): Record<string, string> {
  const root = path.join(BUILTIN_TEMPLATE_DIR, family, SAMPLE_FOLDER);
  const files: Record<string, string> = {};
  const walk = (dir: string, rel: string[]) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => Number(a.isDirectory()) - Number(b.isDirectory()) || (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(file, [...rel, folderName(e.name, options.folders ?? {}, file)]);
      } else if (e.name.endsWith('.hbs')) {
        files[[...rel, outputName(e.name.slice(0, -'.hbs'.length))].join('/')] = renderTemplateFile(file, context, SAMPLE_HELPERS);
      } else {
        files[[...rel, outputName(e.name)].join('/')] = fs.readFileSync(file, 'utf8');
      }
    }
  };
  walk(root, []);
  return files;
}

function outputName(name: string): string {
  return RENAMED[name] ?? name;
}

/** A folder's name in the project: its own, or the path a `[key]` placeholder stands for. */
function folderName(name: string, folders: Readonly<Record<string, string>>, dir: string): string {
  const key = /^\[(.+)\]$/.exec(name)?.[1];
  if (key === undefined) return name;
  const value = folders[key];
  if (value === undefined) throw new Error(`sample folder ${dir} stands for folders.${key}, which the family does not give`);
  if (!value.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'))) {
    throw new Error(`sample folder ${dir}: folders.${key} ${JSON.stringify(value)} is not a relative path of folder names`);
  }
  return value;
}

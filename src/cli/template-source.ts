/**
 * `--template`: an org template source, either a folder in (or next to) the project or an npm
 * package, each holding `templates/*.hbs` and/or `templates/partials/*.hbs`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEMPLATE_MANIFEST } from '../index';
import { CliError } from './errors';
import { resolveFileSpec } from './lib-spec';

/** Where an org template comes from. */
export type TemplateSource =
  | { readonly kind: 'folder'; /** The template folder, relative to the project (POSIX separators). */ readonly path: string }
  | { readonly kind: 'package'; /** Package name. */ readonly name: string; /** npm spec to install, e.g. `@acme/msb@^2`. */ readonly spec: string };

const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * Parses `--template`. A value that starts with `.`, `/` or `~`, or names an existing folder, is a
 * folder; a valid npm package name (optionally `@version`) is a package; anything else is an error.
 */
export function parseTemplate(value: string, projectDir: string, cwd: string): TemplateSource {
  const looksLikePath = /^(\.|\/|~|[A-Za-z]:\\)/.test(value) || fs.existsSync(path.resolve(cwd, value));
  if (looksLikePath) {
    const abs = path.resolve(cwd, value.replace(/^~(?=$|\/)/, process.env.HOME ?? '~'));
    if (!templateDirOf(abs) && !fs.existsSync(path.join(abs, TEMPLATE_MANIFEST))) {
      const why = fs.existsSync(abs) ? `holds no templates (*.hbs or partials/*.hbs, directly or under templates/) and no ${TEMPLATE_MANIFEST}` : 'does not exist';
      throw new CliError(`Invalid --template ${JSON.stringify(value)}: the folder ${abs} ${why}. Expected a folder with templates/*.hbs or templates/partials/*.hbs, or an npm package name.`);
    }
    // A folder outside the project is kept as a relative path here; the command copies it in.
    const rel = path.relative(projectDir, abs).split(path.sep).join('/');
    return { kind: 'folder', path: rel };
  }
  const m = /^(@?[^@]+)(?:@(.+))?$/.exec(value);
  if (!m || !PACKAGE_NAME.test(m[1])) {
    throw new CliError(`Invalid --template ${JSON.stringify(value)}: it is neither an existing folder nor an npm package name. Expected a folder with templates/*.hbs (e.g. "./msb-templates") or a package such as "@acme/msb-template".`);
  }
  // `name@file:path`: the path is read from where the user typed it, written relative to the project.
  if (m[2]?.startsWith('file:')) {
    const f = resolveFileSpec(m[2], cwd, projectDir);
    if (!fs.existsSync(f.abs)) throw new CliError(`Invalid --template ${JSON.stringify(value)}: ${f.abs} does not exist. Expected a file: path to the template package's folder or tarball.`);
    return { kind: 'package', name: m[1], spec: `${m[1]}@${f.spec}` };
  }
  return { kind: 'package', name: m[1], spec: value };
}

/** The folder of a template source that holds the `*.hbs` files; `undefined` when it holds none. */
export function templateDirOf(root: string): string | undefined {
  for (const dir of [path.join(root, 'templates'), root]) {
    if (hasTemplates(dir) || hasTemplates(path.join(dir, 'partials'))) return dir;
  }
  return undefined;
}

function hasTemplates(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => f.endsWith('.hbs'));
  } catch {
    return false;
  }
}

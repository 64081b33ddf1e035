/**
 * `--template`: an org template source, either a folder in (or next to) the project or an npm
 * package, each holding `templates/*.hbs` and/or `templates/partials/*.hbs`.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { CliError } from './errors';

/** Where an org template comes from. */
export type TemplateSource =
  | { readonly kind: 'folder'; /** Relative to the project, POSIX separators. */ readonly path: string }
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
    const dir = templateDirOf(abs);
    if (!dir) {
      const why = fs.existsSync(abs) ? 'holds no templates (*.hbs or partials/*.hbs, directly or under templates/)' : 'does not exist';
      throw new CliError(`Invalid --template ${JSON.stringify(value)}: the folder ${abs} ${why}. Expected a folder with templates/*.hbs or templates/partials/*.hbs, or an npm package name.`);
    }
    const rel = path.relative(projectDir, abs).split(path.sep).join('/');
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new CliError(`Invalid --template ${JSON.stringify(value)}: the folder ${abs} is outside the project ${projectDir}. Expected a folder inside the project (so the definition can find it on every machine), or an npm package.`);
    }
    return { kind: 'folder', path: rel };
  }
  const m = /^(@?[^@]+)(?:@(.+))?$/.exec(value);
  if (!m || !PACKAGE_NAME.test(m[1])) {
    throw new CliError(`Invalid --template ${JSON.stringify(value)}: it is neither an existing folder nor an npm package name. Expected a folder with templates/*.hbs (e.g. "./msb-templates") or a package such as "@acme/msb-template".`);
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

/** Resolves a template package installed in the project; throws a {@link CliError} when it is not. */
export function resolveTemplatePackage(projectDir: string, name: string): string {
  let pkgJson: string;
  try {
    pkgJson = createRequire(path.join(projectDir, 'package.json')).resolve(`${name}/package.json`);
  } catch {
    throw new CliError(`Invalid --template ${JSON.stringify(name)}: the package is not installed in ${projectDir} (was --skip-install given?). Expected an installed npm package with templates/*.hbs, or a folder.`);
  }
  const dir = path.join(path.dirname(pkgJson), 'templates');
  if (!hasTemplates(dir) && !hasTemplates(path.join(dir, 'partials'))) throw new CliError(`Invalid --template ${JSON.stringify(name)}: the package holds no templates/*.hbs or templates/partials/*.hbs.`);
  return dir;
}

function hasTemplates(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => f.endsWith('.hbs'));
  } catch {
    return false;
  }
}

/**
 * A light projen project for a service repository: it manages only create-msb-app's outputs and
 * leaves package.json, sources and the user's .gitignore to the user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component, Project, ProjenrcFile } from 'projen';
import { HandEditError } from './edit-guard';
import { TemplateSourceOptions, TemplateSources } from './org-template';
import { TemplateError } from './templates';
import { MsbValidationError } from './validation';

/**
 * Set by the `default` task: a problem in the definition is printed as its message alone (no stack
 * trace) and the process exits with 1. In-process callers (tests, the CLI) get the error thrown.
 */
export const PLAIN_ERRORS_ENV = 'MSB_PLAIN_ERRORS';

/** Errors that describe the user's definition or files, not a bug. */
function isUserError(e: unknown): e is Error {
  return e instanceof MsbValidationError || e instanceof HandEditError || e instanceof TemplateError;
}

function reportOrThrow(e: unknown): never {
  if (isUserError(e) && process.env[PLAIN_ERRORS_ENV]) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}

/** Props of {@link MsbProject}. */
export interface MsbProjectOptions extends TemplateSourceOptions {
  /** Project name; also the App name unless the App names another. */
  readonly name: string;
  /** @default - the current directory */
  readonly outdir?: string;
  /**
   * The command that runs `.projenrc.ts` (the `default` task). Sucrase's require hook turns its
   * TypeScript and import syntax into CommonJS in the same Node.js process (no type check, no child
   * process), which keeps `npx projen` fast.
   * @default "node --require sucrase/register/ts .projenrc.ts" (loaded through require() when package.json has "type": "module")
   */
  readonly projenrcCommand?: string;
  /** Lines the project's .gitignore must hold; added when missing, never removed. @default ["node_modules/", ".msb/"] (.msb holds verify reports) */
  readonly gitignoreLines?: string[];
}

class TypeScriptProjenrc extends ProjenrcFile {
  readonly filePath = '.projenrc.ts';
}

/**
 * Makes sure the user's `.gitignore` holds the given lines, appending what is missing. The file stays
 * the user's: nothing is removed or reordered.
 */
export class GitignoreLines extends Component {
  private readonly lines: string[];

  constructor(project: Project, lines: string[]) {
    super(project, 'GitignoreLines');
    this.lines = lines;
  }

  postSynthesize(): void {
    const file = path.join(this.project.outdir, '.gitignore');
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    // `node_modules`, `/node_modules` and `node_modules/` ignore the same thing here.
    const norm = (l: string) => l.trim().replace(/^\//, '').replace(/\/$/, '');
    const have = new Set(existing.split(/\r?\n/).map(norm));
    const missing = this.lines.filter((l) => !have.has(norm(l)));
    if (missing.length === 0) return;
    const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
    fs.writeFileSync(file, `${existing}${sep}${missing.join('\n')}\n`);
  }
}

/**
 * The project a service's `.projenrc.ts` creates. Unlike projen's own project types it does not own
 * package.json, tsconfig or .gitignore, so it can adopt an existing repository without taking it over.
 */
export class MsbProject extends Project {
  constructor(options: MsbProjectOptions) {
    super({ name: options.name, outdir: options.outdir, commitGenerated: true, gitIgnoreOptions: {} });
    new TypeScriptProjenrc(this);
    this.defaultTask?.exec(options.projenrcCommand ?? defaultProjenrcCommand(this.outdir));
    this.defaultTask?.env(PLAIN_ERRORS_ENV, '1');
    this.addTask('image:verify', {
      description: 'Build Dockerfile and Dockerfile.debug, run the checks and print a size report (docker or podman)',
      exec: 'create-msb-app verify',
      receiveArgs: true,
    });
    // The user's .gitignore and .gitattributes stay theirs (projen would regenerate them read-only).
    this.tryRemoveFile('.gitignore');
    if (fs.existsSync(path.join(this.outdir, '.gitattributes')) && !isProjenFile(path.join(this.outdir, '.gitattributes'))) {
      this.tryRemoveFile('.gitattributes');
    }
    new GitignoreLines(this, options.gitignoreLines ?? ['node_modules/', '.msb/']);
    try {
      new TemplateSources(this, { template: options.template, templateFolder: options.templateFolder });
    } catch (e) {
      reportOrThrow(e);
    }
  }

  /** Synthesizes; see {@link PLAIN_ERRORS_ENV} for how problems are reported. */
  synth(): void {
    try {
      super.synth();
    } catch (e) {
      reportOrThrow(e);
    }
  }
}

function defaultProjenrcCommand(outdir: string): string {
  let type: unknown;
  try {
    type = (JSON.parse(fs.readFileSync(path.join(outdir, 'package.json'), 'utf8')) as { type?: unknown }).type;
  } catch {
    type = undefined;
  }
  // In a "type": "module" package Node would load .projenrc.ts as ESM; require() keeps it on the hook.
  return type === 'module'
    ? 'node --require sucrase/register/ts -e "require(\'./.projenrc.ts\')"'
    : 'node --require sucrase/register/ts .projenrc.ts';
}

function isProjenFile(file: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').includes('~~ Generated by ' + 'projen');
  } catch {
    return false;
  }
}

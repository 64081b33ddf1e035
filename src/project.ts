/**
 * A light projen project for a service repository: it manages only create-msb-app's outputs and
 * leaves package.json, sources and the user's .gitignore to the user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { ProjenrcFile } from 'projen/lib/projenrc';
import { BASE_IMAGE_LOCK_FILE, RECORD_FILE } from './contract/record';
import { forceFromEnv } from './edit-guard';
import { TemplateSourceOptions, TemplateSources } from './org-template';
import { DiskWriteError, explainDiskError, removeStaleTemps } from './synth/disk';
import { JOURNAL_FILE, readJournal } from './synth/journal';
import { DEFAULT_LOCK_TIMEOUT_MS, LOCK_FILE, SynthesisLock, SynthesisLockError, acquireLock } from './synth/lock';
import { OutputPathError, checkOutputPaths } from './synth/output-paths';
import { reportWatchInputs } from './synth/watch-inputs';
import { SynthesisWriter, isSafeRelative } from './synth/writer';
import { readJsonIfValid } from './util/json';
import { isMsbError } from './validation';

/**
 * Set by the `default` task: a problem in the definition is printed as its message alone (no stack
 * trace) and the process exits with 1. In-process callers (tests, the CLI) get the error thrown.
 */
export const PLAIN_ERRORS_ENV = 'MSB_PLAIN_ERRORS';

export { DiskWriteError, OutputPathError, SynthesisLockError };

export { BASE_IMAGE_LOCK_FILE };

/**
 * Errors that describe the user's definition or files, not a bug: print their message alone (no
 * stack). The CLI uses the same test.
 */
export function isUserError(e: unknown): e is Error {
  // Every library error is marked (validation, templates, hand edits, disk, lock, links, unsafe keys,
  // JSON files), also when another copy of this package threw it.
  return isMsbError(e);
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
  /**
   * Overwrite generated files that were edited by hand (and files at output paths that synthesis
   * did not write) instead of stopping. Symbolic links in output paths are refused even so.
   * @default - true when the environment variable MSB_FORCE is set to "1" or "true" (`MSB_FORCE=1 npx projen`), else false
   */
  readonly force?: boolean;
  /**
   * How long a synthesis waits for another synthesis of the same project (which holds
   * `.projen/msb.lock`) before it stops with an error naming the holder.
   * @default 10000
   */
  readonly lockTimeoutMs?: number;
}

class TypeScriptProjenrc extends ProjenrcFile {
  readonly filePath = '.projenrc.ts';
}

/**
 * Makes sure the user's `.gitignore` holds the given lines, appending what is missing. The file stays
 * the user's: nothing is removed or reordered.
 */
export class GitignoreLines extends Component {
  /** The lines of a project, if it keeps the user's .gitignore this way (an MsbProject does). */
  static of(project: Project): GitignoreLines | undefined {
    return project.components.find((c): c is GitignoreLines => c instanceof GitignoreLines);
  }

  private readonly lines: string[];

  constructor(project: Project, lines: string[]) {
    super(project, 'GitignoreLines');
    this.lines = [...lines];
  }

  /** Adds a line the .gitignore must hold (before the project's postSynthesize). */
  add(line: string): void {
    if (!this.lines.includes(line)) this.lines.push(line);
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
    // Appending leaves the user's lines intact even if the process dies half-way.
    checkOutputPaths(this.project.outdir, ['.gitignore']);
    try {
      fs.appendFileSync(file, `${sep}${missing.join('\n')}\n`);
    } catch (e) {
      throw explainDiskError(e, '.gitignore');
    }
  }
}

/**
 * The project a service's `.projenrc.ts` creates. Unlike projen's own project types it does not own
 * package.json, tsconfig or .gitignore, so it can adopt an existing repository without taking it over.
 */
export class MsbProject extends Project {
  /** Whether synthesis overwrites hand-edited generated files (see {@link MsbProjectOptions.force}). */
  readonly force: boolean;
  private readonly lockTimeoutMs: number;

  constructor(options: MsbProjectOptions) {
    super({ name: options.name, outdir: options.outdir, commitGenerated: true, gitIgnoreOptions: {} });
    // The one place MSB_FORCE is read.
    this.force = options.force ?? forceFromEnv();
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    new TypeScriptProjenrc(this);
    this.defaultTask?.exec(options.projenrcCommand ?? defaultProjenrcCommand(this.outdir));
    this.defaultTask?.env(PLAIN_ERRORS_ENV, '1');
    this.addTask('image:verify', {
      description: 'Build Dockerfile and Dockerfile.debug, run the checks and print a size report (docker or podman)',
      exec: 'create-msb-app verify',
      receiveArgs: true,
    });
    // Only in a project that locks its base images: every other project's tasks stay as they were.
    if (fs.existsSync(path.join(this.outdir, BASE_IMAGE_LOCK_FILE))) {
      this.addTask('image:lock', {
        description: `Pin the base images by digest in ${BASE_IMAGE_LOCK_FILE} (create-msb-app lock); --update resolves every one again and prints the pins that moved`,
        exec: 'create-msb-app lock',
        receiveArgs: true,
      });
    }
    // The user's .gitignore and .gitattributes stay theirs (projen would regenerate them read-only).
    this.tryRemoveFile('.gitignore');
    if (fs.existsSync(path.join(this.outdir, '.gitattributes')) && !isProjenFile(path.join(this.outdir, '.gitattributes'))) {
      this.tryRemoveFile('.gitattributes');
    }
    new GitignoreLines(this, options.gitignoreLines ?? ['node_modules/', '.msb/']);
    try {
      const templates = new TemplateSources(this, { template: options.template, templateFolder: options.templateFolder });
      // For `create-msb-app watch`: these folders are inputs too.
      reportWatchInputs(templates.sources.flatMap((s) => [s.dir, ...(s.manifestFile ? [path.dirname(s.manifestFile)] : [])]));
    } catch (e) {
      reportOrThrow(e);
    }
  }

  /**
   * Synthesizes: refuses symbolic links in output paths, holds the project's lock, removes what a
   * crashed synthesis left, then writes every file atomically (see src/synth/). See
   * {@link PLAIN_ERRORS_ENV} for how problems are reported.
   */
  synth(): void {
    let error: unknown;
    let lock: SynthesisLock | undefined;
    const writer = new SynthesisWriter(this, [RECORD_FILE]);
    try {
      checkOutputPaths(this.outdir, [LOCK_FILE]);
      lock = acquireLock(this.outdir, this.lockTimeoutMs);
      // Under the lock: the manifest and journal read here are not being rewritten.
      const outputs = this.outputPaths();
      checkOutputPaths(this.outdir, outputs);
      removeStaleTemps(outputs.map((p) => path.dirname(path.join(this.outdir, p))));
      writer.install();
      super.synth();
      writer.finish();
    } catch (e) {
      error = e;
    } finally {
      writer.uninstall();
      lock?.release();
    }
    if (error !== undefined) reportOrThrow(error);
  }

  /**
   * Every path synthesis may write or remove: the project's files, those of the last synthesis
   * (projen removes orphans), those a crashed synthesis left in the journal, and its own files.
   */
  private outputPaths(): string[] {
    const paths = new Set<string>([LOCK_FILE, JOURNAL_FILE, RECORD_FILE]);
    for (const f of this.files) paths.add(f.path);
    const manifest = readJsonIfValid(path.join(this.outdir, '.projen/files.json')) as { files?: unknown } | undefined;
    if (Array.isArray(manifest?.files)) for (const f of manifest.files) if (typeof f === 'string' && isSafeRelative(f)) paths.add(f);
    for (const f of Object.keys(readJournal(this.outdir)?.files ?? {})) if (isSafeRelative(f)) paths.add(f);
    return [...paths];
  }
}

/** The command that runs `.projenrc.ts` unless the project names another ({@link MsbProjectOptions.projenrcCommand}). */
export function defaultProjenrcCommand(outdir: string): string {
  const type = (readJsonIfValid(path.join(outdir, 'package.json')) as { type?: unknown } | undefined)?.type;
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

/**
 * Keeps hand edits from being silently lost: synthesis records a checksum of every file it writes
 * and, next time, stops before touching a file whose content no longer matches (or one it did not
 * write at all), naming the file and the two ways out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { GeneratedTextFile } from './generated-file';
import { readJournal, sha256 } from './synth/journal';
import { readJsonFile, readJsonIfValid } from './util/json';
import { markMsbError } from './validation';

export { sha256 };

/** Where checksums and template provenance are recorded (tracked, generated). */
export const RECORD_FILE = '.projen/msb.json';

/**
 * Environment variable that lets synthesis overwrite hand-edited files (`MSB_FORCE=1 npx projen`).
 * Read once, by {@link forceFromEnv}, when the project is constructed; code passes
 * `MsbProjectOptions.force` instead.
 */
export const FORCE_ENV = 'MSB_FORCE';

/** Whether {@link FORCE_ENV} asks to overwrite hand edits ("1", "true", ...; not "", "0" or "false"). */
export function forceFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[FORCE_ENV];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** What the record holds. */
export interface GenerationRecord {
  /** create-msb-app version that wrote the files. */
  readonly generator: string;
  /** path -> sha256 of the content written. */
  readonly files: Record<string, string>;
  /** path -> template sources that supplied the file, e.g. ["built-in"]. */
  readonly templates: Record<string, string[]>;
  /**
   * The resolved model the files were rendered from (family, images, uid/gid, CMD, stages...): what
   * `create-msb-app verify` reads as the intent, instead of guessing it from the Dockerfile text.
   */
  readonly model?: unknown;
  /** The resolved models of a workspace's Apps, by folder (e.g. `apps/web`). */
  readonly apps?: Record<string, unknown>;
}

/** Raised when a generated file was changed by hand; names the file and how to keep or discard the change. */
export class HandEditError extends Error {
  constructor(public readonly files: readonly { path: string; reason: string }[]) {
    super(
      'Synthesis stopped; no file was changed. These files were not written by the last synthesis:\n' +
        files.map((f) => `  - ${f.path}: ${f.reason}`).join('\n') +
        '\nTo keep a change, express it in .projenrc.ts (App props, app.buildStage.addStep(), ' +
        'app.runtimeStage.addEnv()/addCopy(), app.kubernetes.addPatch()/addOverride()) and run "npx projen" again.\n' +
        `To discard it, run "${FORCE_ENV}=1 npx projen" (or restore the file with git).`,
    );
    markMsbError(this);
    this.name = 'HandEditError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * One per project: tracks the files that create-msb-app generates.
 */
export class GenerationGuard extends Component {
  /** The guard of a project, created on first use. */
  static of(project: Project): GenerationGuard {
    const found = project.components.find((c): c is GenerationGuard => c instanceof GenerationGuard);
    return found ?? new GenerationGuard(project);
  }

  private readonly guarded: { file: GeneratedTextFile; templates: () => string[] }[] = [];
  private record?: GenerationRecord;
  private model?: () => unknown;
  private readonly appModels = new Map<string, () => unknown>();

  private constructor(project: Project) {
    super(project, 'GenerationGuard');
    new GeneratedTextFile(this, RECORD_FILE, (marker) => JSON.stringify({ '//': marker, ...this.record }, null, 2) + '\n');
  }

  /**
   * Records the resolved model next to the checksums: the project's one App as `model`, the Apps
   * of a workspace under `apps`, keyed by their folder.
   */
  recordModel(model: () => unknown, appPath?: string): void {
    if (appPath === undefined) this.model = model;
    else this.appModels.set(appPath, model);
  }

  /** Puts a file under the guard. */
  track(file: GeneratedTextFile, templates: () => string[]): void {
    this.guarded.push({ file, templates });
  }

  /**
   * Whether hand edits may be overwritten: the project's `force` option (an MsbProject reads
   * MSB_FORCE into it when constructed), or MSB_FORCE for another kind of project.
   */
  get forced(): boolean {
    const force = (this.project as { force?: unknown }).force;
    return typeof force === 'boolean' ? force : forceFromEnv();
  }

  /** Runs after the Apps rendered (they are constructed first), before anything is written. */
  preSynthesize(): void {
    const previous = readRecord(this.project.outdir);
    // A synthesis that crashed after renaming files into place but before recording them left
    // their checksums in the journal: such a file is ours, not a hand edit.
    const pending = readJournal(this.project.outdir)?.files ?? {};
    const ours = (p: string, hash: string) => hash === files[p] || (pending[p] ?? []).includes(hash);
    const files: Record<string, string> = {};
    const templates: Record<string, string[]> = {};
    for (const { file, templates: t } of this.guarded) {
      const content = file.content();
      if (content === undefined) continue;
      files[file.path] = sha256(content);
      templates[file.path] = t();
    }
    const apps = [...this.appModels.keys()].sort().map((k) => [k, this.appModels.get(k)!()] as const);
    this.record = {
      generator: `create-msb-app@${packageVersion()}`,
      files,
      templates,
      ...(this.model ? { model: this.model() } : {}),
      ...(apps.length > 0 ? { apps: Object.fromEntries(apps) } : {}),
    };

    if (this.forced) return;
    const problems: { path: string; reason: string }[] = [];
    const paths = new Set([...Object.keys(previous?.files ?? {}), ...Object.keys(files)]);
    for (const p of [...paths].sort()) {
      const onDisk = tryRead(path.join(this.project.outdir, p));
      if (onDisk === undefined) continue;
      const recorded = previous?.files[p];
      const hash = sha256(onDisk);
      if (recorded !== undefined) {
        if (hash !== recorded && !ours(p, hash)) {
          problems.push({ path: p, reason: 'edited by hand since the last synthesis' });
        }
      } else if (files[p] !== undefined && !ours(p, hash)) {
        problems.push({ path: p, reason: 'exists and was not generated by create-msb-app (it would be replaced)' });
      }
    }
    if (problems.length > 0) throw new HandEditError(problems);
  }
}

function tryRead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readRecord(outdir: string): GenerationRecord | undefined {
  return readJsonIfValid(path.join(outdir, RECORD_FILE)) as GenerationRecord | undefined;
}

let version: string | undefined;
/** This package's version. */
export function packageVersion(): string {
  if (!version) {
    version = readJsonFile<{ version: string }>(path.resolve(__dirname, '..', 'package.json'), 'package.json of create-msb-app').version;
  }
  return version;
}

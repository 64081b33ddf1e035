/**
 * `create-msb-app watch [dir]`: synthesizes the project now and again on every change of its
 * inputs (`.projenrc.ts`, `package.json`, the folders of its template sources), printing which
 * generated files were written and how many stayed unchanged. A definition that does not
 * synthesize prints the error; synthesis writes nothing then (see src/synth/), and watching goes on.
 *
 * Each synthesis is the project's own `default` task (what `npx projen` runs: `.projenrc.ts` through
 * sucrase's require hook) in a child process, so it loads the project's copy of create-msb-app and
 * takes the project's synthesis lock (src/synth/lock.ts) like any other: a synthesis started by hand
 * meanwhile waits for it, or it for that one. Save bursts of an editor are debounced; a save that
 * changes no input's content starts nothing.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, badFlag } from './errors';
import { type SynthesisResult, runDefaultTask } from './synthesis-task';
import { RECORD_FILE } from '../contract/record';
import { WATCH_INPUTS_ENV, readWatchInputs } from '../synth/watch-inputs';

/** Default quiet time after the last change before synthesizing, in milliseconds. */
export const DEFAULT_DEBOUNCE_MS = 150;

/** Files of the project that are inputs wherever they are. */
const PROJECT_INPUTS = ['.projenrc.ts', 'package.json'];
/** The project's own template folder (TemplateSourceOptions.templateFolder's default). */
const OWN_TEMPLATE_FOLDER = 'msb-templates';

/** What `watch` needs from the CLI. */
export interface WatchIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd: string;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: watching stops after a running synthesis ends. */
  readonly signal?: AbortSignal;
  /** Environment of the syntheses. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Options as parsed by the command declaration. */
export interface WatchOptions {
  readonly dir?: string;
  readonly debounce?: string;
}

/** Watches until the signal aborts; returns the exit code. */
export async function watch(options: WatchOptions, io: WatchIo): Promise<number> {
  const dir = path.resolve(io.cwd, options.dir ?? '.');
  if (!fs.existsSync(path.join(dir, '.projenrc.ts'))) {
    throw new CliError(`${dir} has no .projenrc.ts: watch runs in a create-msb-app project (create one with "create-msb-app <dir>", or adopt one with "create-msb-app .").`);
  }
  const debounceMs = options.debounce === undefined ? DEFAULT_DEBOUNCE_MS : Number(options.debounce);
  if (!Number.isInteger(debounceMs) || debounceMs < 0 || debounceMs > 60_000) {
    throw badFlag('--debounce', options.debounce, 'a whole number of milliseconds from 0 to 60000');
  }
  const w = new Watcher(dir, debounceMs, io);
  return w.run();
}

class Watcher {
  private readonly inputsFile: string;
  private templateDirs: string[] = [];
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private pending = false;
  /** Checksums of the inputs when the last synthesis started. */
  private lastInputs = new Map<string, string>();
  private stopped = false;

  constructor(private readonly dir: string, private readonly debounceMs: number, private readonly io: WatchIo) {
    this.inputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'msb-watch-')), 'inputs.json');
  }

  async run(): Promise<number> {
    const { signal } = this.io;
    const done = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      this.rewatch();
      await this.synthesize('start');
      this.print(`watching ${this.describeInputs()} (Ctrl-C stops)`);
      await done;
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      // A synthesis under way finishes (it holds the lock and writes atomically either way).
      while (this.running) await new Promise((r) => setTimeout(r, 20));
      this.print('stopped');
      return 0;
    } finally {
      for (const w of this.watchers.values()) w.close();
      fs.rmSync(path.dirname(this.inputsFile), { recursive: true, force: true });
    }
  }

  /** Folders to watch: the project (for its input files) and every template folder with its partials. */
  private rewatch(): void {
    const wanted = new Set([this.dir, ...this.templateFolders()]);
    for (const [d, w] of this.watchers) {
      if (!wanted.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of wanted) {
      if (this.watchers.has(d)) continue;
      try {
        const w = fs.watch(d, (_event, name) => this.changed(d, name === null ? undefined : String(name)));
        w.on('error', () => {
          w.close();
          this.watchers.delete(d);
        });
        this.watchers.set(d, w);
      } catch {
        // gone since: the next synthesis reports what is missing
      }
    }
  }

  /** Template folders that exist now: the project's own, those the last synthesis reported, and their partials. */
  private templateFolders(): string[] {
    const out = new Set<string>();
    for (const d of [path.join(this.dir, OWN_TEMPLATE_FOLDER), ...this.templateDirs]) {
      for (const x of [d, path.join(d, 'templates'), path.join(d, 'partials'), path.join(d, 'templates', 'partials')]) {
        if (isDir(x)) out.add(x);
      }
    }
    return [...out];
  }

  private isInput(d: string, name: string | undefined): boolean {
    if (d === this.dir) return name === undefined || PROJECT_INPUTS.includes(name) || name === OWN_TEMPLATE_FOLDER;
    // A template folder: its templates, partials and manifest (editors' temporary files are not).
    return name === undefined || name.endsWith('.hbs') || name === 'msb-template.json' || name === 'partials' || name === 'templates';
  }

  private changed(d: string, name: string | undefined): void {
    if (this.stopped || !this.isInput(d, name)) return;
    this.pending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fire(), this.debounceMs);
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    if (this.running || this.stopped) return; // picked up when the running synthesis ends
    this.pending = false;
    const changed = changedInputs(this.lastInputs, this.inputs());
    if (changed.length === 0) return; // saved, but the same content
    await this.synthesize(changed.length > 3 ? `${changed.slice(0, 3).join(', ')} and ${changed.length - 3} more` : changed.join(', '));
    if (this.pending && !this.stopped) this.timer = setTimeout(() => void this.fire(), this.debounceMs);
  }

  /** Runs one synthesis and prints what it changed. */
  private async synthesize(reason: string): Promise<void> {
    this.running = true;
    try {
      this.lastInputs = this.inputs();
      const before = this.outputs();
      fs.rmSync(this.inputsFile, { force: true });
      const r = await this.runDefaultTask();
      const after = this.outputs();
      const inputs = readWatchInputs(this.inputsFile);
      if (inputs) {
        this.templateDirs = inputs.dirs;
      }
      this.rewatch();
      const { written, removed, unchanged } = compare(before, after);
      const seconds = `${(r.ms / 1000).toFixed(2)} s`;
      const what = reason === 'start' ? 'synthesized' : `${reason} changed: synthesized`;
      if (r.ok) {
        const parts = [
          written.length ? `written ${written.join(', ')}` : 'nothing written',
          ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
          `${unchanged} unchanged`,
        ];
        this.print(`${what} in ${seconds}: ${parts.join('; ')}`);
        for (const line of r.output.split('\n').filter((l) => l.trim() !== '')) this.print(`  ${line}`);
      } else {
        const touched = [...written, ...removed];
        const state = touched.length ? `files changed meanwhile: ${touched.join(', ')}` : 'no file written';
        this.print(`${reason === 'start' ? 'synthesis' : `${reason} changed: synthesis`} failed (${seconds}), ${state}:`);
        for (const line of r.output.trimEnd().split('\n')) this.print(`  ${line}`);
        this.print('  (fix the definition and save: watching goes on)');
      }
    } finally {
      this.running = false;
    }
  }

  /** The project's `default` task (what `npx projen` runs), as a child process. */
  private runDefaultTask(): Promise<SynthesisResult> {
    return runDefaultTask(this.dir, { ...(this.io.env ?? process.env), [WATCH_INPUTS_ENV]: this.inputsFile });
  }

  /** Generated files (as the record lists them) with the checksum of their content on disk. */
  private outputs(): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    let files: Record<string, unknown> = {};
    try {
      files = (JSON.parse(fs.readFileSync(path.join(this.dir, RECORD_FILE), 'utf8')) as { files?: Record<string, unknown> }).files ?? {};
    } catch {
      // no record yet
    }
    for (const rel of Object.keys(files)) out.set(rel, checksum(path.join(this.dir, rel)));
    return out;
  }

  /** Every input file (relative) with the checksum of its content, to skip saves that change nothing. */
  private inputs(): Map<string, string> {
    const files = PROJECT_INPUTS.map((f) => path.join(this.dir, f));
    for (const d of this.templateFolders()) {
      try {
        for (const f of fs.readdirSync(d)) if (!isDir(path.join(d, f))) files.push(path.join(d, f));
      } catch {
        // gone
      }
    }
    const out = new Map<string, string>();
    for (const f of files) {
      const sum = checksum(f);
      if (sum !== undefined) out.set(path.relative(this.dir, f), sum);
    }
    return out;
  }

  private describeInputs(): string {
    const dirs = [...this.watchers.keys()].filter((d) => d !== this.dir).map((d) => `${path.relative(this.dir, d) || '.'}/`);
    return [...PROJECT_INPUTS, ...dirs].join(', ');
  }

  private print(line: string): void {
    const t = new Date().toTimeString().slice(0, 8);
    this.io.stdout.write(`[${t}] ${line}\n`);
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function checksum(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/** Inputs added, changed or removed between two states, sorted. */
function changedInputs(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** Written (new or changed content), removed, and the count of unchanged files between two states. */
function compare(
  before: Map<string, string | undefined>,
  after: Map<string, string | undefined>,
): { written: string[]; removed: string[]; unchanged: number } {
  const written: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const [rel, sum] of after) {
    if (sum === undefined) continue;
    if (before.get(rel) === sum) unchanged++;
    else written.push(rel);
  }
  for (const [rel, sum] of before) {
    if (sum !== undefined && after.get(rel) === undefined) removed.push(rel);
  }
  return { written: written.sort(), removed: removed.sort(), unchanged };
}

/**
 * Helpers for the integration tier: the built binary spawned asynchronously (never spawnSync, so
 * the vitest worker keeps answering), temporary directories removed after each test.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, type CliRun } from '../cli/helpers';

export { EXPRESS_APP, REPO_ROOT, TS_ESM_APP, read, tempDir, tree, writeFiles, type CliRun } from '../cli/helpers';

export const BIN = path.join(REPO_ROOT, 'bin', 'create-msb-app.js');

/** The integration tier runs the built package: fails early, naming the fix, when lib/ is missing or stale. */
export function assertBuilt(): void {
  const main = path.join(REPO_ROOT, 'lib', 'cli', 'main.js');
  const bundle = path.join(REPO_ROOT, 'lib', 'k8s', 'models.bundle.js');
  if (!fs.existsSync(main) || !fs.existsSync(bundle)) {
    throw new Error('lib/ is not built: run `npx projen test:integration` (it compiles first), or `npx projen compile && npx projen post-compile`.');
  }
}

/** A spawned process and what it wrote so far. */
export interface Spawned {
  readonly child: ReturnType<typeof spawn>;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or 128 + signal number) when it ends. */
  readonly done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string): Promise<void>;
}

/** Starts a command asynchronously with stdin a pipe (not a TTY), closed unless `keepStdin`. */
export function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, options: { keepStdin?: boolean } = {}): Spawned {
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, npm_config_user_agent: '', CI: '1', ...env } });
  if (!options.keepStdin) child.stdin!.end();
  const waiters: { text: string; resolve: () => void }[] = [];
  const s: Spawned = {
    child,
    stdout: '',
    stderr: '',
    done: new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout: s.stdout, stderr: s.stderr }))),
    waitFor: (text) => new Promise<void>((resolve) => {
      if (s.stdout.includes(text)) resolve();
      else waiters.push({ text, resolve });
    }),
  };
  child.stdout!.on('data', (d: Buffer) => {
    s.stdout += d.toString();
    for (const w of waiters.splice(0)) (s.stdout.includes(w.text) ? w.resolve() : waiters.push(w));
  });
  child.stderr!.on('data', (d: Buffer) => (s.stderr += d.toString()));
  return s;
}

/** Runs the built binary to the end. */
export async function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return start(process.execPath, [BIN, ...args], cwd, env).done;
}

/** Runs any command to the end; rejects with its output when it fails. */
export async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await start(command, args, cwd, env).done;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

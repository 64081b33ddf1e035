/**
 * A project's synthesis as the CLI runs it: the project's own `default` task (what `npx projen`
 * runs: `.projenrc.ts` through sucrase's require hook) in a child process, so it loads the
 * project's copy of create-msb-app and takes the project's synthesis lock like any other.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLAIN_ERRORS_ENV, defaultProjenrcCommand } from '../project';

/** The outcome of one synthesis. */
export interface SynthesisResult {
  readonly ok: boolean;
  /** stdout and stderr, in the order they came. */
  readonly output: string;
  readonly ms: number;
}

/** Runs the project's `default` task in `dir` with `env` (plus the task's own env). */
export function runDefaultTask(dir: string, env: NodeJS.ProcessEnv): Promise<SynthesisResult> {
  const task = defaultTask(dir);
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(task.command, { cwd: dir, shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...task.env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const end = (ok: boolean, extra = '') => resolve({ ok, output: output + extra, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    child.on('error', (e) => end(false, `cannot run "${task.command}": ${e.message}\n`));
    child.on('close', (code, sig) => end(code === 0, code === 0 ? '' : output.trim() ? '' : `"${task.command}" ended with ${sig ?? `exit code ${code}`}\n`));
  });
}

/** The `default` task of `.projen/tasks.json` as one shell command; before the first synthesis, the default one. */
function defaultTask(dir: string): { command: string; env: Record<string, string> } {
  try {
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen', 'tasks.json'), 'utf8')) as {
      tasks?: { default?: { env?: Record<string, string>; steps?: { exec?: string }[] } };
    };
    const task = tasks.tasks?.default;
    const steps = task?.steps ?? [];
    if (steps.length > 0 && steps.every((s) => typeof s.exec === 'string')) {
      return { command: steps.map((s) => s.exec).join(' && '), env: task?.env ?? {} };
    }
  } catch {
    // not synthesized yet
  }
  return { command: defaultProjenrcCommand(dir), env: { [PLAIN_ERRORS_ENV]: '1' } };
}

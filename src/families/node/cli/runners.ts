/**
 * Process managers and dev runners in start scripts (pm2, forever, nodemon, ts-node, tsx): the image
 * runs node directly, so adoption names the script they start and what running without them drops.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commands } from './shell';

/** A start script that runs the app through a runner instead of node. */
export interface RunnerCommand {
  /** The runner, e.g. `pm2`. */
  readonly runner: string;
  /** The script it starts, as written; undefined when it cannot be told (e.g. an ecosystem file without `script`). */
  readonly script?: string;
  /** One line: what the image does not do that the runner did. */
  readonly dropped: string;
}

const PROCESS_MANAGERS = new Set(['pm2', 'pm2-runtime', 'pm2-docker', 'pm2-dev', 'forever']);
const DEV_RUNNERS = new Set(['nodemon', 'ts-node', 'ts-node-dev', 'tsnd', 'tsx', 'node-dev', 'babel-node']);
/** Commands that run the rest of the line. */
const WRAPPERS = new Set(['exec', 'env', 'cross-env', 'dotenv', 'nohup', 'npx', 'pnpm', 'yarn']);
/** Runner options that take a value as the next word. */
const VALUE_OPTIONS = new Set([
  '-i', '--instances', '-n', '--name', '--max-memory-restart', '-o', '--output', '-e', '--error', '-l', '--log', '--env',
  '--node-args', '--interpreter', '--cwd', '-w', '--watch', '--ignore', '-x', '--exec', '--project', '-P', '--require', '-r',
  '--ext', '--delay', '--signal', '-c', '--config', '--append', '--uid', '--gid', '--sourceDir', '--workingDir', '-m', '--minUptime',
  '--spinSleepTime', '-p', '--plain', '--pidFile', '--tsconfig', '--import',
]);

/** The last command of `script` that runs a runner, if any. */
export function parseRunner(dir: string, script: string): RunnerCommand | undefined {
  let found: RunnerCommand | undefined;
  for (const all of commands(script)) {
    let i = 0;
    while (i < all.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(all[i]) || WRAPPERS.has(all[i]) || (i > 0 && WRAPPERS.has(all[i - 1]) && all[i] === 'exec'))) i++;
    const words = all.slice(i);
    const name = words[0]?.replace(/^.*\//, '');
    if (!name || !(PROCESS_MANAGERS.has(name) || DEV_RUNNERS.has(name))) continue;
    found = runnerCommand(dir, name, words.slice(1));
  }
  return found;
}

function runnerCommand(dir: string, runner: string, args: string[]): RunnerCommand {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (w === '--') {
      break;
    } else if (w.startsWith('-')) {
      const eq = w.indexOf('=');
      const name = eq > 0 ? w.slice(0, eq) : w;
      options[name] = eq > 0 ? w.slice(eq + 1) : VALUE_OPTIONS.has(name) && i + 1 < args.length ? args[++i] : '';
    } else {
      positional.push(w);
      // A process manager's options may follow the script; a dev runner passes the rest to the app.
      if (!(runner.startsWith('pm2') || runner === 'forever')) break;
    }
  }
  const target = positional.find((p) => !['start', 'restart', 'reload'].includes(p));
  if (runner.startsWith('pm2')) {
    let script = target;
    let instances: string | undefined = options['-i'] ?? options['--instances'];
    if (target && /(^|\/)ecosystem\.config\.[cm]?js$|\.config\.[cm]?js$|\.(json|ya?ml)$/.test(target)) {
      const eco = ecosystem(path.join(dir, target));
      script = eco.script;
      instances ??= eco.instances;
    }
    const cluster = instances !== undefined && instances !== '1' && instances !== '0'
      ? `pm2 cluster mode (${instances} instances: the container runs one node process; scale with the Deployment's replicas), `
      : '';
    return { runner, script, dropped: `${cluster}pm2's restarts (the kubelet restarts the container) and its log files (the container logs to stdout)` };
  }
  if (runner === 'forever') return { runner, script: target, dropped: 'forever\'s restarts (the kubelet restarts the container) and its log files (the container logs to stdout)' };
  if (runner === 'nodemon' || runner === 'node-dev') return { runner, script: target, dropped: `${runner}'s watching and restarting on file changes (a development runner)` };
  return { runner, script: target, dropped: `${runner}'s running of sources without a build (a development runner): the image runs the compiled output with node` };
}

/** `script` and `instances` of the first app in a pm2 ecosystem file, read as text (never run). */
function ecosystem(file: string): { script?: string; instances?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const script = /["']?script["']?\s*:\s*["']([^"']+)["']/.exec(text)?.[1];
  const instances = /["']?instances["']?\s*:\s*["']?([\w-]+)["']?/.exec(text)?.[1];
  const mode = /["']?exec_mode["']?\s*:\s*["']cluster/.test(text);
  return { script, instances: instances ?? (mode ? 'max' : undefined) };
}

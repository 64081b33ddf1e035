/**
 * The container engine: which one is present (docker or podman) and whether it answers, and a way
 * to run its commands with captured output, streamed lines and clear errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecError, run } from '../util/exec';

/** Engines verify knows how to drive. */
export type EngineName = 'docker' | 'podman';

/** Engines in the order they are tried when none is named. */
export const ENGINE_NAMES: readonly EngineName[] = ['docker', 'podman'];

/** A failure the user can act on: what is missing or not running, and how to fix it. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** Output of a finished command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link Engine.exec}. */
export interface ExecOptions {
  readonly cwd?: string;
  /** Called with every line of stdout and stderr as it arrives (build progress). */
  readonly onLine?: (line: string) => void;
  /** Kill the command after this many milliseconds. @default - no limit */
  readonly timeoutMs?: number;
  /** Bytes written to stdin. @default - none */
  readonly input?: string;
}

/** A container engine CLI: docker or podman, with the environment every call gets. */
export class Engine {
  constructor(
    readonly name: EngineName,
    /** Environment of every engine process (e.g. CONTAINERS_CONF for podman). */
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Runs `<engine> args...`; resolves with the exit code and output (never rejects on exit code). */
  exec(args: readonly string[], options: ExecOptions = {}): Promise<CommandResult> {
    return runCommand(this.name, args, { ...options, env: this.env });
  }

  /** Removes a container at once (podman would otherwise wait 10 s for a PID 1 that ignores SIGTERM). */
  removeContainer(name: string): Promise<CommandResult> {
    return this.exec(this.name === 'podman' ? ['rm', '-f', '-t', '0', name] : ['rm', '-f', name]);
  }

  /** Runs `<engine> args...` and rejects with the output's tail when it fails. */
  async must(args: readonly string[], options: ExecOptions & { purpose?: string } = {}): Promise<string> {
    const r = await this.exec(args, options);
    if (r.code !== 0) {
      throw new VerifyError(`"${this.name} ${shorten(args.join(' '))}" failed (exit code ${r.code})${options.purpose ? ` while trying to ${options.purpose}` : ''}:\n${tail(r)}`);
    }
    return r.stdout;
  }
}

/**
 * A podman engine on a layer store of its own in `dir` (empty: no image, no build cache), with the
 * network backend of `engine`'s store: podman 4.3 picks a new store's backend on its first use and
 * takes a store that already holds images for an old CNI one, whose bridge would then shadow the
 * netavark bridge of the same subnet for every container on the machine. Removing `dir` removes the
 * store; nothing in `engine`'s store is touched.
 */
export async function podmanOnNewStore(engine: Engine, dir: string): Promise<Engine> {
  if (engine.name !== 'podman') throw new VerifyError(`A layer store of its own needs podman; the engine is ${engine.name}.`);
  const backend = (await engine.must(['info', '--format', '{{.Host.NetworkBackend}}'], { purpose: 'read the network backend' })).trim();
  const graph = path.join(dir, 'graph');
  fs.mkdirSync(graph, { recursive: true });
  fs.writeFileSync(path.join(graph, 'defaultNetworkBackend'), backend);
  const conf = path.join(dir, 'storage.conf');
  // JSON string escapes are TOML basic-string escapes
  fs.writeFileSync(conf, `[storage]\ndriver = "overlay"\ngraphroot = ${JSON.stringify(graph)}\nrunroot = ${JSON.stringify(path.join(dir, 'run'))}\n`);
  return new Engine('podman', { ...engine.env, CONTAINERS_STORAGE_CONF: conf });
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions extends ExecOptions {
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command; resolves with its exit code and output; rejects only when it cannot start. */
export async function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  try {
    // The one exec helper; containers stay in this process's group, so a Ctrl-C reaches them too.
    const r = await run(command, args, { ...options, onOutput: options.onLine, ownProcessGroup: false });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    if (e instanceof ExecError && e.exitCode === undefined && /was not found on PATH/.test(e.message)) throw new VerifyError(`"${command}" was not found on PATH.`);
    throw e;
  }
}

/** The last lines of a command's output, for error messages. */
export function tail(r: CommandResult, n = 20): string {
  return `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-n).map((l) => `  ${l}`).join('\n');
}

function shorten(s: string, max = 160): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Whether an executable is on PATH (no shell involved). */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      try {
        fs.accessSync(path.join(dir, command + ext), fs.constants.X_OK);
        return true;
      } catch {
        // next
      }
    }
  }
  return false;
}

const INSTALL_HINT = 'Install Docker (https://docs.docker.com/get-docker/) or Podman (https://podman.io/docs/installation)';

function notRunningHint(name: EngineName): string {
  return name === 'docker'
    ? 'start the Docker daemon (Docker Desktop, or `sudo systemctl start docker` on Linux)'
    : 'on macOS/Windows start the Podman machine (`podman machine init && podman machine start`); on Linux check `podman info` (rootless setup, or the containers.conf in CONTAINERS_CONF)';
}

/**
 * Finds a working engine: the named one, or the first of docker and podman that is on PATH and
 * answers `<engine> info`. Throws a {@link VerifyError} that says what is missing or not running
 * and how to fix it.
 */
export async function detectEngine(preferred?: EngineName, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const candidates = preferred ? [preferred] : ENGINE_NAMES;
  const present = candidates.filter((c) => onPath(c, env));
  if (present.length === 0) {
    throw new VerifyError(preferred
      ? `${preferred} was not found on PATH. Install it, or drop --engine to use whichever of docker and podman is installed.`
      : `No container engine found: neither docker nor podman is on PATH. ${INSTALL_HINT}, then run verify again.`);
  }
  const failures: string[] = [];
  for (const name of present) {
    const r = await runCommand(name, ['info'], { env, timeoutMs: 30_000 }).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }));
    if (r.code === 0) return new Engine(name, env);
    const reason = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter(Boolean).slice(-2).join(' ');
    failures.push(`${name} is installed but \`${name} info\` failed (${reason || `exit code ${r.code}`}): ${notRunningHint(name)}.`);
  }
  const missing = candidates.filter((c) => !present.includes(c));
  throw new VerifyError([
    preferred ? `The container engine ${preferred} does not answer.` : 'No working container engine.',
    ...failures.map((f) => `  - ${f}`),
    ...missing.map((m) => `  - ${m} is not installed.`),
  ].join('\n'));
}

/**
 * Building images: the engine's build command with secrets, pull policy and network passed
 * through, progress lines as they come, and reading the build output (which steps came from cache).
 */
import { Engine, VerifyError, tail } from './engine';

/** How images are built. */
export interface BuildSettings {
  /**
   * Build secrets, passed as `--secret <spec>` (e.g. `id=ca_cert,src=/etc/ssl/certs/ca-certificates.crt`).
   * @default []
   */
  readonly secrets?: readonly string[];
  /**
   * Base image pull policy. Podman takes all three; Docker pulls on `always` only.
   * @default - the engine's default
   */
  readonly pull?: 'always' | 'missing' | 'never';
  /** `--network` of the build (e.g. `host`). @default - the engine's default */
  readonly network?: string;
  /** Called with each progress line (step starts and cache hits). @default - none */
  readonly onProgress?: (line: string) => void;
  /** Called with every output line of the build. @default - none */
  readonly onOutput?: (line: string) => void;
}

/** One image build. */
export interface BuildRequest {
  /** Build context directory. */
  readonly context: string;
  /** Dockerfile path. */
  readonly dockerfile: string;
  /** Fully qualified tag, e.g. `localhost/msb-verify/orders-api:runtime`. */
  readonly tag: string;
  /** Build stage to stop at (`--target`). @default - the last stage */
  readonly target?: string;
  /** Ignore the layer cache. @default false */
  readonly noCache?: boolean;
}

/** What a build did. */
export interface BuildResult {
  readonly tag: string;
  readonly durationMs: number;
  /** Every line the engine printed. */
  readonly output: string[];
}

/** Whether a line starts a build step (podman/buildah, Docker BuildKit with plain progress, legacy Docker). */
export function isStepLine(line: string): boolean {
  return /^(\[\d+\/\d+\] )?STEP \d+\/\d+: /.test(line) || /^#\d+ \[[^\]]+\] /.test(line) || /^Step \d+\/\d+ : /.test(line);
}

/** Whether a line says the previous step came from the cache. */
export function isCacheLine(line: string): boolean {
  return /^--> Using cache /.test(line) || /^#\d+ CACHED\b/.test(line) || /^ ---> Using cache\b/.test(line);
}

/** Builds an image; throws a {@link VerifyError} with the output's tail when the build fails. */
export async function buildImage(engine: Engine, req: BuildRequest, settings: BuildSettings = {}): Promise<BuildResult> {
  const args = ['build', '-f', req.dockerfile, '-t', req.tag];
  if (engine.name === 'docker') args.push('--progress=plain');
  if (settings.pull) {
    if (engine.name === 'podman') args.push(`--pull=${settings.pull}`);
    else if (settings.pull === 'always') args.push('--pull');
  }
  if (settings.network) args.push(`--network=${settings.network}`);
  if (req.target) args.push('--target', req.target);
  if (req.noCache) args.push('--no-cache');
  for (const s of settings.secrets ?? []) args.push('--secret', s);
  args.push(req.context);
  const output: string[] = [];
  const started = Date.now();
  const r = await engine.exec(args, {
    cwd: req.context,
    onLine: (line) => {
      output.push(line);
      settings.onOutput?.(line);
      if (isStepLine(line) || isCacheLine(line)) settings.onProgress?.(line);
    },
  });
  const durationMs = Date.now() - started;
  if (r.code !== 0) {
    throw new VerifyError(`Building ${req.dockerfile} failed (${engine.name} build, exit code ${r.code}):\n${tail(r, 30)}`);
  }
  return { tag: req.tag, durationMs, output };
}

/** A build step that ran a given command, and whether it came from the cache. */
export interface StepCacheUse {
  /** The step line as the engine printed it. */
  readonly step: string;
  readonly cached: boolean;
}

/**
 * The steps of a build whose instruction contains `command`, each with whether the engine reused
 * it from the cache (podman: `--> Using cache` right after the step; BuildKit: `#N CACHED`;
 * legacy Docker: ` ---> Using cache`).
 */
export function stepsRunning(output: readonly string[], command: string): StepCacheUse[] {
  const found: StepCacheUse[] = [];
  for (let i = 0; i < output.length; i++) {
    const line = output[i];
    if (!isStepLine(line) || !line.includes(command)) continue;
    const buildkitId = /^#(\d+) \[/.exec(line)?.[1];
    let cached = false;
    if (buildkitId) {
      cached = output.some((l) => l.startsWith(`#${buildkitId} CACHED`));
    } else {
      for (let j = i + 1; j < output.length && !isStepLine(output[j]); j++) {
        if (isCacheLine(output[j])) {
          cached = true;
          break;
        }
      }
    }
    if (!found.some((f) => f.step === line)) found.push({ step: line, cached });
  }
  return found;
}

/**
 * A build step line shortened for display: without `--mount=` options and the optional-secret
 * preamble of generated RUN lines, at most `max` characters.
 */
export function compactStep(line: string, max = 120): string {
  const s = line
    .replace(/--mount=\S+\s*/g, '')
    .replace(/\[ ! -f \S+ \] \|\| export \S+;\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

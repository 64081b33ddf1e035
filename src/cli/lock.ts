/**
 * `create-msb-app lock [dir]`: pins the base images of the project's Apps by digest.
 *
 * 1. Synthesizes the project (its `default` task), so `.projen/msb.json` records the images the
 *    definition resolves now (src/lock/images.ts).
 * 2. Resolves what the lock does not hold yet (with `--update`: everything) through the registry
 *    API (src/lock/registry.ts), all images at once; any failure stops here and names every image
 *    that failed: the lock file stays byte for byte as it was.
 * 3. Writes `msb.lock.json` (atomically) when it changed, prints what was added, moved or removed,
 *    and synthesizes again, so every FROM line names its digest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, CliError, badFlag } from './errors';
import { runDefaultTask } from './synthesis-task';
import { DEFAULTS } from '../contract/defaults';
import { BASE_IMAGE_LOCK_FILE } from '../contract/record';
import { readLockFile, renderLockFile } from '../lock/file';
import { readProjectImages } from '../lock/images';
import { type LockChange, nextLock, planLock } from '../lock/plan';
import { RegistryClient, RegistryError, type ResolvedImage } from '../lock/registry';
import { writeAtomic } from '../synth/disk';
import { checkOutputPaths } from '../synth/output-paths';
import { isMsbError } from '../validation';

/** What `lock` needs from the CLI. */
export interface LockIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd: string;
  /** Aborted on Ctrl-C: requests stop, nothing is written. */
  readonly signal?: AbortSignal;
  /** Environment of the syntheses and of the auth-file lookup. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Options as parsed by the command declaration. */
export interface LockOptions {
  readonly dir?: string;
  readonly update?: boolean;
  /** Seconds, as given. */
  readonly timeout?: string;
}

const MARK: Record<LockChange['kind'], string> = { added: '+', moved: '~', renewed: '=', removed: '-' };

/** Runs the command; returns the exit code. Failures are {@link CliError}s naming what to do. */
export async function lock(options: LockOptions, io: LockIo): Promise<number> {
  const dir = path.resolve(io.cwd, options.dir ?? '.');
  if (!fs.existsSync(path.join(dir, '.projenrc.ts'))) {
    throw new CliError(`${dir} has no .projenrc.ts: lock runs in a create-msb-app project (the repository root of a workspace), after "create-msb-app <dir>" or "create-msb-app ." made it one.`);
  }
  const seconds = options.timeout === undefined ? DEFAULTS.registryTimeoutSeconds : Number(options.timeout);
  if (!(seconds > 0 && seconds <= 600)) throw badFlag('--timeout', options.timeout, 'a number of seconds above 0, at most 600');
  const env = io.env ?? process.env;
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const unchanged = `${BASE_IMAGE_LOCK_FILE} was not changed`;

  // the lock file is written in place of what is there: never through a symbolic link
  asCliError(() => checkOutputPaths(dir, [BASE_IMAGE_LOCK_FILE]));
  const first = await runDefaultTask(dir, env);
  if (!first.ok) throw new CliError(`the project does not synthesize, so its base images are not known; ${unchanged}:\n${indent(first.output)}`);
  const lockFile = path.join(dir, BASE_IMAGE_LOCK_FILE);
  const before = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, 'utf8') : undefined;
  const current = asCliError(() => readLockFile(dir)) ?? new Map();
  const plan = asCliError(() => planLock(readProjectImages(dir), current, options.update === true));
  for (const note of plan.notes) out(`note: ${note}`);

  const client = new RegistryClient({ timeoutMs: seconds * 1000, env, signal: io.signal });
  const resolved = await resolveAll(plan.toResolve.flatMap((g) => g.refs), plan.users, client, io.signal, unchanged);
  const { entries, changes } = nextLock(plan, current, resolved, new Date().toISOString());
  const text = renderLockFile(entries);
  const pinned = `${entries.size} base image${entries.size === 1 ? '' : 's'} pinned`;
  if (text === before) {
    out(options.update ? `${BASE_IMAGE_LOCK_FILE} is up to date: ${pinned}, none moved.` : `${BASE_IMAGE_LOCK_FILE} is up to date: ${pinned} (--update resolves them again).`);
    return 0;
  }
  asCliError(() => {
    checkOutputPaths(dir, [BASE_IMAGE_LOCK_FILE]);
    writeAtomic(lockFile, BASE_IMAGE_LOCK_FILE, text, 0o644);
  });
  out(`${before === undefined ? 'Wrote' : 'Updated'} ${BASE_IMAGE_LOCK_FILE}: ${summary(changes)}; ${pinned}.`);
  for (const c of changes) out(`  ${MARK[c.kind]} ${describeChange(c, plan.users)}`);

  const second = await runDefaultTask(dir, env);
  if (!second.ok) throw new CliError(`${BASE_IMAGE_LOCK_FILE} was written, but the synthesis after it failed, so the Dockerfiles do not name the new digests yet; fix the cause and run "npx projen":\n${indent(second.output)}`);
  out('Synthesized: the FROM lines of the Dockerfiles name these digests.');
  for (const line of second.output.split('\n').filter((l) => l.trim() !== '')) out(`  ${line}`);
  return 0;
}

/** Resolves every reference at once; any failure is one {@link CliError} naming each image that failed. */
async function resolveAll(
  refs: readonly string[], users: ReadonlyMap<string, readonly string[]>, client: RegistryClient, signal: AbortSignal | undefined, unchanged: string,
): Promise<Map<string, ResolvedImage>> {
  const results = await Promise.allSettled(refs.map((ref) => client.resolve(ref)));
  if (signal?.aborted) throw new CancelledError(`Cancelled; ${unchanged}.`);
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[refs[i], r.reason] as const] : []));
  if (failed.length > 0) {
    const lines = failed.map(([ref, e]) => {
      if (!(e instanceof RegistryError) && !isMsbError(e)) throw e;
      return `  - ${ref} (${users.get(ref)?.join(', ')}):\n      ${(e as Error).message}`;
    });
    throw new CliError(`${failed.length} of ${refs.length} base image${refs.length === 1 ? '' : 's'} could not be resolved; ${unchanged}:\n${lines.join('\n')}`);
  }
  return new Map(refs.map((ref, i) => [ref, (results[i] as PromiseFulfilledResult<ResolvedImage>).value]));
}

/** Runs `fn`; this library's errors (their message says what to do) become {@link CliError}s. */
function asCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isMsbError(e)) throw new CliError(e.message);
    throw e;
  }
}

function summary(changes: readonly LockChange[]): string {
  const counts = (['added', 'moved', 'renewed', 'removed'] as const).map((k) => [k, changes.filter((c) => c.kind === k).length] as const);
  return counts.filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k === 'renewed' ? 'resolved again with its pair' : k}`).join(', ');
}

function describeChange(c: LockChange, users: ReadonlyMap<string, readonly string[]>): string {
  const who = users.has(c.ref) ? ` (${users.get(c.ref)!.join(', ')})` : ' (no App uses it now)';
  switch (c.kind) {
    case 'added': return `${c.ref} ${c.digest}${who}`;
    case 'moved': return `${c.ref} ${c.previous} -> ${c.digest}${who}`;
    case 'renewed': return `${c.ref} ${c.digest} unchanged, resolved again with its pair${who}`;
    case 'removed': return `${c.ref} ${c.previous}${who}`;
  }
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n');
}

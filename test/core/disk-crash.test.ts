/**
 * Crash tests: a synthesis process is SIGKILLed at each of its changes to the disk (the test-only
 * MSB_TEST_KILL_AT=<n> of src/synth/disk.ts) and at random ones; the next plain synthesis must
 * recover (no hand-edit report, no force) and leave exactly what a clean synthesis writes. Also the
 * lock: a live holder makes the second synthesis wait and then fail naming it; concurrent
 * syntheses with different definitions leave the record agreeing with the files.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, AppProps, MsbProject, RECORD_FILE } from '../../src';
import { SynthesisLockError } from '../../src/synth/lock';
import { listFiles, readTree, synth, tempDir, writePackage } from '../util';

const ROOT = path.resolve(__dirname, '../..');
const A: AppProps = {};
const B: AppProps = { port: 9090, kubernetes: { ingress: { host: 'a.example.com' }, networkPolicy: { allowFromNamespaces: ['ingress-nginx'] } } };
const C: AppProps = { kubernetes: { replicas: 3 } };

// The child is `.projenrc.ts` in miniature. The sources are bundled once (dependencies stay
// external), which halves each child's start-up against transforming them on every run.
const BUNDLE = path.join(tempDir('msb-bundle-'), 'index.js');
const CHILD = `
const { App, MsbProject } = require(${JSON.stringify(BUNDLE)});
const project = new MsbProject({ name: 'orders-api', outdir: process.env.MSB_TEST_DIR });
new App(project, JSON.parse(process.env.MSB_TEST_DEF));
project.synth();
`;

beforeAll(() => {
  buildSync({
    entryPoints: [path.join(ROOT, 'src/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    outfile: BUNDLE,
    logLevel: 'warning',
    // The sources find package.json and templates/ next to src/.
    define: { __dirname: JSON.stringify(path.join(ROOT, 'src')) },
  });
  return () => fs.rmSync(path.dirname(BUNDLE), { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function runChild(dir: string, props: AppProps, env: Record<string, string> = {}): Promise<Run> & { child: ChildProcess } {
  const child = spawn(process.execPath, ['-e', CHILD], {
    cwd: ROOT,
    // The bundle lives in a temporary folder; its dependencies are this package's.
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), MSB_TEST_DIR: dir, MSB_TEST_DEF: JSON.stringify(props), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return Object.assign(done, { child });
}

/** Runs `jobs` two at a time (the machine has two cores). */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) results.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return results;
}

function synthesize(dir: string, props: AppProps, options: { lockTimeoutMs?: number } = {}): void {
  const project = new MsbProject({ name: 'orders-api', outdir: dir, ...options });
  new App(project, props);
  project.synth();
}

function copyOf(base: string): string {
  const dir = tempDir('msb-crash-');
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

function emptyProject(): string {
  const dir = tempDir('msb-crash-');
  writePackage(dir);
  return dir;
}

const leftovers = (dir: string) => listFiles(dir).filter((f) => /\.msb-tmp-|msb\.lock|msb\.pending/.test(f));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A small seeded generator (mulberry32), so a failing random trial can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0; // eslint-disable-line no-bitwise
  return () => {
    a = (a + 0x6d2b79f5) >>> 0; // eslint-disable-line no-bitwise
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1); // eslint-disable-line no-bitwise
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61); // eslint-disable-line no-bitwise
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296; // eslint-disable-line no-bitwise
  };
}

async function killPoints(dir: string, props: AppProps): Promise<string[]> {
  const run = await runChild(dir, props, { MSB_TEST_KILL_AT: '0' });
  expect(run.code, run.stderr).toBe(0);
  return run.stderr.split('\n').filter((l) => l.startsWith('msb-kill-point ')).map((l) => l.replace(/^msb-kill-point \d+ /, ''));
}

describe('crash recovery (SIGKILL during synthesis)', () => {
  const cleanA = synth(A).files;
  const cleanB = synth(B).files;
  const baseA = synth(A).dir;

  it('at every change of a synthesis from A to B, the next plain synthesis (of A or of B) recovers', async () => {
    const points = await killPoints(copyOf(baseA), B);
    // The journal, a temporary file, its half, its rename, per changed file, the record, the journal's removal.
    expect(points[0]).toBe('write .projen/msb.pending.json (temporary)');
    expect(points).toContain('rename Dockerfile');
    expect(points).toContain('rename .projen/files.json');
    expect(points.at(-2)).toBe('rename .projen/msb.json');
    expect(points.at(-1)).toBe('remove .projen/msb.pending.json');

    // A kill half-way through a temporary file leaves the same kind of state as one before its
    // rename (a stale temporary file): those points are left to the random trials.
    const chosen = points.map((what, i) => ({ what, n: i + 1 })).filter((p) => !p.what.endsWith('half written)'));
    expect(chosen.length).toBeGreaterThanOrEqual(15);
    const trials = chosen.map(({ what, n }) => async () => {
      const dir = copyOf(baseA);
      const run = await runChild(dir, B, { MSB_TEST_KILL_AT: String(n) });
      return { dir, run, what, n };
    });
    for (const { dir, run, what, n } of await inPairs(trials)) {
      expect(run.signal, `kill point ${n} (${what}): ${run.stderr}`).toBe('SIGKILL');
      expect(fs.existsSync(path.join(dir, '.projen/msb.lock')), `kill point ${n}: the dead holder's lock`).toBe(true);
      if (what.startsWith('rename ')) {
        // The temporary sibling is complete but not in place: the next run must remove it.
        expect(leftovers(dir).filter((f) => f.includes('.msb-tmp-')), `kill point ${n} (${what})`).toHaveLength(1);
      }
      const next = n % 2 === 0 ? A : B;
      try {
        synthesize(dir, next);
      } catch (e) {
        throw new Error(`kill point ${n} (${what}): recovery failed: ${(e as Error).message}`);
      }
      expect(readTree(dir), `kill point ${n} (${what})`).toEqual(n % 2 === 0 ? cleanA : cleanB);
      expect(leftovers(dir)).toEqual([]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('at random changes of a first synthesis and of A -> B, the next synthesis recovers', async () => {
    const seed = Number(process.env.MSB_CRASH_SEED ?? Date.now() % 100_000);
    const rnd = random(seed);
    const [fresh, change] = await Promise.all([killPoints(emptyProject(), B), killPoints(copyOf(baseA), B)]);
    expect(fresh).toContain('rename .projen/tasks.json');
    const trials = Array.from({ length: 6 }, (_, i) => async () => {
      const fromEmpty = i % 2 === 0;
      const dir = fromEmpty ? emptyProject() : copyOf(baseA);
      const n = 1 + Math.floor(rnd() * (fromEmpty ? fresh : change).length);
      const next = rnd() < 0.5 ? A : B;
      const run = await runChild(dir, B, { MSB_TEST_KILL_AT: String(n) });
      return { dir, run, n, next, fromEmpty };
    });
    for (const { dir, run, n, next, fromEmpty } of await inPairs(trials)) {
      const label = `seed ${seed} (MSB_CRASH_SEED=${seed} replays it): kill at ${n} of ${fromEmpty ? 'a first synthesis' : 'A -> B'}`;
      expect(run.signal, `${label}: ${run.stderr}`).toBe('SIGKILL');
      try {
        synthesize(dir, next);
      } catch (e) {
        throw new Error(`${label}: recovery failed: ${(e as Error).message}`);
      }
      expect(readTree(dir), label).toEqual(next === A ? cleanA : cleanB);
      expect(leftovers(dir), label).toEqual([]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('as `npx projen` reports them (MSB_PLAIN_ERRORS)', () => {
  it('a symbolic link is one plain message and exit code 1, no stack', async () => {
    const { dir } = synth(A);
    const elsewhere = tempDir('msb-elsewhere-');
    fs.renameSync(path.join(dir, 'k8s'), path.join(elsewhere, 'k8s'));
    fs.symlinkSync(path.join(elsewhere, 'k8s'), path.join(dir, 'k8s'));
    const linked = await runChild(dir, B, { MSB_PLAIN_ERRORS: '1' });
    expect(linked.code).toBe(1);
    expect(linked.stderr).toBe(
      `Synthesis stopped; no file was changed.\n  - k8s is a symbolic link to ${elsewhere}/k8s (outside the project): ` +
        'synthesis writes only regular files inside the project; remove the link\n',
    );
  });
});

describe('one synthesis of a project at a time', () => {
  it('a live holder makes synthesis wait, then fail naming its pid; nothing is written', async () => {
    const { dir } = synth(A);
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const lock = { pid: holder.pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z', nonce: 'feedfeedfeedfeed' };
      fs.writeFileSync(path.join(dir, '.projen/msb.lock'), JSON.stringify(lock));
      const before = readTree(dir);
      const start = Date.now();
      let err: unknown;
      try {
        synthesize(dir, B, { lockTimeoutMs: 400 });
      } catch (e) {
        err = e;
      }
      expect(Date.now() - start).toBeGreaterThanOrEqual(400);
      expect(err).toBeInstanceOf(SynthesisLockError);
      expect((err as Error).message).toContain(`Another synthesis of this project is running (pid ${holder.pid} on ${os.hostname()}, started 2026-01-01T00:00:00.000Z)`);
      expect((err as Error).message).toContain(`if process ${holder.pid} is not a synthesis, remove .projen/msb.lock`);
      expect(readTree(dir)).toEqual(before);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a lock whose holder is dead is taken over at once; the lock is released after success and after an error', () => {
    const { dir } = synth(A);
    const dead = spawnSync('true').pid;
    fs.writeFileSync(path.join(dir, '.projen/msb.lock'), JSON.stringify({ pid: dead, host: os.hostname(), started: 'x', nonce: 'n' }));
    // What a holder killed while creating the lock leaves beside it.
    fs.writeFileSync(path.join(dir, `.projen/msb.lock.${dead}-0123abcd`), '{}');
    const start = Date.now();
    synthesize(dir, B, { lockTimeoutMs: 5000 });
    expect(Date.now() - start).toBeLessThan(3000);
    expect(readTree(dir)).toEqual(cleanOf(B));
    expect(() => synthesize(dir, { port: 0 })).toThrow(/port: got 0/);
    expect(readTree(dir)).toEqual(cleanOf(B));
    expect(fs.existsSync(path.join(dir, '.projen/msb.lock'))).toBe(false);
  });

  it('two concurrent syntheses with different definitions: both finish and the record agrees with the files', async () => {
    for (let round = 0; round < 2; round++) {
      const { dir } = synth(A);
      const [first, second] = await Promise.all([runChild(dir, B), runChild(dir, C)]);
      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      const record = JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as { files: Record<string, string> };
      for (const [f, hash] of Object.entries(record.files)) {
        expect(sha256(fs.readFileSync(path.join(dir, f), 'utf8')), `${f} (round ${round})`).toBe(hash);
      }
      const files = readTree(dir);
      expect([cleanOf(B), cleanOf(C)]).toContainEqual(files);
      expect(leftovers(dir)).toEqual([]);
      synthesize(dir, A); // and the next plain run sees no hand edit
    }
  }, 60_000);
});

const cleanCache = new Map<string, Record<string, string>>();
function cleanOf(props: AppProps): Record<string, string> {
  const key = JSON.stringify(props);
  if (!cleanCache.has(key)) {
    const dir = tempDir();
    writePackage(dir);
    synthesize(dir, props);
    cleanCache.set(key, readTree(dir));
  }
  return cleanCache.get(key)!;
}

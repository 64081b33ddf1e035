import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App, AppProps, FORCE_ENV, HandEditError, MsbProject, RECORD_FILE } from '../../src';
import { DiskOps, DiskWriteError, useDiskOps } from '../../src/synth/disk';
import { JOURNAL_FILE } from '../../src/synth/journal';
import { LOCK_FILE } from '../../src/synth/lock';
import { listFiles, readTree, synth, tempDir, writePackage } from '../util';

const A: AppProps = {};
const B: AppProps = { port: 9090, kubernetes: { ingress: { host: 'a.example.com' }, networkPolicy: { allowFromNamespaces: ['ingress-nginx'] } } };

function fsError(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated, ${syscall} '${file}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  return e;
}

/** The files a clean synthesis of `props` writes (from an empty project). */
function clean(props: AppProps): Record<string, string> {
  return synth(props).files;
}

function synthesize(dir: string, props: AppProps, options: { force?: boolean } = {}): void {
  const project = new MsbProject({ name: 'orders-api', outdir: dir, ...options });
  new App(project, props);
  project.synth();
}

/** A full disk from the `n`-th temporary file on: half of the data lands, then ENOSPC. */
function fullDiskAt(n: number): { writes: () => number } {
  let count = 0;
  const ops: Partial<DiskOps> = {
    writeFileSync: (file, data, options) => {
      count += 1;
      if (count >= n) {
        fs.writeFileSync(file, data.slice(0, Math.floor(data.length / 2)), options);
        throw fsError('ENOSPC', 'write', file);
      }
      fs.writeFileSync(file, data, options);
    },
  };
  useDiskOps(ops);
  return { writes: () => count };
}

const leftovers = (dir: string) => listFiles(dir).filter((f) => /\.msb-tmp-|msb\.lock/.test(f));

afterEach(() => {
  useDiskOps();
  delete process.env[FORCE_ENV];
});

describe('a full disk or a refused write during synthesis', () => {
  it('at every write of a changing synthesis: a plain message naming the file, no truncated file, and the next run recovers without force', () => {
    const cleanA = clean(A);
    const cleanB = clean(B);
    // Count the writes of A -> B.
    const probe = synth(A).dir;
    const counter = fullDiskAt(Number.MAX_SAFE_INTEGER);
    synthesize(probe, B);
    const writes = counter.writes();
    useDiskOps();
    expect(writes).toBeGreaterThanOrEqual(8);

    for (let n = 1; n <= writes; n++) {
      const { dir } = synth(A);
      fullDiskAt(n);
      let err: unknown;
      try {
        synthesize(dir, B);
      } catch (e) {
        err = e;
      }
      useDiskOps();
      expect(err, `write ${n}`).toBeInstanceOf(DiskWriteError);
      const e = err as DiskWriteError;
      expect(e.code).toBe('ENOSPC');
      expect(e.message).toMatch(/^Synthesis could not write \S+: the disk is full \(ENOSPC\)\. Free some space and run "npx projen" again\. No file was left half-written\.$/);
      expect(e.stack).toBe(`DiskWriteError: ${e.message}`);
      // Every file is whole: A's or B's content, never a part of one.
      const now = readTree(dir);
      for (const [f, content] of Object.entries(now)) {
        if (f === 'package.json' || f === 'package-lock.json' || f === JOURNAL_FILE) continue;
        expect([cleanA[f], cleanB[f]], `write ${n}: ${f}`).toContain(content);
      }
      expect(leftovers(dir), `write ${n}`).toEqual([]);
      // Recovery alternates between the new and the old definition (the journal covers both).
      const next = n % 2 === 0 ? B : A;
      synthesize(dir, next);
      expect(readTree(dir), `write ${n}`).toEqual(n % 2 === 0 ? cleanB : cleanA);
    }
  });

  it('EACCES, EPERM and EROFS name the file and what to do; the next run recovers', () => {
    const cases: [string, keyof DiskOps, RegExp][] = [
      ['EACCES', 'renameSync', /permission denied \(EACCES\)\. Make the file and its folder writable/],
      ['EPERM', 'renameSync', /operation not permitted \(EPERM\)\. Check the file's owner/],
      ['EROFS', 'writeFileSync', /the file system is read-only \(EROFS\)\. Run synthesis on a writable copy/],
    ];
    const cleanB = clean(B);
    for (const [code, op, advice] of cases) {
      const { dir } = synth(A);
      let calls = 0;
      useDiskOps({
        [op]: (...args: unknown[]) => {
          calls += 1;
          if (calls === 3) throw fsError(code, op, String(args[0]));
          return (fs as any)[op](...args);
        },
      });
      let err: unknown;
      try {
        synthesize(dir, B);
      } catch (e) {
        err = e;
      }
      useDiskOps();
      expect(err, code).toBeInstanceOf(DiskWriteError);
      expect((err as Error).message, code).toMatch(advice);
      expect((err as Error).message).toMatch(/^Synthesis could not write [\w./-]+: /);
      expect(leftovers(dir)).toEqual([]);
      synthesize(dir, B);
      expect(readTree(dir)).toEqual(cleanB);
    }
  });

  it('a failure before anything is written leaves the tree as it was (and releases the lock)', () => {
    const { dir } = synth(A);
    const before = readTree(dir);
    useDiskOps({ writeFileSync: (file) => { throw fsError('ENOSPC', 'write', file); } });
    expect(() => synthesize(dir, B)).toThrow(/could not write \.projen\/msb\.pending\.json: the disk is full/);
    expect(readTree(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('force is a project option', () => {
  it('MsbProjectOptions.force overwrites a hand edit; without it the edit stops synthesis', () => {
    const { dir } = synth(A);
    const file = path.join(dir, 'Dockerfile');
    fs.chmodSync(file, 0o644);
    fs.appendFileSync(file, 'RUN echo hand-edit\n');
    expect(() => synthesize(dir, B)).toThrow(HandEditError);
    expect(() => synthesize(dir, B, { force: false })).toThrow(HandEditError);
    synthesize(dir, B, { force: true });
    expect(fs.readFileSync(file, 'utf8')).toBe(clean(B).Dockerfile);
    expect(process.env[FORCE_ENV]).toBeUndefined();
  });

  it('MSB_FORCE is read when the project is constructed; force: false wins over it', () => {
    process.env[FORCE_ENV] = '1';
    const dir = tempDir();
    writePackage(dir);
    expect(new MsbProject({ name: 'x', outdir: dir }).force).toBe(true);
    expect(new MsbProject({ name: 'x', outdir: dir, force: false }).force).toBe(false);
    process.env[FORCE_ENV] = '0';
    expect(new MsbProject({ name: 'x', outdir: dir }).force).toBe(false);
  });

  it('the record matches the files on disk after a forced run', () => {
    const { dir } = synth(A);
    fs.chmodSync(path.join(dir, 'Dockerfile'), 0o644);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    synthesize(dir, A, { force: true });
    const record = JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8'));
    expect(record.files.Dockerfile).toMatch(/^[0-9a-f]{64}$/);
    synthesize(dir, B);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, MsbProject } from '../../src';
import { OutputPathError } from '../../src/synth/output-paths';
import { synth, tempDir, writePackage } from '../util';

/** Every entry under `dir` with its content, mode and link target (links are not followed). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const abs = path.join(d, name);
      const rel = path.relative(dir, abs);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) {out[rel] = `link -> ${fs.readlinkSync(abs)}`;} else if (st.isDirectory()) {
        out[rel] = `dir ${(st.mode & 0o777).toString(8)}`; // eslint-disable-line no-bitwise
        walk(abs);
      } else {out[rel] = `file ${(st.mode & 0o777).toString(8)} ${fs.readFileSync(abs, 'utf8')}`;} // eslint-disable-line no-bitwise
    }
  };
  walk(dir);
  return out;
}

function synthError(dir: string, props = {}): OutputPathError {
  const project = new MsbProject({ name: 'orders-api', outdir: dir });
  new App(project, props);
  try {
    project.synth();
  } catch (e) {
    expect(e).toBeInstanceOf(OutputPathError);
    return e as OutputPathError;
  }
  throw new Error('expected an OutputPathError');
}

describe('output paths never follow a symbolic link', () => {
  it('a k8s folder linked outside the project: named error, nothing written on either side', () => {
    const dir = tempDir();
    writePackage(dir);
    const elsewhere = tempDir('msb-elsewhere-');
    fs.writeFileSync(path.join(elsewhere, 'keep.txt'), 'mine\n');
    fs.symlinkSync(elsewhere, path.join(dir, 'k8s'));
    const before = snapshot(dir);
    const outside = snapshot(elsewhere);
    const err = synthError(dir);
    expect(err.message).toContain(
      `k8s is a symbolic link to ${elsewhere} (outside the project): synthesis writes only regular files inside the project; remove the link`,
    );
    expect(err.stack).toBe(`OutputPathError: ${err.message}`);
    expect(snapshot(dir)).toEqual(before); // no .projen, no Dockerfile, no lock
    expect(snapshot(elsewhere)).toEqual(outside);
  });

  it('a dangling Dockerfile link in a synthesized project: named error, the link and every file unchanged', () => {
    const { dir } = synth();
    fs.rmSync(path.join(dir, 'Dockerfile'));
    fs.symlinkSync('/tmp/msb-no-such-file/Dockerfile', path.join(dir, 'Dockerfile'));
    const before = snapshot(dir);
    const err = synthError(dir, { port: 9090 });
    expect(err.message).toContain(
      'Dockerfile is a symbolic link to /tmp/msb-no-such-file/Dockerfile (which does not exist): synthesis writes only regular files inside the project; remove the link',
    );
    expect(snapshot(dir)).toEqual(before);
    expect(fs.existsSync('/tmp/msb-no-such-file')).toBe(false);
  });

  it('a symlinked parent folder (k8s/overlays -> outside, holding files of the last synthesis) is refused, not cleaned up', () => {
    const { dir } = synth();
    const elsewhere = tempDir('msb-elsewhere-');
    fs.cpSync(path.join(dir, 'k8s/overlays'), elsewhere, { recursive: true });
    fs.rmSync(path.join(dir, 'k8s/overlays'), { recursive: true, force: true });
    fs.symlinkSync(elsewhere, path.join(dir, 'k8s/overlays'));
    const before = snapshot(dir);
    const outside = snapshot(elsewhere);
    // Turning the debug overlay's kind set around would make projen remove or rewrite files there.
    const err = synthError(dir, { port: 9090 });
    expect(err.problems).toEqual([{ path: 'k8s/overlays', target: `${elsewhere} (outside the project)` }]);
    expect(snapshot(dir)).toEqual(before);
    expect(snapshot(elsewhere)).toEqual(outside);
  });

  it('a link inside the project is refused too (a rename would replace the link), and all links are named at once', () => {
    const { dir } = synth();
    fs.rmSync(path.join(dir, 'Dockerfile.debug'));
    fs.writeFileSync(path.join(dir, 'Dockerfile.real'), 'FROM scratch\n');
    fs.symlinkSync('Dockerfile.real', path.join(dir, 'Dockerfile.debug'));
    fs.rmSync(path.join(dir, '.dockerignore'));
    fs.symlinkSync('missing', path.join(dir, '.dockerignore'));
    const before = snapshot(dir);
    const err = synthError(dir);
    expect(err.problems.map((p) => p.path)).toEqual(['.dockerignore', 'Dockerfile.debug']);
    expect(err.message).toContain('Dockerfile.debug is a symbolic link to Dockerfile.real (inside the project)');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a .projen folder linked outside: refused before the lock is taken, nothing written there', () => {
    const dir = tempDir();
    writePackage(dir);
    const elsewhere = tempDir('msb-elsewhere-');
    fs.symlinkSync(elsewhere, path.join(dir, '.projen'));
    const err = synthError(dir);
    expect(err.problems).toEqual([{ path: '.projen', target: `${elsewhere} (outside the project)` }]);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('after the link is removed, synthesis works without force', () => {
    const dir = tempDir();
    writePackage(dir);
    const elsewhere = tempDir('msb-elsewhere-');
    fs.symlinkSync(elsewhere, path.join(dir, 'k8s'));
    synthError(dir);
    fs.rmSync(path.join(dir, 'k8s'));
    const { files } = synth({}, { dir });
    expect(files['k8s/base/deployment.yaml']).toContain('kind: Deployment');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

/**
 * verify's immutable-code check: the app's files under the workdir belong to root and are not
 * writable by the app user (uid 65532), judged on the owners and modes of the exported image's
 * entries (read from the tar headers, pax records first).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appWritableCode, immutableCodeCheck } from '../../src/verify/checks';
import { FsEntry, readTarEntries } from '../../src/verify/files';
import { tempDir } from '../util';

const entry = (p: string, mode: number, uid = 0, gid = 0, type: FsEntry['type'] = 'file'): FsEntry => ({ path: p, type, size: type === 'file' ? 10 : 0, mode, uid, gid });
const FACTS = { workdir: '/app', uid: 65532 };

describe('immutable code', () => {
  const rootOwned = [
    entry('/app', 0o755, 0, 0, 'dir'),
    entry('/app/index.js', 0o555),
    entry('/app/node_modules', 0o555, 0, 0, 'dir'),
    entry('/app/node_modules/x/index.js', 0o555),
    entry('/app/node_modules/.bin/x', 0o777, 0, 0, 'symlink'),
    // outside the workdir: not the app's code
    entry('/home/nonroot', 0o700, 65532, 65532, 'dir'),
    entry('/tmp', 0o1777, 0, 0, 'dir'),
  ];

  it('passes root-owned files without group or other write bits (symlinks and paths outside the workdir aside)', () => {
    expect(appWritableCode(rootOwned, '/app', 65532)).toEqual([]);
    expect(immutableCodeCheck(rootOwned, FACTS)).toMatchObject({ id: 'immutable-code', ok: true, detail: 'none of 5 paths under /app is owned by 65532 or writable by group or other' });
  });

  it('fails a file owned by the app user, whatever its mode (the owner can chmod)', () => {
    const r = immutableCodeCheck([...rootOwned, entry('/app/dist/index.js', 0o444, 65532, 65532)], FACTS);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^the app can rewrite its own code: \/app\/dist\/index\.js is owned by 65532 \(mode 0444\); outside Kubernetes .* --chown=0:0 /);
  });

  it('fails group- or other-writable files and folders, naming the rest', () => {
    const found = appWritableCode([...rootOwned, entry('/app/config', 0o775, 0, 65532, 'dir'), entry('/app/data.json', 0o646)], '/app', 65532);
    expect(found).toEqual([
      { path: '/app/config', why: 'is writable by its group (mode 0775, owner 0:65532)' },
      { path: '/app/data.json', why: 'is writable by others (mode 0646, owner 0:0)' },
    ]);
    expect(immutableCodeCheck([...rootOwned, entry('/app/config', 0o775, 0, 65532, 'dir'), entry('/app/data.json', 0o646)], FACTS).detail)
      .toMatch(/^the app can rewrite its own code: \/app\/config is writable by its group \(mode 0775, owner 0:65532\) \(and 1 more: \/app\/data\.json\);/);
  });

  it('leaves declared writable volumes under the workdir to the app', () => {
    const withCache = [...rootOwned, entry('/app/cache', 0o755, 65532, 65532, 'dir'), entry('/app/cache/x', 0o644, 65532, 65532)];
    expect(appWritableCode(withCache, '/app', 65532, ['/app/cache/'])).toEqual([]);
    expect(appWritableCode(withCache, '/app', 65532).map((f) => f.path)).toEqual(['/app/cache', '/app/cache/x']);
  });

  it('reads owners from the tar headers (the export the check runs on)', () => {
    const dir = tempDir('msb-immutable-');
    fs.mkdirSync(path.join(dir, 'root', 'app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'root', 'app', 'index.js'), 'x');
    fs.writeFileSync(path.join(dir, 'root', 'app', 'mine.js'), 'y');
    const archive = path.join(dir, 'fs.tar');
    execFileSync('tar', ['-cf', archive, '-C', path.join(dir, 'root'), '--owner=0', '--group=0', '--mode=0555', 'app/index.js']);
    execFileSync('tar', ['-rf', archive, '-C', path.join(dir, 'root'), '--owner=65532', '--group=65532', '--mode=0644', 'app/mine.js']);
    execFileSync('tar', ['-rf', archive, '--format=posix', '-C', path.join(dir, 'root'), '--owner=3000000', '--group=3000001', '--mode=0644', 'app/index.js']);
    const entries = readTarEntries(archive);
    expect(entries.map((e) => [e.path, e.uid, e.gid, e.mode])).toEqual([
      ['/app/index.js', 0, 0, 0o555],
      ['/app/mine.js', 65532, 65532, 0o644],
      ['/app/index.js', 3000000, 3000001, 0o644],
    ]);
    expect(appWritableCode(entries.slice(0, 2), '/app', 65532)).toEqual([{ path: '/app/mine.js', why: 'is owned by 65532 (mode 0644)' }]);
  });
});

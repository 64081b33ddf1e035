/**
 * The filesystem of an image (or of a build stage) as the engine exports it: every entry with its
 * type and size, read from the tar archive of `<engine> export` without extracting it. File bytes
 * are the sizes of regular files only (no tar headers, no directories, no symlink targets; a hard
 * link counts once), so two filesystems compare like with like.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { Engine, VerifyError } from './engine';

/** One entry of an exported filesystem. */
export interface FsEntry {
  /** Absolute path in the image, without a trailing slash, e.g. `/app/dist/index.js`. */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Bytes of a regular file; 0 for every other type. */
  readonly size: number;
  /** Permission bits with setuid/setgid/sticky (e.g. 0o4755); 0 when the archive does not say. */
  readonly mode: number;
  /** Owner uid (pax `uid` when present, else the header's); 0 when the archive does not say. */
  readonly uid: number;
  /** Owner gid (pax `gid` when present, else the header's); 0 when the archive does not say. */
  readonly gid: number;
}

/** Normalizes a tar member name to an absolute path without a trailing slash. */
export function entryPath(name: string): string {
  return `/${name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')}`;
}

function readField(buf: Buffer, offset: number, length: number): string {
  const raw = buf.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function readNumber(buf: Buffer, offset: number, length: number): number {
  const raw = buf.subarray(offset, offset + length);
  if (raw[0] >= 0x80) {
    // GNU base-256 (files of 8 GiB and more)
    let n = raw[0] - 0x80;
    for (let i = 1; i < raw.length; i++) n = n * 256 + raw[i];
    return n;
  }
  const s = readField(buf, offset, length).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number(data.subarray(i, space).toString('utf8'));
    if (!len) break;
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * Reads the entries of a tar archive (ustar, pax and GNU long names), seeking over file contents.
 * Throws on a malformed header.
 */
export function readTarEntries(archive: string): FsEntry[] {
  const fd = fs.openSync(archive, 'r');
  const entries: FsEntry[] = [];
  try {
    const total = fs.fstatSync(fd).size;
    const header = Buffer.alloc(512);
    let pos = 0;
    let pax: Record<string, string> = {};
    let longName: string | undefined;
    const readData = (at: number, size: number) => {
      const data = Buffer.alloc(size);
      fs.readSync(fd, data, 0, size, at);
      return data;
    };
    while (pos + 512 <= total) {
      fs.readSync(fd, header, 0, 512, pos);
      if (header.every((b) => b === 0)) break;
      const magic = readField(header, 257, 6);
      let size = readNumber(header, 124, 12);
      const type = String.fromCharCode(header[156] || 0x30);
      const dataAt = pos + 512;
      if (Number.isNaN(size)) throw new VerifyError(`${archive}: not a tar archive (bad header at byte ${pos})`);
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        const data = readData(dataAt, size);
        if (type === 'x') pax = paxRecords(data);
        else if (type === 'L') longName = readField(data, 0, data.length);
        pos = dataAt + Math.ceil(size / 512) * 512;
        continue;
      }
      const prefix = magic.startsWith('ustar') ? readField(header, 345, 155) : '';
      const short = readField(header, 0, 100);
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${short}` : short);
      if (pax.size !== undefined) size = Number(pax.size);
      const kind: FsEntry['type'] = type === '0' || type === '7' ? 'file' : type === '5' ? 'dir' : type === '2' ? 'symlink' : type === '1' ? 'hardlink' : 'other';
      const p = entryPath(name);
      const mode = readNumber(header, 100, 8);
      const owner = (paxKey: string, offset: number) => {
        const n = pax[paxKey] !== undefined ? Number(pax[paxKey]) : readNumber(header, offset, 8);
        return Number.isFinite(n) ? n : 0;
      };
      if (p !== '/') {
        entries.push({
          path: p,
          type: kind,
          size: kind === 'file' ? size : 0,
          mode: Number.isNaN(mode) ? 0 : mode & 0o7777, // eslint-disable-line no-bitwise
          uid: owner('uid', 108),
          gid: owner('gid', 116),
        });
      }
      pos = dataAt + (kind === 'dir' || kind === 'symlink' || kind === 'hardlink' ? 0 : Math.ceil(size / 512) * 512);
      pax = {};
      longName = undefined;
    }
  } finally {
    fs.closeSync(fd);
  }
  return entries;
}

/** Bytes of the regular files in `entries`, all of them or those at or under `under`. */
export function fileBytes(entries: readonly FsEntry[], under?: string): number {
  const root = under?.replace(/\/+$/, '');
  let n = 0;
  for (const e of entries) {
    if (root !== undefined && e.path !== root && !e.path.startsWith(`${root}/`)) continue;
    n += e.size;
  }
  return n;
}

/**
 * Exports the filesystem of an image (`create`, `export -o`) and reads its entries. The container
 * is never started; a placeholder command lets `create` accept images without CMD.
 * `track` records the container while it exists (for cleanup after an interruption).
 */
export async function exportImageEntries(engine: Engine, image: string, track?: Set<string>): Promise<FsEntry[]> {
  const name = `msb-verify-export-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  track?.add(name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-verify-export-'));
  try {
    await engine.must(['create', '--name', name, image, '/msb-verify-never-started'], { purpose: `create a container of ${image} to read its files` });
    // `export -o`: podman cannot write to /dev/stdout when it is a socket (as Node's pipes are).
    const archive = path.join(tmp, 'fs.tar');
    await engine.must(['export', '-o', archive, name], { purpose: `export the filesystem of ${image}` });
    return readTarEntries(archive);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await engine.exec(['rm', '-f', name]);
    track?.delete(name);
  }
}

/** Engines where `image mount` was refused (rootless podman, docker): export from then on. */
const mountRefused = new WeakSet<Engine>();

/**
 * The entries of an image's filesystem: read from `podman image mount` when the engine allows it
 * (rootful podman: the image's own overlay, nothing copied), else from an export
 * ({@link exportImageEntries}). Both give the same entries: regular files with their sizes, a hard
 * link counted once, modes and owners as stored.
 */
export async function imageEntries(engine: Engine, image: string, track?: Set<string>): Promise<FsEntry[]> {
  if (engine.name === 'podman' && !mountRefused.has(engine)) {
    const mounted = await engine.exec(['image', 'mount', image]);
    if (mounted.code === 0) {
      // a mount that is not visible here (another mount namespace) is released and exported instead
      const root = mounted.stdout.trim().split('\n').pop();
      try {
        if (root && fs.existsSync(root)) return readTreeEntries(root);
      } finally {
        await engine.exec(['image', 'unmount', image]);
      }
    }
    mountRefused.add(engine);
  }
  return exportImageEntries(engine, image, track);
}

/**
 * Reads the entries of a filesystem tree as {@link readTarEntries} reads an archive of it: paths
 * absolute from `root`, the second and later paths of a hard-linked file as `hardlink` (size 0).
 */
export function readTreeEntries(root: string): FsEntry[] {
  const entries: FsEntry[] = [];
  const seen = new Set<string>();
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = `${rel}/${name}`;
      const st = fs.lstatSync(path.join(root, r));
      let type: FsEntry['type'] = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
      if (type === 'file' && st.nlink > 1) {
        const id = `${st.dev}:${st.ino}`;
        if (seen.has(id)) type = 'hardlink';
        seen.add(id);
      }
      // eslint-disable-next-line no-bitwise
      entries.push({ path: r, type, size: type === 'file' ? st.size : 0, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
      if (type === 'dir') walk(r);
    }
  };
  walk('');
  return entries;
}

/**
 * Bytes of the regular files at `rel` in a build context (a file, or a folder walked without the
 * paths `.dockerignore` excludes), hard links counted once. 0 when it does not exist.
 */
export function contextFileBytes(context: string, rel: string): number {
  let ignored = (_: string) => false;
  try {
    const m = ignoreMatcher().add(fs.readFileSync(path.join(context, '.dockerignore'), 'utf8'));
    ignored = (p) => m.ignores(p);
  } catch {
    // no .dockerignore: everything is in the context
  }
  const seen = new Set<string>();
  const walk = (r: string): number => {
    if (r && ignored(r)) return 0;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(context, r));
    } catch {
      return 0;
    }
    if (st.isFile()) {
      const id = `${st.dev}:${st.ino}`;
      if (seen.has(id)) return 0;
      seen.add(id);
      return st.size;
    }
    if (!st.isDirectory()) return 0;
    return fs.readdirSync(path.join(context, r)).reduce((n, e) => n + walk(r ? `${r}/${e}` : e), 0);
  };
  return walk(path.posix.normalize(rel.replace(/^\.\/+/, '')).replace(/^\.$/, '').replace(/\/+$/, ''));
}

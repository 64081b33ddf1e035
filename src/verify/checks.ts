/**
 * The checks on built images: it serves, its main process runs as the non-root uid and gid, it has
 * no shell, no package manager and no compiler, the debug twin has a shell, and its filesystem holds
 * no .env; the family's profile adds its own checks on the file list (e.g. Node.js: no
 * devDependencies, no TypeScript sources, no tests).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ProjectFacts } from './context';
import { Engine, tail } from './engine';
import { FsEntry, imageEntries } from './files';
import type { ForbiddenExecutable, InterpreterUid, ProfileCheck, VerifyProfile } from '../contract/verify-profile';

/** The outcome of one check. */
export type CheckResult = ProfileCheck;

/** Containers started by the checks, removed by {@link Resources.cleanup}. */
export class Resources {
  readonly containers = new Set<string>();
  readonly images = new Set<string>();
  /**
   * Tags given to intermediate stage images (`--target`): only the tag goes, the image stays, as it
   * is the layer cache of later builds (podman keeps its cache as images).
   */
  readonly stageTags = new Set<string>();

  constructor(private readonly engine: Engine) {}

  /** Removes the containers, and the images (and stage tags) unless `keepImages`. */
  async cleanup(keepImages = false): Promise<void> {
    for (const c of this.containers) await this.engine.removeContainer(c);
    this.containers.clear();
    if (!keepImages) {
      for (const i of this.images) await this.engine.exec(['rmi', '-f', i]);
      this.images.clear();
      // docker: removing the tag leaves the BuildKit cache; podman: untag keeps the layer
      for (const t of this.stageTags) await this.engine.exec(this.engine.name === 'podman' ? ['untag', t, t] : ['rmi', t]);
      this.stageTags.clear();
    }
  }
}

/** A unique container name. */
export function containerName(kind: string): string {
  return `msb-verify-${kind}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A free TCP port on 127.0.0.1: `preferred` when it is free. */
export async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) => new Promise<number | undefined>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  return (preferred && (await tryListen(preferred))) || (await tryListen(0))!;
}

export function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Runs the runtime image with its port published on 127.0.0.1 and GETs the health path until it
 * answers (or the container exits, or `timeoutMs` passes). Passes on HTTP 200.
 */
export async function checkServes(engine: Engine, image: string, facts: ProjectFacts, res: Resources, timeoutMs = 30_000): Promise<CheckResult> {
  const title = `serves HTTP 200 on GET ${facts.healthPath} over 127.0.0.1`;
  const hostPort = await freePort(facts.port);
  const name = containerName('serve');
  res.containers.add(name);
  const started = await engine.exec(['run', '-d', '--name', name, '-p', `127.0.0.1:${hostPort}:${facts.port}`, image]);
  if (started.code !== 0) return { id: 'serves', title, ok: false, detail: `the container did not start:\n${tail(started)}` };
  const url = `http://127.0.0.1:${hostPort}${facts.healthPath}`;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  try {
    while (Date.now() < deadline) {
      try {
        const r = await httpGet(url, 2000);
        if (r.status === 200) return { id: 'serves', title, ok: true, detail: `GET ${url} -> 200 ${r.body.slice(0, 80)}` };
        return { id: 'serves', title, ok: false, detail: `GET ${url} -> ${r.status} ${r.body.slice(0, 200)}` };
      } catch (e) {
        last = (e as Error).message;
      }
      const state = await engine.exec(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
      if (state.stdout.trim().startsWith('false')) {
        const logs = await engine.exec(['logs', name]);
        return { id: 'serves', title, ok: false, detail: `the container exited (${state.stdout.trim()}) before answering; its output:\n${tail(logs)}` };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const logs = await engine.exec(['logs', name]);
    return { id: 'serves', title, ok: false, detail: `no answer from ${url} within ${timeoutMs / 1000}s (${last}); container output:\n${tail(logs)}` };
  } finally {
    // PID 1 may ignore SIGTERM: remove at once.
    await engine.removeContainer(name);
    res.containers.delete(name);
  }
}

/** The image's configured entrypoint, command and user. */
export async function imageConfig(engine: Engine, image: string): Promise<{ entrypoint: string[]; cmd: string[]; user: string }> {
  const out = await engine.must(['image', 'inspect', '--format', '{{json .Config}}', image], { purpose: `inspect ${image}` });
  const c = JSON.parse(out) as { Entrypoint?: string[] | null; Cmd?: string[] | null; User?: string };
  return { entrypoint: c.Entrypoint ?? [], cmd: c.Cmd ?? [], user: c.User ?? '' };
}

/** uid and gid of a process: real, effective, saved and filesystem ids, as /proc/<pid>/status lists them. */
export interface ProcessIds {
  readonly uids: number[];
  readonly gids: number[];
}

/** Reads `Uid:` and `Gid:` of a /proc/<pid>/status text; `undefined` when either is missing. */
export function parseProcStatus(text: string): ProcessIds | undefined {
  const ids = (key: string) => text.split('\n').find((l) => l.startsWith(`${key}:`))?.slice(key.length + 1).trim().split(/\s+/).map(Number);
  const uids = ids('Uid');
  const gids = ids('Gid');
  if (!uids || !gids || uids.some(Number.isNaN) || gids.some(Number.isNaN)) return undefined;
  return { uids, gids };
}

/**
 * An id as the container sees it, from the id the host sees and the process's id map
 * (/proc/<pid>/uid_map: `inside outside count` lines); the id itself without a map (rootful).
 */
export function mapToContainer(hostId: number, idMap: string | undefined): number | undefined {
  const lines = (idMap ?? '').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)).filter((p) => p.length === 3 && !p.some(Number.isNaN));
  if (lines.length === 0) return hostId;
  for (const [inside, outside, count] of lines) if (hostId >= outside && hostId < outside + count) return inside + (hostId - outside);
  return undefined;
}

/**
 * The ids of a running container's main process, read from the host: `/proc/<pid>/status` of the
 * pid the engine reports, after checking that the pid belongs to the container (its cgroup names
 * the container id). `{ unreadable }` when /proc is not the engine's (a remote daemon, a VM).
 */
export function readProcessIds(
  procRoot: string,
  pid: number,
  containerId: string,
): { uid: number; gid: number; ids: ProcessIds } | { unreadable: string } {
  const at = (f: string) => path.join(procRoot, String(pid), f);
  let cgroup: string;
  let status: string;
  try {
    cgroup = fs.readFileSync(at('cgroup'), 'utf8');
    status = fs.readFileSync(at('status'), 'utf8');
  } catch (e) {
    return { unreadable: `${at('status')} cannot be read here (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (!containerId || !cgroup.includes(containerId)) return { unreadable: `process ${pid} in ${procRoot} is not the container's (the engine runs elsewhere)` };
  const ids = parseProcStatus(status);
  if (!ids) return { unreadable: `${at('status')} has no Uid/Gid lines` };
  const read = (f: string) => {
    try {
      return fs.readFileSync(at(f), 'utf8');
    } catch {
      return undefined;
    }
  };
  const uids = ids.uids.map((u) => mapToContainer(u, read('uid_map')));
  const gids = ids.gids.map((g) => mapToContainer(g, read('gid_map')));
  if (uids.some((u) => u === undefined) || gids.some((g) => g === undefined)) return { unreadable: `the ids of process ${pid} are outside its id map` };
  const mapped = { uids: uids as number[], gids: gids as number[] };
  return { uid: mapped.uids[1] ?? mapped.uids[0], gid: mapped.gids[1] ?? mapped.gids[0], ids: mapped };
}

/** Options of {@link checkUid}. */
export interface UidCheckOptions {
  /** `runtime` or `debug`: names the check (`uid`, `debug-uid`). @default "runtime" */
  readonly label?: string;
  /** The family's way to print the uid with the image's interpreter, used when /proc cannot be read. @default - none */
  readonly interpreter?: InterpreterUid;
  /** Where the host's processes are. @default "/proc" */
  readonly procRoot?: string;
  /** How long to wait for the main process. @default 15000 */
  readonly timeoutMs?: number;
}

/** A uid check result with the ids found and how they were read. */
export type UidCheckResult = CheckResult & { uid?: number; gid?: number; method?: 'proc' | 'interpreter' };

/**
 * The uid and gid the image's main process runs as, with the image run as it will run (its own
 * ENTRYPOINT and CMD, like the serve check): read from the host's /proc, or, where /proc is not the
 * engine's, printed by the family's interpreter. Fails on uid 0 and on ids other than expected.
 */
export async function checkUid(
  engine: Engine,
  image: string,
  expected: { uid: number; gid: number },
  res: Resources,
  options: UidCheckOptions = {},
): Promise<UidCheckResult> {
  const label = options.label ?? 'runtime';
  const title = `${label} image runs as uid ${expected.uid}, gid ${expected.gid} (non-root)`;
  const id = label === 'runtime' ? 'uid' : `${label}-uid`;
  const judge = (uid: number, gid: number, method: 'proc' | 'interpreter', how: string): UidCheckResult => {
    const ok = uid === expected.uid && gid === expected.gid && uid !== 0;
    const why = uid === 0 ? ': the process runs as root' : ok ? '' : `: expected ${expected.uid}:${expected.gid}`;
    return { id, title, ok, uid, gid, method, detail: `${how} = ${uid}:${gid}${why}` };
  };
  const name = containerName('uid');
  res.containers.add(name);
  const notes: string[] = [];
  try {
    const started = await engine.exec(['run', '-d', '--name', name, image]);
    if (started.code !== 0) {
      notes.push(`the container did not start:\n${tail(started)}`);
    } else {
      const deadline = Date.now() + (options.timeoutMs ?? 15_000);
      while (Date.now() < deadline) {
        const st = await engine.exec(['inspect', '--format', '{{.State.Pid}} {{.State.Running}} {{.Id}}', name]);
        const [pid, running, cid] = st.stdout.trim().split(/\s+/);
        if (running === 'true' && Number(pid) > 0) {
          const procRoot = options.procRoot ?? '/proc';
          const r = readProcessIds(procRoot, Number(pid), cid ?? '');
          if ('uid' in r) {
            return judge(r.uid, r.gid, 'proc', `main process ${pid}: ${procRoot}/${pid}/status Uid ${r.ids.uids.join(' ')}, Gid ${r.ids.gids.join(' ')}; uid:gid`);
          }
          notes.push(r.unreadable);
          break;
        }
        if (running === 'false' || st.code !== 0) {
          const logs = await engine.exec(['logs', name]);
          notes.push(`the container exited before its main process could be read:\n${tail(logs)}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      if (notes.length === 0) notes.push(`no running main process within ${(options.timeoutMs ?? 15_000) / 1000}s`);
    }
  } finally {
    await engine.removeContainer(name);
    res.containers.delete(name);
  }

  // /proc is not the engine's (or the process is gone): the family's interpreter, if it has one
  const cfg = await imageConfig(engine, image);
  const cmd = options.interpreter?.command(cfg.entrypoint);
  if (!cmd) {
    return { id, title, ok: false, detail: `${notes.join('; ')}; and the image has no interpreter to print its uid with (USER ${cfg.user || '(none)'})` };
  }
  const n2 = containerName('uid');
  res.containers.add(n2);
  const r = await engine.exec(['run', '--rm', '--name', n2, '--entrypoint', cmd.entrypoint, image, ...cmd.args]);
  res.containers.delete(n2);
  const m = /^(\d+)\s+(\d+)$/.exec(r.stdout.trim().split('\n').pop() ?? '');
  if (r.code !== 0 || !m) return { id, title, ok: false, detail: `${notes.join('; ')}; and ${cmd.entrypoint} could not print the uid:\n${tail(r)}` };
  return judge(Number(m[1]), Number(m[2]), 'interpreter', `${notes.join('; ')}; ${cmd.entrypoint} ${cmd.args.join(' ')} printed uid:gid`);
}

/** Whether `sh -c true` can be executed in the image: `sh` and `/bin/sh` as entrypoint. */
export async function shellRuns(engine: Engine, image: string, res: Resources): Promise<{ shell?: string; attempts: string[] }> {
  const attempts: string[] = [];
  for (const sh of ['sh', '/bin/sh']) {
    const name = containerName('shell');
    res.containers.add(name);
    const r = await engine.exec(['run', '--rm', '--name', name, '--entrypoint', sh, image, '-c', 'echo shell-ok']);
    res.containers.delete(name);
    if (r.code === 0 && r.stdout.includes('shell-ok')) return { shell: sh, attempts: [...attempts, `${sh}: ran`] };
    const why = `${r.stderr} ${r.stdout}`.trim().split('\n').filter(Boolean).pop() ?? '';
    attempts.push(`${sh}: exit ${r.code}${why ? ` (${why.slice(0, 120)})` : ''}`);
  }
  return { attempts };
}

/** Lists every path in an image's filesystem ({@link imageEntries}). */
export async function listImageFiles(engine: Engine, image: string, res: Resources): Promise<string[]> {
  return (await imageEntries(engine, image, res.containers)).map((e) => e.path);
}

/** Operating system package managers: never in a runtime image, whatever the family. */
export const OS_PACKAGE_MANAGERS: readonly ForbiddenExecutable[] = ['apt', 'apt-get', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'rpm'].map((name) => ({
  name,
  kind: 'package manager',
  pattern: new RegExp(`/s?bin/${name}$`),
}));

/** Paths in a file list that one of `executables` matches. */
export function forbiddenPaths(files: readonly string[], executables: readonly ForbiddenExecutable[]): string[] {
  return files.filter((f) => executables.some((e) => e.pattern.test(f)));
}

/** Paths of package managers in a file list: the operating system's and every family's. */
export function packageManagerPaths(files: readonly string[], profiles: readonly VerifyProfile[]): string[] {
  return forbiddenPaths(files, [...OS_PACKAGE_MANAGERS, ...profiles.flatMap((p) => p.forbiddenExecutables)].filter((e) => e.kind === 'package manager'));
}

/** Shell executables in a file list. */
export function shellPaths(files: readonly string[]): string[] {
  // Anywhere, not only in bin folders: a build step can copy /bin/dash into the build output.
  return files.filter((f) => /\/(sh|bash|dash|ash|zsh|ksh|mksh|busybox|toybox)$/.test(f));
}

/** Regular files with the setuid or setgid bit: a way back to another user from uid 65532. */
export function setuidPaths(entries: readonly FsEntry[]): string[] {
  const special = (mode: number) => (mode & 0o6000) !== 0; // eslint-disable-line no-bitwise
  return entries.filter((e) => e.type === 'file' && special(e.mode)).map((e) => `${e.path} (${e.mode.toString(8).padStart(4, '0')})`);
}

/** The setuid/setgid check of the runtime image. */
export function setuidCheck(entries: readonly FsEntry[]): CheckResult {
  const found = setuidPaths(entries);
  return { id: 'no-setuid', title: 'no setuid or setgid files in the runtime image', ok: found.length === 0, detail: found.length ? `found ${list(found)}` : `none among ${entries.length} paths` };
}

/**
 * The app's files (everything at or under the workdir, symlinks aside) that uid `uid` could rewrite:
 * owned by it, or with a group or other write bit (the group may be its own, and other is everyone).
 * Paths under `writable` (declared volumes mounted over the image) are the app's to write.
 */
export function appWritableCode(
  entries: readonly FsEntry[], workdir: string, uid: number, writable: readonly string[] = [],
): { path: string; why: string }[] {
  const root = workdir.replace(/\/+$/, '') || '/';
  const under = (p: string, dir: string) => dir === '/' || p === dir || p.startsWith(`${dir}/`);
  const out: { path: string; why: string }[] = [];
  for (const e of entries) {
    if (e.type === 'symlink' || !under(e.path, root) || writable.some((w) => under(e.path, w.replace(/\/+$/, '')))) continue;
    const mode = e.mode.toString(8).padStart(4, '0');
    if (e.uid === uid) out.push({ path: e.path, why: `is owned by ${uid} (mode ${mode})` });
    // eslint-disable-next-line no-bitwise
    else if ((e.mode & 0o022) !== 0) out.push({ path: e.path, why: `is writable by ${(e.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${mode}, owner ${e.uid}:${e.gid})` });
  }
  return out;
}

/** The immutable-code check of the runtime image: the app's files belong to root and are not writable by the app user. */
export function immutableCodeCheck(
  entries: readonly FsEntry[], facts: { readonly workdir: string; readonly uid: number }, writable: readonly string[] = [],
): CheckResult {
  const found = appWritableCode(entries, facts.workdir, facts.uid, writable);
  const title = `the app's files under ${facts.workdir} belong to root and are not writable by uid ${facts.uid}`;
  if (found.length === 0) {
    const n = entries.filter((e) => e.path === facts.workdir || e.path.startsWith(`${facts.workdir.replace(/\/+$/, '')}/`)).length;
    return { id: 'immutable-code', title, ok: true, detail: `none of ${n} paths under ${facts.workdir} is owned by ${facts.uid} or writable by group or other` };
  }
  const first = found[0];
  const more = found.length > 1 ? ` (and ${found.length - 1} more: ${list(found.slice(1).map((f) => f.path))})` : '';
  return {
    id: 'immutable-code',
    title,
    ok: false,
    detail: `the app can rewrite its own code: ${first.path} ${first.why}${more}; outside Kubernetes (docker run, without a read-only root) ` +
      'a compromised process could change what runs: copy the app\'s files with --chown=0:0 and a --chmod without write bits for group and other (e.g. 0555)',
  };
}

const list = (xs: readonly string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

/** What the filesystem of the runtime image shows, as check results: verify's own, then the family's. */
export function fileChecks(files: readonly string[], facts: ProjectFacts): CheckResult[] {
  const results: CheckResult[] = [];
  const forbidden = [...OS_PACKAGE_MANAGERS, ...facts.profile.forbiddenExecutables];
  for (const kind of ['package manager', 'compiler'] as const) {
    const ofKind = forbidden.filter((e) => e.kind === kind);
    if (ofKind.length === 0) continue;
    const found = forbiddenPaths(files, ofKind);
    results.push({
      id: kind === 'package manager' ? 'no-package-manager' : 'no-compiler',
      title: `no ${kind} (${ofKind.map((e) => e.name).join(', ')}) in the runtime image`,
      ok: found.length === 0,
      detail: found.length ? `found ${list(found)}` : `none among ${files.length} paths`,
    });
  }
  const shells = shellPaths(files);
  results.push({ id: 'no-shell-binary', title: 'no shell binary (sh, bash, busybox...) in the runtime image', ok: shells.length === 0, detail: shells.length ? `found ${list(shells)}` : 'none' });
  results.push(...facts.profile.fileChecks(files, facts));
  // .env files shipped inside third-party packages are theirs, not the project's secrets
  const depDirs = dependencyPaths(facts);
  const env = files.filter((f) => /\/\.env(\.[^/]*)?$/.test(f) && !depDirs.some((d) => f.startsWith(`${d}/`)));
  results.push({ id: 'no-env-file', title: 'no .env file in the image', ok: env.length === 0, detail: env.length ? `found ${list(env)}` : 'none' });
  return results;
}

/** Where the family's dependencies are in the runtime image (as its profile tells the size report). */
function dependencyPaths(facts: ProjectFacts): string[] {
  try {
    return facts.profile.needed(facts).sources.filter((s) => s.kind === 'dependencies').map((s) => s.path);
  } catch {
    return [];
  }
}

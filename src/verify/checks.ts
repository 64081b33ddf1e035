/**
 * The checks on built images: it serves, it runs as the non-root user, it has no shell and no
 * package manager, the debug twin has a shell, and its filesystem holds no dev dependencies, no
 * TypeScript sources, no .env and no tests.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { Engine, tail } from './engine';
import { exportImageEntries } from './files';
import { ProjectFacts } from './project';

/** The outcome of one check. */
export interface CheckResult {
  /** Stable identifier, e.g. `no-shell`. */
  readonly id: string;
  /** What was checked, as a sentence. */
  readonly title: string;
  readonly ok: boolean;
  /** What was found (the evidence, or why it failed). */
  readonly detail: string;
}

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
    for (const c of this.containers) await this.engine.exec(['rm', '-f', c]);
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

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
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
    // Node as PID 1 may ignore SIGTERM: remove at once.
    await engine.exec(['rm', '-f', name]);
    res.containers.delete(name);
  }
}

/** The image's configured entrypoint and user. */
export async function imageConfig(engine: Engine, image: string): Promise<{ entrypoint: string[]; user: string }> {
  const out = await engine.must(['image', 'inspect', '--format', '{{json .Config}}', image], { purpose: `inspect ${image}` });
  const c = JSON.parse(out) as { Entrypoint?: string[] | null; User?: string };
  return { entrypoint: c.Entrypoint ?? [], user: c.User ?? '' };
}

/** The uid the image's processes run as: the configured USER, and what Node reports inside. */
export async function checkUid(engine: Engine, image: string, expectedUid: number, res: Resources, label = 'runtime'): Promise<CheckResult & { uid?: number }> {
  const title = `${label} image runs as uid ${expectedUid} (non-root)`;
  const id = label === 'runtime' ? 'uid' : `${label}-uid`;
  const cfg = await imageConfig(engine, image);
  const node = cfg.entrypoint.find((e) => /(^|\/)node$/.test(e)) ?? cfg.entrypoint[0];
  if (!node) return { id, title, ok: false, detail: `the image has no ENTRYPOINT to run Node.js with (USER ${cfg.user || '(none)'})` };
  const name = containerName('uid');
  res.containers.add(name);
  const r = await engine.exec(['run', '--rm', '--name', name, '--entrypoint', node, image, '-e', 'console.log(process.getuid())']);
  res.containers.delete(name);
  const uid = Number(r.stdout.trim().split('\n').pop());
  const ok = r.code === 0 && uid === expectedUid && uid !== 0;
  return { id, title, ok, uid: Number.isNaN(uid) ? undefined : uid, detail: r.code === 0 ? `process.getuid() = ${uid}; image USER ${cfg.user || '(none)'}` : `could not run ${node}:\n${tail(r)}` };
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

/** Lists every path in an image's filesystem (`create`, `export -o`, read the archive). */
export async function listImageFiles(engine: Engine, image: string, res: Resources): Promise<string[]> {
  return (await exportImageEntries(engine, image, res.containers)).map((e) => e.path);
}

/** Package manager executables and packages that must not be in a runtime image. */
export const PACKAGE_MANAGER_NAMES = ['npm', 'npx', 'yarn', 'yarnpkg', 'pnpm', 'pnpx', 'corepack'] as const;

/** Paths of package managers in a file list. */
export function packageManagerPaths(files: readonly string[]): string[] {
  const names = PACKAGE_MANAGER_NAMES.join('|');
  const bin = new RegExp(`/(s?bin)/(${names})$`);
  const pkg = new RegExp(`/node_modules/(${names})/package\\.json$`);
  return files.filter((f) => bin.test(f) || pkg.test(f));
}

/** Shell executables in a file list. */
export function shellPaths(files: readonly string[]): string[] {
  return files.filter((f) => /\/(s?bin|busybox)\/(sh|bash|dash|ash|zsh|busybox)$/.test(f));
}

/** What the filesystem of the runtime image shows, as check results. */
export function fileChecks(files: readonly string[], facts: ProjectFacts): CheckResult[] {
  const wd = facts.workdir.replace(/\/+$/, '') || '';
  const inApp = files.filter((f) => f.startsWith(`${wd}/`));
  const appOwn = inApp.filter((f) => !f.slice(wd.length).includes('/node_modules/') && !f.slice(wd.length).startsWith('/node_modules'));
  const results: CheckResult[] = [];
  const list = (xs: string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

  const pms = packageManagerPaths(files);
  results.push({ id: 'no-package-manager', title: `no package manager (${PACKAGE_MANAGER_NAMES.join(', ')}) in the runtime image`, ok: pms.length === 0, detail: pms.length ? `found ${list(pms)}` : `none among ${files.length} paths` });
  const shells = shellPaths(files);
  results.push({ id: 'no-shell-binary', title: 'no shell binary (sh, bash, busybox...) in the runtime image', ok: shells.length === 0, detail: shells.length ? `found ${list(shells)}` : 'none' });

  const nm = `${wd}/node_modules`;
  const present = facts.devDependencies.filter((name) => {
    const flat = name.replace('/', '+');
    return inApp.some((f) => f === `${nm}/${name}` || f.startsWith(`${nm}/${name}/`) || f.startsWith(`${nm}/.pnpm/${flat}@`));
  });
  results.push({
    id: 'no-dev-dependencies',
    title: `no devDependencies in ${nm}`,
    ok: present.length === 0,
    detail: present.length ? `found ${list(present)}` : `none of ${facts.devDependencies.length} (${list(facts.devDependencies)})`,
  });

  if (facts.hasBuild) {
    const ts = appOwn.filter((f) => /\.(ts|mts|cts|tsx)$/.test(f) && !/\.d\.(ts|mts|cts)$/.test(f));
    results.push({ id: 'no-typescript-sources', title: `no TypeScript sources in ${wd} (outside node_modules)`, ok: ts.length === 0, detail: ts.length ? `found ${list(ts)}` : 'none' });
  }
  const env = files.filter((f) => /\/\.env(\.[^/]*)?$/.test(f) && !f.includes('/node_modules/'));
  results.push({ id: 'no-env-file', title: 'no .env file in the image', ok: env.length === 0, detail: env.length ? `found ${list(env)}` : 'none' });
  const tests = appOwn.filter((f) => /\/(test|tests|__tests__)(\/|$)/.test(f.slice(wd.length)) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f));
  results.push({ id: 'no-tests', title: `no test folders or test files in ${wd}`, ok: tests.length === 0, detail: tests.length ? `found ${list(tests)}` : 'none' });
  return results;
}

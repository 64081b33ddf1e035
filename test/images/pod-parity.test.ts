/**
 * verify's pod-parity run on real containers: the runtime image run with the Deployment's settings
 * (uid, read-only root with a tmpfs /tmp, no capabilities, no-new-privileges, the memory limit, the
 * Deployment's env), its probes, SIGTERM against the grace period and Node's heap limit against the
 * memory limit. One well-behaved app passes; four negative controls each fail with their message:
 * an app that writes under its workdir, one that ignores SIGTERM, one whose heap may outgrow the
 * memory limit, one that listens on another port than the definition's. The app that ignores SIGTERM
 * passes with `runtime.init` (tini as PID 1 forwards the signal, and Node, no longer PID 1, exits on
 * it). The well-behaved app's files are root-owned and not writable by the app user (verify's
 * immutable-code check on the exported image).
 *
 * The projects are the smallest there are: a no-build Node.js app (one index.js, no dependencies),
 * synthesized in-process; they share package.json and the lockfile, so the dependency stage is built
 * once and comes from the cache after that.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { imageBuildSettings, podman } from './helpers';
import { nodeHeapCheck, nodeVerifyProfile } from '../../src/families/node/verify';
import {
  CheckResult, PodParityResult, formatReport, Resources, buildImage, findWriteErrors, imageConfig, immutableCodeCheck, parseQuantity,
  podParityChecks, podRunOptions, portsInLogs, listeningPorts,
  neededContent, readPodSettings, readProject, renderSizeChart, runVerify, sizeReport, verifyProject,
} from '../../src/verify';
import { exportImageEntries } from '../../src/verify/files';
import { removeTempDirs, synth, tempDir } from '../util';

const NAME = 'pod-parity-app';
const REPO = `localhost/msb-test/pod-parity-${process.pid}`;
const engine = () => podman();

/** A server on PORT that answers /healthz; `sigterm` closes it and exits. */
const server = (opts: { port?: string; sigterm: boolean; before?: string }) => `
const http = require('node:http');
${opts.before ?? ''}
const port = ${opts.port ?? 'Number(process.env.PORT || 8080)'};
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok' : 'not found');
});
server.listen(port, () => console.log('listening on port ' + port));
${opts.sigterm ? "process.on('SIGTERM', () => { console.log('SIGTERM: closing'); server.close(() => process.exit(0)); });" : ''}
`;

const APPS = {
  // writes a marker under /tmp (the tmpfs), handles SIGTERM, heap well below the limit
  good: {
    index: server({ sigterm: true, before: "require('node:fs').writeFileSync('/tmp/started', String(Date.now()));" }),
    env: { NODE_OPTIONS: '--max-old-space-size=192' },
  },
  writesWorkdir: {
    index: server({ sigterm: true, before: "require('node:fs').mkdirSync(require('node:path').join(__dirname, 'logs'), { recursive: true });" }),
    env: { NODE_OPTIONS: '--max-old-space-size=192' },
  },
  // a plain server: as PID 1 without a handler, SIGTERM is ignored
  ignoresSigterm: { index: server({ sigterm: false }), env: { NODE_OPTIONS: '--max-old-space-size=192' } },
  // the same server under tini (runtime.init): the signal reaches Node, which is not PID 1 and exits
  ignoresSigtermInit: { index: server({ sigterm: false }), env: { NODE_OPTIONS: '--max-old-space-size=192' }, init: true },
  // the definition refuses a heap above 90% of the limit: the Deployment is edited after synthesis (see project())
  bigHeap: { index: server({ sigterm: true }), env: { NODE_OPTIONS: '--max-old-space-size=512' } },
  otherPort: { index: server({ port: '3000', sigterm: true }), env: { NODE_OPTIONS: '--max-old-space-size=192' } },
} as const;
type App = keyof typeof APPS;
const tag = (a: App) => `${REPO}:${a.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const dirs = {} as Record<App, string>;
const results: Partial<Record<App, PodParityResult>> = {};

function project(app: App): string {
  const dir = tempDir('msb-pod-parity-');
  const pkg = { name: NAME, version: '1.0.0' };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ ...pkg, lockfileVersion: 3, requires: true, packages: { '': pkg } }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'index.js'), APPS[app].index);
  const init = 'init' in APPS[app] && APPS[app].init === true;
  const env: Record<string, string> = { ...APPS[app].env };
  // A heap the definition would refuse (validation) is the Deployment's hand edit, as a user's kubectl patch would be.
  const refused = app === 'bigHeap' ? env.NODE_OPTIONS : undefined;
  if (refused) env.NODE_OPTIONS = '--max-old-space-size=192';
  synth({ build: false, kubernetes: { env }, ...(init ? { runtime: { family: 'node', init: true } } : {}) }, { dir, name: NAME });
  if (refused) {
    const file = path.join(dir, 'k8s/base/deployment.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const next = text.replace('--max-old-space-size=192', refused);
    expect(next).not.toBe(text);
    fs.writeFileSync(file, next);
  }
  return dir;
}

/** Sets a field of the pod template's spec in the generated Deployment (the pod's settings are read from there). */
function setPodSpec(dir: string, key: string, value: string | number): void {
  const file = path.join(dir, 'k8s/base/deployment.yaml');
  const deployment = parse(fs.readFileSync(file, 'utf8'));
  expect(deployment.spec.template.spec).toBeDefined();
  deployment.spec.template.spec[key] = value;
  fs.writeFileSync(file, stringify(deployment));
}

const started = Date.now();
beforeAll(async () => {
  for (const app of Object.keys(APPS) as App[]) {
    dirs[app] = project(app);
    const t = Date.now();
    await buildImage(engine(), { context: dirs[app], dockerfile: path.join(dirs[app], 'Dockerfile'), tag: tag(app) }, imageBuildSettings());
    console.log(`built ${tag(app)} in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  }
});

afterAll(async () => {
  await engine().exec(['rmi', '-f', ...(Object.keys(APPS) as App[]).map(tag)]);
  removeTempDirs();
  console.log(`pod-parity tests: ${((Date.now() - started) / 1000).toFixed(1)}s in all`);
});

type Settings = ReturnType<typeof readPodSettings>;

async function run(app: App, settings?: (s: Settings) => Settings): Promise<PodParityResult & { byId: Record<string, CheckResult> }> {
  const facts = await readProject(dirs[app]);
  const res = new Resources(engine());
  const t = Date.now();
  try {
    const s = readPodSettings(dirs[app], facts);
    const r = await podParityChecks(engine(), tag(app), facts, res, { settings: settings ? settings(s) : s });
    console.log(`${app} (${((Date.now() - t) / 1000).toFixed(1)}s):\n${r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.id}: ${c.title}\n       ${c.detail}`).join('\n')}`);
    results[app] = r;
    return { ...r, byId: Object.fromEntries(r.checks.map((c) => [c.id, c])) };
  } finally {
    await res.cleanup();
  }
}

describe('reading quantities and the app\'s output', () => {
  it('converts Kubernetes quantities to bytes', () => {
    expect(parseQuantity('256Mi')).toBe(268435456);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('500M')).toBe(500e6);
    expect(parseQuantity('128974848')).toBe(128974848);
    expect(parseQuantity('129e6')).toBe(129e6);
    expect(parseQuantity(1024)).toBe(1024);
    for (const bad of ['', 'Mi', '256MB', '-1Gi', '1 Gi x']) expect(parseQuantity(bad), bad).toBeUndefined();
  });

  it('finds the paths the app failed to write outside its volumes', () => {
    const logs = [
      "Error: EROFS: read-only file system, open '/app/logs/app.log'",
      "Error: ENOENT: no such file or directory, mkdir '/app/cache'",
      "Error: EACCES: permission denied, open '/tmp/x'",
      "OSError: [Errno 30] Read-only file system: '/srv/data.db'",
      "Error: ENOENT: no such file or directory, open '/app/config.json'",
    ].join('\n');
    expect(findWriteErrors(logs, ['/tmp'])).toEqual([
      { path: '/app/logs/app.log', code: 'EROFS' },
      { path: '/app/cache', code: 'EROFS' },
      { path: '/srv/data.db', code: 'EROFS' },
    ]);
    expect(portsInLogs('Server listening on http://0.0.0.0:3000\nready on port 8080', 8080)).toEqual([3000]);
    const proc = tempDir('msb-pod-parity-proc-');
    fs.mkdirSync(path.join(proc, '42', 'net'), { recursive: true });
    fs.writeFileSync(path.join(proc, '42', 'net', 'tcp'), [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 1 1 0 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000 65532        0 2 1 0 20 4 30 10 -1',
    ].join('\n'));
    expect(listeningPorts(42, proc)).toEqual([3000]);
    expect(listeningPorts(43, proc)).toBeUndefined();
  });
});

describe('the pod settings come from the Deployment', () => {
  it('reads uid, read-only root, the /tmp emptyDir, capabilities, memory limit, env and probes', async () => {
    const s = readPodSettings(dirs.good, await readProject(dirs.good));
    expect(s).toMatchObject({
      uid: 65532,
      gid: 65532,
      readOnlyRootFilesystem: true,
      dropAll: true,
      noNewPrivileges: true,
      tmpfs: [{ path: '/tmp', bytes: 64 * 2 ** 20 }],
      memory: '256Mi',
      memoryBytes: 256 * 2 ** 20,
      env: { NODE_OPTIONS: '--max-old-space-size=192' },
      ports: [8080],
      readiness: { kind: 'http', path: '/healthz', port: 8080 },
      liveness: { kind: 'http', path: '/healthz', port: 8080 },
      startupBudgetS: 60,
      graceS: 30,
      preStopSleepS: 5,
    });
    expect(podRunOptions(s)).toEqual([
      '--user', '65532:65532', '--read-only', '--read-only-tmpfs=false', '--tmpfs', `/tmp:rw,size=${64 * 2 ** 20},mode=1777`,
      '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--memory', `${256 * 2 ** 20}b`, '--memory-swap', `${256 * 2 ** 20}b`,
      '--env', 'NODE_OPTIONS=--max-old-space-size=192',
    ]);
    expect(podRunOptions(s, undefined, 'docker').slice(2, 4)).toEqual(['--read-only', '--tmpfs']);
  });
});

describe('env the Deployment takes from ConfigMaps and Secrets', () => {
  it('is listed as not checked, or read from --env-file', async () => {
    const dir = project('good');
    const file = path.join(dir, 'k8s/base/deployment.yaml');
    const deployment = parse(fs.readFileSync(file, 'utf8'));
    const container = deployment.spec.template.spec.containers[0];
    container.env.push({ name: 'MODE', value: 'pod' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    container.envFrom = [{ configMapRef: { name: 'app-config' } }];
    fs.writeFileSync(file, stringify(deployment));
    const s = readPodSettings(dir, await readProject(dir));
    expect(s.env).toEqual({ NODE_OPTIONS: '--max-old-space-size=192', MODE: 'pod' });
    expect(s.unresolvedEnv).toEqual(['DB_PASSWORD (valueFrom)', 'envFrom ConfigMap app-config']);
    expect(podRunOptions(s, '/x/local.env').slice(-6)).toEqual(['--env-file', '/x/local.env', '--env', 'NODE_OPTIONS=--max-old-space-size=192', '--env', 'MODE=pod']);
    const res = new Resources(engine());
    const without = await podParityChecks(engine(), tag('good'), await readProject(dir), res);
    expect(without.notChecked).toEqual([{
      id: 'pod-env',
      title: 'env values from ConfigMaps and Secrets',
      reason: 'not checked: DB_PASSWORD (valueFrom), envFrom ConfigMap app-config cannot be resolved outside the cluster; pass --env-file <file> to run with local values',
    }]);
    const envFile = path.join(dir, 'local.env');
    fs.writeFileSync(envFile, 'DB_PASSWORD=local\n');
    const withFile = await podParityChecks(engine(), tag('good'), await readProject(dir), res, { envFile });
    await res.cleanup();
    expect(withFile.notChecked).toEqual([]);
    for (const c of withFile.checks) expect(c.ok, `${c.id}: ${c.detail}`).toBe(true);
  });

  it('--env-file must exist (checked before anything is built)', async () => {
    let err = '';
    const code = await runVerify(['--no-pod-parity', '--env-file', 'no-such.env', dirs.good], { cwd: dirs.good, stdout: { write: () => true } as any, stderr: { write: (t: string) => ((err += t), true) } as any });
    expect(code).toBe(2);
    expect(err).toContain('Env file no-such.env does not exist.');
  });
});

describe('pod-parity run', () => {
  it('passes a well-behaved app and reports its shutdown time', async () => {
    const r = await run('good');
    for (const c of r.checks) expect(c.ok, `${c.id}: ${c.detail}`).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual(['pod-read-only', 'pod-port', 'pod-readiness', 'pod-liveness', 'pod-sigterm', 'pod-heap']);
    expect(r.shutdownS).toBeDefined();
    expect(r.shutdownS!).toBeLessThan(30);
    expect(r.byId['pod-sigterm'].detail).toMatch(/^shutdown time \d+\.\d+s after SIGTERM \(exit code 0\)$/);
    expect(r.byId['pod-readiness'].detail).toBe('GET /healthz on port 8080 -> 200');
    expect(r.byId['pod-heap'].detail).toMatch(/^heap limit 19\d MiB, memory limit 256 MiB$/);
    expect(r.notChecked).toEqual([]);
  });

  it('fails an app that writes under its workdir: the root filesystem is read-only', async () => {
    const r = await run('writesWorkdir');
    expect(r.byId['pod-read-only'].ok).toBe(false);
    expect(r.byId['pod-read-only'].detail).toMatch(/^the app wrote to \/app\/logs: the pod's root filesystem is read-only; write under \/tmp or declare a volume \[EROFS, the app exited with code 1\]$/);
    expect(r.byId['pod-port'].ok).toBe(false);
    expect(r.byId['pod-sigterm']).toMatchObject({ ok: false, detail: 'not checked: the app had already exited (code 1)' });
  });

  it('fails an app that ignores SIGTERM within the grace period (read from the Deployment)', async () => {
    // 8 s of grace minus the 5 s preStop sleep: 3 s to exit
    setPodSpec(dirs.ignoresSigterm, 'terminationGracePeriodSeconds', 8);
    const r = await run('ignoresSigterm');
    expect(r.settings.graceS).toBe(8);
    expect(r.byId['pod-readiness'].ok).toBe(true);
    expect(r.byId['pod-sigterm'].title).toBe('the app exits within 3s of SIGTERM (terminationGracePeriodSeconds 8 - preStop sleep 5s)');
    expect(r.byId['pod-sigterm'].ok).toBe(false);
    expect(r.byId['pod-sigterm'].detail).toMatch(/^the app did not exit within 3s of SIGTERM: as PID 1 it must handle SIGTERM \(process\.on\('SIGTERM'/);
    expect(r.shutdownS).toBeUndefined();
  });

  it('passes the same app with runtime.init: tini as PID 1 forwards SIGTERM', async () => {
    expect(fs.readFileSync(path.join(dirs.ignoresSigtermInit, 'Dockerfile'), 'utf8')).toContain('ENTRYPOINT ["/tini","--","/nodejs/bin/node"]');
    const cfg = await imageConfig(engine(), tag('ignoresSigtermInit'));
    expect(cfg.entrypoint).toEqual(['/tini', '--', '/nodejs/bin/node']);
    setPodSpec(dirs.ignoresSigtermInit, 'terminationGracePeriodSeconds', 8);
    const r = await run('ignoresSigtermInit');
    for (const c of r.checks) expect(c.ok, `${c.id}: ${c.detail}`).toBe(true);
    expect(r.byId['pod-sigterm'].title).toBe('the app exits within 3s of SIGTERM (terminationGracePeriodSeconds 8 - preStop sleep 5s)');
    // Node exits on the forwarded SIGTERM (no handler: killed by the signal, 128 + 15); tini passes the code on
    expect(r.byId['pod-sigterm'].detail).toMatch(/^shutdown time \d+\.\d+s after SIGTERM \(exit code 143\)$/);
    expect(r.shutdownS!).toBeLessThan(3);
    // the heap check finds node behind tini
    expect(r.byId['pod-heap'].detail).toMatch(/^heap limit 19\d MiB, memory limit 256 MiB$/);
  });

  it('the well-behaved app cannot rewrite its own code: its files are root-owned without write bits for the app user', async () => {
    const res = new Resources(engine());
    const entries = await exportImageEntries(engine(), tag('good'), res.containers);
    await res.cleanup();
    const facts = await readProject(dirs.good);
    const app = entries.filter((e) => e.path === '/app' || e.path.startsWith('/app/'));
    console.log(`/app in the image: ${app.map((e) => `${e.path} ${e.uid}:${e.gid} ${e.mode.toString(8)}`).join(', ')}`);
    expect(app.map((e) => e.path)).toEqual(expect.arrayContaining(['/app', '/app/index.js', '/app/package.json', '/app/node_modules']));
    const check = immutableCodeCheck(entries, facts);
    expect(check.ok, check.detail).toBe(true);
    // the control: the same entries as a --chown=65532:65532 copy would leave them
    const chowned = entries.map((e) => (e.path === '/app/index.js' ? { ...e, uid: 65532, gid: 65532 } : e));
    expect(immutableCodeCheck(chowned, facts).detail).toMatch(/^the app can rewrite its own code: \/app\/index\.js is owned by 65532 \(mode 0555\);/);
  });

  it('fails an app whose heap may grow beyond the memory limit', async () => {
    const r = await run('bigHeap');
    expect(r.byId['pod-heap'].ok).toBe(false);
    expect(r.byId['pod-heap'].detail).toMatch(/^Node's heap may grow to 51\d MiB but the container's memory limit is 256 MiB: set NODE_OPTIONS=--max-old-space-size=192 /);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['pod-heap']);
  });

  it('without NODE_OPTIONS, Node sizes its heap at or above a 256 MiB limit (the reason for the check)', async () => {
    const res = new Resources(engine());
    const s = readPodSettings(dirs.good, await readProject(dirs.good));
    const opts = podRunOptions({ ...s, env: {} });
    const cfg = await imageConfig(engine(), tag('good'));
    const check = await nodeHeapCheck({
      settings: { memoryBytes: s.memoryBytes, memory: s.memory, env: {} },
      entrypoint: cfg.entrypoint,
      run: (entrypoint, args) => engine().exec(['run', '--rm', ...opts, '--entrypoint', entrypoint, tag('good'), ...args]),
    });
    await res.cleanup();
    console.log(`default heap with a 256Mi limit: ${check.detail}`);
    expect(check.ok, check.detail).toBe(false);
    expect(nodeVerifyProfile.podChecks).toBeDefined();
  });

  it('fails an app that listens on another port than the definition\'s, naming that port', async () => {
    const r = await run('otherPort', (s) => ({ ...s, startupBudgetS: 8, startupFrom: 'shortened for the test' }));
    expect(r.byId['pod-port'].ok).toBe(false);
    expect(r.byId['pod-port'].detail).toMatch(/^nothing answers on port 8080 within 8s but the container is running: it listens on port 3000; listen on the PORT env \(8080\) or set the definition's port to 3000$/);
    expect(r.byId['pod-readiness'].ok).toBe(false);
    // the container was running: SIGTERM still checked
    expect(r.byId['pod-sigterm'].ok).toBe(true);
  });

  it('runs as part of verify (default on) and lands in the report files; --no-pod-parity turns it off', async () => {
    const t = Date.now();
    const opts = { dir: dirs.good, engine: engine(), ...imageBuildSettings(), singleStage: false, rebuildCheck: false, imageRepository: `${REPO}-whole` };
    const report = await verifyProject(opts);
    console.log(`verify with pod parity: ${((Date.now() - t) / 1000).toFixed(1)}s`);
    const ids = report.checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['pod-read-only', 'pod-port', 'pod-readiness', 'pod-liveness', 'pod-sigterm', 'pod-heap']));
    for (const c of report.checks.filter((x) => x.id.startsWith('pod-'))) expect(c.ok, `${c.id}: ${c.detail}`).toBe(true);
    const json = JSON.parse(fs.readFileSync(report.reportFiles!.json, 'utf8'));
    expect(json.checks.find((c: CheckResult) => c.id === 'pod-sigterm').detail).toMatch(/^shutdown time /);
    expect(fs.readFileSync(report.reportFiles!.svg, 'utf8')).toContain("Node's heap limit is below");
    expect(formatReport(report).join('\n')).toMatch(/✔ the app exits within 25s of SIGTERM \(terminationGracePeriodSeconds 30 - preStop sleep 5s\)\n {6}shutdown time \d+\.\ds after SIGTERM/);
    const off = await verifyProject({ ...opts, podParity: false, reportDir: false });
    expect(off.checks.filter((c) => c.id.startsWith('pod-'))).toEqual([]);
  });

  it('lists the results in the report\'s SVG, a failure with its message', () => {
    const needed = neededContent([{ path: '/app/index.js', kind: 'app', src: 'index.js', bytes: 1000 }]);
    const layers = { image: 'img', total: 2e6, base: 1e6, dependencies: 0, app: 1000, other: 0 };
    const content = { image: 'runtime', baseImage: 'base', fileBytes: 1e6 + 1000, baseFileBytes: 1e6 };
    const sizes = sizeReport(needed, { content, layers }, { content, layers });
    const svg = renderSizeChart(sizes, 'pod', [...results.good!.checks, ...results.ignoresSigterm!.checks.filter((c) => !c.ok), { title: 'env values from ConfigMaps and Secrets', detail: 'not checked' }]);
    expect(svg).toContain('the app exits within 25s of SIGTERM (terminationGracePeriodSeconds 30 - preStop sleep 5s)');
    expect(svg).toMatch(/<tspan fill="#b91c1c">✖<\/tspan> the app exits within 3s of SIGTERM/);
    expect(svg).toContain('the app did not exit within 3s of SIGTERM: as PID 1 it must handle SIGTERM');
    expect(svg).toMatch(/<tspan fill="#6b7280">–<\/tspan> env values from ConfigMaps and Secrets/);
    expect(svg.match(/✔/g)).toHaveLength(6);
  });
});

/**
 * verify's uid check on real containers: the image runs as it will run (its own ENTRYPOINT and CMD)
 * and the uid and gid of its main process are read from the host's /proc; where /proc is not the
 * engine's, the family's interpreter prints them, and a family without one (a static binary) says so.
 * Tiny images built from the stand-ins: Node.js and static, each as nonroot and as root. Then the
 * whole of verify on a static-binary project (the Go fixture), whose rebuild and single-stage parts
 * do not apply.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podman } from './helpers';
import { nodeVerifyProfile } from '../../src/families/node/verify';
import { Resources, buildImage, checkUid, formatReport, verifyProject } from '../../src/verify';

const NODE = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const STATIC = 'gcr.io/distroless/static-debian13:nonroot';
const REPO = `localhost/msb-test/verify-uid-${process.pid}`;
const IMAGES = {
  nodeNonroot: [`FROM ${NODE}`, 'CMD ["-e", "setInterval(() => {}, 1000)"]'],
  nodeRoot: [`FROM ${NODE}`, 'USER 0:0', 'CMD ["-e", "setInterval(() => {}, 1000)"]'],
  // busybox-static stands in for a prebuilt static binary (no libc needed)
  staticNonroot: [`FROM ${STATIC}`, 'COPY --chown=65532:65532 busybox /app/busybox', 'USER 65532:65532', 'ENTRYPOINT ["/app/busybox", "sleep", "300"]'],
  staticRoot: [`FROM ${STATIC}`, 'COPY busybox /app/busybox', 'USER 0:0', 'ENTRYPOINT ["/app/busybox", "sleep", "300"]'],
} as const;
type Name = keyof typeof IMAGES;
const tag = (n: Name) => `${REPO}:${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const expected = { uid: 65532, gid: 65532 };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-verify-uid-'));
const engine = () => podman();

beforeAll(async () => {
  fs.copyFileSync('/bin/busybox', path.join(tmp, 'busybox'));
  for (const [name, lines] of Object.entries(IMAGES) as [Name, readonly string[]][]) {
    const dockerfile = path.join(tmp, `Dockerfile.${name}`);
    fs.writeFileSync(dockerfile, `${lines.join('\n')}\n`);
    await buildImage(engine(), { context: tmp, dockerfile, tag: tag(name) }, { pull: 'never' });
  }
});

afterAll(async () => {
  await engine().exec(['rmi', '-f', ...(Object.keys(IMAGES) as Name[]).map(tag)]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('uid of the main process, read from /proc', () => {
  it('passes on a Node.js image running as 65532 and fails on one running as root', async () => {
    const res = new Resources(engine());
    const ok = await checkUid(engine(), tag('nodeNonroot'), expected, res, { interpreter: nodeVerifyProfile.interpreterUid });
    expect(ok, ok.detail).toMatchObject({ id: 'uid', ok: true, uid: 65532, gid: 65532, method: 'proc' });
    expect(ok.detail).toMatch(/\/proc\/\d+\/status Uid 65532 65532 65532 65532, Gid 65532 65532 65532 65532/);
    const root = await checkUid(engine(), tag('nodeRoot'), expected, res, { interpreter: nodeVerifyProfile.interpreterUid, label: 'debug' });
    expect(root, root.detail).toMatchObject({ id: 'debug-uid', ok: false, uid: 0, gid: 0, method: 'proc' });
    expect(root.detail).toContain('the process runs as root');
    await res.cleanup();
  });

  it('needs no interpreter: a static binary as 65532 passes, as root fails', async () => {
    const res = new Resources(engine());
    const ok = await checkUid(engine(), tag('staticNonroot'), expected, res);
    expect(ok, ok.detail).toMatchObject({ ok: true, uid: 65532, gid: 65532, method: 'proc' });
    const root = await checkUid(engine(), tag('staticRoot'), expected, res);
    expect(root, root.detail).toMatchObject({ ok: false, uid: 0, method: 'proc' });
    await res.cleanup();
  });
});

describe('where /proc is not the engine\'s', () => {
  const elsewhere = { procRoot: path.join(tmp, 'no-proc-here') };

  it('falls back to the family\'s interpreter, which sees root too', async () => {
    const res = new Resources(engine());
    const ok = await checkUid(engine(), tag('nodeNonroot'), expected, res, { ...elsewhere, interpreter: nodeVerifyProfile.interpreterUid });
    expect(ok, ok.detail).toMatchObject({ ok: true, uid: 65532, gid: 65532, method: 'interpreter' });
    expect(ok.detail).toContain('cannot be read here');
    const root = await checkUid(engine(), tag('nodeRoot'), expected, res, { ...elsewhere, interpreter: nodeVerifyProfile.interpreterUid });
    expect(root, root.detail).toMatchObject({ ok: false, uid: 0, method: 'interpreter' });
    await res.cleanup();
  });

  it('fails, saying why, when the family has no interpreter', async () => {
    const res = new Resources(engine());
    const r = await checkUid(engine(), tag('staticNonroot'), expected, res, elsewhere);
    expect(r.ok).toBe(false);
    expect(r.uid).toBeUndefined();
    expect(r.detail).toMatch(/cannot be read here.*no interpreter to print its uid with/s);
    await res.cleanup();
  });
});

describe('verify on a static-binary project', () => {
  it('checks it like any other family and says which parts do not apply', async () => {
    const dir = path.join(tmp, 'edge-proxy');
    fs.mkdirSync(path.join(dir, '.projen'), { recursive: true });
    const go = spawnSync('go', ['build', '-o', path.join(dir, 'server'), '.'], {
      cwd: path.join(__dirname, 'fixtures', 'static-server'), env: { ...process.env, CGO_ENABLED: '0' }, encoding: 'utf8',
    });
    expect(go.status, go.stderr).toBe(0);
    const model = {
      family: 'static',
      name: 'edge-proxy',
      workdir: '/app',
      port: 8080,
      uid: 65532,
      gid: 65532,
      healthPath: '/healthz',
      entrypoint: ['/app/server'],
      cmd: [],
      images: { runtime: STATIC, debug: STATIC.replace(':nonroot', ':debug-nonroot') },
      hasBuild: false,
      stages: { runtime: 'runtime' },
      env: {},
    };
    fs.writeFileSync(path.join(dir, '.projen', 'msb.json'), JSON.stringify({ generator: 'test', files: {}, templates: {}, model: { verify: model } }));
    const dockerfile = (base: string) => [`FROM ${base} AS runtime`, 'WORKDIR /app', 'COPY --chown=0:0 --chmod=0555 server ./', 'USER 65532:65532', 'EXPOSE 8080', 'ENTRYPOINT ["/app/server"]', ''].join('\n');
    fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile(model.images.runtime));
    fs.writeFileSync(path.join(dir, 'Dockerfile.debug'), dockerfile(model.images.debug));
    fs.writeFileSync(path.join(dir, '.dockerignore'), '*\n!server\n');

    const report = await verifyProject({ dir, engine: engine(), pull: 'never', reportDir: false, imageRepository: `${REPO}-static`, podParity: false });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    for (const c of report.checks) expect(c.ok, `${c.id}: ${c.detail}`).toBe(true);
    expect(Object.keys(byId).sort()).toEqual([
      'binary-present', 'debug-shell', 'debug-uid', 'immutable-code', 'no-compiler', 'no-env-file', 'no-libc', 'no-package-manager', 'no-setuid', 'no-shell', 'no-shell-binary', 'serves', 'uid',
    ]);
    expect(byId.serves.detail).toContain('/healthz -> 200');
    expect(byId.uid.detail).toContain('/status Uid 65532 65532 65532 65532');
    expect(report.notApplicable.map((n) => n.id)).toEqual(['install-cached', 'single-stage']);
    expect(report.images.singleStage).toBeUndefined();
    expect(report.images.rebuild).toBeUndefined();
    expect(report.sizes.singleStage).toBeUndefined();
    // what the image needs is the binary, measured in the build context; the image holds it and nothing else
    expect(report.sizes.needed.items).toEqual([{ path: '/app/server', kind: 'app', stage: undefined, src: 'server', bytes: fs.statSync(path.join(dir, 'server')).size }]);
    expect(report.sizes.runtime.missing).toBe(0);
    expect(report.sizes.runtime.waste).toBeLessThan(10_000);
    const lines = formatReport(report, dir);
    expect(lines).toContain('  - the single-stage equivalent (size report): not applicable');
    expect(lines[lines.length - 1]).toBe(`All ${report.checks.length} checks passed (2 not applicable to the static family).`);
    expect((await engine().exec(['image', 'exists', report.images.runtime])).code, 'images are removed').not.toBe(0);
  });
});

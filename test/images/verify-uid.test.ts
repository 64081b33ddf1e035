/**
 * verify's uid check on real containers: the image runs as it will run (its own ENTRYPOINT and CMD)
 * and the uid and gid of its main process are read from the host's /proc; where /proc is not the
 * engine's, the family's interpreter prints them, and a family without one (a static binary) says so.
 * Tiny images built from the stand-ins: Node.js and static, each as nonroot and as root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podman } from './helpers';
import { nodeVerifyProfile } from '../../src/families/node/verify';
import { Resources, buildImage, checkUid } from '../../src/verify';

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

/**
 * With a lock, the images build from the pinned digests: the stand-in base images are pushed to a
 * registry on loopback (the builder as a two-arch index: the stand-in plus a one-file arm64 image),
 * `create-msb-app lock` runs with `baseImages.mirror` pointing at it, and podman builds both
 * Dockerfiles pulling every `FROM <mirror>/...:<tag>@sha256:...` from that registry (--pull=always,
 * --tls-verify=false for this loopback registry only); the runtime image serves, the debug image
 * has its shell. The builds run on a layer store of their own (podmanOnNewStore), so the pulls and
 * the images land there and go with its folder: removing a pulled `<registry>/<path>@<digest>` from
 * the shared store would remove the stand-in it names, not just the name (podman 4.3).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_BUNDLE, podman } from './helpers';
import { type Registry, buildTiny, freePort, lockProject, push, pushList, startRegistry } from './registry';
import { type Engine, podmanOnNewStore } from '../../src/verify';
import { runBin } from '../integration/helpers';

const STANDINS = {
  builder: 'docker.io/library/node:26-trixie',
  runtime: 'gcr.io/distroless/nodejs26-debian13:nonroot',
  debug: 'gcr.io/distroless/nodejs26-debian13:debug-nonroot',
};

describe('images built from a lock through a loopback registry', () => {
  const engine = podman();
  const repo = `localhost/msb-lock-build-${randomBytes(3).toString('hex')}`;
  const container = `msb-lock-build-${randomBytes(3).toString('hex')}`;
  let registry: Registry;
  let dir: string;
  let home: string;
  let lock: Record<string, { digest: string }>;
  /** The engine of the builds and runs: a layer store of its own under `store`. */
  let builder: Engine;
  let store: string;
  const built: Record<'runtime' | 'debug', { output: string }> = { runtime: { output: '' }, debug: { output: '' } };
  const mirrored = (image: string) => `${registry.host}/${image.split('/').slice(1).join('/')}`;
  /** The name a pull of the pinned reference gives the image: `<registry>/<path>@<digest>`. */
  const pulledName = (image: string) => `${mirrored(image).replace(/:[^:/]+$/, '')}@${lock[mirrored(image)].digest}`;

  beforeAll(async () => {
    for (const image of Object.values(STANDINS)) {
      if ((await engine.exec(['image', 'exists', image])).code !== 0) throw new Error(`stand-in ${image} is missing: the global setup builds it (scripts/containers/build-standins.sh 26)`);
    }
    registry = await startRegistry();
    await buildTiny(engine, `${repo}/arm64:1`, 'arm64', `arm64 ${repo}`);
    await pushList(engine, `${repo}/builder-list:1`, [STANDINS.builder, `${repo}/arm64:1`], mirrored(STANDINS.builder));
    await push(engine, STANDINS.runtime, mirrored(STANDINS.runtime));
    await push(engine, STANDINS.debug, mirrored(STANDINS.debug));
    dir = lockProject(registry.host);
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-lock-store-'));
    builder = await podmanOnNewStore(engine, store);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-lock-home-'));
    const r = await runBin(['lock'], dir, { HOME: home, REGISTRY_AUTH_FILE: '', XDG_RUNTIME_DIR: '', DOCKER_CONFIG: '' });
    if (r.status !== 0) throw new Error(`create-msb-app lock failed:\n${r.stdout}\n${r.stderr}`);
    lock = JSON.parse(fs.readFileSync(path.join(dir, 'msb.lock.json'), 'utf8')).images;
    for (const kind of ['runtime', 'debug'] as const) {
      const file = kind === 'runtime' ? 'Dockerfile' : 'Dockerfile.debug';
      const b = await builder.exec(['build', '--pull=always', '--tls-verify=false', '--secret', `id=ca_cert,src=${CA_BUNDLE}`, '-f', file, '-t', `${repo}/app:${kind}`, '.'], { cwd: dir });
      if (b.code !== 0) throw new Error(`podman build -f ${file} failed:\n${b.stdout.slice(-3000)}\n${b.stderr.slice(-3000)}`);
      built[kind].output = `${b.stdout}\n${b.stderr}`;
    }
  });

  afterAll(async () => {
    await builder?.removeContainer(container);
    await engine.exec(['manifest', 'rm', `${repo}/builder-list:1`]);
    await engine.exec(['rmi', `${repo}/arm64:1`]);
    await registry?.stop();
    for (const d of [dir, home, store]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('pins builder, runtime and debug in both Dockerfiles; the builder to the two-arch index', () => {
    const pinned = (image: string) => `${mirrored(image)}@${lock[mirrored(image)].digest}`;
    const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    const debug = fs.readFileSync(path.join(dir, 'Dockerfile.debug'), 'utf8');
    expect(dockerfile).toContain(`\nFROM ${pinned(STANDINS.builder)} AS base\n`);
    expect(dockerfile).toContain(`\nFROM ${pinned(STANDINS.runtime)} AS runtime\n`);
    expect(debug).toContain(`\nFROM ${pinned(STANDINS.builder)} AS base\n`);
    expect(debug).toContain(`\nFROM ${pinned(STANDINS.debug)} AS runtime\n`);
    expect(lock[mirrored(STANDINS.builder)]).toMatchObject({ mediaType: 'application/vnd.oci.image.index.v1+json' });
  });

  it('builds both Dockerfiles, pulling each pinned digest from the loopback registry', () => {
    const pulled = (image: string) => `Trying to pull ${pulledName(image)}...`;
    expect(built.runtime.output).toContain(pulled(STANDINS.builder));
    expect(built.runtime.output).toContain(pulled(STANDINS.runtime));
    expect(built.debug.output).toContain(pulled(STANDINS.debug));
  });

  it('the runtime image serves as uid 65532 and the debug image has its shell', async () => {
    const port = await freePort();
    await builder.must(['run', '-d', '--name', container, '-p', `127.0.0.1:${port}:8080`, `${repo}/app:runtime`]);
    let body = '';
    for (let i = 0; i < 100 && body === ''; i++) {
      body = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => (r.status === 200 ? r.text() : ''), () => '');
      if (body === '') await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('lockapp /healthz');
    const uid = await builder.must(['exec', container, '/nodejs/bin/node', '-e', 'console.log(process.getuid())']);
    expect(uid.trim()).toBe('65532');
    const shell = await builder.must(['run', '--rm', '--entrypoint', '/busybox/sh', `${repo}/app:debug`, '-c', 'echo "shell as $(id -u)"']);
    expect(shell.trim()).toBe('shell as 65532');
  });
});

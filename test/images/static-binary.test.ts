/**
 * The static family for real: a Go server built as a static binary (CGO_ENABLED=0) on the host,
 * synthesized with `runtime: { family: 'static', binary: 'bin/server' }`, both Dockerfiles built
 * with podman on the stand-ins of distroless static (no libc, no shell), run the way the pod runs
 * it (uid 65532, read-only root, no capabilities), answering 200 on the health path.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWhenUp, podman } from './helpers';
import { freePort } from '../../src/verify';
import { instructions, kustomize, synth, tempDir } from '../util';

const FIXTURE = path.join(__dirname, 'fixtures', 'static-server');
const REPO = 'localhost/msb-test/static-server';
const run = promisify(execFile);


describe('static family: a prebuilt static binary on distroless static', () => {
  const engine = podman();
  let dir: string;
  const containers: string[] = [];

  beforeAll(async () => {
    dir = tempDir('msb-images-static-');
    fs.mkdirSync(path.join(dir, 'bin'));
    await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(dir, 'bin', 'server'), '.'], {
      cwd: FIXTURE,
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux' },
    });
    synth({ runtime: { family: 'static', binary: 'bin/server' } as never }, { dir, name: 'static-server' });
    for (const [file, tag] of [['Dockerfile', 'runtime'], ['Dockerfile.debug', 'debug']]) {
      await engine.must(['build', '--pull=never', '-f', path.join(dir, file), '-t', `${REPO}:${tag}`, dir], { purpose: `build ${file}` });
    }
  }, 600_000);

  afterAll(async () => {
    if (containers.length) await engine.exec(['rm', '-f', '-t', '0', ...containers]);
    await engine.exec(['rmi', '-f', `${REPO}:runtime`, `${REPO}:debug`]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the Dockerfile has one stage: the binary as exec-form ENTRYPOINT, USER 65532', () => {
    const df = instructions(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    expect(df.filter((l) => l.startsWith('FROM '))).toEqual(['FROM gcr.io/distroless/static-debian13:nonroot AS runtime']);
    expect(df).toContain('ENTRYPOINT ["/app/bin/server"]');
    expect(df).toContain('USER 65532:65532');
  });

  it('serves 200 on the health path as uid 65532, with the pod\'s restrictions', async () => {
    const port = await freePort();
    const name = `msb-static-${process.pid}`;
    containers.push(name);
    await engine.must([
      'run', '-d', '--name', name, '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges', '-p', `127.0.0.1:${port}:8080`, `${REPO}:runtime`,
    ], { purpose: 'run the runtime image' });
    const res = await getWhenUp(`http://127.0.0.1:${port}/healthz`, 20_000);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', uid: 65532 });
  });

  it('the runtime image has no shell; the debug image runs the same binary and has one', async () => {
    const noShell = await engine.exec(['run', '--rm', '--entrypoint', '/bin/sh', `${REPO}:runtime`, '-c', 'true']);
    expect(noShell.code).not.toBe(0);
    const shell = await engine.exec(['run', '--rm', '--entrypoint', '/busybox/sh', `${REPO}:debug`, '-c', 'id -u']);
    expect(shell.stdout.trim()).toBe('65532');
    const cfg = JSON.parse(await engine.must(['image', 'inspect', '--format', '{{json .Config}}', `${REPO}:debug`]));
    expect(cfg.Entrypoint).toEqual(['/app/bin/server']);
  });

  it('a dynamically linked binary would fail here as in the real image: the base has no libc', async () => {
    const files = await engine.exec(['run', '--rm', '--entrypoint', '/busybox/ls', `${REPO}:debug`, '/lib/x86_64-linux-gnu/libc.so.6']);
    expect(files.code).not.toBe(0);
  });

  it('the manifests render with kustomize and run the image as 65532', () => {
    const docs = kustomize(path.join(dir, 'k8s', 'base'));
    const deployment = docs.find((d) => d.kind === 'Deployment');
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(65532);
    expect(deployment.spec.template.spec.containers[0].image).toMatch(/^static-server:/);
  });
});

/**
 * The local dev loop for real: podman-compose (1.6.0, installed by .ci/run) builds the generated
 * compose.yaml's service from its Dockerfile (the ca_cert build secret read from $CA_CERT_FILE) and
 * starts it. It answers 200 on a loopback port, and `podman inspect` shows the pod's restrictions:
 * read-only root filesystem (a write under the workdir fails, /tmp is a tmpfs), uid 65532, every
 * capability dropped, no-new-privileges, the memory and CPU limits, the Deployment's env, and the exec-form
 * health check, which `podman healthcheck run` passes, and fails once the app's health path fails.
 * The containers, pod and network of the compose project are removed by its project name, the image
 * by its name.
 *
 * The app is the smallest there is: a no-build Node.js server (one index.js, no dependencies).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CA_BUNDLE, podman } from './helpers';
import { freePort } from '../../src/verify';
import { removeTempDirs, requireProgram, synth, tempDir } from '../util';

const PODMAN_COMPOSE = { version: '1.6.0', install: 'pip install podman-compose==1.6.0 (into the virtualenv /opt/podman-compose, linked into /usr/local/bin)' };
const NAME = 'compose-app';
const PROJECT = `msb-compose-${process.pid}`;
const IMAGE = `localhost/msb-test/compose-${process.pid}:1.0.0`;

const SERVER = `
const fs = require('node:fs');
const http = require('node:http');
let sick = false;
fs.writeFileSync('/tmp/started', String(Date.now()));
const tryWrite = (file) => { try { fs.writeFileSync(file, 'x'); return 'ok'; } catch (e) { return e.code; } };
const server = http.createServer((req, res) => {
  if (req.url === '/sick') sick = true;
  const body = { uid: process.getuid(), gid: process.getgid(), mode: process.env.MODE, workdir: tryWrite(__dirname + '/written'), tmp: tryWrite('/tmp/written') };
  res.writeHead(req.url === '/healthz' && sick ? 500 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});
server.listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

let dir: string;
let hostPort: number;
let env: NodeJS.ProcessEnv;
const timings: string[] = [];

/** Runs podman-compose in the project, with the containers.conf of the image tests and the CA file. */
function compose(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('podman-compose', ['-p', PROJECT, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

async function timed<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
  const t = Date.now();
  const result = await fn();
  timings.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)}s`);
  return result;
}

function get(urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: hostPort, path: urlPath, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function until200(urlPath: string, seconds: number): Promise<{ status: number; body: string }> {
  const end = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const r = await get(urlPath);
      if (r.status === 200) return r;
      last = r;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no 200 on 127.0.0.1:${hostPort}${urlPath} within ${seconds}s: ${String((last as Error)?.message ?? JSON.stringify(last))}\n${compose(['logs']).out}`);
}

/** The container of the compose project (by its label). */
async function container(): Promise<string> {
  const r = await podman().exec(['ps', '-a', '--filter', `label=io.podman.compose.project=${PROJECT}`, '--format', '{{.Names}}']);
  const names = r.stdout.trim().split('\n').filter(Boolean);
  expect(names, r.stderr).toHaveLength(1);
  return names[0];
}

async function inspect(name: string): Promise<any> {
  const r = await podman().exec(['inspect', name]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout)[0];
}

const started = Date.now();
beforeAll(async () => {
  const version = spawnSync(requireProgram('podman-compose', PODMAN_COMPOSE.install), ['--version'], { encoding: 'utf8' });
  expect(version.stdout, `podman-compose ${PODMAN_COMPOSE.version} is what CI installs`).toContain(`podman-compose version ${PODMAN_COMPOSE.version}`);
  env = { ...process.env, CONTAINERS_CONF: podman().env.CONTAINERS_CONF, CA_CERT_FILE: CA_BUNDLE };
  dir = tempDir('msb-compose-');
  hostPort = await freePort();
  const pkg = { name: NAME, version: '1.0.0' };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ ...pkg, lockfileVersion: 3, requires: true, packages: { '': pkg } }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'index.js'), SERVER);
  synth({
    build: false,
    image: { repository: IMAGE.replace(/:.*$/, ''), tag: '1.0.0' },
    kubernetes: { env: { MODE: 'pod' }, resources: { cpuLimit: '500m' } },
    compose: { hostPort, buildSecrets: ['ca_cert'] },
  }, { dir, name: NAME });
  const build = await timed('podman-compose build', () => compose(['build']));
  expect(build.status, build.out).toBe(0);
  const up = await timed('podman-compose up -d', () => compose(['up', '-d', '--no-build']));
  expect(up.status, up.out).toBe(0);
});

afterAll(async () => {
  if (dir) {
    const down = await timed('podman-compose down', () => compose(['down']));
    await podman().exec(['rmi', '-f', IMAGE]);
    const left = await podman().exec(['ps', '-a', '--filter', `label=io.podman.compose.project=${PROJECT}`, '--format', '{{.Names}}']);
    expect(down.status, down.out).toBe(0);
    expect(left.stdout.trim(), 'containers of the compose project left behind').toBe('');
    removeTempDirs();
  }
  console.log(`compose test: ${timings.join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)}s in all`);
});

it('builds the image compose.yaml names, from the Dockerfile, and serves 200 on the loopback port', async () => {
  expect((await podman().exec(['image', 'exists', IMAGE])).code).toBe(0);
  const r = await timed('first 200', () => until200('/healthz', 30));
  const body = JSON.parse(r.body);
  // the pod's user, the Deployment's env
  expect(body).toMatchObject({ uid: 65532, gid: 65532, mode: 'pod' });
  // read-only root filesystem; /tmp is writable (a tmpfs)
  expect(body.workdir).toBe('EROFS');
  expect(body.tmp).toBe('ok');
});

it('runs with the pod\'s restrictions (podman inspect)', async () => {
  const name = await container();
  const c = await inspect(name);
  expect(c.HostConfig.ReadonlyRootfs).toBe(true);
  expect(c.Config.User).toBe('65532:65532');
  expect(c.HostConfig.CapAdd ?? []).toEqual([]);
  expect(c.HostConfig.CapDrop).toEqual(expect.arrayContaining(['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETUID', 'CAP_KILL']));
  expect(c.EffectiveCaps ?? []).toEqual([]);
  const top = await podman().exec(['top', name, 'capeff']);
  expect(top.stdout.trim().split('\n').slice(1).map((l) => l.trim())).toEqual(['none']);
  expect(c.HostConfig.SecurityOpt).toContain('no-new-privileges');
  expect(c.HostConfig.Tmpfs['/tmp']).toContain('size=64m');
  expect(c.HostConfig.Memory).toBe(256 * 2 ** 20);
  expect(c.HostConfig.NanoCpus).toBe(500_000_000);
  expect(c.Config.Env).toEqual(expect.arrayContaining(['MODE=pod', 'NODE_OPTIONS=--max-old-space-size=192', 'PORT=8080']));
  expect(c.HostConfig.PortBindings['8080/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(hostPort) }]);
});

it('has the exec-form health check of compose.yaml, which podman runs and which fails when the app does', async () => {
  const name = await container();
  const test = parse(fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).services[NAME].healthcheck.test;
  expect(test[0]).toBe('CMD');
  expect((await inspect(name)).Config.Healthcheck.Test).toEqual(test);
  const healthy = await podman().exec(['healthcheck', 'run', name]);
  expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
  expect((await inspect(name)).State.Health.Status).toBe('healthy');
  // negative control: the same check fails once the health path answers 500
  expect((await get('/sick')).status).toBe(200);
  expect((await get('/healthz')).status).toBe(500);
  const sick = await podman().exec(['healthcheck', 'run', name]);
  expect(sick.code).not.toBe(0);
});

/**
 * A real registry on loopback for the base-image lock's tests: Debian's `docker-registry` (the CNCF
 * distribution registry 2.8) started on a free 127.0.0.1 port with its own config and storage, and
 * a small token endpoint in front of it that does what Docker Hub and gcr.io do and that registry
 * alone does not: answer 401 with a `WWW-Authenticate: Bearer realm=...,service=...,scope=...`
 * challenge and accept only the tokens its realm issued for that repository. The front can refuse
 * every token, ask for credentials, stop answering, misstate a digest, or be closed (the registry is
 * down then).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Engine, freePort, runCommand } from '../../src/verify';

export { freePort };

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const REGISTRY_BIN = '/usr/bin/docker-registry';
/** What the lock asks for: an index (manifest list) or a manifest. */
export const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A running registry process. */
export interface Registry {
  readonly host: string;
  readonly port: number;
  /** Stops the process this helper started and removes its storage. */
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` on a free loopback port; fails, naming the fix, when it is not installed. */
export async function startRegistry(): Promise<Registry> {
  if (!fs.existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} is not installed: the base-image lock is tested against a real registry. Install it with \`apt-get install -y docker-registry\` (.ci/run does).`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-registry-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'config.yml'), [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status === 200, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start on 127.0.0.1:${port}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `127.0.0.1:${port}`, port, stop };
}

/** How the token front answers. */
export type FrontMode =
  /** tokens for anyone (Docker Hub's anonymous pulls) */
  | 'anonymous'
  /** tokens only for the Basic credentials given to {@link startTokenFront} */
  | 'credentials'
  /** the token endpoint refuses everyone (401) */
  | 'refuse'
  /** accepts connections and never answers */
  | 'hang'
  /** passes manifests through with another Docker-Content-Digest than the bytes' */
  | 'wrong-digest';

/** The token front of a registry. */
export interface TokenFront {
  readonly host: string;
  readonly port: number;
  mode: FrontMode;
  /** What happened so far: challenges sent, tokens issued, requests passed to the registry. */
  readonly stats: { challenges: number; tokens: number; proxied: number };
  /** Stops listening (connections are refused: the registry is down); `open` listens again on the same port. */
  close(): Promise<void>;
  open(): Promise<void>;
}

/** Starts the token front on a free loopback port, passing authorized `/v2/` requests to `upstream`. */
export async function startTokenFront(upstream: Registry, credentials: { username: string; password: string }): Promise<TokenFront> {
  const issued = new Map<string, string>();
  const stats = { challenges: 0, tokens: 0, proxied: 0 };
  const service = 'msb-test-registry';
  let port = 0;
  const front: TokenFront = {
    get host() {
      return `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    mode: 'anonymous',
    stats,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
    open: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
  const server = http.createServer((req, res) => {
    if (front.mode === 'hang') return; // never answers
    const url = new URL(req.url ?? '/', `http://${front.host}`);
    if (url.pathname === '/token') {
      const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      if (front.mode === 'refuse' || (front.mode === 'credentials' && req.headers.authorization !== basic)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'access to the requested resource is not authorized' }));
        return;
      }
      const token = randomBytes(16).toString('hex');
      issued.set(token, url.searchParams.get('scope') ?? '');
      stats.tokens++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const repo = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname)?.[1];
    const scope = repo ? `repository:${repo}:pull` : '';
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!repo || bearer === undefined || issued.get(bearer) !== scope) {
      stats.challenges++;
      const challenge = `Bearer realm="http://${front.host}/token",service="${service}"${repo ? `,scope="${scope}"` : ''}`;
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    stats.proxied++;
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const up = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
      const tampered = front.mode === 'wrong-digest' && r.headers['docker-content-digest'] ? { 'docker-content-digest': `sha256:${'0'.repeat(64)}` } : {};
      res.writeHead(r.statusCode ?? 502, { ...r.headers, ...tampered });
      r.pipe(res);
    });
    up.on('error', (e) => res.writeHead(502).end(e.message));
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  return front;
}

/** A manifest as served: the sha256 of its bytes, the Docker-Content-Digest header, the media type and the text. */
export interface ServedManifest {
  readonly digest: string;
  readonly header: string;
  readonly mediaType: string;
  readonly body: string;
}

/**
 * What the registry serves for a tag, read without the code under test: `curl` GETs the manifest
 * with the lock's Accept header; the digest is `sha256sum` of the bytes.
 */
export async function servedManifest(registry: Registry, repository: string, tag: string): Promise<ServedManifest> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-curl-'));
  try {
    const body = path.join(dir, 'body');
    const headers = path.join(dir, 'headers');
    const url = `http://${registry.host}/v2/${repository}/manifests/${tag}`;
    const curl = await runCommand('curl', ['-sS', '-f', '-H', `Accept: ${ACCEPT}`, '-D', headers, '-o', body, url]);
    if (curl.code !== 0) throw new Error(`curl ${url} failed: ${curl.stderr}`);
    const sum = await runCommand('sha256sum', [body]);
    const head = fs.readFileSync(headers, 'utf8');
    const field = (name: string) => new RegExp(`^${name}: *(.+?)\\r?$`, 'mi').exec(head)?.[1] ?? '';
    return { digest: `sha256:${sum.stdout.split(' ')[0]}`, header: field('docker-content-digest'), mediaType: field('content-type'), body: fs.readFileSync(body, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A Node.js project without dependencies or build whose definition mirrors the base images to
 * `mirror` (`baseImages.mirror`), linking this package (built) as its create-msb-app.
 */
export function lockProject(mirror: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-lock-project-'));
  const pkg = { name: 'lockapp', version: '1.0.0' };
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ ...pkg, private: true }, null, 2)}\n`,
    'package-lock.json': `${JSON.stringify({ ...pkg, lockfileVersion: 3, requires: true, packages: { '': pkg } }, null, 2)}\n`,
    'index.js': "require('http').createServer((req, res) => res.end(`lockapp ${req.url}`)).listen(Number(process.env.PORT));\n",
    '.projenrc.ts': [
      "import { App, MsbProject } from 'create-msb-app';",
      "const project = new MsbProject({ name: 'lockapp' });",
      `new App(project, { build: false, entrypoint: 'index.js', baseImages: { mirror: '${mirror}' } });`,
      'project.synth();',
      '',
    ].join('\n'),
  };
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'create-msb-app'), 'dir');
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', 'sucrase'), path.join(dir, 'node_modules', 'sucrase'), 'dir');
  return dir;
}

/** Builds a one-file image FROM scratch for `arch` (no RUN: no emulation needed); `--no-cache`, since buildah's cache ignores --arch there. */
export async function buildTiny(engine: Engine, tag: string, arch: string, content: string): Promise<void> {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-tiny-'));
  try {
    fs.writeFileSync(path.join(ctx, 'hello.txt'), `${content}\n`);
    fs.writeFileSync(path.join(ctx, 'Containerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    await engine.must(['build', '-q', '--no-cache', '--arch', arch, '-t', tag, ctx]);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

/** Pushes images to `dest` as one manifest list (an OCI index with one entry per image), through a list named `list`. */
export async function pushList(engine: Engine, list: string, images: readonly string[], dest: string): Promise<void> {
  await engine.exec(['manifest', 'rm', list]);
  await engine.must(['manifest', 'create', list]);
  for (const image of images) await engine.must(['manifest', 'add', list, `containers-storage:${image}`]);
  await engine.must(['manifest', 'push', '--all', '--tls-verify=false', list, `docker://${dest}`]);
}

/** Pushes one image to `dest` over plain http. */
export async function push(engine: Engine, image: string, dest: string): Promise<void> {
  await engine.must(['push', '-q', '--tls-verify=false', image, dest]);
}

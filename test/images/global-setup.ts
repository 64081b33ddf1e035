/**
 * Global setup of the `images` test project (real podman builds):
 * 1. podman must be installed (never skipped: run scripts/containers/setup-engine.sh);
 * 2. CONTAINERS_CONF points at the containers.conf that script writes (as scripts/containers/env.sh does);
 * 3. the offline stand-in base images exist for the Node.js lines and the static pair (build-standins.sh),
 *    and for Python (standins-python.sh);
 * 4. this package is compiled and packed once (`npm pack`); tests get the tarball path, and a
 *    loopback URL serving it, through `inject('tarball')` / `inject('libUrl')`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the `npm pack` tarball of this repository. */
    tarball: string;
    /** http://127.0.0.1:<port>/create-msb-app.tgz, serving the tarball while the tests run. */
    libUrl: string;
    /** containers.conf every podman call needs (CONTAINERS_CONF). */
    containersConf: string;
  }
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(REPO_ROOT, 'scripts', 'containers');
/** Node.js lines the scenarios use. */
export const NODE_LINES = ['22', '24', '26'];
/** Stand-ins per family: the Node.js lines, and the distroless static pair. */
const STANDINS = [...NODE_LINES, 'static'];

function fail(message: string): never {
  throw new Error(`images tests: ${message}`);
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // 1. Engine
  if (!onPath('podman')) {
    fail(`podman is not installed. These tests build real images; run (as root) \`bash ${path.relative(process.cwd(), path.join(SCRIPTS, 'setup-engine.sh'))}\` once, then run the tests again.`);
  }
  // 2. Configuration, as env.sh exports it
  if (!process.env.CONTAINERS_CONF) {
    const dir = process.env.MSB_CONTAINERS_DIR ?? '/var/tmp/msb-containers';
    process.env.MSB_CONTAINERS_DIR = dir;
    process.env.CONTAINERS_CONF = path.join(dir, 'containers.conf');
  }
  if (!fs.existsSync(process.env.CONTAINERS_CONF)) {
    fail(`${process.env.CONTAINERS_CONF} does not exist: run (as root) \`bash scripts/containers/setup-engine.sh\`, which writes it.`);
  }
  const info = spawnSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { encoding: 'utf8', env: process.env });
  if (info.status !== 0) fail(`\`podman info\` failed (CONTAINERS_CONF=${process.env.CONTAINERS_CONF}):\n${info.stderr}`);

  // 3. Stand-in base images (about 1 s when they exist)
  const standins = spawnSync('bash', [path.join(SCRIPTS, 'build-standins.sh'), ...STANDINS], { encoding: 'utf8', env: process.env, timeout: 900_000 });
  if (standins.status !== 0) fail(`build-standins.sh ${STANDINS.join(' ')} failed:\n${standins.stdout.slice(-3000)}\n${standins.stderr.slice(-3000)}`);
  // The Python family's stand-ins (their own script and recipe; they reuse the shared bases above)
  const python = spawnSync('bash', [path.join(SCRIPTS, 'standins-python.sh')], { encoding: 'utf8', env: process.env, timeout: 900_000 });
  if (python.status !== 0) fail(`standins-python.sh failed:\n${python.stdout.slice(-3000)}\n${python.stderr.slice(-3000)}`);
  // the Go and Java families' stand-ins, each script with its own recipe (reusing the bases above)
  for (const script of ['standins-go.sh', 'standins-java.sh']) {
    const r = spawnSync('bash', [path.join(SCRIPTS, script)], { encoding: 'utf8', env: process.env, timeout: 900_000 });
    if (r.status !== 0) fail(`${script} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }

  // 4. Compile (a no-op when lib/ is up to date) and pack once
  const tsc = spawnSync('npx', ['tsc', '--build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) fail(`npx tsc --build failed:\n${tsc.stdout}${tsc.stderr}`);
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-images-pack-'));
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  const name = pack.stdout.trim().split('\n').pop() ?? '';
  const tarball = path.join(packDir, name);
  if (pack.status !== 0 || !name || !fs.existsSync(tarball)) fail(`npm pack failed:\n${pack.stdout}${pack.stderr}`);

  // The tarball over loopback: a dependency spec that `npm ci` inside a build can fetch (builds use --network=host).
  const server = http.createServer((req, res) => {
    if (req.url === '/create-msb-app.tgz') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      fs.createReadStream(tarball).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  project.provide('tarball', tarball);
  project.provide('containersConf', process.env.CONTAINERS_CONF);
  project.provide('libUrl', `http://127.0.0.1:${port}/create-msb-app.tgz`);

  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(packDir, { recursive: true, force: true });
  };
}

/**
 * Global setup of the `images` test project (real podman builds):
 * 1. podman must be installed (never skipped: run scripts/containers/setup-engine.sh);
 * 2. CONTAINERS_CONF points at the containers.conf that script writes (as scripts/containers/env.sh does);
 * 3. the offline stand-in base images exist for the Node.js lines and the static pair (build-standins.sh),
 *    and for Python, Go and Java (standins-python.sh, standins-go.sh, standins-java.sh); a failing
 *    script fails the setup with its own message (image and step) first;
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

/**
 * The stand-in scripts (scripts/containers/) and their arguments, in the order they run: the Node.js
 * lines and the distroless static pair first, whose shared bases the Python, Go and Java scripts
 * reuse. test/core/family-registration.test.ts runs each with `--list` (which builds nothing) to check
 * that every family's default images are among them.
 */
export const STANDIN_RUNS: readonly { readonly script: string; readonly args: readonly string[] }[] = [
  { script: 'build-standins.sh', args: [...NODE_LINES, 'static'] },
  { script: 'standins-python.sh', args: [] },
  { script: 'standins-go.sh', args: [] },
  { script: 'standins-java.sh', args: [] },
];

function fail(message: string): never {
  throw new Error(`images tests: ${message}`);
}

/**
 * Runs one stand-in script (scripts/containers/), failing the setup when it fails. The message leads
 * with the script's own FAILED lines (which name the image and the step), then the tails of its
 * stderr and stdout; a script that failed without such a line is called out as such.
 */
function runStandins(script: string, args: readonly string[] = []): void {
  const command = [script, ...args].join(' ');
  const started = Date.now();
  const r = spawnSync('bash', [path.join(SCRIPTS, script), ...args], {
    encoding: 'utf8',
    env: process.env,
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 0) {
    // one line per script in the test log: what a fresh machine spends on the stand-ins
    process.stdout.write(`images tests: ${command}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return;
  }
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  const how = r.error
    ? `could not run or did not finish (${r.error.message})`
    : r.signal
      ? `was killed by ${r.signal}`
      : `exited with status ${r.status}`;
  const own = stderr.split('\n').filter((line) => line.startsWith(`${script}: `));
  const lastStep = stdout.split('\n').filter((line) => line.startsWith('==> ')).pop();
  const lead =
    own.length > 0
      ? own.join('\n')
      : `(${script} printed no error message of its own, a bug in the script: each failing step should name its image and step; ` +
        `${lastStep ? `last progress line: "${lastStep}"` : 'no progress line either'})`;
  const tail = (text: string) => (text.length > 3000 ? `…${text.slice(-3000)}` : text).trimEnd() || '(empty)';
  fail(`${command} ${how}:\n${lead}\n--- stderr of ${script} (end):\n${tail(stderr)}\n--- stdout of ${script} (end):\n${tail(stdout)}`);
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

  // 3. Stand-in base images (about 1 s when they exist), each script with its own recipe
  for (const { script, args } of STANDIN_RUNS) runStandins(script, args);

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

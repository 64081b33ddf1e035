/**
 * The Python family for real, built with podman on the stand-ins of python:3.13-slim-trixie (Python
 * under /usr/local) and distroless python3-debian13 (Debian's /usr/bin/python3.13, no shell): a
 * service created by the CLI (`--language python`, the standard library only), and an existing
 * Flask project adopted by the CLI (gunicorn, requirements.txt pinned with hashes, real packages
 * from PyPI through the CA secret). Each is checked by verify: 200 on the health path, uid 65532,
 * no shell, no pip or compiler, the pod-parity run, and a source-only rebuild that takes the
 * virtualenv from the build cache.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN, CA_BUNDLE, expectPass, podman } from './helpers';
import { VerifyReport, verifyProject } from '../../src/verify';

const FLASK = path.join(__dirname, 'fixtures', 'python-flask');

interface Built {
  readonly dir: string;
  readonly cli: { status: number | null; stdout: string; stderr: string };
  readonly report: VerifyReport;
  readonly log: string[];
}

/** Runs the CLI binary (the library from the packed tarball, the tooling install skipped), then verify. */
async function createAndVerify(id: string, args: string[], files?: string): Promise<Built> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `msb-images-${id}-`));
  const dir = path.join(root, id);
  fs.mkdirSync(dir);
  if (files) {
    fs.cpSync(files, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.env'), 'SECRET_KEY=must-not-ship\n');
  }
  fs.mkdirSync(path.join(dir, 'vendor'));
  fs.copyFileSync(inject('tarball'), path.join(dir, 'vendor', 'create-msb-app.tgz'));
  const r = spawnSync(process.execPath, [BIN, '.', '--yes', '--skip-git', '--skip-install', '--lib', 'file:vendor/create-msb-app.tgz', ...args], {
    cwd: dir, encoding: 'utf8', input: '', env: { ...process.env, CI: '1', npm_config_user_agent: '' }, timeout: 120_000,
  });
  const cli = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  if (r.status !== 0) throw new Error(`create-msb-app failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const log: string[] = [];
  const report = await verifyProject({
    dir,
    engine: podman(),
    pull: 'never',
    secrets: [`id=ca_cert,src=${CA_BUNDLE}`],
    keepImages: true,
    imageRepository: `localhost/msb-test/${id}`,
    log: (l) => log.push(l),
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- verify log ---\n${log.slice(-60).join('\n')}`);
  });
  return { dir, cli, report, log };
}

async function dispose(b: Built | undefined): Promise<void> {
  if (!b) return;
  const { stages, ...built } = b.report.images;
  await podman().exec(['rmi', '-f', ...Object.values(built).filter((x): x is string => !!x), ...stages]);
  fs.rmSync(path.dirname(b.dir), { recursive: true, force: true });
}

function commonChecks(get: () => Built, port: number) {
  it(`answers 200 on GET /healthz over 127.0.0.1:${port}`, () => {
    expect(expectPass(get().report, 'serves').detail).toContain(`:${port}/healthz -> 200`);
  });
  it('runs as uid 65532 (runtime and debug) with Debian\'s Python through the virtualenv', () => {
    expect((expectPass(get().report, 'uid') as { uid?: number }).uid).toBe(65532);
    expect((expectPass(get().report, 'debug-uid') as { uid?: number }).uid).toBe(65532);
    expect(get().report.runtimeFiles).toContain('/usr/bin/python3.13');
    expect(get().report.runtimeFiles).toContain('/app/.venv/bin/python3');
    expect(get().report.runtimeFiles.filter((f) => f.startsWith('/usr/local/bin/'))).toEqual([]);
  });
  it('has no shell in the runtime image; the debug image has one', () => {
    expect(expectPass(get().report, 'no-shell').detail).toMatch(/sh: exit 127.*\/bin\/sh: exit 127/);
    expectPass(get().report, 'no-shell-binary');
    expect(expectPass(get().report, 'debug-shell').detail).toContain('sh: ran');
  });
  it('has no pip, uv, Poetry or compiler in the runtime image (the venv is made without pip)', () => {
    expect(expectPass(get().report, 'no-package-manager').title).toMatch(/pip, uv, poetry/);
    expectPass(get().report, 'no-compiler');
    expect(get().report.runtimeFiles.filter((f) => /\/pip[0-9.]*$|\/site-packages\/pip\//.test(f))).toEqual([]);
  });
  it('passes the pod-parity run (read-only root, probes, SIGTERM within the grace period)', () => {
    for (const id of ['pod-read-only', 'pod-port', 'pod-readiness', 'pod-liveness', 'pod-sigterm']) expectPass(get().report, id);
  });
  it('holds no tests, no .env and no bytecode caches; its files are root-owned', () => {
    for (const id of ['no-tests', 'no-env-file', 'no-bytecode-caches', 'immutable-code']) expectPass(get().report, id);
  });
  it('a source-only change rebuilds with the virtualenv layer from the build cache', () => {
    const cached = expectPass(get().report, 'install-cached');
    expect(cached.detail).toMatch(/after changing \S+\.py: .*-m venv --without-pip \.venv.* from cache/);
    expect(get().report.images.rebuild).toBeDefined();
  });
}

describe('python: a service created by the CLI', () => {
  let b: Built;
  beforeAll(async () => {
    // --force: the folder holds the library tarball (vendor/) already
    b = await createAndVerify('python-new', ['--language', 'python', '--name', 'python-new', '--force']);
  }, 600_000);
  afterAll(async () => dispose(b));

  it('is the stdlib sample with pyproject.toml, its unittest tests and the projen tooling', () => {
    expect(b.cli.stdout).toContain('Creating a new project');
    for (const f of ['pyproject.toml', 'requirements.txt', 'app/server.py', 'tests/test_server.py', 'package.json', '.projenrc.ts']) expect(fs.existsSync(path.join(b.dir, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(b.dir, 'Dockerfile'), 'utf8')).toContain('pip --python .venv/bin/python install -r requirements.txt');
  });
  commonChecks(() => b, 8080);
});

describe('python: an existing Flask project adopted by the CLI (gunicorn, hashed requirements from PyPI)', () => {
  let b: Built;
  beforeAll(async () => {
    b = await createAndVerify('python-flask', [], FLASK);
  }, 600_000);
  afterAll(async () => dispose(b));

  it('infers the Python family, gunicorn, the app object, the port and the version', () => {
    expect(b.cli.stdout).toMatch(/server\s+gunicorn\s+from flask and gunicorn in the dependencies/);
    expect(b.cli.stdout).toMatch(/entrypoint\s+inventory\.app:app\s+from inventory\/app\.py/);
    expect(b.cli.stdout).toMatch(/port\s+5000\s+from inventory\/app\.py/);
    const docker = fs.readFileSync(path.join(b.dir, 'Dockerfile'), 'utf8');
    expect(docker).toContain('CMD ["-m","gunicorn","--bind","0.0.0.0:5000","--worker-tmp-dir","/dev/shm","inventory.app:app"]');
    expect(docker).toContain('org.opencontainers.image.version="2.3.1"');
  });
  it('installs the hashed requirements from PyPI into the virtualenv (Flask, MarkupSafe\'s cp313 wheel)', () => {
    const files = b.report.runtimeFiles;
    expect(files).toContain('/app/.venv/lib/python3.13/site-packages/flask/__init__.py');
    expect(files).toContain('/app/.venv/lib/python3.13/site-packages/gunicorn/__init__.py');
    expect(files.some((f) => /\/site-packages\/markupsafe\/_speedups\.cpython-313-x86_64-linux-gnu\.so$/.test(f))).toBe(true);
    // the project's .env and tests exist, so the checks above had something to keep out
    expect(fs.existsSync(path.join(b.dir, '.env'))).toBe(true);
    expect(files.some((f) => f.startsWith('/app/tests'))).toBe(false);
  });
  it('honours the hashes: the same build with one changed hash fails in pip\'s hash check', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-images-python-hash-'));
    try {
      fs.cpSync(b.dir, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
      const req = path.join(copy, 'requirements.txt');
      const text = fs.readFileSync(req, 'utf8');
      const flaskHash = /flask==3\.1\.0 \\\n {4}--hash=sha256:([0-9a-f]{64})/.exec(text)![1];
      fs.writeFileSync(req, text.replace(flaskHash, '0'.repeat(64)));
      const r = await podman().exec(['build', '--pull=never', '--target', 'venv', '--secret', `id=ca_cert,src=${CA_BUNDLE}`, '-t', 'localhost/msb-test/python-hash:x', copy]);
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain('THESE PACKAGES DO NOT MATCH THE HASHES');
    } finally {
      await podman().exec(['rmi', '-f', 'localhost/msb-test/python-hash:x']);
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
  commonChecks(() => b, 5000);
});

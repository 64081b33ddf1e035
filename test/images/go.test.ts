/**
 * The Go family for real: an adopted, real-world-shaped module (a chi router from the Go module
 * proxy, cmd/server + internal/, tests and an .env beside the sources) adopted by the CLI
 * (`create-msb-app .` infers go 1.26 and ./cmd/server), and a new project made by
 * `create-msb-app <dir> --language go`, built with podman on the stand-ins
 * (golang:1.26-trixie from the machine's Go toolchain, distroless static-debian13) and checked by
 * verify: 200 on the health path as uid 65532, no shell, no Go toolchain or package manager in the
 * runtime image, the pod-parity run, and `go mod download` taken from the cache after a source-only
 * change (the module proxy reached from inside the build through the ca_cert secret).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CA_BUNDLE, expectPass, podman } from './helpers';
import { stepsRunning, verifyProject, type VerifyReport } from '../../src/verify';
import { instructions, tempDir } from '../util';

const FIXTURE = path.join(__dirname, 'fixtures', 'go-chi');
const REPO = 'localhost/msb-test/go-orders';

/** The CLI binary, without an install (the projen tooling is not needed to build the image). */
function runCli(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--yes', '--skip-git', '--skip-install'], { cwd, encoding: 'utf8', input: '', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function verify(dir: string, repo: string, singleStage = true): Promise<VerifyReport> {
  const log: string[] = [];
  return verifyProject({
    dir, engine: podman(), pull: 'never', secrets: [`id=ca_cert,src=${CA_BUNDLE}`], keepImages: true, imageRepository: repo, singleStage, log: (l) => log.push(l),
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- verify log ---\n${log.slice(-60).join('\n')}`);
  });
}

async function dispose(report: VerifyReport | undefined): Promise<void> {
  if (!report) return;
  const { stages, ...built } = report.images;
  await podman().exec(['rmi', '-f', ...Object.values(built).filter((x): x is string => !!x), ...stages]);
}

describe('Go family: an adopted chi service on distroless static', () => {
  let dir: string;
  let report: VerifyReport;
  let cli: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = path.join(tempDir('msb-images-go-'), 'orders');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_PASSWORD=never-in-the-image\n');
    cli = runCli(dir, ['.']);
    if (cli.status !== 0) throw new Error(`create-msb-app . failed (${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
    report = await verify(dir, REPO);
  }, 600_000);

  afterAll(async () => {
    await dispose(report);
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('is adopted as a Go project: go line, main package and port inferred, runtime written to .projenrc.ts', () => {
    expect(cli.stdout).toMatch(/Go\s+1\.26\s+from go\.mod \(go 1\.26\)/);
    expect(cli.stdout).toMatch(/main package\s+\.\/cmd\/server/);
    expect(cli.stdout).toMatch(/port\s+8080/);
    expect(fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf8')).toContain("runtime: { family: 'go', version: '1.26', main: './cmd/server' }");
    // the projen tooling's package.json does not make it a Node.js project: running the CLI again still says Go
    expect(fs.existsSync(path.join(dir, 'package.json'))).toBe(true);
    const again = runCli(dir, ['.']);
    expect(`${again.stdout}${again.stderr}`).toMatch(/main package\s+\.\/cmd\/server/);
  });

  it('renders the download step before the sources and a static, stripped binary into distroless static', () => {
    const df = instructions(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    expect(df.filter((l) => l.startsWith('FROM '))).toEqual([
      'FROM docker.io/library/golang:1.26-trixie AS deps', 'FROM deps AS build', 'FROM gcr.io/distroless/static-debian13:nonroot AS runtime',
    ]);
    expect(df.indexOf('COPY go.mod go.sum ./')).toBeLessThan(df.indexOf('COPY . .'));
    expect(df.find((l) => l.includes('go build'))).toContain('CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags="-s -w" -o /app/.msb-out/server ./cmd/server');
    expect(df).toContain('ENTRYPOINT ["/app/server"]');
  });

  it('serves 200 on /healthz as uid 65532, runtime and debug', () => {
    expect(expectPass(report, 'serves').detail).toContain(':8080/healthz -> 200');
    expect((expectPass(report, 'uid') as { uid?: number }).uid).toBe(65532);
    expect((expectPass(report, 'debug-uid') as { uid?: number }).uid).toBe(65532);
  });

  it('has no shell, no Go toolchain, no C compiler, no package manager and no libc in the runtime image; the debug image has a shell', () => {
    expectPass(report, 'no-shell');
    expectPass(report, 'no-shell-binary');
    expect(expectPass(report, 'debug-shell').detail).toContain('sh: ran');
    expectPass(report, 'no-package-manager');
    expectPass(report, 'no-compiler');
    expectPass(report, 'no-libc');
    expectPass(report, 'no-go-sources');
    // the listing is real: the binary is in it, and nothing of the module's sources or tests
    expect(report.runtimeFiles).toContain('/app/server');
    expect(report.runtimeFiles.filter((f) => f.startsWith('/app/'))).toEqual(['/app/server']);
    expect(report.runtimeFiles.some((f) => /\/usr\/local\/go\/|\/bin\/go$/.test(f))).toBe(false);
  });

  it('passes the pod-parity run (read-only root, no capabilities, SIGTERM)', () => {
    const pod = report.checks.filter((c) => c.id.startsWith('pod-'));
    expect(pod.length).toBeGreaterThan(0);
    for (const c of pod) expect(c.ok, `${c.title}: ${c.detail}`).toBe(true);
  });

  it('a source-only change rebuilds with go mod download from the cache, and the binary step ran again', () => {
    expect(expectPass(report, 'install-cached').detail).toContain('from cache');
    const output = report.rebuildOutput!;
    expect(stepsRunning(output, 'go mod download').map((x) => x.cached)).toEqual([true]);
    expect(stepsRunning(output, 'go build').map((x) => x.cached)).toEqual([false]);
  });

  it('the runtime image is a fraction of the single-stage one', () => {
    expect(report.sizes.singleStage).toBeDefined();
    expect(report.sizes.ratio).toBeGreaterThan(10);
  });
});

describe('Go family: a new project from create-msb-app --language go', () => {
  let root: string;
  let dir: string;
  let report: VerifyReport;

  beforeAll(async () => {
    root = tempDir('msb-images-go-new-');
    const cli = runCli(root, ['go-hello', '--language', 'go']);
    if (cli.status !== 0) throw new Error(`create-msb-app --language go failed (${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
    dir = path.join(root, 'go-hello');
    report = await verify(dir, 'localhost/msb-test/go-hello', false);
  }, 600_000);

  afterAll(async () => {
    await dispose(report);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes a net/http service with its test, go.mod and the projen tooling', () => {
    for (const f of ['go.mod', 'main.go', 'main_test.go', 'package.json', '.projenrc.ts']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8')).toBe('module example.com/go-hello\n\ngo 1.26\n');
    expect(fs.readFileSync(path.join(dir, 'main.go'), 'utf8')).toContain('syscall.SIGTERM');
  });

  it('serves 200 on /healthz as uid 65532 with no shell, no toolchain and no package manager, and passes the pod-parity run', () => {
    expect(expectPass(report, 'serves').detail).toContain(':8080/healthz -> 200');
    expect((expectPass(report, 'uid') as { uid?: number }).uid).toBe(65532);
    for (const id of ['no-shell', 'no-package-manager', 'no-compiler', 'no-libc', 'binary-present']) expectPass(report, id);
    for (const c of report.checks.filter((x) => x.id.startsWith('pod-'))) expect(c.ok, `${c.title}: ${c.detail}`).toBe(true);
    expect(report.runtimeFiles.filter((f) => f.startsWith('/app/'))).toEqual(['/app/server']);
  });
});

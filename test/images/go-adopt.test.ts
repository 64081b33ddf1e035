/**
 * The Go family for real: an adopted, real-world-shaped module (a chi router from the Go module
 * proxy, cmd/server + internal/, tests and an .env beside the sources) synthesized with
 * `runtime: { family: 'go', main: './cmd/server' }`, built with podman on the stand-ins
 * (golang:1.26-trixie from the machine's Go toolchain, distroless static-debian13) and checked by
 * verify: 200 on the health path as uid 65532, no shell, no Go toolchain or package manager in the
 * runtime image, the pod-parity run, and `go mod download` taken from the cache after a source-only
 * change (the module proxy reached from inside the build through the ca_cert secret).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_BUNDLE, expectPass, podman } from './helpers';
import { stepsRunning, verifyProject, type VerifyReport } from '../../src/verify';
import { instructions, synth, tempDir } from '../util';

const FIXTURE = path.join(__dirname, 'fixtures', 'go-chi');
const REPO = 'localhost/msb-test/go-orders';

describe('Go family: an adopted chi service on distroless static', () => {
  let dir: string;
  let report: VerifyReport;

  beforeAll(async () => {
    dir = tempDir('msb-images-go-');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_PASSWORD=never-in-the-image\n');
    synth({ runtime: { family: 'go', main: './cmd/server' } as never, healthCheckPath: '/healthz' }, { dir, name: 'go-orders' });
    const log: string[] = [];
    report = await verifyProject({
      dir, engine: podman(), pull: 'never', secrets: [`id=ca_cert,src=${CA_BUNDLE}`], keepImages: true, imageRepository: REPO, log: (l) => log.push(l),
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n--- verify log ---\n${log.slice(-60).join('\n')}`);
    });
  }, 600_000);

  afterAll(async () => {
    if (report) {
      const { stages, ...built } = report.images;
      await podman().exec(['rmi', '-f', ...Object.values(built).filter((x): x is string => !!x), ...stages]);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
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

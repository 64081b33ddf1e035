import * as fs from 'node:fs';
import * as path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { AppProps, MsbValidationError, podSecurityViolations, runtimeStageViolations } from '../../src';
import { detectFamily, loadCliFamilies } from '../../src/cli/families';
import { goCli } from '../../src/families/go/cli';
import { goRuntimePolicy } from '../../src/families/go/policy';
import { instructions, parseYaml, readTree, stage, synth, tempDir } from '../util';

const GO: AppProps = { runtime: { family: 'go', main: './cmd/server' } as never };

function goProject(files: Record<string, string> = {}): string {
  const dir = tempDir();
  const all = {
    'go.mod': 'module example.com/orders\n\ngo 1.26.2\n\nrequire github.com/go-chi/chi/v5 v5.2.3\n',
    'go.sum': 'github.com/go-chi/chi/v5 v5.2.3 h1:x=\n',
    'cmd/server/main.go': 'package main\n\nfunc main() {\n\taddr := ":9090"\n\t_ = addr\n}\n',
    ...files,
  };
  for (const [f, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

function failure(props: AppProps): MsbValidationError {
  const dir = goProject({ 'package.json': '{}\n' });
  const before = readTree(dir);
  try {
    synth(props, { dir });
  } catch (e) {
    expect(readTree(dir)).toEqual(before);
    return e as MsbValidationError;
  }
  throw new Error('expected a validation error');
}

describe('the Go family', () => {
  it('downloads modules from go.mod and go.sum before the sources, builds a static stripped binary, copies only it into distroless static', () => {
    const { files } = synth(GO, { dir: goProject() });
    const df = files.Dockerfile;
    expect(instructions(df).filter((l) => l.startsWith('FROM '))).toEqual([
      'FROM docker.io/library/golang:1.26-trixie AS deps', 'FROM deps AS build', 'FROM gcr.io/distroless/static-debian13:nonroot AS runtime',
    ]);
    const deps = stage(df, 'deps');
    expect(deps).toContain('COPY go.mod go.sum ./');
    expect(deps.find((l) => l.startsWith('RUN '))).toMatch(/--mount=type=cache,id=gomod,target=\/go\/pkg\/mod .*--mount=type=secret,id=ca_cert,target=\/run\/secrets\/ca_cert --mount=type=secret,id=netrc,target=\/root\/\.netrc .*\[ ! -f \/run\/secrets\/ca_cert \] \|\| export SSL_CERT_FILE=\/run\/secrets\/ca_cert; .*go mod download$/);
    const build = stage(df, 'build');
    expect(build.indexOf('COPY . .')).toBe(1);
    expect(build.find((l) => l.includes('go build'))).toMatch(/CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags="-s -w" -o \/app\/\.msb-out\/server \.\/cmd\/server$/);
    expect(stage(df, 'runtime')).toEqual([
      'FROM gcr.io/distroless/static-debian13:nonroot AS runtime',
      'WORKDIR /app',
      'ENV PORT=8080',
      'COPY --from=build --chown=0:0 --chmod=0555 /app/.msb-out/server ./server',
      'USER 65532:65532',
      'EXPOSE 8080',
      'LABEL org.opencontainers.image.title="orders-api"',
      'ENTRYPOINT ["/app/server"]',
    ]);
    const debug = files['Dockerfile.debug'].split('\n');
    const diff = df.split('\n').map((l, i) => [l, debug[i]]).filter(([a, b]) => a !== b);
    expect(diff).toEqual([['FROM gcr.io/distroless/static-debian13:nonroot AS runtime', 'FROM gcr.io/distroless/static-debian13:debug-nonroot AS runtime']]);
  });

  it('cgo moves the runtime to distroless base (glibc); GOPRIVATE and the Go line come from the definition; vendored modules download nothing', () => {
    const { files } = synth({ runtime: { family: 'go', version: '1.25', cgo: true, private: ['github.com/acme/*'] } as never }, { dir: goProject({ 'main.go': 'package main\n', 'vendor/modules.txt': '# x\n' }) });
    const df = instructions(files.Dockerfile);
    expect(df).toContain('FROM docker.io/library/golang:1.25-trixie AS deps');
    expect(df).toContain('FROM gcr.io/distroless/base-debian13:nonroot AS runtime');
    expect(df).toContain('ENV GOPRIVATE=github.com/acme/*');
    expect(df.find((l) => l.includes('go build'))).toMatch(/CGO_ENABLED=1 go build -trimpath .* \.$/);
    expect(df.some((l) => l.includes('go mod download'))).toBe(false);
    expect(files['Dockerfile.debug']).toContain('FROM gcr.io/distroless/base-debian13:debug-nonroot AS runtime');
  });

  it('the runtime-stage policy admits the binary ENTRYPOINT only, and the CA secret only as SSL_CERT_FILE', () => {
    const { files } = synth(GO, { dir: goProject() });
    const expected = { image: 'gcr.io/distroless/static-debian13:nonroot', uid: 65532, gid: 65532, workdir: '/app', policy: goRuntimePolicy(['/app/server']) };
    expect(runtimeStageViolations(files.Dockerfile, expected)).toEqual([]);
    const shell = files.Dockerfile.replace('ENTRYPOINT ["/app/server"]', 'ENTRYPOINT ["/busybox/sh"]');
    expect(runtimeStageViolations(shell, expected).join('\n')).toContain('ENTRYPOINT may only be one of ["/app/server"]');
    const leak = files.Dockerfile.replace('go mod download', 'cp /run/secrets/ca_cert /app/ca.pem && go mod download');
    expect(runtimeStageViolations(leak, expected).join('\n')).toContain('names the secret ca_cert');
  });

  it('.dockerignore keeps test files, test binaries, .netrc and the tooling\'s node_modules out, keeps go.mod, go.sum and vendor/ in', () => {
    const { files } = synth(GO, { dir: goProject() });
    const m = dockerignore().add(files['.dockerignore']);
    for (const p of ['internal/x/x_test.go', 'orders.test', 'cover.out', 'internal/x/testdata/a.json', '.netrc', 'sub/.netrc', 'node_modules/projen/index.js', '.env', '.git/config']) expect(m.ignores(p), p).toBe(true);
    for (const p of ['go.mod', 'go.sum', 'cmd/server/main.go', 'vendor/modules.txt', 'internal/orders/orders.go']) expect(m.ignores(p), p).toBe(false);
  });

  it('manifests pass the PSS restricted profile and run uid 65532; GOMEMLIMIT is left to the user', () => {
    const { files } = synth(GO, { dir: goProject() });
    const dep = parseYaml(files['k8s/base/deployment.yaml'])[0];
    expect(podSecurityViolations(dep.spec.template.spec)).toEqual([]);
    expect(dep.spec.template.spec.securityContext.runAsUser).toBe(65532);
  });

  it('names every invalid setting and writes nothing', () => {
    const err = failure({ runtime: { family: 'go', version: '1.19', main: '../x', cgo: 'yes', private: ['a b'], packageManager: 'npm' } as never, entrypoint: 'main.go' });
    expect(err.problems.map((p) => p.field).sort()).toEqual(['entrypoint', 'runtime.cgo', 'runtime.main', 'runtime.packageManager', 'runtime.private', 'runtime.version']);
    expect(err.message).toContain('runtime.version: got "1.19"; expected one of "1.25", "1.26"');
    expect(err.message).toContain('runtime.main: got "../x"; expected the main package as go build names it');
  });

  it('warns when go.sum is missing although go.mod requires modules, and when the main package is not there', () => {
    const dir = goProject();
    fs.rmSync(path.join(dir, 'go.sum'));
    const { app } = synth({ runtime: { family: 'go', main: './cmd/api' } as never }, { dir });
    expect(app.buildWarnings()).toEqual([
      'go.sum not found although go.mod requires modules: the download cannot verify them (run go mod tidy)',
      'runtime.main ./cmd/api not found: go build has no package to build',
    ]);
  });
});

describe('the Go family in the CLI', () => {
  it('a go.mod outranks projen\'s package.json: an adopted Go project is detected as Go', async () => {
    const dir = goProject({ 'package.json': '{"name":"orders-tooling","private":true}\n' });
    expect(detectFamily(dir, await loadCliFamilies())?.name).toBe('go');
  });

  it('adoption infers the go line, the main package under cmd/, the port and the name', () => {
    const a = goCli.adopt(goProject());
    expect(a.name).toEqual({ value: 'orders', from: 'go.mod module example.com/orders' });
    expect(a.inferred.goVersion).toEqual({ value: '1.26', from: 'go.mod (go 1.26.2)' });
    expect(a.inferred.goMain).toEqual({ value: './cmd/server', from: 'the only package main under cmd/' });
    expect(a.inferred.port).toEqual({ value: 9090, from: 'main.go' });
  });

  it('a go line without a builder image is a mismatch the CLI reports, not a silent default', () => {
    const a = goCli.adopt(goProject({ 'go.mod': 'module example.com/old\n\ngo 1.21\n' }));
    expect(a.inferred.goVersion).toBeUndefined();
    expect(a.mismatch?.goVersion).toEqual({ value: '1.21', from: 'go.mod' });
  });
});

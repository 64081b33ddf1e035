/**
 * verify's pure parts that name no language: the model it reads (.projen/msb.json `model`, or the
 * generated files of an older project), the choice of a family's verify profile, the static
 * family's checks on made-up file lists, and the reading of a process's ids from /proc.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isNotApplicable } from '../../src/contract/verify-profile';
import { familyNames } from '../../src/families';
import { nodeVerifyProfile } from '../../src/families/node/verify';
import { staticVerifyProfile } from '../../src/families/static/verify';
import {
  VerifyError, VerifyModel, VerifyModelError, fileChecks, formatReport, mapToContainer, neededSources, parseProcStatus, readProject,
  readProcessIds, readVerifyModel, selectVerifyProfile, toVerifyModel, loadVerifyProfiles,
} from '../../src/verify';
import { synth, tempDir } from '../util';

const dirs: string[] = [];
const fresh = (prefix: string) => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The model of a static binary, as synthesis records it. */
const STATIC_MODEL: VerifyModel = {
  family: 'static',
  name: 'edge-proxy',
  workdir: '/app',
  port: 8080,
  uid: 65532,
  gid: 65532,
  healthPath: '/healthz',
  entrypoint: ['/app/server'],
  cmd: [],
  images: { runtime: 'gcr.io/distroless/static-debian13:nonroot', debug: 'gcr.io/distroless/static-debian13:debug-nonroot' },
  hasBuild: false,
  stages: { runtime: 'runtime' },
  env: { PORT: '8080' },
};

const STATIC_DOCKERFILE = [
  'FROM gcr.io/distroless/static-debian13:nonroot AS runtime',
  'WORKDIR /app',
  'COPY --chown=65532:65532 server ./',
  'USER 65532:65532',
  'EXPOSE 8080',
  'ENTRYPOINT ["/app/server"]',
  '',
].join('\n');

/** A static project with its model recorded (or `record` as the whole of .projen/msb.json). */
function staticProject(record: unknown = { generator: 'create-msb-app@test', files: {}, templates: {}, model: { verify: STATIC_MODEL } }): string {
  const dir = fresh('msb-verify-static-');
  fs.mkdirSync(path.join(dir, '.projen'));
  fs.writeFileSync(path.join(dir, '.projen', 'msb.json'), typeof record === 'string' ? record : JSON.stringify(record));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), STATIC_DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'Dockerfile.debug'), STATIC_DOCKERFILE.replace(':nonroot', ':debug-nonroot'));
  fs.writeFileSync(path.join(dir, 'server'), 'x'.repeat(100));
  return dir;
}

describe('the model verify reads', () => {
  it('is the one recorded in .projen/msb.json under "model"', async () => {
    const r = readVerifyModel(staticProject(), await loadVerifyProfiles());
    expect(r).toEqual({ model: STATIC_MODEL, source: 'recorded' });
  });

  it('is what synthesis records: a Node.js app and a static binary, read back as recorded', async () => {
    const node = readVerifyModel(synth({ port: 3000, kubernetes: { env: { LOG: 'info' } } }).dir, await loadVerifyProfiles());
    expect(node.source).toBe('recorded');
    expect(node.model).toMatchObject({
      family: 'node',
      name: 'orders-api',
      workdir: '/app',
      port: 3000,
      uid: 65532,
      gid: 65532,
      healthPath: '/healthz',
      cmd: ['dist/index.js'],
      hasBuild: true,
      packageManager: 'npm',
      env: { LOG: 'info' },
      stages: { dependencies: 'prod-deps', build: 'build', runtime: 'runtime' },
    });
    expect(node.model.entrypoint).toBeUndefined();
    const stat = readVerifyModel(synth({ runtime: { family: 'static', binary: 'bin/server' } as never, healthCheckPath: false }).dir, await loadVerifyProfiles());
    expect(stat.model).toMatchObject({ family: 'static', entrypoint: ['/app/bin/server'], cmd: [], hasBuild: false, stages: { runtime: 'runtime' } });
    expect(stat.model.healthPath).toBeUndefined();
    expect(stat.model.images).toEqual({ runtime: 'gcr.io/distroless/static-debian13:nonroot', debug: 'gcr.io/distroless/static-debian13:debug-nonroot' });
  });

  it('falls back to the generated files of a project synthesized without a recorded model, and says so', async () => {
    const { dir } = synth({ port: 3000 });
    // As an older create-msb-app wrote it: no model in the record.
    const file = path.join(dir, '.projen', 'msb.json');
    const { model: _model, ...older } = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, JSON.stringify(older));
    const r = readVerifyModel(dir, await loadVerifyProfiles());
    expect(r.source).toBe('generated-files');
    expect(r.note).toMatch(/^\.projen\/msb\.json records no model \(synthesized by an older create-msb-app\)/);
    expect(r.model).toMatchObject({
      family: 'node',
      name: 'orders-api',
      workdir: '/app',
      port: 3000,
      uid: 65532,
      gid: 65532,
      healthPath: '/healthz',
      packageManager: 'npm',
      stages: { dependencies: 'prod-deps', runtime: 'runtime' },
    });
    expect(r.model.images.runtime).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian13:nonroot$/);
  });

  it('names the field, the value and what is valid when the recorded model is malformed', async () => {
    const bad = { ...STATIC_MODEL, port: '8080' };
    const profiles = await loadVerifyProfiles();
    const err = (() => {
      try {
        readVerifyModel(staticProject({ model: { verify: bad } }), profiles);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(VerifyModelError);
    expect(err).toMatchObject({ field: 'model.verify.port', value: '8080' });
    expect((err as Error).message).toBe('.projen/msb.json: model.verify.port is "8080"; expected an integer from 1 to 65535. Run `npx projen` to write it again.');
    const { images: _images, ...noImages } = STATIC_MODEL;
    expect(() => toVerifyModel(noImages)).toThrow(/model\.verify\.images\.runtime is missing; expected a non-empty string/);
    expect(() => toVerifyModel({ ...STATIC_MODEL, env: { A: 1 } })).toThrow(/model\.verify\.env is \{"A":1\}; expected an object of string values/);
    expect(() => toVerifyModel('node')).toThrow(VerifyModelError);
    expect(() => readVerifyModel(staticProject('{ not json'), profiles)).toThrow(/\.projen\/msb\.json: \(the whole file\) is missing; expected JSON/);
  });

  it('takes optional fields as absent and keeps no extra ones', () => {
    const { healthPath: _h, entrypoint: _e, ...minimal } = STATIC_MODEL;
    const m = toVerifyModel({ ...minimal, somethingElse: 1 });
    expect(m.healthPath).toBeUndefined();
    expect(m.entrypoint).toBeUndefined();
    expect(m).not.toHaveProperty('somethingElse');
  });
});

describe('the profile of the model\'s family', () => {
  it('is chosen by the family name, and an unknown family is named with the known ones', async () => {
    const profiles = await loadVerifyProfiles();
    expect(selectVerifyProfile('node', profiles)).toBe(nodeVerifyProfile);
    expect(selectVerifyProfile('static', profiles)).toBe(staticVerifyProfile);
    expect(() => selectVerifyProfile('cobol', profiles)).toThrow(new VerifyError(`verify has no profile for the runtime family "cobol"; it knows ${familyNames().join(', ')}.`));
  });

  it('reads a static project without package.json: the static profile, nothing to install, nothing to build', async () => {
    const f = await readProject(staticProject());
    expect(f.profile).toBe(staticVerifyProfile);
    expect(f).toMatchObject({ name: 'edge-proxy', port: 8080, healthPath: '/healthz', hasBuild: false, modelSource: 'recorded' });
    expect(f.builderImage).toBeUndefined();
    const install = f.profile.dependencyInstall(f);
    const single = f.profile.singleStage(f);
    expect(isNotApplicable(install) && install.notApplicable).toMatch(/prebuilt binary: the Dockerfile installs no dependencies/);
    expect(isNotApplicable(single) && single.notApplicable).toMatch(/no build stage/);
    // what the image needs: the binary, measured in the build context
    expect(neededSources(f)).toEqual([{ path: '/app/server', kind: 'app', stage: undefined, src: 'server' }]);
  });

  it('recognises the Node.js output of an older synthesis by its install command, and nothing else does', () => {
    expect(nodeVerifyProfile.recognizeLegacy!(['--mount=type=cache,id=npm,target=/root/.npm pnpm install --frozen-lockfile --prod --store-dir /root/.cache/pnpm-store']))
      .toEqual({ packageManager: 'pnpm', stages: { dependencies: 'prod-deps', build: 'build' } });
    expect(nodeVerifyProfile.recognizeLegacy!(['go build ./...'])).toBeUndefined();
    expect(staticVerifyProfile.recognizeLegacy).toBeUndefined();
  });
});

describe('the static family\'s checks on the runtime image\'s files', async () => {
  const facts = await readProject(staticProject());
  const results = (files: string[]) => Object.fromEntries(fileChecks(files, facts).map((c) => [c.id, c.ok]));
  // gcr.io/distroless/static: no libc, no shell, no package manager
  const distrolessStatic = ['/etc/passwd', '/etc/group', '/etc/ssl/certs/ca-certificates.crt', '/usr/share/zoneinfo/UTC', '/tmp', '/home/nonroot', '/app/server'];

  it('pass on a libc-free tree holding the binary', () => {
    expect(results(distrolessStatic)).toEqual({
      'no-package-manager': true, 'no-compiler': true, 'no-shell-binary': true, 'binary-present': true, 'no-libc': true, 'no-env-file': true,
    });
  });

  it('fail on a shell, a C library, a toolchain, a package manager, a missing binary', () => {
    expect(results([...distrolessStatic, '/bin/sh'])['no-shell-binary']).toBe(false);
    expect(results([...distrolessStatic, '/busybox/busybox'])['no-shell-binary']).toBe(false);
    expect(results([...distrolessStatic, '/lib/x86_64-linux-gnu/libc.so.6'])['no-libc']).toBe(false);
    expect(results([...distrolessStatic, '/lib64/ld-linux-x86-64.so.2'])['no-libc']).toBe(false);
    expect(results([...distrolessStatic, '/lib/ld-musl-x86_64.so.1'])['no-libc']).toBe(false);
    expect(results([...distrolessStatic, '/usr/local/go/bin/go'])['no-compiler']).toBe(false);
    expect(results([...distrolessStatic, '/sbin/apk'])['no-package-manager']).toBe(false);
    expect(results(distrolessStatic.filter((f) => f !== '/app/server'))['binary-present']).toBe(false);
  });
});

describe('the report of a family without a rebuild or single-stage part', () => {
  it('lists those parts as not applicable, with the reason, and does not count them as passed', () => {
    const size = { image: 'i', baseImage: 'b', fileBytes: 2, baseFileBytes: 1, addedBytes: 1, waste: 0, missing: 0, layers: { image: 'i', total: 2, base: 1, dependencies: 0, app: 1, other: 0 } };
    const lines = formatReport({
      project: '/p',
      engine: 'podman',
      images: { runtime: 'r', debug: 'd', stages: [] },
      buildMs: { runtime: 1, debug: 1 },
      checks: [{ id: 'uid', title: 'runtime image runs as uid 65532, gid 65532 (non-root)', ok: true, detail: 'x' }],
      notApplicable: [{ id: 'install-cached', title: 'a source-only change reuses the dependency install (build cache)', reason: 'a prebuilt binary' }],
      model: { family: 'static', source: 'recorded' },
      sizes: { needed: { items: [], dependencies: 0, app: 1, total: 1 }, runtime: size, debug: size },
      runtimeFiles: [],
      ok: true,
    }, '/');
    expect(lines).toContain('  - a source-only change reuses the dependency install (build cache): not applicable');
    expect(lines).toContain('      a prebuilt binary');
    expect(lines[lines.length - 1]).toBe('All 1 checks passed (1 not applicable to the static family).');
  });
});

describe('ids of a process from /proc', () => {
  it('reads real, effective, saved and filesystem ids', () => {
    const status = 'Name:\tserver\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t65532\t65532\t65532\t65532\nGid:\t65532\t65532\t65532\t65532\nGroups:\t\n';
    expect(parseProcStatus(status)).toEqual({ uids: [65532, 65532, 65532, 65532], gids: [65532, 65532, 65532, 65532] });
    expect(parseProcStatus('Name:\tx\n')).toBeUndefined();
  });

  it('maps a host id into the container through its id map (rootless), or keeps it (rootful)', () => {
    expect(mapToContainer(65532, '         0          0 4294967295\n')).toBe(65532);
    expect(mapToContainer(165531, '0 1000 1\n1 100000 65536\n')).toBe(65532);
    expect(mapToContainer(1000, '0 1000 1\n1 100000 65536\n')).toBe(0);
    expect(mapToContainer(5, '0 1000 1\n')).toBeUndefined();
    expect(mapToContainer(7, undefined)).toBe(7);
  });

  it('reads a process only when its cgroup names the container', () => {
    const proc = fresh('msb-verify-proc-');
    fs.mkdirSync(path.join(proc, '42'));
    fs.writeFileSync(path.join(proc, '42', 'status'), 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n');
    fs.writeFileSync(path.join(proc, '42', 'cgroup'), '0::/machine.slice/libpod-abc123.scope/container\n');
    expect(readProcessIds(proc, 42, 'abc123')).toMatchObject({ uid: 0, gid: 0 });
    expect(readProcessIds(proc, 42, 'def456')).toEqual({ unreadable: `process 42 in ${proc} is not the container's (the engine runs elsewhere)` });
    expect(readProcessIds(proc, 43, 'abc123')).toMatchObject({ unreadable: expect.stringContaining('cannot be read here (ENOENT)') });
  });
});

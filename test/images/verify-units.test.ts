/**
 * src/verify without building: engine detection errors, build output of podman, BuildKit and the
 * legacy builder, history sizes, tar archives and file bytes, what the runtime image needs and the
 * waste arithmetic, the file checks on made-up listings, the single-stage Dockerfile, the chart and
 * the command line.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_MANAGERS } from '../../src';
import { runCli } from '../../src/cli/main';
import { nodeFacts, nodeVerifyProfile } from '../../src/families/node/verify';
import {
  breakdown, compactStep, contextFileBytes, detectEngine, exportImageEntries, fileBytes, fileChecks, FsEntry, imageEntries, neededContent,
  neededSources, parseDockerfile, parseSize, ProjectFacts, readProject, readTarEntries, readTreeEntries, renderSingleStageDockerfile,
  renderSizeChart, runVerify, sizeReport, stepsRunning, VerifyError, verifyProject,
} from '../../src/verify';
import { VERIFY_OPTIONS } from '../../src/verify/options';
import { synth, writePackage } from '../util';
import { podman } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-verify-units-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Entries as comparable lines; which path of a hard-linked file comes first differs by reader. */
function entryKeys(entries: readonly FsEntry[]): string[] {
  return entries.map((e) => `${e.path} ${e.type === 'hardlink' ? 'file' : e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid}`).sort();
}

function fakeBin(name: string, script: string): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'bin-'));
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

describe('before building', () => {
  it('a file: dependency outside the project is named before any build (the build context cannot hold it)', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'outside-'));
    writePackage(dir, { name: 'orders-api', version: '1.0.0', devDependencies: { 'create-msb-app': 'file:/somewhere/create-msb-app.tgz' } });
    synth({}, { dir });
    await expect(verifyProject({ dir, engine: 'podman' })).rejects.toThrow(/create-msb-app \(file:\/somewhere\/create-msb-app\.tgz\), outside the project/);
    writePackage(dir, { name: 'orders-api', version: '1.0.0', devDependencies: { 'create-msb-app': 'file:vendor/create-msb-app.tgz' } });
    await expect(verifyProject({ dir, engine: 'no-such-engine' as any })).rejects.not.toThrow(/outside the project/);
  });
});

describe('engine detection', () => {
  it('says that no engine is installed and how to get one', async () => {
    const err = await detectEngine(undefined, { PATH: fs.mkdtempSync(path.join(tmp, 'empty-')) }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(VerifyError);
    expect((err as Error).message).toMatch(/neither docker nor podman is on PATH.*Install Docker .*or Podman/s);
  });

  it('says the docker daemon is not running, with the engine\'s own message and the fix', async () => {
    const bin = fakeBin('docker', 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1');
    const err = await detectEngine(undefined, { PATH: bin }).catch((e: Error) => e);
    expect((err as Error).message).toContain('docker is installed but `docker info` failed (Cannot connect to the Docker daemon');
    expect((err as Error).message).toContain('start the Docker daemon');
    expect((err as Error).message).toContain('podman is not installed');
  });

  it('takes the first engine that answers', async () => {
    const dir = fakeBin('docker', 'exit 1');
    fs.writeFileSync(path.join(dir, 'podman'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    expect((await detectEngine(undefined, { PATH: dir })).name).toBe('podman');
    await expect(detectEngine('docker', { PATH: dir })).rejects.toThrow(/The container engine docker does not answer/);
  });
});

describe('build output', () => {
  const install = 'npm ci --omit=dev --no-audit --no-fund';
  it('podman: a cached step is followed by "--> Using cache"', () => {
    const out = [
      '[2/4] STEP 2/3: COPY package.json package-lock.json ./',
      '--> Using cache 9e80',
      `[2/4] STEP 3/3: RUN --mount=type=cache,id=npm,target=/root/.npm     ${install} && mkdir -p node_modules`,
      '--> Using cache 3c51',
      '[3/4] STEP 4/5: COPY . .',
      '--> 0351c5a493d',
    ];
    expect(stepsRunning(out, install)).toEqual([{ step: out[2], cached: true }]);
    expect(stepsRunning(out, 'COPY . .')).toEqual([{ step: out[4], cached: false }]);
  });

  it('podman: a step that runs prints its output, not the cache marker', () => {
    const out = [`[2/4] STEP 3/3: RUN ${install}`, 'added 3 packages in 1s', '--> 3c51', '[4/4] STEP 1/4: FROM x'];
    expect(stepsRunning(out, install)).toEqual([{ step: out[0], cached: false }]);
  });

  it('BuildKit (--progress=plain): "#N CACHED" belongs to step N', () => {
    const out = [
      `#9 [prod-deps 3/3] RUN --mount=type=cache,target=/root/.npm ${install}`,
      '#10 [build 4/5] COPY . .',
      '#9 CACHED',
      '#10 DONE 0.1s',
    ];
    expect(stepsRunning(out, install)).toEqual([{ step: out[0], cached: true }]);
    expect(stepsRunning(out, 'COPY . .')[0].cached).toBe(false);
  });

  it('legacy Docker builder: " ---> Using cache"', () => {
    const out = [`Step 5/12 : RUN ${install}`, ' ---> Using cache', ' ---> 1a2b', 'Step 6/12 : COPY . .', ' ---> 3c4d'];
    expect(stepsRunning(out, install)[0].cached).toBe(true);
    expect(stepsRunning(out, 'COPY . .')[0].cached).toBe(false);
  });

  it('shows RUN steps without mounts and the secret preamble', () => {
    expect(compactStep('[2/4] STEP 3/3: RUN --mount=type=cache,id=npm,target=/root/.npm --mount=type=secret,id=ca_cert,target=/run/secrets/ca_cert     [ ! -f /run/secrets/ca_cert ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca_cert;     npm ci --omit=dev'))
      .toBe('[2/4] STEP 3/3: RUN npm ci --omit=dev');
  });
});

describe('sizes', () => {
  it('parses engine sizes', () => {
    expect(parseSize('1234')).toBe(1234);
    expect(parseSize('6.14 kB')).toBe(6140);
    expect(parseSize('150MB')).toBe(150e6);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
  });

  const stage = parseDockerfile('FROM base AS runtime\nWORKDIR /app\nCOPY --from=prod-deps /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\nUSER 65532:65532\nCMD ["dist/index.js"]\n')[0];
  it('splits a BuildKit history into base, dependencies, app and other', () => {
    const history = [
      { size: 0, createdBy: 'CMD ["dist/index.js"]' },
      { size: 0, createdBy: 'USER 65532:65532' },
      { size: 5000, createdBy: 'COPY /app/dist ./dist # buildkit' },
      { size: 3_000_000, createdBy: 'COPY /app/node_modules ./node_modules # buildkit' },
      { size: 100, createdBy: 'WORKDIR /app' },
      { size: 150e6, createdBy: '/bin/sh' },
    ];
    const b = breakdown('img', history, stage, (by) => by.includes('node_modules'));
    expect(b).toEqual({ image: 'img', total: 150e6 + 3_005_100, base: 150e6, dependencies: 3_000_000, app: 5000, other: 100 });
  });

  // needed: measured outside the runtime image (prod-deps stage, build stage, context)
  const needed = neededContent([
    { path: '/app/node_modules', kind: 'dependencies', stage: 'prod-deps', src: '/app/node_modules', bytes: 3_000_000 },
    { path: '/app/package.json', kind: 'app', src: 'package.json', bytes: 1000 },
    { path: '/app/dist', kind: 'app', stage: 'build', src: '/app/dist', bytes: 4000 },
  ]);
  const layers = { image: 'img', total: 153e6, base: 150e6, dependencies: 3e6, app: 5000, other: 0 };
  const content = (image: string, bytes: number, baseFileBytes = 149e6) => ({ image, baseImage: 'base', fileBytes: bytes, baseFileBytes });

  it('waste is the image files minus the base image files minus what is needed', () => {
    expect(needed).toMatchObject({ dependencies: 3_000_000, app: 5000, total: 3_005_000 });
    const r = sizeReport(
      needed,
      { content: content('runtime', 149e6 + 3_005_000), layers },
      { content: content('debug', 151e6 + 3_005_000, 151e6), layers: { ...layers, total: 155e6 } },
      { content: content('single', 290e6 + 110e6, 290e6), layers: { ...layers, image: 's', total: 400e6 } },
    );
    expect(r.runtime).toMatchObject({ addedBytes: 3_005_000, waste: 0, missing: 0 });
    expect(r.debug.waste).toBe(0);
    expect(r.singleStage!.waste).toBe(110e6 - 3_005_000);
    expect(r.ratio).toBeCloseTo(400e6 / 153e6);
    const svg = renderSizeChart(r, 'a <b>');
    expect(svg).toContain('a &lt;b&gt;');
    expect(svg.match(/<rect [^>]*fill="#ef4444"><title>single-stage waste/g)).toHaveLength(1);
    expect(svg).not.toMatch(/<title>runtime waste/);
  });

  it('counts extra content as waste: the needed bytes do not come from the image', () => {
    // the same image with the source tree copied in: its own layers grow, what is needed does not
    const r = sizeReport(needed, { content: content('runtime', 149e6 + 3_005_000 + 2_500_000), layers: { ...layers, app: 2_505_000 } }, { content: content('debug', 151e6 + 3_005_000, 151e6), layers });
    expect(r.runtime.waste).toBe(2_500_000);
    expect(renderSizeChart(r).match(/<title>runtime waste: 2\.5 MB/g)).toHaveLength(1);
    // and an image without its dependencies misses them
    const short = sizeReport(needed, { content: content('runtime', 149e6 + 5000), layers }, { content: content('debug', 151e6 + 3_005_000, 151e6), layers });
    expect(short.runtime).toMatchObject({ waste: 0, missing: 3_000_000 });
  });
});

describe('exported filesystems', () => {
  it('reads tar entries (long names, hard links, symlinks) and sums file bytes only', () => {
    const root = fs.mkdtempSync(path.join(tmp, 'tar-'));
    const deep = path.join(root, 'app', 'node_modules', 'a'.repeat(60), 'b'.repeat(60));
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(deep, 'index.js'), 'x'.repeat(1500));
    fs.writeFileSync(path.join(root, 'app', 'package.json'), '{}');
    fs.linkSync(path.join(root, 'app', 'package.json'), path.join(root, 'app', 'hardlink.json'));
    fs.symlinkSync('package.json', path.join(root, 'app', 'link.json'));
    for (const format of ['gnu', 'posix', 'ustar']) {
      const archive = path.join(tmp, `fs-${format}.tar`);
      const r = spawnSync('tar', [`--format=${format}`, '-cf', archive, '-C', root, '.'], { encoding: 'utf8' });
      if (format === 'ustar' && r.status !== 0) continue; // the long name does not fit ustar
      expect(r.status, r.stderr).toBe(0);
      const entries = readTarEntries(archive);
      expect(entries.map((e) => e.path)).toContain(`/app/node_modules/${'a'.repeat(60)}/${'b'.repeat(60)}/index.js`);
      expect(entries.find((e) => e.path === '/app/link.json')!.type).toBe('symlink');
      expect(fileBytes(entries), format).toBe(1502);
      expect(fileBytes(entries, '/app/node_modules')).toBe(1500);
      expect(fileBytes(entries, '/app/package.json') + fileBytes(entries, '/app/hardlink.json')).toBe(2);
    }
  });

  it('reads a folder tree as its tar archive reads (hard links once, symlinks, modes, owners)', () => {
    const root = fs.mkdtempSync(path.join(tmp, 'tree-'));
    fs.mkdirSync(path.join(root, 'app', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(root, 'app', 'a.js'), 'x'.repeat(700));
    fs.linkSync(path.join(root, 'app', 'a.js'), path.join(root, 'app', 'b.js'));
    fs.symlinkSync('../a.js', path.join(root, 'app', 'bin', 'a'));
    fs.writeFileSync(path.join(root, 'app', 'bin', 'tool'), '#!', { mode: 0o4755 });
    fs.chmodSync(path.join(root, 'app', 'bin', 'tool'), 0o4755);
    const archive = path.join(tmp, 'tree.tar');
    expect(spawnSync('tar', ['--format=posix', '-cf', archive, '-C', root, '.']).status).toBe(0);
    expect(entryKeys(readTreeEntries(root))).toEqual(entryKeys(readTarEntries(archive)));
    expect(fileBytes(readTreeEntries(root))).toBe(702);
    expect(readTreeEntries(root).find((e) => e.path === '/app/bin/tool')!.mode).toBe(0o4755);
  });

  it('reads an image through `podman image mount` as its export reads it', async () => {
    const engine = podman();
    const image = 'gcr.io/distroless/nodejs26-debian13:debug-nonroot';
    const mount = await engine.must(['image', 'mount', image]);
    let mounted: FsEntry[];
    try {
      mounted = readTreeEntries(mount.trim());
    } finally {
      await engine.exec(['image', 'unmount', image]);
    }
    const exported = await exportImageEntries(engine, image);
    expect(mounted.length).toBeGreaterThan(100);
    expect(entryKeys(mounted)).toEqual(entryKeys(exported));
    expect(fileBytes(mounted)).toBe(fileBytes(exported));
    // what verify calls: the same entries (rootful podman mounts; a refused mount exports)
    expect(fileBytes(await imageEntries(engine, image))).toBe(fileBytes(exported));
  });

  it('measures files in the build context without what .dockerignore excludes', () => {
    const ctx = fs.mkdtempSync(path.join(tmp, 'ctx-'));
    fs.mkdirSync(path.join(ctx, 'lib', 'test'), { recursive: true });
    fs.writeFileSync(path.join(ctx, 'lib', 'a.js'), 'x'.repeat(100));
    fs.writeFileSync(path.join(ctx, 'lib', 'test', 'a.test.js'), 'x'.repeat(1000));
    fs.writeFileSync(path.join(ctx, 'server.js'), 'x'.repeat(10));
    fs.writeFileSync(path.join(ctx, '.dockerignore'), '**/test\n');
    expect(contextFileBytes(ctx, 'lib')).toBe(100);
    expect(contextFileBytes(ctx, './server.js')).toBe(10);
    expect(contextFileBytes(ctx, 'missing.js')).toBe(0);
  });
});

describe('file checks', () => {
  const model = { family: 'node', workdir: '/app', hasBuild: true, stages: { dependencies: 'prod-deps', build: 'build', runtime: 'runtime' } };
  const facts = { workdir: '/app', hasBuild: true, model, profile: nodeVerifyProfile, familyFacts: { devDependencies: ['nodemon', '@types/node'] } } as unknown as ProjectFacts;
  const ids = (files: string[]) => Object.fromEntries(fileChecks(files, facts).map((c) => [c.id, c.ok]));

  it('pass on a clean listing', () => {
    expect(ids(['/nodejs/bin/node', '/app/package.json', '/app/dist/index.js', '/app/node_modules/express/package.json', '/app/node_modules/x/index.d.ts'])).toEqual({
      'no-package-manager': true, 'no-compiler': true, 'no-shell-binary': true, 'no-dev-dependencies': true, 'no-typescript-sources': true, 'no-env-file': true, 'no-tests': true,
    });
  });

  it('fail on what must stay out', () => {
    expect(ids([
      '/usr/local/bin/npm', '/bin/sh', '/app/node_modules/nodemon', '/app/node_modules/.pnpm/@types+node@24.0.0/node_modules/@types/node/package.json',
      '/app/src/index.ts', '/app/.env.production', '/app/test/a.js',
    ])).toEqual({
      'no-package-manager': false, 'no-compiler': true, 'no-shell-binary': false, 'no-dev-dependencies': false, 'no-typescript-sources': false, 'no-env-file': false, 'no-tests': false,
    });
    expect(ids(['/usr/bin/gcc'])['no-compiler']).toBe(false);
    expect(ids(['/usr/bin/dpkg'])['no-package-manager']).toBe(false);
    // a .env file shipped inside a dependency is the package's, not the project's
    expect(ids(['/app/node_modules/dotenv/.env'])['no-env-file']).toBe(true);
    expect(ids(['/app/dist/a.spec.js'])['no-tests']).toBe(false);
    expect(ids(['/app/node_modules/corepack/package.json'])['no-package-manager']).toBe(false);
  });
});

describe('project facts and the single-stage equivalent', () => {
  function project(build: boolean): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'proj-'));
    const pm = PACKAGE_MANAGERS.pnpm;
    const df = [
      '# comment',
      'FROM docker.io/library/node:24-trixie AS base',
      'WORKDIR /app',
      'RUN --mount=type=cache,id=npm,target=/root/.npm \\',
      '    command -v pnpm >/dev/null || npm install -g pnpm@10',
      'FROM base AS prod-deps',
      'COPY package.json pnpm-lock.yaml ./',
      `RUN ${pm.installProd} && mkdir -p node_modules`,
      ...(build ? ['FROM base AS build', 'COPY package.json pnpm-lock.yaml ./', `RUN ${pm.installAll}`, 'COPY . .', 'RUN pnpm run build'] : []),
      'FROM gcr.io/distroless/nodejs24-debian13:nonroot AS runtime',
      'WORKDIR /app',
      'ENV NODE_ENV=production',
      'COPY --from=prod-deps --chown=65532:65532 /app/node_modules ./node_modules',
      'USER 65532:65532',
      'EXPOSE 3000',
      `CMD ["${build ? 'dist/index.js' : 'server.js'}"]`,
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'Dockerfile'), df);
    fs.writeFileSync(path.join(dir, 'Dockerfile.debug'), df.replace(':nonroot', ':debug-nonroot'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', dependencies: { a: '1' }, devDependencies: { a: '1', b: '1' } }));
    return dir;
  }

  it('reads the facts from the generated files', async () => {
    const f = await readProject(project(true));
    expect(f).toMatchObject({ builderImage: 'docker.io/library/node:24-trixie', runtimeBase: 'gcr.io/distroless/nodejs24-debian13:nonroot', debugBase: 'gcr.io/distroless/nodejs24-debian13:debug-nonroot', port: 3000, uid: 65532, workdir: '/app', hasBuild: true, healthPath: '/' });
    expect(nodeFacts(f).devDependencies).toEqual(['b']);
    expect(nodeFacts(f).packageManager.name).toBe('pnpm');
    expect(f.model).toMatchObject({ family: 'node', packageManager: 'pnpm', gid: 65532, stages: { dependencies: 'prod-deps', build: 'build', runtime: 'runtime' } });
    expect(f.modelSource).toBe('generated-files');
    expect(f.modelNote).toMatch(/^\.projen\/msb\.json records no model .*run `npx projen` to record it\.$/);
  });

  it('renders one stage: builder, all dependencies, sources, build', async () => {
    const single = renderSingleStageDockerfile(await readProject(project(true)));
    expect(parseDockerfile(single)).toHaveLength(1);
    expect(single).toContain(PACKAGE_MANAGERS.pnpm.installAll);
    expect(single).not.toContain(PACKAGE_MANAGERS.pnpm.installProd);
    expect(single).toMatch(/COPY \. \.\nRUN pnpm run build\n/);
    expect(single).toMatch(/CMD \["node","dist\/index.js"\]\n$/);
    const noBuild = renderSingleStageDockerfile(await readProject(project(false)));
    expect(noBuild).toContain(`RUN ${PACKAGE_MANAGERS.pnpm.installAll}\nCOPY . .`);
    expect(noBuild).not.toContain('mkdir -p node_modules');
  });

  it('tells what the runtime image needs from the stages and the context, not from its own copies', async () => {
    const dir = project(true);
    const df = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8').replace('USER 65532:65532', [
      'COPY --from=build --chown=65532:65532 /app/dist ./dist',
      'COPY --chown=65532:65532 package.json ./',
      'COPY --chown=65532:65532 config ./config',
      // none of these is needed: the whole context, the build stage's workdir and its node_modules
      'COPY --chown=65532:65532 . ./src-copy',
      'COPY --from=build --chown=65532:65532 /app ./everything',
      'COPY --from=build --chown=65532:65532 /app/node_modules ./node_modules',
      'COPY --from=docker.io/library/busybox /bin/busybox /bin/',
      'USER 65532:65532',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), df);
    expect(neededSources(await readProject(dir))).toEqual([
      { path: '/app/node_modules', kind: 'dependencies', stage: 'prod-deps', src: '/app/node_modules' },
      { path: '/app/package.json', kind: 'app', src: 'package.json' },
      { path: '/app/dist', kind: 'app', stage: 'build', src: '/app/dist' },
      { path: '/app/config', kind: 'app', stage: undefined, src: 'config' },
    ]);
  });

  it('names the missing file when the folder is not a synthesized project', async () => {
    await expect(readProject(tmp)).rejects.toThrow(/Dockerfile not found: run verify in a project made by create-msb-app/);
  });
});

describe('create-msb-app verify (command line)', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const stdout = { write: (s: string) => (out += s) } as unknown as NodeJS.WritableStream;
    const stderr = { write: (s: string) => (err += s) } as unknown as NodeJS.WritableStream;
    const code = await runVerify(argv, { stdout, stderr, cwd: tmp });
    return { code, out, err };
  };

  it('has its help generated from the one declaration of its options (the CLI\'s and the parser\'s)', async () => {
    let out = '';
    const code = await runCli(['verify', '--help'], { stdout: { write: (t: string) => ((out += t), true) } as any, cwd: tmp });
    expect(code).toBe(0);
    for (const name of Object.keys(VERIFY_OPTIONS)) expect(out).toContain(`--${name}`);
    expect(out).toContain('no setuid file');
  });

  it('reports every bad option at once', async () => {
    const r = await run(['--engine', 'lxc', '--pull', 'sometimes']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Invalid --engine "lxc"');
    expect(r.err).toContain('Invalid --pull "sometimes"');
  });

  it('rejects bad options with exit code 2', async () => {
    expect((await run(['--engine', 'lxc'])).err).toContain('Invalid --engine "lxc": expected docker or podman');
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['--secret', 'id=x,src=/nonexistent/file'])).err).toContain('Secret file /nonexistent/file does not exist');
  });

  it('exits 1 with a clear message outside a project', async () => {
    const r = await run(['.']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: .*Dockerfile not found/);
  });
});

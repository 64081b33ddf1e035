import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { instructions, stage, synth, writePackage, tempDir } from '../util';

describe('Dockerfile', () => {
  it('matches the snapshot for the defaults (Node 26, npm, build to dist)', () => {
    const { files } = synth();
    expect(files.Dockerfile).toMatchSnapshot();
    expect(files['.dockerignore']).toMatchSnapshot();
  });

  it('is multi-stage: production deps, full deps + build, distroless runtime last, builder on the same Debian release', () => {
    const { files } = synth({ runtime: { nodeVersion: '24' } });
    const froms = instructions(files.Dockerfile).filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual([
      'FROM docker.io/library/node:24-trixie AS base',
      'FROM base AS prod-deps',
      'FROM base AS build',
      'FROM gcr.io/distroless/nodejs24-debian13:nonroot AS runtime',
    ]);
  });

  it('copies manifests and lockfile, installs, and only then copies the sources', () => {
    const { files } = synth();
    const build = stage(files.Dockerfile, 'build');
    const manifests = build.findIndex((l) => l === 'COPY package.json package-lock.json ./');
    const install = build.findIndex((l) => l.startsWith('RUN ') && l.includes('npm ci --no-audit'));
    const sources = build.indexOf('COPY . .');
    const buildCmd = build.indexOf('RUN npm run build');
    expect(manifests).toBeGreaterThan(0);
    expect(install).toBeGreaterThan(manifests);
    expect(sources).toBeGreaterThan(install);
    expect(buildCmd).toBeGreaterThan(sources);
    const prod = stage(files.Dockerfile, 'prod-deps');
    expect(prod).toContain('COPY package.json package-lock.json ./');
    expect(prod.some((l) => l.includes('npm ci --omit=dev'))).toBe(true);
    expect(prod.some((l) => l.startsWith('COPY . '))).toBe(false);
  });

  it('copies local file: dependencies (inside the project) before each install, keeping their paths', () => {
    const dir = tempDir();
    writePackage(dir, {
      name: 'orders-api',
      version: '1.0.0',
      dependencies: { 'lib-a': 'file:./packages/lib-a', 'outside': 'file:../elsewhere' },
      devDependencies: { 'create-msb-app': 'file:vendor/create-msb-app.tgz', 'ms': '^2.1.3' },
    });
    const { files } = synth({}, { dir });
    for (const name of ['prod-deps', 'build']) {
      const st = stage(files.Dockerfile, name);
      const install = st.findIndex((l) => l.startsWith('RUN ') && l.includes('npm ci'));
      expect(st.indexOf('COPY packages/lib-a ./packages/lib-a'), name).toBeGreaterThan(0);
      expect(st.indexOf('COPY vendor/create-msb-app.tgz ./vendor/create-msb-app.tgz'), name).toBeGreaterThan(0);
      expect(st.indexOf('COPY vendor/create-msb-app.tgz ./vendor/create-msb-app.tgz'), name).toBeLessThan(install);
      expect(st.join('\n'), name).not.toContain('elsewhere');
    }
    const ig = dockerignore().add(files['.dockerignore']);
    expect(ig.ignores('vendor/create-msb-app.tgz')).toBe(false);
    expect(ig.ignores('packages/lib-a')).toBe(false);
  });

  it('keeps package-manager caches in cache mounts and reads secrets through secret mounts', () => {
    for (const pm of ['npm', 'pnpm', 'yarn'] as const) {
      const { files } = synth({ runtime: { packageManager: pm } });
      const runs = instructions(files.Dockerfile).filter((l) => /\b(npm ci|pnpm install|yarn install)\b/.test(l));
      expect(runs.length).toBe(2);
      for (const r of runs) {
        // the project's prepare script (husky, a build) cannot run before the sources are there
        expect(r).toMatch(/npm pkg delete scripts\.prepare && (npm ci|pnpm install|yarn install)/);
        expect(r).toMatch(/--mount=type=cache,id=\w+,target=\//);
        expect(r).toContain('--mount=type=secret,id=npmrc,target=/root/.npmrc');
        expect(r).toContain('--mount=type=secret,id=ca_cert,target=/run/secrets/ca_cert');
      }
      // nothing writes a secret or an .npmrc into a layer
      expect(files.Dockerfile).not.toMatch(/COPY[^\n]*\.npmrc/);
      expect(files.Dockerfile).not.toMatch(/ENV NODE_EXTRA_CA_CERTS/);
    }
  });

  it('installs pnpm and yarn with npm in the builder (no corepack on Node 26)', () => {
    const pnpm = synth({ runtime: { packageManager: 'pnpm' } }).files.Dockerfile;
    expect(stage(pnpm, 'base').some((l) => l.includes('npm install -g --no-audit --no-fund pnpm@10'))).toBe(true);
    expect(pnpm).toContain('COPY package.json pnpm-lock.yaml ./');
    expect(pnpm).toContain('pnpm install --frozen-lockfile --prod');
    expect(pnpm).not.toContain('corepack');
    const yarn = synth({ runtime: { packageManager: 'yarn' } }).files.Dockerfile;
    expect(yarn).toContain('COPY package.json yarn.lock ./');
    expect(yarn).toContain('yarn install --frozen-lockfile --non-interactive --production');
  });

  it('runtime stage copies only node_modules, build output and package.json, owned by 65532, with USER, EXPOSE, CMD, labels', () => {
    const { files } = synth({ port: 3000, version: '2.0.0', sourceUrl: 'https://example.com/orders' });
    const rt = stage(files.Dockerfile, 'runtime');
    const copies = rt.filter((l) => l.startsWith('COPY '));
    expect(copies).toEqual([
      'COPY --from=prod-deps --chown=0:0 --chmod=0555 /app/node_modules ./node_modules',
      'COPY --chown=0:0 --chmod=0555 package.json ./package.json',
      'COPY --from=build --chown=0:0 --chmod=0555 /app/dist ./dist',
    ]);
    expect(rt).toContain('USER 65532:65532');
    expect(rt).toContain('WORKDIR /app');
    expect(rt).toContain('EXPOSE 3000');
    expect(rt).toContain('ENV NODE_ENV=production');
    expect(rt[rt.length - 1]).toBe('CMD ["dist/index.js"]');
    const label = rt.find((l) => l.startsWith('LABEL '))!;
    expect(label).toContain('org.opencontainers.image.title="orders-api"');
    expect(label).toContain('org.opencontainers.image.version="2.0.0"');
    expect(label).toContain('org.opencontainers.image.source="https://example.com/orders"');
  });

  it('without a build copies the entrypoint (or its folder) and listed files from the context, no build stage', () => {
    const { files } = synth({ build: false, entrypoint: 'server.js', files: ['server.js', 'routes', 'views'] });
    expect(files.Dockerfile).not.toContain(' AS build');
    const copies = stage(files.Dockerfile, 'runtime').filter((l) => l.startsWith('COPY '));
    expect(copies).toContain('COPY --chown=0:0 --chmod=0555 routes ./routes');
    expect(copies).toContain('COPY --chown=0:0 --chmod=0555 server.js ./server.js');
    expect(files.Dockerfile).toContain('CMD ["server.js"]');
    const defaulted = synth({ build: false, entrypoint: 'src/server.js' }).files.Dockerfile;
    expect(defaulted).toContain('COPY --chown=0:0 --chmod=0555 src ./src');
  });

  it('Dockerfile.debug is the same build with the debug-nonroot base and nothing else different', () => {
    for (const props of [{}, { build: false as const }, { runtime: { nodeVersion: '22', packageManager: 'pnpm' as const } }]) {
      const { files } = synth(props);
      const a = files.Dockerfile.split('\n');
      const b = files['Dockerfile.debug'].split('\n');
      expect(b.length).toBe(a.length);
      const diff = a.map((l, i) => [l, b[i]]).filter(([x, y]) => x !== y);
      expect(diff.length).toBe(1);
      expect(diff[0][0]).toMatch(/^FROM gcr\.io\/distroless\/nodejs\d+-debian13:nonroot AS runtime$/);
      expect(diff[0][1]).toBe(diff[0][0].replace(':nonroot', ':debug-nonroot'));
    }
  });

  it('base images follow a mirror or explicit digest pins', () => {
    const mirrored = synth({ baseImages: { mirror: 'mirror.example.com' } }).files;
    expect(mirrored.Dockerfile).toContain('FROM mirror.example.com/library/node:26-trixie AS base');
    expect(mirrored.Dockerfile).toContain('FROM mirror.example.com/distroless/nodejs26-debian13:nonroot AS runtime');
    expect(mirrored['Dockerfile.debug']).toContain('FROM mirror.example.com/distroless/nodejs26-debian13:debug-nonroot AS runtime');
    const d1 = `sha256:${'a'.repeat(64)}`;
    const d2 = `sha256:${'b'.repeat(64)}`;
    const pinned = synth({
      baseImages: { runtime: `gcr.io/distroless/nodejs26-debian13@${d1}`, debug: `gcr.io/distroless/nodejs26-debian13@${d2}` },
    }).files;
    expect(pinned.Dockerfile).toContain(`FROM gcr.io/distroless/nodejs26-debian13@${d1} AS runtime`);
    expect(pinned['Dockerfile.debug']).toContain(`FROM gcr.io/distroless/nodejs26-debian13@${d2} AS runtime`);
  });

  it('escapes values for Dockerfiles: quotes and $ stay literal', () => {
    const { files } = synth({ env: { GREETING: 'say "hi" to $USER', PLAIN: 'a b' } });
    expect(files.Dockerfile).toContain('ENV GREETING="say \\"hi\\" to \\$USER"');
    expect(files.Dockerfile).toContain('ENV PLAIN="a b"');
    expect(files.Dockerfile).not.toContain('&quot;');
  });

  it('uses only instructions that Podman/Buildah 1.28 builds (no COPY --link, no heredocs)', () => {
    for (const pm of ['npm', 'pnpm', 'yarn'] as const) {
      const { files } = synth({ runtime: { packageManager: pm } });
      for (const f of [files.Dockerfile, files['Dockerfile.debug']]) {
        expect(f).not.toMatch(/--link/);
        expect(f).not.toMatch(/<<-?\s*['"]?[A-Z]+/);
        for (const l of instructions(f)) {
          expect(l).toMatch(/^(FROM|WORKDIR|ENV|COPY|RUN|USER|EXPOSE|LABEL|CMD) /);
          const flags = l.startsWith('COPY ') ? l.match(/--[a-z]+/g) ?? [] : [];
          for (const flag of flags) expect(['--from', '--chown', '--chmod']).toContain(flag);
        }
      }
    }
  });
});

describe('.dockerignore', () => {
  const mustIgnore = ['.git', 'node_modules', 'sub/node_modules', '.env', '.env.production', 'tls.key', 'cert.pem', '.npmrc',
    'dist', 'coverage', 'test', 'src/app.test.ts', 'k8s', 'Dockerfile', 'Dockerfile.debug'];

  it('keeps VCS data, dependencies, env files, keys, build and test output, k8s and the Dockerfiles out', () => {
    const ig = dockerignore().add(synth().files['.dockerignore']);
    for (const p of mustIgnore) expect(ig.ignores(p), p).toBe(true);
    expect(ig.ignores('src/index.ts')).toBe(false);
    expect(ig.ignores('tsconfig.json')).toBe(false);
  });

  it('never ignores a file the Dockerfile copies from the context', () => {
    const cases = [
      {},
      { build: false as const, entrypoint: 'server.js', files: ['server.js', 'routes', 'public'] },
      { build: false as const, entrypoint: 'src/index.js' },
      { runtime: { packageManager: 'pnpm' as const } },
      { runtime: { packageManager: 'yarn' as const }, build: { outDir: 'build' } },
    ];
    for (const props of cases) {
      const { files } = synth(props);
      const ig = dockerignore().add(files['.dockerignore']);
      const sources = instructions(files.Dockerfile)
        .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
        .flatMap((l) => l.split(' ').slice(1).filter((w) => !w.startsWith('--')).slice(0, -1));
      expect(sources.length).toBeGreaterThan(0);
      for (const src of sources) if (src !== '.') expect(ig.ignores(src), `${src} in ${JSON.stringify(props)}`).toBe(false);
    }
  });

  it('ignores the build output folder the definition names', () => {
    const ig = dockerignore().add(synth({ build: { outDir: 'out' } }).files['.dockerignore']);
    expect(ig.ignores('out')).toBe(true);
  });

  it('re-includes a listed runtime file that a default pattern would exclude', () => {
    const { files } = synth({ build: false, entrypoint: 'server.js', files: ['server.js', 'test'] });
    const ig = dockerignore().add(files['.dockerignore']);
    expect(ig.ignores('test')).toBe(false);
    expect(ig.ignores('src/test')).toBe(true);
    expect(ig.ignores('.env.local')).toBe(true);
  });

  it('keeps secrets out at any depth, and refuses to copy a secret into the image', () => {
    const ig = dockerignore().add(synth().files['.dockerignore']);
    for (const p of ['src/.env', 'config/.env.production', 'certs/server.pem', 'src/server.key', 'packages/a/.npmrc',
      'src/id_rsa', '.aws/credentials', '.docker/config.json', '.kube/config', 'src/test/a.js', 'lib/__tests__/x.js']) {
      expect(ig.ignores(p), p).toBe(true);
    }
    expect(() => synth({ build: false, entrypoint: 'server.js', files: ['server.js', '.env'] }))
      .toThrow(/files: got ".env"; expected a path that is not a secret/);
    expect(() => synth({ build: false, entrypoint: 'server.js', files: ['server.js', 'certs/tls.key'] }))
      .toThrow(/files: got "certs\/tls.key"; expected a path that is not a secret/);
  });

});

/**
 * Several Apps in one workspace project: detection of the workspace and its packages, the outputs
 * next to each app, the one root .dockerignore judged for the union of what every App copies, the
 * root kustomization, the pruned installs, and the errors of a definition that cannot work.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { App, AppProps, HandEditError, ManifestKind, MsbProject, MsbValidationError, schemaError } from '../../src';
import { dependentsOf, findPackage, internalClosure, readWorkspace } from '../../src/families/node/workspace/detect';
import { loadVerifyProfiles, readVerifyModel } from '../../src/verify';
import { workspaceFiles } from '../images/workspace-fixture';
import { instructions, kustomize, readTree, tempDir } from '../util';

function workspace(kind: 'npm' | 'pnpm', extra: Record<string, string> = {}): string {
  const dir = tempDir('msb-ws-');
  for (const [rel, content] of Object.entries({ ...workspaceFiles(kind), ...extra })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  fs.writeFileSync(path.join(dir, kind === 'pnpm' ? 'pnpm-lock.yaml' : 'package-lock.json'), kind === 'pnpm' ? 'lockfileVersion: "9.0"\n' : '{}\n');
  return dir;
}

const APP: AppProps = { build: { script: 'build', outDir: 'dist' }, entrypoint: 'dist/index.js', port: 3000, image: { tag: '1.0.0' } };

function project(dir: string, apps: AppProps[], name = 'shop'): { project: MsbProject; apps: App[] } {
  const p = new MsbProject({ name, outdir: dir });
  return { project: p, apps: apps.map((a) => new App(p, a)) };
}

function synthTwo(kind: 'npm' | 'pnpm', extra: Record<string, string> = {}, props: Partial<AppProps> = {}) {
  const dir = workspace(kind, extra);
  const { project: p } = project(dir, [
    { ...APP, path: 'apps/web', runtime: { packageManager: kind }, ...props },
    { ...APP, path: 'apps/api', runtime: { packageManager: kind } },
  ]);
  p.synth();
  return { dir, files: readTree(dir) };
}

function validationError(fn: () => unknown): MsbValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MsbValidationError) return e;
    throw e;
  }
  throw new Error('no MsbValidationError');
}

describe('workspace detection', () => {
  it('reads npm "workspaces" and pnpm-workspace.yaml, their packages, dependencies first, and who depends on whom', () => {
    for (const kind of ['npm', 'pnpm'] as const) {
      const ws = readWorkspace(workspace(kind))!;
      expect(ws.kind).toBe(kind);
      expect(ws.packages.map((p) => `${p.dir}=${p.name}`)).toEqual(['apps/api=api', 'apps/web=web', 'packages/shared=@shop/shared']);
      const web = findPackage(ws, 'apps/web')!;
      expect(internalClosure(ws, web).map((p) => p.dir)).toEqual(['packages/shared']);
      expect(dependentsOf(ws, findPackage(ws, 'packages/shared')!)).toEqual(['api', 'web']);
      expect(dependentsOf(ws, web)).toEqual([]);
    }
  });

  it('orders a chain of internal packages dependencies first, follows excluded patterns and ignores no-workspace roots', () => {
    const dir = tempDir('msb-ws-');
    const pkg = (name: string, deps: Record<string, string> = {}) => JSON.stringify({ name, version: '1.0.0', dependencies: deps });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'r', workspaces: ['apps/*', 'libs/*', '!libs/skip'] }));
    for (const [d, content] of Object.entries({
      'apps/a': pkg('a', { b: '*' }), 'libs/b': pkg('b', { c: '*' }), 'libs/c': pkg('c'), 'libs/skip': pkg('skip'),
    })) {
      fs.mkdirSync(path.join(dir, d), { recursive: true });
      fs.writeFileSync(path.join(dir, d, 'package.json'), content);
    }
    const ws = readWorkspace(dir)!;
    expect(ws.packages.map((p) => p.name)).toEqual(['a', 'b', 'c']);
    expect(internalClosure(ws, findPackage(ws, 'apps/a')!).map((p) => p.name)).toEqual(['c', 'b']);
    const plain = tempDir('msb-ws-');
    fs.writeFileSync(path.join(plain, 'package.json'), pkg('plain'));
    expect(readWorkspace(plain)).toBeUndefined();
  });
});

describe('several Apps in one workspace project', () => {
  it('writes each App\'s Dockerfiles and k8s/ in its folder, one .dockerignore and a root kustomization of every App', () => {
    const { dir, files } = synthTwo('npm');
    for (const app of ['web', 'api']) {
      for (const f of ['Dockerfile', 'Dockerfile.debug', 'k8s/base/deployment.yaml', 'k8s/base/kustomization.yaml', 'k8s/overlays/debug/kustomization.yaml']) {
        expect(files[`apps/${app}/${f}`], `apps/${app}/${f}`).toBeDefined();
      }
      expect(files[`apps/${app}/.dockerignore`]).toBeUndefined();
    }
    expect(files.Dockerfile).toBeUndefined();
    expect(files['k8s/base/deployment.yaml']).toBeUndefined();
    const objects = kustomize(path.join(dir, 'k8s'));
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['api', 'web']);
    for (const o of objects) expect(schemaError(o.kind as ManifestKind, o), o.kind).toBeUndefined();
    const debug = kustomize(path.join(dir, 'k8s', 'overlays', 'debug'));
    expect(debug.filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec.containers[0].image).sort()).toEqual(['api:1.0.0-debug', 'web:1.0.0-debug']);
    const record = JSON.parse(files['.projen/msb.json']);
    expect(Object.keys(record.apps)).toEqual(['apps/api', 'apps/web']);
    expect(record.apps['apps/web'].cmd).toEqual(['apps/web/dist/index.js']);
  });

  it('npm: the production install is pruned to the app (npm ci --workspace) and reads only its own and its internal packages\' manifests', () => {
    const { files } = synthTwo('npm');
    const df = instructions(files['apps/web/Dockerfile']);
    const prod = df.slice(df.indexOf('FROM base AS prod-deps'), df.findIndex((l) => l.startsWith('FROM gcr.io')));
    expect(prod.filter((l) => l.startsWith('COPY'))).toEqual([
      'COPY package.json ./package.json', 'COPY package-lock.json ./package-lock.json',
      'COPY apps/web/package.json ./apps/web/package.json', 'COPY packages/shared/package.json ./packages/shared/package.json',
    ]);
    expect(prod.join('\n')).toContain('npm ci --omit=dev --workspace apps/web');
    // the internal package is built before the app
    const build = df.filter((l) => l.startsWith('RUN npm run build'));
    expect(build).toEqual(['RUN npm run build --workspace packages/shared --if-present', 'RUN npm run build --workspace apps/web']);
    expect(df).toContain('CMD ["apps/web/dist/index.js"]');
    expect(df).toContain('COPY --from=build --chown=0:0 --chmod=0555 /app/packages/shared/dist ./packages/shared/dist');
  });

  it('pnpm: internal packages are built first (--filter), then pnpm deploy --legacy prunes to the app', () => {
    const { files } = synthTwo('pnpm');
    const df = instructions(files['apps/web/Dockerfile']);
    expect(df.filter((l) => l.startsWith('RUN pnpm'))).toEqual(['RUN pnpm --filter @shop/shared run --if-present build', 'RUN pnpm --filter web run build']);
    expect(df.join('\n')).toContain('pnpm --filter web deploy --prod --legacy --frozen-lockfile');
    expect(df).toContain('COPY --from=prod-deps --chown=0:0 --chmod=0555 /app/.msb/deploy/node_modules ./apps/web/node_modules');
    expect(df).toContain('COPY pnpm-workspace.yaml ./pnpm-workspace.yaml');
  });

  it('the root .dockerignore keeps every App\'s outputs and host builds out and re-includes what any App copies, with secrets out inside it', () => {
    const { files } = synthTwo('npm', { 'apps/web/public/index.html': '<p>hi</p>', 'apps/web/public/.env': 'X=1' }, { files: ['public'] });
    const text = files['.dockerignore'];
    const m = ignoreMatcher().add(text);
    for (const p of ['apps/web/Dockerfile', 'apps/api/Dockerfile.debug', 'apps/api/k8s/base/deployment.yaml', 'apps/web/dist/index.js', 'apps/api/.env', 'apps/web/node_modules/x/index.js', 'k8s/kustomization.yaml']) {
      expect(m.ignores(p), p).toBe(true);
    }
    for (const p of ['apps/web/package.json', 'packages/shared/package.json', 'package-lock.json', 'apps/web/src/index.js']) expect(m.ignores(p), p).toBe(false);
    expect(m.ignores('apps/web/public/.env')).toBe(true);
  });

  it('an org re-include that opens a secret in any App\'s context is an error naming .dockerignore, and nothing is written', () => {
    const dir = workspace('npm', { 'apps/api/.env': 'T=1' });
    fs.writeFileSync(path.join(dir, 'msb-template.json'), JSON.stringify({ dockerignore: ['!apps/api/.env'] }));
    const before = readTree(dir);
    const p = new MsbProject({ name: 'shop', outdir: dir, template: './' });
    new App(p, { ...APP, path: 'apps/web' });
    new App(p, { ...APP, path: 'apps/api' });
    const e = validationError(() => p.synth());
    expect(e.message).toMatch(/\.dockerignore \(the build context of apps\/api, apps\/web/);
    expect(e.message).toContain('apps/api/.env');
    expect(readTree(dir)).toEqual(before);
  });

  it('a Dockerfile.dockerignore next to an App\'s Dockerfile (BuildKit reads it instead) is judged too', () => {
    const dir = workspace('npm', { 'apps/web/Dockerfile.dockerignore': 'node_modules\n' });
    const { project: p } = project(dir, [{ ...APP, path: 'apps/web' }, { ...APP, path: 'apps/api' }]);
    expect(validationError(() => p.synth()).message).toContain('apps/web/Dockerfile.dockerignore (read by BuildKit');
  });

  it('verify names a workspace project instead of guessing one App', async () => {
    const { dir } = synthTwo('npm');
    const profiles = await loadVerifyProfiles();
    expect(() => readVerifyModel(dir, profiles)).toThrow(/is a workspace project with several Apps \(apps\/api, apps\/web\): verify checks a single App's project/);
  });

  it('the hand-edit guard covers every App\'s outputs and the shared ones', () => {
    const { dir } = synthTwo('npm');
    for (const f of ['apps/api/Dockerfile', '.dockerignore', 'k8s/kustomization.yaml']) {
      const file = path.join(dir, f);
      fs.chmodSync(file, 0o644);
      fs.appendFileSync(file, '# mine\n');
      const { project: p } = project(dir, [{ ...APP, path: 'apps/web', runtime: { packageManager: 'npm' } }, { ...APP, path: 'apps/api', runtime: { packageManager: 'npm' } }]);
      expect(() => p.synth(), f).toThrow(HandEditError);
      try {
        p.synth();
      } catch (e) {
        expect((e as Error).message).toContain(`  - ${f}: edited by hand`);
      }
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('# mine\n', ''));
    }
  });
});

describe('a definition of several Apps that cannot work', () => {
  it('a second App without a path, two Apps with one name or nested folders: errors naming the field', () => {
    const dir = workspace('npm');
    const p1 = new MsbProject({ name: 'shop', outdir: dir });
    new App(p1, { ...APP, path: 'apps/web' });
    expect(() => new App(p1, APP)).toThrow(/\[shop\] path: got nothing; expected a folder for every App/);
    expect(() => new App(p1, { ...APP, path: 'apps/api', name: 'web' })).toThrow(/\[shop\] name: got "web"; expected a name and a folder no other App/);
    expect(() => new App(p1, { ...APP, path: 'apps/web/', name: 'web2' })).toThrow(/\[shop\] path: got "apps\/web\/"/);
    const p2 = new MsbProject({ name: 'shop', outdir: dir });
    new App(p2, APP);
    expect(() => new App(p2, { ...APP, path: 'apps/api' })).toThrow(/expected a folder for every App/);
  });

  it('a path outside the project, missing, through a link or not a workspace package: errors naming path and the choices', () => {
    const dir = workspace('npm', { 'tools/x/readme.md': 'x' });
    fs.symlinkSync(path.join(dir, 'apps'), path.join(dir, 'linked'));
    const p = () => new MsbProject({ name: 'shop', outdir: dir });
    expect(() => new App(p(), { ...APP, path: '../elsewhere' })).toThrow(/path: got "\.\.\/elsewhere"; expected a relative path inside the project/);
    expect(() => new App(p(), { ...APP, path: 'apps/nope' })).toThrow(/path: got "apps\/nope"; expected an existing folder of the project/);
    expect(() => new App(p(), { ...APP, path: 'linked/web' })).toThrow(/linked is a link/);
    const e = validationError(() => {
      const q = p();
      new App(q, { ...APP, path: 'tools/x' });
      q.synth();
    });
    expect(e.message).toContain('path: got "tools/x"; expected the folder of one of the workspace\'s packages: "apps/api", "apps/web", "packages/shared"');
  });

  it('yarn, or a package manager other than the workspace\'s, is an error naming runtime.packageManager', () => {
    const dir = workspace('pnpm');
    const attempt = (web: 'yarn' | 'pnpm') => {
      const q = new MsbProject({ name: 'shop', outdir: dir });
      new App(q, { ...APP, path: 'apps/web', runtime: { packageManager: web } });
      new App(q, { ...APP, path: 'apps/api', runtime: { packageManager: 'npm' } });
      return validationError(() => q.synth()).message;
    };
    expect(attempt('yarn')).toContain('[shop/App:web] runtime.packageManager: got "yarn"; expected "npm" or "pnpm" for an App in a workspace (path "apps/web"): yarn workspaces are not supported yet');
    expect(attempt('pnpm')).toContain('[shop/App:api] runtime.packageManager: got "npm"; expected "pnpm": the workspace is declared in pnpm-workspace.yaml');
    expect(fs.existsSync(path.join(dir, 'apps/web/Dockerfile'))).toBe(false);
  });
});

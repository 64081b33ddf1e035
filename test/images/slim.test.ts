/**
 * `slim` on real builds: projects adopted through the CLI with `--slim`, built and checked by verify.
 * - An Express app with a native addon (bufferutil: prebuilt binaries for linux, darwin and win32)
 *   and a negative control: a module loaded by an opaque `require(process.env.DYN_MODULE)`. The
 *   tracer cannot see it, so verify fails and names the module; listed in `slim.include`, it passes.
 *   Only the build platform's prebuilt binary is in the slim image (the full image has them all).
 * - A TypeScript ESM app with pnpm (node_modules made of symbolic links) and a build step: the
 *   slim image answers its routes as the full image does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_BUNDLE, podman, scaffold } from './helpers';
import { Resources, VerifyReport, listImageFiles, verifyProject } from '../../src/verify';

const EXPRESS_APP = {
  'package.json': `${JSON.stringify({
    name: 'slim-express',
    version: '1.0.0',
    private: true,
    main: 'server/index.js',
    scripts: { start: 'node server/index.js' },
    dependencies: { 'express': '4.21.2', 'bufferutil': '4.0.9', 'left-pad': '1.3.0' },
  }, null, 2)}\n`,
  'server/index.js': `const express = require('express');
const bufferutil = require('bufferutil');
const app = express();
app.get('/healthz', (_req, res) => res.send('ok'));
app.get('/api/mask', (_req, res) => {
  const data = Buffer.from('abcd');
  bufferutil.unmask(data, Buffer.from([1, 2, 3, 4]));
  res.json({ unmasked: data.toString('hex') });
});
// a module the tracer cannot see: its name comes from the environment
app.get('/api/pad', (_req, res) => res.json({ padded: require(process.env.DYN_MODULE)('7', 3, '0') }));
const server = app.listen(Number(process.env.PORT ?? 3000));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
};

const ESM_APP = {
  'package.json': `${JSON.stringify({
    name: 'slim-esm',
    version: '1.0.0',
    private: true,
    type: 'module',
    scripts: { build: 'tsc -p tsconfig.json', start: 'node dist/main.js' },
    dependencies: { 'nanoid': '5.1.5', 'hono': '4.7.10', '@hono/node-server': '1.14.4' },
    devDependencies: { 'typescript': '5.9.3', '@types/node': '24.10.1' },
  }, null, 2)}\n`,
  'tsconfig.json': `${JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', rootDir: 'src', outDir: 'dist', strict: true, skipLibCheck: true, types: ['node'] },
    include: ['src'],
  }, null, 2)}\n`,
  'src/main.ts': `import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { nanoid } from 'nanoid';

const app = new Hono();
app.get('/healthz', (c) => c.text('ok'));
app.get('/api/id', (c) => c.json({ id: nanoid(10) }));
app.get('/api/missing', (c) => c.json({ error: 'not here' }, 404));
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
};

function setDefinition(dir: string, replace: string): void {
  const file = path.join(dir, '.projenrc.ts');
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain('slim: true,');
  fs.writeFileSync(file, text.replace('slim: true,', replace));
  const r = spawnSync('npx', ['projen'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 180_000 });
  expect(r.status, `npx projen:\n${r.stdout}\n${r.stderr}`).toBe(0);
}

async function verify(dir: string, repository: string): Promise<VerifyReport> {
  return verifyProject({
    dir,
    engine: podman(),
    pull: 'never',
    secrets: [`id=ca_cert,src=${CA_BUNDLE}`],
    singleStage: false,
    keepImages: true,
    imageRepository: repository,
  });
}

function check(report: VerifyReport, id: string) {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check "${id}": ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}

const created: { dir: string; repository: string }[] = [];
afterAll(async () => {
  for (const { dir, repository } of created) {
    await podman().exec(['rmi', '-f', ...['runtime', 'debug', 'rebuild', 'full', 'traced', 'prod-deps', 'build'].map((t) => `${repository}:${t}`)]);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

describe('slim: Express with a native addon, and a module loaded by a computed name', () => {
  const repository = `localhost/msb-test/slim-express-${process.pid}`;
  let dir: string;
  let missed: VerifyReport;
  let included: VerifyReport;

  beforeAll(async () => {
    const s = scaffold({ id: 'slim-express', nodeVersion: '26', packageManager: 'npm', adopt: EXPRESS_APP, extraArgs: ['--slim'] });
    dir = s.dir;
    created.push({ dir, repository });
    expect(s.cli.status, `${s.cli.stdout}\n${s.cli.stderr}`).toBe(0);
    setDefinition(dir, "slim: true,\n  routes: ['/api/mask', '/api/pad'],\n  env: { DYN_MODULE: 'left-pad' },");
    missed = await verify(dir, repository);
    setDefinition(dir, "slim: { include: ['node_modules/left-pad'] },\n  routes: ['/api/mask', '/api/pad'],\n  env: { DYN_MODULE: 'left-pad' },");
    included = await verify(dir, repository);
  }, 900_000);

  it('the CLI writes slim: true and the Dockerfile traces in a stage of its own', () => {
    const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM base AS traced$/m);
    expect(dockerfile).toContain('COPY --from=traced --chown=0:0 --chmod=0555 /app/node_modules ./node_modules');
  });

  it('the module the tracer cannot see fails verify, named, with the include entry that fixes it', () => {
    const c = check(missed, 'slim-routes');
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/GET \/api\/pad: slim 500 [^,]*, full 200 application\/json/);
    expect(c.detail).toContain("the app failed to load 'left-pad'");
    expect(c.detail).toContain('"node_modules/left-pad"');
    expect(missed.ok).toBe(false);
  });

  it('listed in slim.include, every route answers as in the full image, and every check passes', () => {
    const c = check(included, 'slim-routes');
    expect(c.ok, c.detail).toBe(true);
    expect(c.detail).toContain('GET /api/mask -> 200 application/json');
    expect(c.detail).toContain('GET /api/pad -> 200 application/json');
    expect(included.checks.filter((x) => !x.ok)).toEqual([]);
    expect(included.slim?.traced).toMatch(/^\d+ files traced from server\/index\.js, 1 included$/);
  });

  it('keeps the native addon for the build platform and drops the other platforms\' prebuilt binaries', async () => {
    const prebuilds = (files: readonly string[]) => files.filter((f) => /\/node_modules\/bufferutil\/prebuilds\/[^/]+\/[^/]+\.node$/.test(f)).map((f) => f.split('/').slice(-2, -1)[0]).sort();
    const slim = prebuilds(included.runtimeFiles);
    expect(slim).toEqual([`linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`]);
    const full = prebuilds(await listImageFiles(podman(), included.images.full!, new Resources(podman())));
    expect(full).toEqual(expect.arrayContaining(['win32-x64', ...slim]));
    expect(full.some((p) => p.startsWith('darwin-'))).toBe(true);
  });

  it('holds fewer dependency files than the production install', () => {
    const deps = (files: readonly string[]) => files.filter((f) => f.startsWith('/app/node_modules/')).length;
    expect(included.runtimeFiles).toContain('/app/node_modules/express/index.js');
    expect(included.runtimeFiles).not.toContain('/app/node_modules/express/History.md');
    expect(deps(included.runtimeFiles)).toBeGreaterThan(0);
    expect(included.sizes.needed.total).toBeGreaterThan(0);
  });
});

describe('slim: TypeScript ESM with pnpm (symbolic links) and a build step', () => {
  const repository = `localhost/msb-test/slim-esm-${process.pid}`;
  let dir: string;
  let report: VerifyReport;

  beforeAll(async () => {
    const s = scaffold({ id: 'slim-esm', nodeVersion: '24', packageManager: 'pnpm', adopt: ESM_APP, extraArgs: ['--slim', '--package-manager', 'pnpm'] });
    dir = s.dir;
    created.push({ dir, repository });
    expect(s.cli.status, `${s.cli.stdout}\n${s.cli.stderr}`).toBe(0);
    setDefinition(dir, "slim: true,\n  routes: ['/api/id', '/api/missing'],");
    report = await verify(dir, repository);
  }, 900_000);

  it('answers the routes as the full image does, and every check passes', () => {
    const c = check(report, 'slim-routes');
    expect(c.ok, c.detail).toBe(true);
    expect(c.detail).toContain('GET /api/id -> 200 application/json');
    expect(c.detail).toContain('GET /api/missing -> 404 application/json');
    expect(report.checks.filter((x) => !x.ok)).toEqual([]);
  });

  it('keeps pnpm\'s layout: the package links and the files they point to', () => {
    expect(report.runtimeFiles).toContain('/app/node_modules/nanoid');
    expect(report.runtimeFiles.some((f) => /^\/app\/node_modules\/\.pnpm\/nanoid@5\.1\.5\/node_modules\/nanoid\/index\.js$/.test(f))).toBe(true);
    // typescript is a devDependency: neither in the production tree nor traced
    expect(report.runtimeFiles.some((f) => f.includes('/typescript/'))).toBe(false);
  });
});

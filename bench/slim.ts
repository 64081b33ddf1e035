/**
 * Slim vs full vs single-stage, side by side in one run, for real dependency sets: the example app
 * (a new project's sample: no production dependencies), Express with middleware, Fastify with
 * plugins, and NestJS. For each set and variant: runtime image size, the app layers' bytes (image
 * minus its base), the bytes of /app/node_modules in the image (full: the `--omit=dev` install;
 * slim: the traced tree), the cold build (`--no-cache`, package manager cache mounts warm), and the
 * time from `run` to the first 200 on the health path. Goal: traced node_modules at most 40% of the
 * full production node_modules on each named set.
 *
 *   npx tsx bench/slim.ts [--engine docker|podman] [--ca-cert FILE] [--pull never] [--sets express,fastify]
 *
 * Compile first (`npx projen compile`). The Dockerfiles are synthesized in-process from the
 * definition (no CLI, no create-msb-app dependency in the images); the lockfiles come from
 * `npm install --package-lock-only`. Run by `bench:images` too (after its own figures).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App, MsbProject } from '../src';
import { nodeFamily } from '../src/families/node';
import {
  BuildSettings, Engine, EngineName, Resources, buildImage, containerName, detectEngine, exportImageEntries, formatBytes, freePort, httpGet,
  readProject, runCommand,
} from '../src/verify';

/** A dependency set: package.json dependencies and the app's files. */
interface DepSet {
  readonly id: string;
  readonly label: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly files: Record<string, string>;
  readonly build: false | { script: string; outDir: string };
  readonly entrypoint: string;
  /** Package.json scripts. */
  readonly scripts?: Record<string, string>;
}

const SHUTDOWN = 'process.on(\'SIGTERM\', () => process.exit(0));\n';

export const SETS: readonly DepSet[] = [
  {
    id: 'sample',
    label: 'example app (no production dependencies)',
    dependencies: {},
    build: false,
    entrypoint: 'src/index.js',
    files: {
      'src/index.js': `const http = require('node:http');\nhttp.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); }).listen(Number(process.env.PORT));\n${SHUTDOWN}`,
    },
  },
  {
    id: 'express',
    label: 'Express with middleware',
    dependencies: {
      'express': '4.21.2', 'helmet': '8.1.0', 'cors': '2.8.5', 'compression': '1.8.0', 'morgan': '1.10.0',
      'cookie-parser': '1.4.7', 'express-rate-limit': '7.5.0', 'express-validator': '7.2.1',
    },
    build: false,
    entrypoint: 'src/index.js',
    files: {
      'src/index.js': `const express = require('express');
const { query, validationResult } = require('express-validator');
const app = express();
app.use(require('helmet')());
app.use(require('cors')());
app.use(require('compression')());
app.use(require('morgan')('tiny'));
app.use(require('cookie-parser')());
app.use(require('express-rate-limit').rateLimit({ windowMs: 60000, limit: 1000 }));
app.use(express.json());
app.get('/healthz', (_req, res) => res.send('ok'));
app.get('/api/hello', query('name').optional().isAlpha(), (req, res) => {
  if (!validationResult(req).isEmpty()) return res.status(400).json({ error: 'bad name' });
  res.json({ hello: req.query.name ?? 'world' });
});
app.listen(Number(process.env.PORT));
${SHUTDOWN}`,
    },
  },
  {
    id: 'fastify',
    label: 'Fastify with plugins',
    dependencies: {
      'fastify': '5.3.3', '@fastify/cors': '11.0.1', '@fastify/helmet': '13.0.1', '@fastify/rate-limit': '10.3.0',
      '@fastify/sensible': '6.0.3', '@fastify/formbody': '8.0.2', '@fastify/cookie': '11.0.2',
    },
    build: false,
    entrypoint: 'src/index.js',
    files: {
      'src/index.js': `const fastify = require('fastify')({ logger: true });
fastify.register(require('@fastify/cors'));
fastify.register(require('@fastify/helmet'));
fastify.register(require('@fastify/rate-limit'), { max: 1000 });
fastify.register(require('@fastify/sensible'));
fastify.register(require('@fastify/formbody'));
fastify.register(require('@fastify/cookie'));
fastify.get('/healthz', async () => 'ok');
fastify.get('/api/hello', async (req) => ({ hello: req.query.name ?? 'world' }));
fastify.listen({ port: Number(process.env.PORT), host: '0.0.0.0' });
${SHUTDOWN}`,
    },
  },
  {
    id: 'nestjs',
    label: 'NestJS (platform-express)',
    dependencies: {
      '@nestjs/common': '11.1.3', '@nestjs/core': '11.1.3', '@nestjs/platform-express': '11.1.3', 'reflect-metadata': '0.2.2', 'rxjs': '7.8.2',
    },
    devDependencies: { 'typescript': '5.9.3', '@types/node': '24.10.1' },
    scripts: { build: 'tsc -p tsconfig.json' },
    build: { script: 'build', outDir: 'dist' },
    entrypoint: 'dist/main.js',
    files: {
      'tsconfig.json': `${JSON.stringify({
        compilerOptions: {
          module: 'commonjs', target: 'ES2022', outDir: 'dist', rootDir: 'src', experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, types: ['node'],
        },
        include: ['src'],
      }, null, 2)}\n`,
      'src/main.ts': `import 'reflect-metadata';
import { Controller, Get, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class HelloController {
  @Get('healthz') health(): string { return 'ok'; }
  @Get('api/hello') hello(@Query('name') name?: string): { hello: string } { return { hello: name ?? 'world' }; }
}

@Module({ controllers: [HelloController] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT));
}
void main();
`,
    },
  },
];

type Variant = 'full' | 'slim' | 'single-stage';
const VARIANTS: readonly Variant[] = ['full', 'slim', 'single-stage'];

/** What one variant of one set measured. */
export interface SlimFigures {
  readonly set: string;
  readonly variant: Variant;
  readonly imageBytes: number;
  readonly appLayerBytes: number;
  readonly nodeModulesBytes: number;
  readonly coldMs: number;
  readonly firstOkMs: number;
}

async function imageBytes(engine: Engine, image: string): Promise<number> {
  const out = await engine.must(['image', 'inspect', '--format', '{{.Size}}', image], { purpose: `inspect ${image}` });
  return Number(out.trim());
}

/** Milliseconds from `run` to the first 200 on `/healthz`. */
async function firstOk(engine: Engine, image: string, port: number, res: Resources): Promise<number> {
  const host = await freePort();
  const name = containerName('bench');
  res.containers.add(name);
  const t0 = Date.now();
  const started = await engine.exec(['run', '-d', '--name', name, '-p', `127.0.0.1:${host}:${port}`, image]);
  if (started.code !== 0) throw new Error(`${image} did not start: ${started.stderr}`);
  try {
    while (Date.now() - t0 < 60_000) {
      try {
        if ((await httpGet(`http://127.0.0.1:${host}/healthz`, 1000)).status === 200) return Date.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const logs = await engine.exec(['logs', name]);
    throw new Error(`${image}: no 200 on /healthz within 60 s:\n${logs.stdout}${logs.stderr}`);
  } finally {
    await engine.removeContainer(name);
    res.containers.delete(name);
  }
}

/** Writes the set's project and synthesizes it (slim or not); returns the project folder. */
async function project(work: string, set: DepSet, slim: boolean): Promise<string> {
  const dir = path.join(work, `${set.id}-${slim ? 'slim' : 'full'}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({
    name: `bench-${set.id}`, version: '1.0.0', private: true, scripts: set.scripts ?? {}, dependencies: set.dependencies, devDependencies: set.devDependencies ?? {},
  }, null, 2)}\n`);
  for (const [rel, text] of Object.entries(set.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const lock = await runCommand('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir });
  if (lock.code !== 0) throw new Error(`npm install --package-lock-only (${set.id}) failed:\n${lock.stderr}`);
  const p = new MsbProject({ name: `bench-${set.id}`, outdir: dir });
  new App(p, { port: 8080, build: set.build, entrypoint: set.entrypoint, slim, ...(set.build ? {} : { files: ['src'] }) });
  p.synth();
  return dir;
}

/** Builds and measures every variant of every set; prints the table. */
export async function slimBench(engine: Engine, settings: BuildSettings, sets: readonly DepSet[] = SETS, log = (l: string) => process.stderr.write(`${l}\n`)): Promise<SlimFigures[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-slim-'));
  const res = new Resources(engine);
  const figures: SlimFigures[] = [];
  const tags: string[] = [];
  try {
    for (const set of sets) {
      const dirs = { full: await project(work, set, false), slim: await project(work, set, true) };
      const facts = await readProject(dirs.full);
      const single = nodeFamily.verify.singleStage({ dir: facts.dir, dockerfile: facts.dockerfile, model: facts.model, stages: facts.stages, familyFacts: facts.familyFacts });
      if (!('dockerfile' in single)) throw new Error(`no single-stage equivalent: ${single.notApplicable}`);
      fs.writeFileSync(path.join(dirs.full, 'Dockerfile.single-stage'), single.dockerfile);
      // alternate the variants so a slower minute of the machine hits each of them alike
      for (const variant of VARIANTS) {
        const dir = variant === 'slim' ? dirs.slim : dirs.full;
        const dockerfile = path.join(dir, variant === 'single-stage' ? 'Dockerfile.single-stage' : 'Dockerfile');
        const tag = `localhost/msb-bench/slim-${set.id}:${variant}`;
        tags.push(tag);
        const built = await buildImage(engine, { context: dir, dockerfile, tag, noCache: true }, settings);
        const entries = await exportImageEntries(engine, tag, res.containers);
        const base = variant === 'single-stage' ? facts.builderImage! : facts.runtimeBase;
        const f: SlimFigures = {
          set: set.id,
          variant,
          imageBytes: await imageBytes(engine, tag),
          appLayerBytes: (await imageBytes(engine, tag)) - (await imageBytes(engine, base)),
          nodeModulesBytes: entries.filter((e) => e.path.startsWith('/app/node_modules/')).reduce((n, e) => n + e.size, 0),
          coldMs: built.durationMs,
          firstOkMs: await firstOk(engine, tag, 8080, res),
        };
        figures.push(f);
        log(`${set.id} ${variant}: cold ${(f.coldMs / 1000).toFixed(1)} s, node_modules ${formatBytes(f.nodeModulesBytes)}, first 200 after ${f.firstOkMs} ms`);
      }
    }
  } finally {
    await res.cleanup();
    await engine.exec(['rmi', '-f', ...tags]);
    fs.rmSync(work, { recursive: true, force: true });
  }
  printSlim(figures, sets);
  return figures;
}

function printSlim(figures: readonly SlimFigures[], sets: readonly DepSet[]): void {
  const rows: string[][] = [['set', 'variant', 'image', 'app layers', 'node_modules', 'cold build', 'first 200', 'traced / full node_modules']];
  for (const set of sets) {
    const full = figures.find((f) => f.set === set.id && f.variant === 'full');
    for (const f of figures.filter((x) => x.set === set.id)) {
      const ratio = f.variant === 'slim' && full && full.nodeModulesBytes > 0 ? f.nodeModulesBytes / full.nodeModulesBytes : undefined;
      const goal = ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}% (goal <= 40%: ${ratio <= 0.4 ? 'met' : 'MISSED'})`;
      rows.push([set.id, f.variant, formatBytes(f.imageBytes), formatBytes(f.appLayerBytes), formatBytes(f.nodeModulesBytes), `${(f.coldMs / 1000).toFixed(1)} s`, `${f.firstOkMs} ms`, goal]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('');
  for (const r of rows) console.log(r.map((c, i) => (i < 2 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
  console.log('\nnode_modules: file bytes under /app/node_modules in the image (full: the --omit=dev install; slim: the traced files).');
  console.log('single-stage: the builder image with every dependency and the sources (the family\'s single-stage equivalent).');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'engine': { type: 'string' }, 'ca-cert': { type: 'string' }, 'pull': { type: 'string' }, 'sets': { type: 'string' } } });
  process.env.CONTAINERS_CONF ??= path.join(process.env.MSB_CONTAINERS_DIR ?? '/var/tmp/msb-containers', 'containers.conf');
  const engine = await detectEngine(values.engine as EngineName | undefined);
  const only = values.sets?.split(',');
  const sets = only ? SETS.filter((s) => only.includes(s.id)) : SETS;
  const settings: BuildSettings = { secrets: values['ca-cert'] ? [`id=ca_cert,src=${path.resolve(values['ca-cert'])}`] : [], pull: values.pull as BuildSettings['pull'] };
  await slimBench(engine, settings, sets);
  const version = (await engine.exec(['--version'])).stdout.trim();
  console.log(`${version}, ${os.cpus().length} cores; Node.js 26 stand-in images.`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exitCode = 1;
  });
}

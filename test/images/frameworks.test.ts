/**
 * Framework apps made by their own generators (from the npm registry, versions pinned here), adopted
 * with --yes through the CLI binary, built with podman on the stand-in bases, run as the Deployment
 * runs them (read-only root, emptyDir paths as tmpfs, non-root) and serving 200 on a real route.
 * Two apps at a time; the generators' downloads share one npm cache, the builds the cache mounts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { BIN, imageBuildSettings, podman } from './helpers';
import { buildImage } from '../../src/verify';

/** The generators, pinned. */
const GENERATORS = {
  next: 'create-next-app@16.4.3',
  nest: '@nestjs/cli@12.0.8',
  sveltekit: 'sv@0.17.1',
  fastify: 'fastify-cli@8.0.2',
} as const;

/** One npm cache for every generator run (and kept between runs on the same machine). */
const NPM_CACHE = path.join(os.tmpdir(), 'msb-framework-npm-cache');

interface FrameworkApp {
  readonly id: keyof typeof GENERATORS;
  /** The app's folder (and package name); npm refuses a package named like its dependency (`next`). */
  readonly folder: string;
  /** Runs the generator in `root`, writing the app to `root/<folder>`. */
  readonly generate: (root: string) => Promise<void>;
  /** The route that must answer 200, and a text it must contain. */
  readonly route: string;
  readonly contains: string;
  /** What adoption must infer. */
  readonly entrypoint: string;
}

/** Runs a command without blocking the test worker (its RPC must keep answering during long steps). */
interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

function run(cmd: string, args: readonly string[], options: RunOptions): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function npx(cwd: string, args: string[]): Promise<void> {
  const r = await run('npx', ['-y', ...args], {
    cwd,
    timeoutMs: 600_000,
    env: { ...process.env, npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false', CI: '1', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) throw new Error(`npx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

const ALL_APPS: FrameworkApp[] = [
  {
    id: 'fastify',
    folder: 'fastify-app',
    generate: (root) => npx(root, [GENERATORS.fastify, 'generate', 'fastify-app']),
    route: '/',
    contains: '"root":true',
    entrypoint: 'node_modules/fastify-cli/cli.js',
  },
  {
    id: 'nest',
    folder: 'nest-app',
    generate: (root) => npx(root, [GENERATORS.nest, 'new', 'nest-app', '--package-manager', 'npm', '--skip-git', '--skip-install']),
    route: '/',
    contains: 'Hello World!',
    entrypoint: 'dist/main.js',
  },
  {
    id: 'sveltekit',
    folder: 'sveltekit-app',
    generate: (root) => npx(root, [GENERATORS.sveltekit, 'create', 'sveltekit-app', '--template', 'minimal', '--types', 'ts', '--add', 'sveltekit-adapter=adapter:node', '--no-install']),
    route: '/',
    contains: 'Welcome to SvelteKit',
    entrypoint: 'build/index.js',
  },
  {
    id: 'next',
    folder: 'next-app',
    generate: async (root) => {
      await npx(root, [GENERATORS.next, 'next-app', '--ts', '--app', '--no-eslint', '--no-tailwind', '--no-src-dir', '--import-alias', '@/*', '--use-npm', '--skip-install', '--disable-git', '--yes']);
      // What the adoption warning asks for: the standalone output.
      const file = path.join(root, 'next-app', 'next.config.ts');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/const nextConfig: NextConfig = \{/, "const nextConfig: NextConfig = {\n  output: 'standalone',"));
      // The starter's layout fetches Geist from Google Fonts at build time, which the image build here
      // cannot reach (the npm registry only): the layout keeps its markup without next/font/google.
      const layout = path.join(root, 'next-app', 'app', 'layout.tsx');
      fs.writeFileSync(layout, fs.readFileSync(layout, 'utf8')
        .replace(/^import \{[^}]*\} from "next\/font\/google";\n/m, '')
        .replace(/^const geist\w+ = \w+\(\{[\s\S]*?\}\);\n\n?/gm, '')
        .replace(/ className=\{`[^`]*`\}/, ''));
    },
    route: '/',
    contains: '</html>',
    entrypoint: '.next/standalone/server.js',
  },
];

/**
 * Versions the generated apps are held at, with the reason. vite 8.4.0 declares an optional
 * dependency (napi-windows-process-start-time) that the npm registry these machines reach does not
 * serve: `npm install` skips it, and `npm ci` then refuses the lockfile it wrote ("Missing: ... from
 * lock file"). A direct dependency gets the exact version, a transitive one an npm override.
 */
const HELD_BACK: Readonly<Record<string, string>> = { vite: '8.3.8' };

function holdBack(dir: string): void {
  const file = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [name, version] of Object.entries(HELD_BACK)) {
    const direct = ['dependencies', 'devDependencies'].find((k) => pkg[k]?.[name] !== undefined);
    if (direct) pkg[direct][name] = version;
    else pkg.overrides = { ...pkg.overrides, [name]: version };
  }
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}

/** MSB_FRAMEWORKS=next,sveltekit runs only those (all by default). */
const only = process.env.MSB_FRAMEWORKS?.split(',').map((x) => x.trim()).filter(Boolean);
const APPS = only ? ALL_APPS.filter((a) => only.includes(a.id)) : ALL_APPS;

interface Result {
  readonly app: FrameworkApp;
  readonly dir: string;
  readonly adoption: string;
  readonly status?: number;
  readonly body?: string;
  readonly logs?: string;
  readonly sizeBytes?: number;
  readonly buildMs?: number;
  readonly error?: string;
}

const results = new Map<string, Result>();
const tags: string[] = [];
const roots: string[] = [];

async function waitFor(url: string, ms: number): Promise<{ status: number; body: string } | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      return { status: res.status, body: await res.text() };
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return undefined;
}

async function adoptBuildRun(app: FrameworkApp, port: number): Promise<Result> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `msb-fw-${app.id}-`));
  roots.push(root);
  const dir = path.join(root, app.folder);
  await app.generate(root);
  holdBack(dir);
  fs.mkdirSync(path.join(dir, 'vendor'), { recursive: true });
  fs.copyFileSync(inject('tarball'), path.join(dir, 'vendor', 'create-msb-app.tgz'));
  const adopted = await run(process.execPath, [BIN, '.', '--yes', '--skip-git', '--lib', 'file:vendor/create-msb-app.tgz', '--health-path', app.route], {
    cwd: dir,
    timeoutMs: 900_000,
    env: { ...process.env, CI: '1', npm_config_user_agent: '', npm_config_cache: NPM_CACHE, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const adoption = `${adopted.stdout}\n${adopted.stderr}`;
  if (adopted.status !== 0) return { app, dir, adoption, error: `create-msb-app exited ${adopted.status}` };
  const engine = podman();
  const tag = `localhost/msb-test/framework-${app.id}:${process.pid}`;
  tags.push(tag);
  const build = () => buildImage(engine, { context: dir, dockerfile: path.join(dir, 'Dockerfile'), tag }, imageBuildSettings());
  // Podman storage is shared with other builds: a cache layer removed under a running build is retried once.
  const built = await build().catch((e: Error) => {
    if (/layer not known/.test(e.message)) return build();
    throw e;
  });
  const sizeBytes = Number((await engine.must(['image', 'inspect', '--format', '{{.Size}}', tag])).trim());
  // As the Deployment runs it: read-only root, its emptyDir volumes as tmpfs, every capability dropped.
  const deployment = parseAllDocuments(fs.readFileSync(path.join(dir, 'k8s', 'base', 'deployment.yaml'), 'utf8'))[0].toJS() as any;
  const mounts: string[] = deployment.spec.template.spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);
  const appPort: number = deployment.spec.template.spec.containers[0].ports[0].containerPort;
  const name = `msb-fw-${app.id}-${process.pid}`;
  await engine.must(['run', '-d', '--name', name, '--read-only', ...mounts.flatMap((m) => ['--tmpfs', m]), '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '-p', `127.0.0.1:${port}:${appPort}`, tag]);
  try {
    const res = await waitFor(`http://127.0.0.1:${port}${app.route}`, 60_000);
    const logs = await engine.exec(['logs', name]);
    return { app, dir, adoption, status: res?.status, body: res?.body, logs: `${logs.stdout}${logs.stderr}`, sizeBytes, buildMs: built.durationMs };
  } finally {
    await engine.removeContainer(name);
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

beforeAll(async () => {
  await pool(APPS, 2, async (app, i) => {
    try {
      results.set(app.id, await adoptBuildRun(app, 18600 + (process.pid % 200) * 4 + i));
    } catch (e) {
      results.set(app.id, { app, dir: '', adoption: '', error: (e as Error).message });
    }
  });
  // The figures for the README's support table.
  for (const r of results.values()) {
    console.log(`framework ${r.app.id}: image ${r.sizeBytes ? `${(r.sizeBytes / 1e6).toFixed(1)} MB` : '-'}, cold build ${r.buildMs ? `${(r.buildMs / 1000).toFixed(0)} s` : '-'}`);
  }
});

afterAll(async () => {
  if (tags.length > 0) await podman().exec(['rmi', '-f', ...tags]);
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe.each(APPS)('$id, made by its generator', (app) => {
  it('is adopted with --yes, its entrypoint read from the project', () => {
    const r = results.get(app.id)!;
    expect(r.error, `${r.error}\n${r.adoption}`).toBeUndefined();
    expect(fs.readFileSync(path.join(r.dir, '.projenrc.ts'), 'utf8')).toContain(`entrypoint: '${app.entrypoint}'`);
  });

  it(`serves 200 on ${app.route} from the built image, run as the Deployment runs it`, () => {
    const r = results.get(app.id)!;
    expect(r.error, `${r.error}\n${r.adoption}`).toBeUndefined();
    expect(r.status, r.logs).toBe(200);
    expect(r.body).toContain(app.contains);
  });
});

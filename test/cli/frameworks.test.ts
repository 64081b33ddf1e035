/**
 * Adoption of framework projects on their documented output layouts: the package.json and config
 * files each framework's generator writes (trimmed to what adoption reads), adopted with --yes.
 */
import * as fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, read, tempDir, writeFiles } from './helpers';

const work: string[] = [];
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(pkg: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = tempDir('msb-fw-');
  work.push(dir);
  writeFiles(dir, {
    'package.json': `${JSON.stringify({ name: 'web', version: '0.1.0', private: true, ...pkg }, null, 2)}\n`,
    'package-lock.json': '{\n  "name": "web",\n  "lockfileVersion": 3,\n  "packages": {}\n}\n',
    ...files,
  });
  return dir;
}

async function adopt(dir: string) {
  const r = await cli(['.', '--skip-install', '--yes'], dir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { ...r, projenrc: read(dir, '.projenrc.ts'), dockerfile: read(dir, 'Dockerfile'), deployment: read(dir, 'k8s/base/deployment.yaml') };
}

const NEXT = { scripts: { dev: 'next dev', build: 'next build', start: 'next start' }, dependencies: { 'next': '16.0.0', 'react': '19.0.0', 'react-dom': '19.0.0' }, devDependencies: { typescript: '^5' } };
const NEXT_TSCONFIG = '{ "compilerOptions": { "noEmit": true, "jsx": "preserve" }, "include": ["**/*.ts", "**/*.tsx"] }\n';

describe('Next.js', () => {
  test("output: 'standalone': server.js with .next/static and public, HOSTNAME=0.0.0.0, .next/cache an emptyDir", async () => {
    const dir = project(NEXT, {
      'next.config.ts': "import type { NextConfig } from 'next';\nconst nextConfig: NextConfig = {\n  output: 'standalone',\n};\nexport default nextConfig;\n",
      'tsconfig.json': NEXT_TSCONFIG,
      'app/page.tsx': 'export default function Page() { return <main>hi</main>; }\n',
      'public/next.svg': '<svg/>',
    });
    const r = await adopt(dir);
    expect(r.stdout).toMatch(/framework\s+Next\.js \(output: 'standalone'\)\s+from next\.config\.ts/);
    expect(r.projenrc).toContain("build: { script: 'build', outDir: '.next' }");
    expect(r.projenrc).toContain("entrypoint: '.next/standalone/server.js'");
    expect(r.projenrc).toContain('nextStandalone: true');
    expect(r.dockerfile).toContain('COPY --from=build --chown=0:0 --chmod=0555 /app/.next/standalone ./.next/standalone');
    expect(r.dockerfile).toContain('COPY --from=build --chown=0:0 --chmod=0555 /app/.next/static ./.next/standalone/.next/static');
    expect(r.dockerfile).toContain('COPY --from=build --chown=0:0 --chmod=0555 /app/public ./.next/standalone/public');
    expect(r.dockerfile).not.toContain('./node_modules');
    expect(r.dockerfile).toContain('ENV HOSTNAME="0.0.0.0"');
    expect(r.dockerfile).toContain('CMD [".next/standalone/server.js"]');
    expect(r.deployment).toMatch(/mountPath: \/app\/\.next\/standalone\/\.next\/cache/);
    expect(r.deployment).toMatch(/- name: writable-0\n\s+emptyDir:/);
    expect(r.deployment).toMatch(/- name: HOSTNAME\n\s+value: 0\.0\.0\.0/);
    // Next.js serves pages, no /healthz: the probes ask for /.
    expect(r.stdout).toMatch(/health path\s+\/\s+from Next\.js/);
    expect(r.deployment).toMatch(/httpGet:\n\s+path: \/\n/);
  });

  test('without standalone: one warning saying how to enable it; next start from node_modules with .next, public and the config', async () => {
    const dir = project(NEXT, { 'next.config.mjs': 'const nextConfig = {};\nexport default nextConfig;\n', 'tsconfig.json': NEXT_TSCONFIG, 'public/a.svg': '<svg/>' });
    const r = await adopt(dir);
    expect(r.stdout.split('\n').filter((l) => l.includes('warning:'))).toEqual([
      "  warning: Next.js without output: 'standalone': the image holds all of .next and every production dependency (next start); add output: 'standalone' to next.config.mjs for a smaller image and adopt again",
    ]);
    expect(r.projenrc).toContain("entrypoint: 'node_modules/next/dist/bin/next'");
    expect(r.projenrc).toContain("args: ['start']");
    expect(r.projenrc).toContain("files: ['next.config.mjs', 'public']");
    expect(r.dockerfile).toContain('CMD ["node_modules/next/dist/bin/next","start"]');
    expect(r.dockerfile).toContain('COPY --from=build --chown=0:0 --chmod=0555 /app/.next ./.next');
  });

  test('.env.production is named in a warning and not copied', async () => {
    const dir = project(NEXT, { 'next.config.js': "module.exports = { output: 'standalone' };\n", '.env.production': 'API=https://x\n', '.env.example': 'API=\n' });
    const r = await adopt(dir);
    expect(r.stdout).toContain('warning: .env.production: build-time env files stay out of the image and its build (.dockerignore)');
    expect(r.stdout).not.toContain('.env.example');
    expect(r.dockerfile).not.toContain('.env.production');
  });
});

test.each([
  ['Nuxt', { scripts: { build: 'nuxt build', dev: 'nuxt dev', preview: 'nuxt preview' }, dependencies: { nuxt: '^4.0.0', vue: '^3.5.0' } }, {}, '.output', '.output/server/index.mjs', 3000],
  ['SvelteKit with adapter-node', { type: 'module', scripts: { build: 'vite build', dev: 'vite dev', preview: 'vite preview' }, devDependencies: { '@sveltejs/kit': '^2.0.0', '@sveltejs/adapter-node': '^5.0.0', 'vite': '^7.0.0' } },
    { 'svelte.config.js': "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n" }, 'build', 'build/index.js', 3000],
  ['Astro with @astrojs/node', { type: 'module', scripts: { build: 'astro build', dev: 'astro dev' }, dependencies: { 'astro': '^5.0.0', '@astrojs/node': '^9.0.0' } },
    { 'astro.config.mjs': "import node from '@astrojs/node';\nexport default { output: 'server', adapter: node({ mode: 'standalone' }) };\n" }, 'dist', 'dist/server/entry.mjs', 4321],
])('%s: the documented output layout', async (_name, pkg, files, outDir, entry, port) => {
  const dir = project(pkg, files);
  const r = await adopt(dir);
  expect(r.projenrc).toContain(`build: { script: 'build', outDir: '${outDir}' }`);
  expect(r.projenrc).toContain(`entrypoint: '${entry}'`);
  expect(r.projenrc).toContain(`port: ${port}`);
  expect(r.dockerfile).toContain(`CMD ["${entry}"]`);
  expect(r.stdout).not.toContain('warning:');
  if (entry.endsWith('entry.mjs')) expect(r.dockerfile).toContain('ENV HOST="0.0.0.0"');
});

test('SvelteKit without adapter-node: a warning names the adapter to install', async () => {
  const dir = project({ type: 'module', scripts: { build: 'vite build' }, devDependencies: { '@sveltejs/kit': '^2.0.0', '@sveltejs/adapter-auto': '^6.0.0' } },
    { 'svelte.config.js': "import adapter from '@sveltejs/adapter-auto';\nexport default { kit: { adapter: adapter() } };\n" });
  const r = await adopt(dir);
  expect(r.stdout).toContain("warning: SvelteKit serves on Node.js only with @sveltejs/adapter-node: install it and set adapter: adapter() from '@sveltejs/adapter-node' in svelte.config.js");
});

test.each([
  ['React Router', { type: 'module', scripts: { build: 'react-router build', start: 'react-router-serve ./build/server/index.js' }, dependencies: { '@react-router/node': '^7', '@react-router/serve': '^7', 'react-router': '^7' }, devDependencies: { '@react-router/dev': '^7' } },
    'node_modules/@react-router/serve/bin.cjs', ['build/server/index.js']],
  ['Remix', { scripts: { build: 'remix vite:build', start: 'remix-serve ./build/server/index.js' }, dependencies: { '@remix-run/node': '^2', '@remix-run/serve': '^2' } },
    'node_modules/@remix-run/serve/dist/cli.js', ['build/server/index.js']],
])('%s: its server CLI from node_modules with the build as argument', async (_name, pkg, entry, args) => {
  const dir = project(pkg);
  const r = await adopt(dir);
  expect(r.projenrc).toContain(`entrypoint: '${entry}'`);
  expect(r.projenrc).toContain(`args: [${args.map((a) => `'${a}'`).join(', ')}]`);
  expect(r.dockerfile).toContain(`CMD ${JSON.stringify([entry, ...args])}`);
  expect(r.projenrc).toContain("outDir: 'build'");
});

test('fastify-cli app: fastify start from node_modules, bound to every interface, with the folders autoload reads', async () => {
  const dir = project(
    { main: 'app.js', scripts: { test: 'node --test test/**/*.test.js', start: 'fastify start -l info app.js', dev: 'fastify start -w -l info -P app.js' }, dependencies: { 'fastify': '^5.0.0', 'fastify-cli': '^7.4.0', '@fastify/autoload': '^6.0.0', 'fastify-plugin': '^5.0.0' } },
    {
      'app.js': "'use strict'\nconst path = require('node:path')\nconst AutoLoad = require('@fastify/autoload')\nmodule.exports = async function (fastify, opts) {\n  fastify.register(AutoLoad, { dir: path.join(__dirname, 'plugins'), options: Object.assign({}, opts) })\n  fastify.register(AutoLoad, { dir: path.join(__dirname, 'routes'), options: Object.assign({}, opts) })\n}\n",
      'plugins/sensible.js': 'module.exports = async () => {}\n',
      'routes/root.js': "module.exports = async function (fastify) { fastify.get('/', async () => ({ root: true })) }\n",
      'test/helper.js': '\n',
    },
  );
  const r = await adopt(dir);
  expect(r.projenrc).toContain("entrypoint: 'node_modules/fastify-cli/cli.js'");
  expect(r.projenrc).toContain("args: ['start', '-l', 'info', 'app.js']");
  expect(r.projenrc).toContain("files: ['app.js', 'plugins', 'routes']");
  expect(r.dockerfile).toContain('ENV FASTIFY_ADDRESS="0.0.0.0"');
  expect(r.dockerfile).toContain('CMD ["node_modules/fastify-cli/cli.js","start","-l","info","app.js"]');
});

test.each([
  ['Fastify listening on localhost', { scripts: { start: 'node server.js' }, dependencies: { fastify: '^5' } }, { 'server.js': "const app = require('fastify')();\napp.listen({ port: process.env.PORT || 3000 });\n" }, "Fastify listens on localhost unless told otherwise: pass host: '0.0.0.0' to listen() in server.js"],
  ['Hono without the Node.js server', { scripts: { start: 'node server.js' }, dependencies: { hono: '^4' } }, { 'server.js': "const { Hono } = require('hono');\n" }, 'Hono runs on Node.js through @hono/node-server'],
])('%s: one warning', async (_name, pkg, files, warning) => {
  const dir = project(pkg, files);
  const r = await adopt(dir);
  const lines = r.stdout.split('\n').filter((l) => l.includes('warning:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(warning);
});

test.each([
  ['Express', { express: '^5' }, "const app = require('express')();\napp.listen(process.env.PORT || 3000);\n"],
  ['Koa', { koa: '^3' }, "const Koa = require('koa');\nnew Koa().listen(process.env.PORT || 3000);\n"],
  ['Hono on @hono/node-server', { 'hono': '^4', '@hono/node-server': '^1' }, "const { serve } = require('@hono/node-server');\nserve({ fetch: () => new Response('ok'), port: 3000 });\n"],
  ['Fastify on 0.0.0.0', { fastify: '^5' }, "const app = require('fastify')();\napp.listen({ port: process.env.PORT || 3000, host: '0.0.0.0' });\n"],
])('%s: the start script gives the entrypoint, no warning', async (_name, deps, code) => {
  const dir = project({ scripts: { start: 'node server.js' }, dependencies: deps }, { 'server.js': code });
  const r = await adopt(dir);
  expect(r.projenrc).toContain("entrypoint: 'server.js'");
  expect(r.projenrc).toContain('port: 3000');
  expect(r.stdout).not.toContain('warning:');
});

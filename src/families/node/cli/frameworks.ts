/**
 * The build output layouts of popular Node.js frameworks, as their documentation states them: the
 * folder the build writes, the file (and arguments) that serves it, the env it needs in a container
 * and its default port. Read from the project's dependencies and config files; nothing is run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commands } from './shell';
import type { PackageJson } from '../package-json';

/** What adoption takes from a framework's layout. */
export interface FrameworkLayout {
  /** Shown to the user, e.g. `Next.js (output: 'standalone')`. */
  readonly name: string;
  /** Where it was read from, e.g. `next.config.mjs`. */
  readonly from: string;
  /** The folder the build writes (undefined: no build). */
  readonly outDir?: string;
  /** The file node runs, relative to the project (may be inside node_modules: a framework's own server CLI). */
  readonly entrypoint?: string;
  /** Arguments after the entrypoint (CMD). */
  readonly args?: readonly string[];
  /** Env the server needs in a container (its bind address). */
  readonly env?: Readonly<Record<string, string>>;
  /** The framework's default port. */
  readonly port?: number;
  /** A path the framework answers 200 on out of the box (the probes' default `/healthz` it does not serve). */
  readonly healthPath?: string;
  /** Context files the server reads at run time besides the build output. */
  readonly files?: readonly string[];
  /** Next.js standalone (runtime.nextStandalone). */
  readonly nextStandalone?: boolean;
  /** One line each: what the user should know or change. */
  readonly warnings: readonly string[];
}

const has = (pkg: PackageJson, name: string) => pkg.dependencies?.[name] !== undefined || pkg.devDependencies?.[name] !== undefined;

function firstFile(dir: string, names: readonly string[]): string | undefined {
  return names.find((n) => {
    try {
      return fs.statSync(path.join(dir, n)).isFile();
    } catch {
      return false;
    }
  });
}

function readText(dir: string, rel: string | undefined): string {
  if (!rel) return '';
  try {
    return fs.readFileSync(path.join(dir, rel), 'utf8');
  } catch {
    return '';
  }
}

/** The arguments a start script passes to `command` (e.g. `react-router-serve ./build/server/index.js`). */
function argsOf(pkg: PackageJson, command: string): string[] | undefined {
  for (const name of ['start:prod', 'start', 'serve']) {
    const text = pkg.scripts?.[name];
    if (!text) continue;
    for (const words of commands(text)) {
      const i = words.findIndex((w) => w === command || w.endsWith(`/${command}`));
      if (i >= 0) return words.slice(i + 1);
    }
  }
  return undefined;
}

/** The bin file of an installed package (its package.json "bin"), else the documented one. */
function binOf(dir: string, pkgName: string, binName: string, documented: string): string {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', pkgName, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof meta.bin === 'string' ? meta.bin : meta.bin?.[binName];
    if (bin) return `node_modules/${pkgName}/${bin.replace(/^\.\//, '')}`;
  } catch {
    // not installed: the documented path
  }
  return `node_modules/${pkgName}/${documented}`;
}

const NEXT_CONFIGS = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'];

/** The framework layout of the project, if it uses one this table knows. */
export function frameworkLayout(dir: string, pkg: PackageJson): FrameworkLayout | undefined {
  if (has(pkg, 'next')) {
    const config = firstFile(dir, NEXT_CONFIGS);
    const standalone = /\boutput\s*:\s*['"`]standalone['"`]/.test(readText(dir, config));
    if (standalone) {
      return { healthPath: '/', name: 'Next.js (output: \'standalone\')', from: config!, outDir: '.next', entrypoint: '.next/standalone/server.js', nextStandalone: true, port: 3000, warnings: [] };
    }
    const where = config ?? 'next.config.js';
    return {
      healthPath: '/',
      name: 'Next.js (next start)',
      from: config ?? 'package.json "dependencies.next"',
      outDir: '.next',
      entrypoint: binOf(dir, 'next', 'next', 'dist/bin/next'),
      args: ['start'],
      port: 3000,
      files: [...(config ? [config] : []), ...(isDir(dir, 'public') ? ['public'] : [])],
      warnings: [`Next.js without output: 'standalone': the image holds all of .next and every production dependency (next start); add output: 'standalone' to ${where} for a smaller image and adopt again`],
    };
  }
  if (has(pkg, 'nuxt') || has(pkg, 'nitropack') || has(pkg, 'nitro')) {
    return { healthPath: '/', name: has(pkg, 'nuxt') ? 'Nuxt (Nitro node-server)' : 'Nitro (node-server)', from: `package.json "${has(pkg, 'nuxt') ? 'nuxt' : 'nitropack'}"`, outDir: '.output', entrypoint: '.output/server/index.mjs', port: 3000, warnings: [] };
  }
  if (has(pkg, '@sveltejs/kit')) {
    // The adapter is set in svelte.config.js, or (newer sv templates) in the sveltekit() plugin of vite.config.
    const config = [firstFile(dir, ['svelte.config.js', 'svelte.config.mjs', 'svelte.config.ts']), firstFile(dir, ['vite.config.ts', 'vite.config.js', 'vite.config.mts', 'vite.config.mjs'])]
      .find((f) => f && /@sveltejs\/adapter-/.test(readText(dir, f)));
    const nodeAdapter = has(pkg, '@sveltejs/adapter-node') && /@sveltejs\/adapter-node/.test(readText(dir, config));
    const out = /\bout\s*:\s*['"`]([^'"`]+)['"`]/.exec(readText(dir, config))?.[1] ?? 'build';
    return {
      healthPath: '/',
      name: 'SvelteKit (adapter-node)',
      from: config ?? 'package.json "@sveltejs/kit"',
      outDir: out.replace(/^\.\//, ''),
      entrypoint: `${out.replace(/^\.\//, '')}/index.js`,
      port: 3000,
      warnings: nodeAdapter ? [] : [`SvelteKit serves on Node.js only with @sveltejs/adapter-node: install it and set adapter: adapter() from '@sveltejs/adapter-node' in ${config ?? 'svelte.config.js'}, or the build writes no ${out}/index.js`],
    };
  }
  if (has(pkg, 'astro')) {
    const config = firstFile(dir, ['astro.config.mjs', 'astro.config.ts', 'astro.config.js', 'astro.config.mts']);
    const text = readText(dir, config);
    const nodeAdapter = has(pkg, '@astrojs/node') && /@astrojs\/node/.test(text);
    const out = /\boutDir\s*:\s*['"`]([^'"`]+)['"`]/.exec(text)?.[1]?.replace(/^\.\//, '') ?? 'dist';
    return {
      healthPath: '/',
      name: 'Astro (@astrojs/node, standalone)',
      from: config ?? 'package.json "astro"',
      outDir: out,
      entrypoint: `${out}/server/entry.mjs`,
      env: { HOST: '0.0.0.0' },
      port: 4321,
      warnings: nodeAdapter && !/mode\s*:\s*['"`]middleware/.test(text) ? [] : [`Astro serves on Node.js only with @astrojs/node in standalone mode: set adapter: node({ mode: 'standalone' }) in ${config ?? 'astro.config.mjs'}`],
    };
  }
  if (has(pkg, '@react-router/serve') || (has(pkg, '@react-router/dev') && has(pkg, '@react-router/node'))) {
    const args = argsOf(pkg, 'react-router-serve') ?? ['build/server/index.js'];
    return {
      healthPath: '/',
      name: 'React Router (react-router-serve)',
      from: 'package.json "@react-router/serve"',
      outDir: 'build',
      entrypoint: binOf(dir, '@react-router/serve', 'react-router-serve', 'bin.cjs'),
      args: args.map((a) => a.replace(/^\.\//, '')),
      port: 3000,
      warnings: has(pkg, '@react-router/serve') ? [] : ['React Router without @react-router/serve: add it to dependencies (the image runs react-router-serve), or give a start script that runs node on your own server'],
    };
  }
  if (has(pkg, '@remix-run/serve')) {
    const args = argsOf(pkg, 'remix-serve') ?? ['build/index.js'];
    return {
      healthPath: '/',
      name: 'Remix (remix-serve)',
      from: 'package.json "@remix-run/serve"',
      outDir: 'build',
      entrypoint: binOf(dir, '@remix-run/serve', 'remix-serve', 'dist/cli.js'),
      args: args.map((a) => a.replace(/^\.\//, '')),
      port: 3000,
      warnings: [],
    };
  }
  const fastifyArgs = has(pkg, 'fastify-cli') ? argsOf(pkg, 'fastify') : undefined;
  if (fastifyArgs && fastifyArgs[0] === 'start') {
    // fastify start binds to localhost unless told otherwise (FASTIFY_ADDRESS); it reads PORT.
    const rest = fastifyArgs.filter((a) => a !== '-w' && a !== '--watch' && a !== '-P' && a !== '--pretty-logs');
    return {
      name: 'Fastify (fastify-cli start)',
      from: 'package.json "fastify-cli"',
      entrypoint: binOf(dir, 'fastify-cli', 'fastify', 'cli.js'),
      args: rest.map((a) => a.replace(/^\.\//, '')),
      env: { FASTIFY_ADDRESS: '0.0.0.0' },
      port: 3000,
      warnings: [],
    };
  }
  return undefined;
}

/** The script a framework's server CLI serves (`fastify start app.js` -> `app.js`), for the runtime files of a build-less app. */
export function servedScript(layout: FrameworkLayout): string | undefined {
  const args = layout.args ?? [];
  for (let i = args.length - 1; i >= 0; i--) if (/\.[cm]?js$/.test(args[i])) return args[i];
  return undefined;
}

/** Warnings about code that will not work in a container (e.g. Fastify's listen on localhost). */
export function codeWarnings(dir: string, pkg: PackageJson, sources: readonly string[]): string[] {
  const out: string[] = [];
  if (has(pkg, 'fastify') && !has(pkg, 'fastify-cli')) {
    const listening = sources.map((s) => ({ s, text: readText(dir, s) })).find((x) => /\.listen\s*\(/.test(x.text));
    if (listening && !/0\.0\.0\.0|'::'|"::"|\bhost\s*:/.test(listening.text)) {
      out.push(`Fastify listens on localhost unless told otherwise: pass host: '0.0.0.0' to listen() in ${listening.s}, or the pod's probes cannot reach it`);
    }
  }
  if (has(pkg, 'hono') && !has(pkg, '@hono/node-server')) {
    out.push('Hono runs on Node.js through @hono/node-server (serve({ fetch: app.fetch, port })): add it to dependencies');
  }
  return out;
}

/** Build-time env files the image never gets (the .dockerignore keeps .env files out). */
export function envFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /^\.env(\..+)?$/.test(n) && !/\.(example|sample|template|dist|defaults)$/.test(n)).sort();
}

function isDir(dir: string, rel: string): boolean {
  try {
    return fs.statSync(path.join(dir, rel)).isDirectory();
  } catch {
    return false;
  }
}

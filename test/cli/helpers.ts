/**
 * Helpers for the CLI tests: build once, spawn the built binary as a user would (stdin not a
 * TTY), temporary directories under the OS temp dir, and a byte-level picture of a folder.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'create-msb-app.js');
const LIB_MAIN = path.join(REPO_ROOT, 'lib', 'cli', 'main.js');

/** Compiles src/ to lib/ when a source is newer than the built CLI (one test file at a time). */
export function ensureBuilt(): void {
  const lock = path.join(os.tmpdir(), 'create-msb-app-build.lock');
  const deadline = Date.now() + 120_000;
  while (true) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true });
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    const built = fs.existsSync(LIB_MAIN) ? fs.statSync(LIB_MAIN).mtimeMs : 0;
    if (newestSource(path.join(REPO_ROOT, 'src')) > built) {
      const r = spawnSync('npx', ['tsc', '--build'], { cwd: REPO_ROOT, encoding: 'utf8' });
      if (!fs.existsSync(LIB_MAIN)) throw new Error(`compiling failed:\n${r.stdout}${r.stderr}`);
      fs.utimesSync(LIB_MAIN, new Date(), new Date());
    }
    bundleModels();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The post-compile step: lib/k8s/models.js is a bundle of the kubernetes-models kinds it uses (the
 * package does not depend on kubernetes-models). `tsc --build` replaces it with plain requires,
 * which an installed tarball cannot load; bundle again when that happened.
 */
function bundleModels(): void {
  const models = path.join(REPO_ROOT, 'lib', 'k8s', 'models.js');
  if (!fs.existsSync(models) || !/require\("kubernetes-models\//.test(fs.readFileSync(models, 'utf8'))) return;
  const r = spawnSync('npx', ['projen', 'post-compile'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bundling lib/k8s/models.js failed:\n${r.stdout}${r.stderr}`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Result of a CLI run. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built binary with stdin not a TTY (an empty pipe). */
export function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input: '',
    encoding: 'utf8',
    env: { ...process.env, npm_config_user_agent: '', CI: '1', ...env },
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh directory under the OS temp dir. */
export function tempDir(prefix = 'msb-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** path -> sha256 of every file under `dir` (skipping node_modules and .git), plus folders. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === '.git') continue;
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p).split(path.sep).join('/');
      if (e.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(p);
      } else {
        out[rel] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      }
    }
  };
  walk(dir);
  return out;
}

/** Writes files (path -> content) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

export function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

/** A classic CommonJS Express app without a build step. */
export const EXPRESS_APP: Record<string, string> = {
  'package.json': `{
  "name": "shop",
  "version": "1.2.3",
  "description": "A shop",
  "main": "server.js",
  "engines": { "node": ">=22" },
  "scripts": {
    "start": "node server.js",
    "test": "node --test"
  },
  "dependencies": {
    "express": "^4.21.2"
  }
}
`,
  'package-lock.json': '{\n  "name": "shop",\n  "lockfileVersion": 3,\n  "packages": {}\n}\n',
  'server.js': `const express = require('express');
const routes = require('./routes');
const app = express();
app.use(express.static('public'));
app.use('/', routes);
const PORT = process.env.PORT || 3000;
app.listen(PORT, () => console.log('listening on', PORT));
`,
  'routes/index.js': "const router = require('express').Router();\nrouter.get('/healthz', (req, res) => res.send('ok'));\nmodule.exports = router;\n",
  'public/index.html': '<h1>shop</h1>\n',
  'test/server.test.js': "require('node:test');\n",
  '.gitignore': 'node_modules\n# my own line\n.env\n',
};

/** A TypeScript ESM app built with tsc to dist/. */
export const TS_ESM_APP: Record<string, string> = {
  'package.json': `{
  "name": "@acme/orders-api",
  "version": "0.4.0",
  "type": "module",
  "scripts": {
    "build": "tsc -p .",
    "start": "node --enable-source-maps dist/index.js"
  },
  "devDependencies": {
    "@types/node": "^24.0.0",
    "typescript": "^5.9.3"
  }
}
`,
  'tsconfig.json': `{
  // comments and trailing commas, as tsc allows
  "compilerOptions": { "module": "NodeNext", "target": "ES2022", "outDir": "./dist", "rootDir": "src", },
}
`,
  '.nvmrc': 'v24.3.0\n',
  'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
  'src/index.ts': "import { createServer } from 'node:http';\nconst port = Number(process.env.PORT ?? 4000);\ncreateServer((_req, res) => res.end('ok')).listen(port);\n",
};

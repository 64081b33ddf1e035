/**
 * Helpers for the CLI tests: the command run in process through runCli (stdin not a TTY, output
 * captured), temporary directories under the OS temp dir (removed after each test), and a
 * byte-level picture of a folder.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { runCli } from '../../src/cli/main';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Result of a CLI run. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stream that keeps what is written. */
export function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, cb) => { text += chunk.toString(); cb(); } });
  return { stream, text: () => text };
}

/** Runs the command in process, as a user would without a TTY; `env` is added for child processes. */
export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, signal?: AbortSignal): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const status = await runCli(args, {
    cwd,
    interactive: false,
    stdout: out.stream,
    stderr: err.stream,
    reporter: { info: (l) => out.stream.write(`${l}\n`), step: async (t, fn) => { out.stream.write(`- ${t}\n`); return fn(); } },
    env: { ...process.env, npm_config_user_agent: '', CI: '1', ...env },
    signal,
  });
  return { status, stdout: out.text(), stderr: err.text() };
}

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir. */
export function tempDir(prefix = 'msb-cli-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
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
